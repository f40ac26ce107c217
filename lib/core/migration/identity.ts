/**
 * Who a principal is in Kubernetes through an access entry, as EKS decides it (username template
 * and groups, with EKS's defaults per type), and how that compares with what an aws-auth entry
 * gives the same principal. The comparison is the migration's check that a principal "resolves
 * the same" both ways: same username template, same groups, with two documented equivalences:
 * `system:masters` is the `AmazonEKSClusterAdminPolicy` at cluster scope, and a node entry's
 * `system:bootstrappers` group, which EKS's node entries do not carry.
 */
import { AccessPolicyAssociationSpec } from '../access-entry';
import { parsePrincipalArn } from '../arn';

export const EC2_NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const SESSION_NODE_USERNAME = 'system:node:{{SessionName}}';
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_NODES = 'system:nodes';
export const SYSTEM_BOOTSTRAPPERS = 'system:bootstrappers';
export const NODE_PROXIER = 'system:node-proxier';
export const WINDOWS_PROXY_GROUP = 'eks:kube-proxy-windows';
export const CLUSTER_ADMIN_POLICY_NAME = 'AmazonEKSClusterAdminPolicy';

/** The Kubernetes groups EKS gives each node type itself (access entries of these types take none). */
export const NODE_TYPE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  EC2_LINUX: [SYSTEM_NODES],
  EC2_WINDOWS: [SYSTEM_NODES, WINDOWS_PROXY_GROUP],
  FARGATE_LINUX: [SYSTEM_NODES, NODE_PROXIER],
  HYBRID_LINUX: [SYSTEM_NODES],
};

/** An access entry, as far as identity goes. */
export interface EntryIdentityInput {
  readonly principalArn: string;
  readonly type: string;
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  readonly policies?: readonly AccessPolicyAssociationSpec[];
}

/** The username template and groups a caller gets through an access entry. */
export interface EntryIdentity {
  readonly username: string;
  readonly groups: readonly string[];
  readonly policies: readonly AccessPolicyAssociationSpec[];
}

/** `AmazonEKSClusterAdminPolicy` in the partition of `principalArn`. */
export function clusterAdminPolicyArn(principalArn: string): string {
  return `arn:${parsePrincipalArn(principalArn).partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY_NAME}`;
}

/** The username EKS sets when an entry has none (EKS User Guide, "Create access entries"). */
export function defaultAccessEntryUsername(principalArn: string, type: string): string {
  if (type === 'EC2_LINUX' || type === 'EC2_WINDOWS') {
    return EC2_NODE_USERNAME;
  }
  if (type === 'FARGATE_LINUX' || type === 'HYBRID_LINUX') {
    return SESSION_NODE_USERNAME;
  }
  const p = parsePrincipalArn(principalArn);
  // A role's session ARN, without the role's path.
  return p.kind === 'role' ? `arn:${p.partition}:sts::${p.accountId}:assumed-role/${p.name}/{{SessionName}}` : principalArn;
}

/** The identity an access entry gives: its own username and groups, or the ones EKS sets. */
export function entryIdentity(entry: EntryIdentityInput): EntryIdentity {
  const nodeGroups = NODE_TYPE_GROUPS[entry.type];
  const groups = nodeGroups ? [...new Set([...nodeGroups, ...entry.kubernetesGroups])] : [...entry.kubernetesGroups];
  return { username: entry.username || defaultAccessEntryUsername(entry.principalArn, entry.type), groups, policies: [...(entry.policies ?? [])] };
}

/** What an aws-auth entry gives a principal (templates as written, `{{AccountID}}` expanded). */
export interface AwsAuthIdentity {
  readonly username?: string;
  readonly groups: readonly string[];
}

/**
 * The differences between the aws-auth identity and an access entry's, one sentence each (empty:
 * they grant the same). Group order does not matter; `{{AccountID}}` is compared expanded, since
 * it always stands for the principal's own account.
 */
export function identityDifferences(principalArn: string, awsAuth: AwsAuthIdentity, entry: EntryIdentityInput): string[] {
  const account = parsePrincipalArn(principalArn).accountId;
  const expand = (s: string) => s.split('{{AccountID}}').join(account);
  const have = entryIdentity(entry);
  const differences: string[] = [];
  const wantUsername = expand(awsAuth.username ?? '');
  if (wantUsername !== '' && wantUsername !== expand(have.username)) {
    differences.push(`username: aws-auth gives "${wantUsername}", the access entry "${have.username}"`);
  }
  const isNode = NODE_TYPE_GROUPS[entry.type] !== undefined;
  const admin = have.policies.some((p) => p.policyArn.endsWith(`/${CLUSTER_ADMIN_POLICY_NAME}`) && p.accessScope.type === 'cluster');
  const wanted = new Set(awsAuth.groups.map(expand));
  if (wanted.has(SYSTEM_MASTERS) && admin) {
    wanted.delete(SYSTEM_MASTERS);
  }
  if (isNode) {
    wanted.delete(SYSTEM_BOOTSTRAPPERS);
  }
  const got = new Set(have.groups);
  const onlyAwsAuth = [...wanted].filter((g) => !got.has(g));
  const onlyEntry = [...got].filter((g) => !wanted.has(g));
  if (onlyAwsAuth.length > 0) {
    differences.push(`groups only aws-auth gives: ${onlyAwsAuth.join(', ')}`);
  }
  if (onlyEntry.length > 0) {
    differences.push(`groups only the access entry gives: ${onlyEntry.join(', ')}`);
  }
  const extraPolicies = have.policies.filter((p) => !(admin && awsAuth.groups.includes(SYSTEM_MASTERS) && p.policyArn.endsWith(`/${CLUSTER_ADMIN_POLICY_NAME}`) && p.accessScope.type === 'cluster'));
  for (const p of extraPolicies) {
    differences.push(`access policy only the access entry gives: ${policyName(p.policyArn)} (${describeScope(p)})`);
  }
  return differences;
}

function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function describeScope(p: AccessPolicyAssociationSpec): string {
  return p.accessScope.type === 'cluster' ? 'cluster scope' : `namespaces ${(p.accessScope.namespaces ?? []).join(', ')}`;
}
