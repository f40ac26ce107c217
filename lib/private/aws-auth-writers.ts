/**
 * Another writer of aws-auth in the same app: aws-cdk-lib's `aws-eks` `AwsAuth`, which a `Cluster`
 * creates for its node groups, Fargate profiles, Auto Scaling group capacity or `awsAuth`
 * mappings (in every authentication mode but API). It applies the whole ConfigMap, with
 * `overwrite`, on every change of its mappings: the entries this library merged in are erased
 * each time. Internal: not part of the public API.
 */
import * as eks from 'aws-cdk-lib/aws-eks';
import { IConstruct } from 'constructs';
import { ClusterTarget } from './cluster-target';

/** What decides whether a ClusterAccess writes aws-auth. */
export interface AwsAuthUse {
  /** `AWS_AUTH`, `ACCESS_ENTRIES` or `AUTO`. */
  readonly mechanism: string;
  /** The mode the ClusterAccess moves the cluster to, if any. */
  readonly targetAuthenticationMode?: string;
}

/**
 * The errors for every aws-eks `AwsAuth` of the app that writes the aws-auth of `target` while
 * `access` may write it too (empty when `access` uses access entries for sure).
 */
export function otherAwsAuthWriters(access: IConstruct, target: ClusterTarget, use: AwsAuthUse): string[] {
  if (!mayWriteAwsAuth(use, target)) {
    return [];
  }
  return findAwsAuths(access)
    .filter((awsAuth) => writesTo(awsAuth, target))
    .map((awsAuth) => `${awsAuth.node.path} (aws-eks's aws-auth of cluster ${awsAuth.node.scope!.node.path}, made for its node groups, Fargate profiles, capacity or awsAuth mappings) `
      + `applies the whole aws-auth ConfigMap on every change, erasing the entries ${access.node.path} merges in (mechanism ${use.mechanism}${modeText(use, target)}). `
      + 'Two ways out: let this ClusterAccess use access entries (mechanism: AccessMechanism.ACCESS_ENTRIES, or AUTO, with the cluster in authentication mode API_AND_CONFIG_MAP: set authenticationMode on the cluster or on this ClusterAccess), '
      + 'or stop aws-eks from writing aws-auth and map those roles through this ClusterAccess instead (mapRole instead of cluster.awsAuth.addRoleMapping, mapNodeRole with addAutoScalingGroupCapacity({ mapRole: false }); managed node groups and Fargate profiles are always mapped by aws-eks outside mode API, so they need the first way). See docs/clusters.md');
}

/** False only when the ClusterAccess surely uses access entries: ACCESS_ENTRIES, or AUTO on a cluster whose mode has them. */
function mayWriteAwsAuth(use: AwsAuthUse, target: ClusterTarget): boolean {
  if (use.mechanism === 'ACCESS_ENTRIES') {
    return false;
  }
  const mode = use.targetAuthenticationMode ?? target.authenticationMode;
  return use.mechanism === 'AWS_AUTH' || !(mode === 'API' || mode === 'API_AND_CONFIG_MAP');
}

function modeText(use: AwsAuthUse, target: ClusterTarget): string {
  const mode = use.targetAuthenticationMode ?? target.authenticationMode;
  return mode ? `, cluster in authentication mode ${mode}` : ', cluster in an authentication mode not known at synth time';
}

function findAwsAuths(scope: IConstruct): eks.AwsAuth[] {
  return scope.node.root.node.findAll().filter((c): c is eks.AwsAuth => c instanceof eks.AwsAuth);
}

/** The AwsAuth belongs to the target's cluster: that very construct, or an aws-eks Cluster of the same name. */
function writesTo(awsAuth: eks.AwsAuth, target: ClusterTarget): boolean {
  const cluster = awsAuth.node.scope;
  if (cluster === undefined) {
    return false;
  }
  if (target.construct !== undefined) {
    return cluster === target.construct;
  }
  return cluster instanceof eks.Cluster && cluster.clusterName === target.clusterName;
}
