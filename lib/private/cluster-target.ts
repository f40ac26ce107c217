/**
 * The cluster a `ClusterAccess` applies to, from whichever form it was given in: an `aws-eks` or
 * `aws-eks-v2` cluster (or a `CfnCluster`: anything that is an `IClusterRef`), a name (and
 * region), or an ARN. Internal: not part of the public API.
 */
import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { AccessConfigError } from '../core/arn';

/** How the cluster was given (the `ClusterAccessProps` that name it). */
export interface ClusterTargetProps {
  readonly cluster?: eks.IClusterRef;
  readonly clusterName?: string;
  readonly clusterArn?: string;
  readonly region?: string;
}

/** The cluster, as the constructs need it. */
export interface ClusterTarget {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The cluster's region when it is not the stack's (given, or taken from its ARN). */
  readonly region?: string;
  /** The cluster's account (the stack's unless the cluster says otherwise). */
  readonly account: string;
  /** The role `aws-eks` reaches Kubernetes with (`kubectlRole`), if the cluster has one. */
  readonly kubectlRole?: iam.IRole;
  /** Where the cluster's kubectl handler runs, for a private endpoint. */
  readonly vpc?: ec2.IVpc;
  readonly privateSubnets?: ec2.ISubnet[];
  readonly securityGroup?: ec2.ISecurityGroup;
  /** The cluster's authentication mode, when the app defines it. */
  readonly authenticationMode?: string;
  /** The construct of the cluster, when the app has one (ordering, and finding other aws-auth writers). */
  readonly construct?: IConstruct;
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** The cluster of `scope`'s ClusterAccess; throws naming `scope` and the value when it cannot be one. */
export function resolveClusterTarget(scope: IConstruct, props: ClusterTargetProps): ClusterTarget {
  const path = scope.node.path;
  const given = [props.cluster && 'cluster', props.clusterName !== undefined && !props.clusterArn && 'clusterName', props.clusterArn !== undefined && 'clusterArn'].filter(Boolean);
  if (given.length !== 1 || (props.cluster && props.clusterName !== undefined)) {
    throw new AccessConfigError(`${path}: give exactly one of "cluster", "clusterName" (with "region" for another region) and "clusterArn"${given.length > 1 ? ` (got ${given.join(' and ')})` : ''}`);
  }
  warnOfUnknownRegion(scope, props.region, 'region');
  const target = props.cluster ? fromCluster(scope, props.cluster, props.region)
    : props.clusterArn !== undefined ? fromArn(scope, props.clusterArn, props.clusterName, props.region)
      : fromName(scope, props.clusterName!, props.region);
  if (!Token.isUnresolved(target.clusterName) && !CLUSTER_NAME.test(target.clusterName)) {
    throw new AccessConfigError(`${path}: "${target.clusterName}" is not a valid EKS cluster name`);
  }
  return target;
}

function fromName(scope: IConstruct, clusterName: string, region: string | undefined): ClusterTarget {
  const stack = Stack.of(scope);
  return { clusterName, clusterArn: clusterArnOf(stack, clusterName, region), region, account: stack.account };
}

function fromArn(scope: IConstruct, clusterArn: string, clusterName: string | undefined, region: string | undefined): ClusterTarget {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(clusterArn)) {
    if (clusterName === undefined) {
      throw new AccessConfigError(`${scope.node.path}: the clusterArn is only known at deploy time; give clusterName as well`);
    }
    return { clusterName, clusterArn, region, account: stack.account };
  }
  const parts = Arn.split(clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
  if (parts.service !== 'eks' || parts.resource !== 'cluster' || !parts.resourceName || !parts.region || !parts.account) {
    throw new AccessConfigError(`${scope.node.path}: "${clusterArn}" is not an EKS cluster ARN (arn:<partition>:eks:<region>:<account>:cluster/<name>)`);
  }
  const name = clusterName ?? parts.resourceName;
  if (!Token.isUnresolved(name) && name !== parts.resourceName) {
    throw new AccessConfigError(`${scope.node.path}: clusterName "${name}" and clusterArn "${clusterArn}" name different clusters`);
  }
  if (region !== undefined && !Token.isUnresolved(region) && region !== parts.region) {
    throw new AccessConfigError(`${scope.node.path}: region "${region}" and clusterArn "${clusterArn}" name different regions`);
  }
  warnOfUnknownRegion(scope, parts.region, 'clusterArn');
  checkSameAccount(scope, parts.account, `the cluster ${clusterArn}`);
  const otherRegion = Token.isUnresolved(stack.region) || parts.region !== stack.region ? parts.region : undefined;
  return { clusterName: name, clusterArn, region: otherRegion, account: parts.account };
}

function fromCluster(scope: IConstruct, cluster: eks.IClusterRef, region: string | undefined): ClusterTarget {
  const stack = Stack.of(scope);
  checkSameEnvironment(scope, cluster, region);
  const any = cluster as unknown as Record<string, unknown>;
  const clusterName = (typeof any.clusterName === 'string' ? any.clusterName : undefined) ?? cluster.clusterRef.clusterName;
  const v1 = isAwsEksCluster(cluster) ? cluster : undefined;
  const v2 = v1 ? undefined : any.kubectlProviderOptions as { privateSubnets?: ec2.ISubnet[]; securityGroup?: ec2.ISecurityGroup } | undefined;
  const account = Token.isUnresolved(cluster.env.account) ? stack.account : cluster.env.account;
  return {
    clusterName,
    clusterArn: region ? clusterArnOf(stack, clusterName, region) : cluster.clusterRef.clusterArn,
    region,
    account,
    kubectlRole: v1?.kubectlRole,
    vpc: v1?.kubectlPrivateSubnets?.length || v2?.privateSubnets?.length ? any.vpc as ec2.IVpc : undefined,
    privateSubnets: v1?.kubectlPrivateSubnets ?? v2?.privateSubnets,
    securityGroup: v1?.kubectlSecurityGroup ?? v2?.securityGroup,
    authenticationMode: authenticationModeOf(cluster),
    construct: cluster,
  };
}

/** True for a cluster of `aws-cdk-lib/aws-eks` (created or imported), which has the kubectl properties. */
function isAwsEksCluster(cluster: eks.IClusterRef): cluster is eks.ICluster {
  return 'kubectlProvider' in cluster || 'kubectlRole' in cluster || cluster instanceof eks.Cluster;
}

/** The authentication mode the app gives the cluster, when it says (aws-eks-v2 clusters are always API). */
function authenticationModeOf(cluster: eks.IClusterRef): string | undefined {
  if (cluster instanceof eks.Cluster) {
    return cluster.authenticationMode ?? 'CONFIG_MAP';
  }
  if (cluster instanceof eks.CfnCluster) {
    const config = cluster.accessConfig as eks.CfnCluster.AccessConfigProperty | undefined;
    return config && !Token.isUnresolved(config) ? config.authenticationMode ?? 'CONFIG_MAP' : undefined;
  }
  const fqn = (cluster.constructor as unknown as Record<symbol, { fqn?: string }>)[Symbol.for('jsii.rtti')]?.fqn;
  return fqn === 'aws-cdk-lib.aws_eks_v2.Cluster' ? 'API' : undefined;
}

/**
 * A cluster of another stack in another account or region cannot be referenced (CloudFormation
 * has no cross-environment references); say what to do instead of aws-cdk-lib's generic error.
 */
function checkSameEnvironment(scope: IConstruct, cluster: eks.IClusterRef, region: string | undefined): void {
  const stack = Stack.of(scope);
  const theirs = cluster.env;
  checkSameAccount(scope, theirs.account, `the cluster ${cluster.node.path}`);
  const known = (r: string | undefined): r is string => r !== undefined && !Token.isUnresolved(r);
  if (known(theirs.region) && known(stack.region) && theirs.region !== stack.region && region === undefined) {
    const name = (cluster as unknown as { clusterName?: string }).clusterName ?? cluster.clusterRef.clusterName;
    const literal = !Token.isUnresolved(name) ? `'${name}'` : '<its name>';
    throw new AccessConfigError(`${scope.node.path}: the cluster ${cluster.node.path} is in region ${theirs.region}, this ClusterAccess's stack ${stack.stackName} in ${stack.region}; a stack cannot reference a resource of another region. Name the cluster instead: clusterName: ${literal}, region: '${theirs.region}' (or create the ClusterAccess in a stack of ${theirs.region})`);
  }
}

/** The handler runs in this stack's account and calls EKS there: the cluster must be in it. */
function checkSameAccount(scope: IConstruct, account: string, what: string): void {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && account !== stack.account) {
    throw new AccessConfigError(`${scope.node.path}: ${what} is in account ${account}, this ClusterAccess's stack ${stack.stackName} in ${stack.account}; its handler manages clusters of its own account only. Create the ClusterAccess in a stack of account ${account} (with clusterName and region when the cluster is defined elsewhere)`);
  }
}

/** A synth warning for a region name aws-cdk-lib does not know (a typo such as eu-wset-1). */
function warnOfUnknownRegion(scope: IConstruct, region: string | undefined, prop: string): void {
  if (region === undefined || Token.isUnresolved(region) || RegionInfo.regions.some((r) => r.name === region)) {
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-eks-access:region', `${prop}: "${region}" is not a region aws-cdk-lib knows (such as eu-west-1 or us-east-1); check its spelling. A region newer than this aws-cdk-lib version works, but nothing about it can be checked at synth time`);
}

function clusterArnOf(stack: Stack, clusterName: string, region: string | undefined): string {
  return stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: clusterName, region });
}
