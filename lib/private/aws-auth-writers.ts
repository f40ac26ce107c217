/**
 * Another writer of aws-auth in the same app: aws-cdk-lib's `aws-eks` `AwsAuth`, which a `Cluster`
 * creates the first time its `awsAuth` is read: for managed node groups and Fargate profiles
 * (outside mode API), Auto Scaling group capacity (unless `mapRole: false`), `mastersRole` (mode
 * CONFIG_MAP), and `cluster.awsAuth.add*` calls. Its `KubernetesManifest` (`overwrite`) applies
 * the whole ConfigMap when it is created and whenever its mappings change, and deletes it when it
 * is removed. `aws-eks-v2` clusters are always in mode API and have no such construct.
 * Internal: not part of the public API.
 *
 * The rule: when the ClusterAccess may write aws-auth (mechanism AWS_AUTH, or AUTO on a cluster
 * whose mode is CONFIG_MAP or not known at synth time), an AwsAuth of the same cluster with
 * mappings is an error (each change of its mappings erases our entries); an AwsAuth without
 * mappings is a warning (it erases them only when it is created, and deletes aws-auth when it is
 * removed, and its first mapping turns the warning into the error).
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
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

/** The acknowledgeable warning of an AwsAuth without mappings. */
export const AWS_AUTH_WRITER_WARNING = 'cdk-eks-access:aws-auth-writer';

/**
 * The errors for every aws-eks `AwsAuth` of the app that writes the aws-auth of `target` with
 * mappings while `access` may write it too; a warning on `access` for each one without mappings.
 */
export function otherAwsAuthWriters(access: IConstruct, target: ClusterTarget, use: AwsAuthUse): string[] {
  if (use.mechanism === 'ACCESS_ENTRIES') {
    return [];
  }
  const errors: string[] = [];
  for (const awsAuth of findAwsAuths(access)) {
    const cluster = awsAuth.node.scope;
    if (!(cluster instanceof eks.Cluster) || !isTarget(cluster, target)) {
      continue;
    }
    const mode = use.targetAuthenticationMode ?? target.authenticationMode ?? cluster.authenticationMode ?? 'CONFIG_MAP';
    if (use.mechanism === 'AUTO' && (mode === 'API' || mode === 'API_AND_CONFIG_MAP')) {
      continue;
    }
    const mapped = mappedPrincipals(awsAuth);
    const subject = `${awsAuth.node.path} (aws-eks's aws-auth of cluster ${cluster.node.path})`;
    const ours = `the entries ${access.node.path} merges into aws-auth (mechanism ${use.mechanism}, authentication mode ${mode})`;
    if (mapped === undefined || mapped.length > 0) {
      errors.push(`${subject} maps ${mapped === undefined ? 'principals' : mapped.join(', ')}; it applies the whole aws-auth ConfigMap each time its mappings change, erasing ${ours}. `
        + `Two ways out: set mechanism: AccessMechanism.ACCESS_ENTRIES on ${access.node.path} (with the cluster in authentication mode API_AND_CONFIG_MAP: set authenticationMode on the cluster or on ${access.node.path}), `
        + `or map those roles through ${access.node.path} (mapRole, mapUser, mapAccount, mapNodeRole) instead of cluster.awsAuth, with addAutoScalingGroupCapacity(..., { mapRole: false }); `
        + 'managed node groups, Fargate profiles and mastersRole always use cluster.awsAuth outside mode API and leave only the first way. '
        + 'A deployed AwsAuth deletes the aws-auth ConfigMap when it is removed: retain it first (docs/clusters.md, "Two writers of aws-auth")');
    } else {
      Annotations.of(access).addWarningV2(AWS_AUTH_WRITER_WARNING, `${subject} maps nothing yet, but it writes aws-auth too: `
        + `it applies an aws-auth with empty mapRoles, mapUsers and mapAccounts when it is created, erasing ${ours}, and deletes the aws-auth ConfigMap when it is removed; `
        + `its first mapping makes this an error. Set mechanism: AccessMechanism.ACCESS_ENTRIES on ${access.node.path} (with the cluster in authentication mode API_AND_CONFIG_MAP), `
        + 'or stop reading cluster.awsAuth (retain a deployed AwsAuth first: docs/clusters.md, "Two writers of aws-auth")');
    }
  }
  return errors;
}

function findAwsAuths(scope: IConstruct): eks.AwsAuth[] {
  return scope.node.root.node.findAll().filter((c): c is eks.AwsAuth => c instanceof eks.AwsAuth);
}

/**
 * The cluster is the target: that very construct, or one of the same name (a cluster given by its
 * name or imported with `fromClusterAttributes`), in the same region.
 */
function isTarget(cluster: eks.Cluster, target: ClusterTarget): boolean {
  if (target.construct === cluster) {
    return true;
  }
  const names = [cluster.clusterName, (cluster as unknown as { physicalName?: string }).physicalName];
  if (!names.some((n) => n !== undefined && n === target.clusterName)) {
    return false;
  }
  const region = Stack.of(cluster).region;
  return target.region === undefined || Token.isUnresolved(target.region) || Token.isUnresolved(region) || target.region === region;
}

/**
 * The construct paths of the principals an AwsAuth maps (and its accounts), or undefined when
 * this aws-cdk-lib keeps its mappings in a form not known here (then taken as mapped).
 */
function mappedPrincipals(awsAuth: eks.AwsAuth): string[] | undefined {
  const fields = awsAuth as unknown as Record<string, unknown>;
  const roles = listOf(fields.roleMappings) as Array<{ role?: IConstruct }> | undefined;
  const users = listOf(fields.userMappings) as Array<{ user?: IConstruct }> | undefined;
  const accounts = listOf(fields.accounts) as string[] | undefined;
  if (roles === undefined || users === undefined || accounts === undefined) {
    return undefined;
  }
  return [
    ...roles.map((m) => m.role?.node.path ?? 'a role'),
    ...users.map((m) => m.user?.node.path ?? 'a user'),
    ...accounts.map((a) => `account ${Token.isUnresolved(a) ? '(a deploy-time value)' : a}`),
  ];
}

/** An array, or the array of a box that holds one (`get()`), as aws-cdk-lib keeps the mappings. */
function listOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) {
    return value;
  }
  const got = typeof (value as { get?: unknown } | undefined)?.get === 'function' ? (value as { get(): unknown }).get() : undefined;
  return Array.isArray(got) ? got : undefined;
}
