/**
 * Everything that decides who gets into a cluster and what they may do, as one value: the
 * authentication mode, the access entries, aws-auth (as the authenticator parses it, with where each
 * entry is written) and the RBAC objects. Read from a live cluster, from files, or from the desired
 * state of a synthesized app; `explain` and `report` work on it alone.
 */
import { AwsAuthConfigMap, AwsAuthPositions, AwsAuthProblem, awsAuthPositions, parseAwsAuth } from '../aws-auth';
import { AuthenticationMode } from '../desired-state';
import { withDefaultRbac } from './access-policies';
import { AccessEntryView } from './entries';
import { RbacObjects, withAggregatedRules } from './rbac';

/** aws-auth as the authenticator reads it. */
export interface AwsAuthView {
  /** Undefined when there is no aws-auth, or nothing of it can be read. */
  readonly configMap?: AwsAuthConfigMap;
  /** The parser's problems (entries it drops, sections it ignores). */
  readonly problems: readonly AwsAuthProblem[];
  readonly positions: AwsAuthPositions;
  /** Where it was read: `kube-system/aws-auth`, `file aws-auth.yaml`. */
  readonly description: string;
}

/** Where the RBAC objects come from. */
export type RbacSource = 'cluster' | 'manifests';

export interface ClusterAccessView {
  /** `EKS cluster "prod" in us-west-2`, `the given files`. */
  readonly description: string;
  readonly mode: AuthenticationMode;
  /** The access entries; undefined when they are not known (none given). */
  readonly accessEntries?: readonly AccessEntryView[];
  readonly awsAuth: AwsAuthView;
  readonly rbac: RbacObjects;
  /**
   * `cluster`: the cluster's own objects (aggregated roles filled in by the cluster);
   * `manifests`: given objects, with Kubernetes' default roles and bindings assumed.
   */
  readonly rbacSource: RbacSource;
}

/** aws-auth parsed from its text (undefined: there is none). */
export function awsAuthView(text: string | undefined, description: string): AwsAuthView {
  if (text === undefined) {
    return { problems: [], positions: awsAuthPositions(undefined, []), description };
  }
  const parsed = parseAwsAuth(text);
  return { configMap: parsed.configMap, problems: parsed.problems, positions: awsAuthPositions(text, parsed.problems), description };
}

/** RBAC objects from manifests, as a cluster would have them: aggregated roles filled in, defaults added. */
export function rbacAsDeployed(objects: RbacObjects): RbacObjects {
  return withAggregatedRules(withDefaultRbac(objects));
}
