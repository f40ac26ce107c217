import { AccessPolicyGrant } from './access-policy';

/** How a `ClusterAccess` carries IAM identities into the cluster. */
export enum AccessMechanism {
  /** Only the `aws-auth` ConfigMap (clusters in mode `CONFIG_MAP`, or by choice). */
  AWS_AUTH = 'AWS_AUTH',
  /** Only EKS access entries (clusters in mode `API` or `API_AND_CONFIG_MAP`). */
  ACCESS_ENTRIES = 'ACCESS_ENTRIES',
  /**
   * Decided at deploy time from the cluster's authentication mode: access entries whenever the
   * cluster has the access-entry API, `aws-auth` otherwise.
   */
  AUTO = 'AUTO',
}

/** How an IAM role or user appears in Kubernetes. */
export interface KubernetesIdentityOptions {
  /**
   * The Kubernetes username.
   *
   * In `aws-auth` the templates `{{SessionName}}`, `{{AccountID}}` and, for roles,
   * `{{SessionNameRaw}}` are expanded by the authenticator. Access entries reject the prefixes
   * `system:`, `eks:`, `aws:`, `amazon:` and `iam:`, and a username with `{{SessionName}}` or
   * `{{SessionNameRaw}}` needs a colon somewhere before it (`dev:{{SessionName}}`, not
   * `dev{{SessionName}}`); both are refused at synth time unless the mechanism is `AWS_AUTH`.
   *
   * @default - in aws-auth the mapped ARN (a role's without its path; the authenticator itself
   * has no default and would pass an empty username on); for access entries EKS's default (the
   * assumed-role session ARN for roles, the user ARN for users)
   */
  readonly username?: string;

  /**
   * Kubernetes groups the identity belongs to; bind RBAC roles to them.
   *
   * `system:masters` grants unrestricted cluster-admin: it needs `allowSystemMasters: true`, and
   * for access entries it becomes the `AmazonEKSClusterAdminPolicy` access policy (EKS forbids
   * `system:` groups on access entries).
   *
   * @default - no groups
   */
  readonly groups?: string[];

  /**
   * EKS access policies for the identity (access-entry clusters only).
   *
   * @default - none
   */
  readonly accessPolicies?: AccessPolicyGrant[];

  /**
   * Set to `true` to allow the group `system:masters` (full, unauditable cluster-admin).
   *
   * @default false
   */
  readonly allowSystemMasters?: boolean;
}

/** How a node role is mapped. */
export interface NodeRoleMappingOptions {
  /**
   * The role belongs to Windows nodes: in `aws-auth` it also joins `eks:kube-proxy-windows`;
   * its access entry has type `EC2_WINDOWS` instead of `EC2_LINUX`.
   *
   * @default false
   */
  readonly windows?: boolean;
}
