/**
 * The AWS-managed EKS access policies the fake knows (what ListAccessPolicies answers and what
 * AssociateAccessPolicy accepts). Policy ARNs have no region or account:
 * `arn:<partition>:eks::aws:cluster-access-policy/<name>`.
 */

/** Names of the access policies EKS offers. */
export const ACCESS_POLICY_NAMES: readonly string[] = [
  'AmazonAIOpsAssistantPolicy',
  'AmazonARCRegionSwitchScalingPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSAdminViewPolicy',
  'AmazonEKSAutoNodePolicy',
  'AmazonEKSBlockStorageClusterPolicy',
  'AmazonEKSBlockStoragePolicy',
  'AmazonEKSClusterAdminPolicy',
  'AmazonEKSComputeClusterPolicy',
  'AmazonEKSComputePolicy',
  'AmazonEKSEditPolicy',
  'AmazonEKSHybridPolicy',
  'AmazonEKSLoadBalancingClusterPolicy',
  'AmazonEKSLoadBalancingPolicy',
  'AmazonEKSNetworkingClusterPolicy',
  'AmazonEKSNetworkingPolicy',
  'AmazonEKSViewPolicy',
  'AmazonEMRJobPolicy',
  'AmazonSagemakerHyperpodClusterPolicy',
  'AmazonSagemakerHyperpodControllerPolicy',
  'AmazonSagemakerHyperpodSystemNamespacePolicy',
];

/** The policy that grants cluster-admin (what the cluster creator's bootstrap entry gets). */
export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

/** The ARN of a named access policy in a partition. */
export function accessPolicyArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
}

/** The policy name of an access policy ARN, or undefined when the ARN is not one EKS offers. */
export function knownAccessPolicyName(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:eks::aws:cluster-access-policy\/(.+)$/.exec(arn);
  return match && ACCESS_POLICY_NAMES.includes(match[1]) ? match[1] : undefined;
}
