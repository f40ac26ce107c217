/**
 * The AWS-managed EKS access policies the fake knows (what ListAccessPolicies answers and what
 * AssociateAccessPolicy accepts), each with the document it comes from. Policy ARNs have no
 * region or account: `arn:<partition>:eks::aws:cluster-access-policy/<name>`.
 *
 * Sources (see README.md): the EKS User Guide page "Review access policy permissions"
 * (access-policy-reference), its EKS Capabilities pages, the list-access-policies example on that
 * page, and the EMR on EKS and SageMaker HyperPod guides that name their own policies.
 */

/** One access policy and what the documentation says of it. */
export interface AccessPolicyInfo {
  readonly name: string;
  /**
   * "This policy is designated for AWS service-linked roles only and cannot be used with
   * customer-managed roles" (User Guide, access-policy-reference).
   */
  readonly serviceLinkedRolesOnly: boolean;
}

const policy = (name: string, serviceLinkedRolesOnly = false): AccessPolicyInfo => ({ name, serviceLinkedRolesOnly });

/** Every access policy EKS documents, in name order. */
export const ACCESS_POLICIES: readonly AccessPolicyInfo[] = [
  policy('AmazonAIOpsAssistantPolicy'),
  policy('AmazonARCRegionSwitchScalingPolicy'),
  policy('AmazonEKSACKPolicy'),
  policy('AmazonEKSAdminPolicy'),
  policy('AmazonEKSAdminViewPolicy'),
  policy('AmazonEKSArgoCDClusterPolicy'),
  policy('AmazonEKSArgoCDPolicy'),
  policy('AmazonEKSAutoNodePolicy'),
  policy('AmazonEKSBlockStorageClusterPolicy', true),
  policy('AmazonEKSBlockStoragePolicy', true),
  policy('AmazonEKSClusterAdminPolicy'),
  policy('AmazonEKSClusterInsightsPolicy', true),
  policy('AmazonEKSComputeClusterPolicy', true),
  policy('AmazonEKSComputePolicy', true),
  policy('AmazonEKSEditPolicy'),
  policy('AmazonEKSHybridPolicy', true),
  policy('AmazonEKSKROPolicy'),
  policy('AmazonEKSLoadBalancingClusterPolicy'),
  policy('AmazonEKSLoadBalancingPolicy'),
  policy('AmazonEKSNetworkingClusterPolicy'),
  policy('AmazonEKSNetworkingPolicy'),
  policy('AmazonEKSSecretReaderPolicy'),
  policy('AmazonEKSViewPolicy'),
  policy('AmazonEMRJobPolicy'),
  policy('AmazonSagemakerHyperpodClusterPolicy'),
  policy('AmazonSagemakerHyperpodControllerPolicy'),
  policy('AmazonSagemakerHyperpodSystemNamespacePolicy'),
];

/** Names of the access policies EKS offers. */
export const ACCESS_POLICY_NAMES: readonly string[] = ACCESS_POLICIES.map((p) => p.name);

/** The policy that grants cluster-admin (what the cluster creator's bootstrap entry gets). */
export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

/** The one access policy the Auto Mode docs associate with an `EC2` access entry. */
export const AUTO_NODE_POLICY = 'AmazonEKSAutoNodePolicy';

/** The ARN of a named access policy in a partition. */
export function accessPolicyArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
}

/**
 * The documented policy an ARN names in `partition`, or undefined when it names none there (an
 * unknown name, a malformed ARN, or an ARN of another partition).
 */
export function knownAccessPolicy(arn: string, partition: string): AccessPolicyInfo | undefined {
  const prefix = `arn:${partition}:eks::aws:cluster-access-policy/`;
  return arn.startsWith(prefix) ? ACCESS_POLICIES.find((p) => p.name === arn.slice(prefix.length)) : undefined;
}
