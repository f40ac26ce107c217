/**
 * This owner's entries in aws-auth: parse the live ConfigMap exactly as the authenticator reads
 * it, merge with the engine's owner-tracked merge, refuse a lockout, and write through the
 * conflict-safe store. Used with an empty desired state to remove this owner's entries (Delete,
 * or a move to access entries); foreign and other owners' entries are never touched.
 */
import { updateAwsAuth } from './aws-auth-store';
import { Deadline } from './deadline';
import { KubeObject, KubernetesApi } from './kubernetes-api';
import { AccessSnapshot, assertNoLockout, HandlerIdentity, LockoutError } from './lockout';
import { Logger } from './log';
import { AccessConfigError } from '../core/arn';
import { AwsAuthConfigMap, emptyAwsAuth, formatProblem, mergeOwnedAwsAuth, parseAwsAuth, readOwnerRecords, toConfigMapObject } from '../core/aws-auth';
import { DesiredAwsAuth } from '../core/desired-state';

/** Desired state of an owner that wants nothing in aws-auth. */
export const EMPTY_DESIRED_AWS_AUTH: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };

export interface AwsAuthReconcileInput {
  readonly ownerId: string;
  readonly desired: DesiredAwsAuth;
  /** Identities the handler uses (in aws-auth form: role path removed); never unmapped. */
  readonly identities: readonly HandlerIdentity[];
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  /**
   * Refuse a change that leaves aws-auth without any mapping where it had some: on a CONFIG_MAP
   * cluster that locks out everyone but the cluster creator.
   */
  readonly refuseEmpty?: boolean;
}

export interface AwsAuthReconcileResult {
  readonly written: boolean;
  readonly created: boolean;
  /** Read-merge-write rounds (more than 1 when concurrent writers interfered). */
  readonly attempts: number;
  /** Lower-cased role and user ARNs aws-auth maps after this run. */
  readonly mappedArns: ReadonlySet<string>;
  /** Owner IDs recorded in aws-auth after this run. */
  readonly owners: string[];
  readonly warnings: string[];
}

/** Parses the live object; throws naming every problem when any would lose information. */
export function parseLiveAwsAuth(object: KubeObject): AwsAuthConfigMap {
  const parsed = parseAwsAuth(object as object);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (!parsed.configMap || errors.length > 0) {
    throw new AccessConfigError(`the aws-auth ConfigMap in kube-system cannot be read safely, so it was not changed (nothing was written):\n- ${(errors.length > 0 ? errors : parsed.problems).map(formatProblem).join('\n- ')}\nFix it by hand (kubectl edit configmap aws-auth -n kube-system), then re-run the deployment.`);
  }
  return parsed.configMap;
}

/** Who aws-auth lets in, for the lockout check. */
export function awsAuthSnapshot(configMap: AwsAuthConfigMap): AccessSnapshot {
  const entries = [
    ...configMap.mapRoles.map((r) => ({ arn: r.rolearn, groups: r.groups ?? [] })),
    ...configMap.mapUsers.map((u) => ({ arn: u.userarn, groups: u.groups ?? [] })),
  ].filter((e): e is { arn: string; groups: readonly string[] } => typeof e.arn === 'string');
  return {
    principals: new Set(entries.map((e) => e.arn.toLowerCase())),
    nodePrincipals: new Set(entries.filter((e) => e.groups.includes('system:nodes')).map((e) => e.arn.toLowerCase())),
    admins: new Set(entries.filter((e) => e.groups.includes('system:masters')).map((e) => e.arn.toLowerCase())),
  };
}

/** Makes aws-auth hold exactly this owner's desired entries, alongside everyone else's. */
export async function reconcileAwsAuth(kube: KubernetesApi, input: AwsAuthReconcileInput): Promise<AwsAuthReconcileResult> {
  const identities = input.identities.map((i) => ({ ...i, arn: i.arn.toLowerCase() }));
  const wantsNothing = input.desired.mapRoles.length + input.desired.mapUsers.length + input.desired.mapAccounts.length === 0;
  let warnings: string[] = [];
  let mapped: ReadonlySet<string> = new Set();
  let owners: string[] = [];
  const result = await updateAwsAuth(kube, (current) => {
    warnings = [];
    if (current === undefined && wantsNothing) {
      mapped = new Set();
      return undefined; // no aws-auth and nothing to put in it: create nothing
    }
    const base = current === undefined ? emptyAwsAuth() : parseLiveAwsAuth(current);
    const merge = mergeOwnedAwsAuth(base, input.ownerId, input.desired);
    warnings = merge.warnings;
    const before = awsAuthSnapshot(base);
    const after = awsAuthSnapshot(merge.configMap);
    mapped = after.principals;
    owners = Object.keys(readOwnerRecords(merge.configMap));
    if (!merge.changed) {
      return undefined;
    }
    assertNoLockout('aws-auth', before, after, identities);
    const mappings = (c: AwsAuthConfigMap) => c.mapRoles.length + c.mapUsers.length + c.mapAccounts.length;
    if (input.refuseEmpty && mappings(base) > 0 && mappings(merge.configMap) === 0) {
      throw new LockoutError('refusing the change (nothing was written): it would leave aws-auth without any mapping, and on a CONFIG_MAP cluster only the cluster creator could still sign in. Keep at least one mapping (e.g. the node role), or move the cluster to access entries first.');
    }
    return toConfigMapObject(merge.configMap) as unknown as KubeObject;
  }, { deadline: input.deadline, log: input.log, random: input.random, maxAttempts: input.maxAttempts });
  for (const w of warnings) {
    input.log.warn(`aws-auth: ${w}`);
  }
  return { written: result.written, created: result.created, attempts: result.attempts, mappedArns: mapped, owners, warnings };
}
