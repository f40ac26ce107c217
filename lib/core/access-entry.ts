/**
 * EKS access entries: the rules the EKS API enforces, checked before any call so that bad input
 * fails at synth time (constructs) or before the first write (handler, CLI).
 *
 * Sources: the EKS API reference (CreateAccessEntry, AssociateAccessPolicy) and the EKS User Guide
 * pages "Create access entries", "Review access policy permissions" and, for EKS Auto Mode,
 * "Create a Node Class" (node class access entry).
 */
import { AccessConfigError, ParsedPrincipalArn, parsePrincipalArn } from './arn';

/** Access entry types of the EKS API (the seven its CreateAccessEntry documentation lists). */
export type AccessEntryType = 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX' | 'HYBRID_LINUX' | 'EC2' | 'HYPERPOD_LINUX';

/** Every access entry type of the EKS API (EKS refuses any other value). */
export const ACCESS_ENTRY_TYPES: readonly AccessEntryType[] = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2', 'HYPERPOD_LINUX'];

/**
 * Types for nodes: every type but STANDARD. EKS sets their username and groups itself (the caller
 * may set neither), their role must be in the cluster's account, and they take no access policies
 * except the one Auto Mode documents for EC2 ({@link AUTO_NODE_POLICY}).
 */
export const NODE_ACCESS_ENTRY_TYPES: readonly AccessEntryType[] = ['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2', 'HYPERPOD_LINUX'];

/**
 * Types whose creator needs `iam:PassRole` on the entry's role ("If you create an access entry
 * with type EC2_LINUX or EC2_Windows, the IAM principal creating the access entry must have the
 * iam:PassRole permission", User Guide, Create access entries).
 */
export const PASS_ROLE_ACCESS_ENTRY_TYPES: readonly AccessEntryType[] = ['EC2_LINUX', 'EC2_WINDOWS'];

/** The access policy an Auto Mode (`EC2`) node entry takes (User Guide, Create node class access entry). */
export const AUTO_NODE_POLICY = 'AmazonEKSAutoNodePolicy';

/**
 * Access policies "designated for AWS service-linked roles only and cannot be used with
 * customer-managed roles" (User Guide, Review access policy permissions). Access entries cannot
 * name a service-linked role either, so no entry this library makes can carry them.
 */
export const SERVICE_LINKED_ROLE_POLICIES: readonly string[] = [
  'AmazonEKSBlockStorageClusterPolicy',
  'AmazonEKSBlockStoragePolicy',
  'AmazonEKSClusterInsightsPolicy',
  'AmazonEKSComputeClusterPolicy',
  'AmazonEKSComputePolicy',
  'AmazonEKSHybridPolicy',
];

/**
 * Every access policy EKS documents (User Guide, Review access policy permissions, and its
 * `aws eks list-access-policies` example), in name order. A policy EKS adds later is named by its
 * full ARN (`AccessPolicy.of('arn:aws:eks::aws:cluster-access-policy/<name>')`), which is not checked.
 */
export const KNOWN_ACCESS_POLICIES: readonly string[] = [
  'AmazonAIOpsAssistantPolicy',
  'AmazonARCRegionSwitchScalingPolicy',
  'AmazonEKSACKPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSAdminViewPolicy',
  'AmazonEKSArgoCDClusterPolicy',
  'AmazonEKSArgoCDPolicy',
  'AmazonEKSAutoNodePolicy',
  'AmazonEKSBlockStorageClusterPolicy',
  'AmazonEKSBlockStoragePolicy',
  'AmazonEKSClusterAdminPolicy',
  'AmazonEKSClusterInsightsPolicy',
  'AmazonEKSComputeClusterPolicy',
  'AmazonEKSComputePolicy',
  'AmazonEKSEditPolicy',
  'AmazonEKSHybridPolicy',
  'AmazonEKSKROPolicy',
  'AmazonEKSLoadBalancingClusterPolicy',
  'AmazonEKSLoadBalancingPolicy',
  'AmazonEKSNetworkingClusterPolicy',
  'AmazonEKSNetworkingPolicy',
  'AmazonEKSSecretReaderPolicy',
  'AmazonEKSViewPolicy',
  'AmazonEMRJobPolicy',
  'AmazonSagemakerHyperpodClusterPolicy',
  'AmazonSagemakerHyperpodControllerPolicy',
  'AmazonSagemakerHyperpodSystemNamespacePolicy',
];

/** Username prefixes EKS reserves for itself in access entries (compared with case, as EKS does). */
export const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'];

/** What the rules need to know of the cluster, when it is known. */
export interface AccessEntryContext {
  /** The cluster's account: node entries must name a role of it. */
  readonly clusterAccount?: string;
}

/** The scope of an access policy association. */
export interface AccessScopeSpec {
  readonly type: 'cluster' | 'namespace';
  /** Required (non-empty) for `namespace`, absent for `cluster`. */
  readonly namespaces?: string[];
}

export interface AccessPolicyAssociationSpec {
  /** `arn:<partition>:eks::aws:cluster-access-policy/<name>` */
  readonly policyArn: string;
  readonly accessScope: AccessScopeSpec;
}

/** One access entry as the handler creates or adopts it. */
export interface AccessEntrySpec {
  /** Full principal ARN, path included. */
  readonly principalArn: string;
  readonly type: AccessEntryType;
  readonly username?: string;
  readonly kubernetesGroups: string[];
  readonly accessPolicies: AccessPolicyAssociationSpec[];
  /**
   * Tags set when the entry is created, besides the owner tag (set by the handler itself, e.g. on
   * entries migrated from aws-auth; the constructs set none). Existing entries keep theirs.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

const POLICY_ARN = /^arn:[a-z-]+:eks::aws:cluster-access-policy\/[A-Za-z0-9+=,.@_-]+$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** True for a Kubernetes namespace name (an RFC 1123 label). */
export function isDns1123Label(name: string): boolean {
  return DNS1123_LABEL.test(name);
}

/** True for types other than STANDARD. */
export function isNodeAccessEntryType(type: string): boolean {
  return (NODE_ACCESS_ENTRY_TYPES as readonly string[]).includes(type);
}

/** Every problem with an access entry, each naming the entry and the value. */
export function accessEntryProblems(entry: AccessEntrySpec, context: AccessEntryContext = {}): string[] {
  if (entry === null || typeof entry !== 'object') {
    return [`access entry ${JSON.stringify(entry)} is not an object`];
  }
  const problems: string[] = [];
  const who = `access entry for ${entry.principalArn}`;
  let principal: ParsedPrincipalArn | undefined;
  try {
    principal = parsePrincipalArn(entry.principalArn);
  } catch (e) {
    problems.push(`${who}: ${(e as Error).message}`);
  }
  // A payload written by hand or by another version reaches the handler untyped: check the shape.
  if (!ACCESS_ENTRY_TYPES.includes(entry.type)) {
    problems.push(`${who}: type ${JSON.stringify(entry.type)} is not one of ${ACCESS_ENTRY_TYPES.join(', ')}`);
  }
  if (entry.username !== undefined && typeof entry.username !== 'string') {
    problems.push(`${who}: username must be a string, got ${JSON.stringify(entry.username)}`);
  }
  if (!Array.isArray(entry.kubernetesGroups) || entry.kubernetesGroups.some((g) => typeof g !== 'string')) {
    problems.push(`${who}: kubernetesGroups must be a list of strings, got ${JSON.stringify(entry.kubernetesGroups)}`);
  }
  const badPolicy = (p: AccessPolicyAssociationSpec) => !p || typeof p.policyArn !== 'string' || !p.accessScope || !['cluster', 'namespace'].includes(p.accessScope.type)
    || (p.accessScope.namespaces !== undefined && (!Array.isArray(p.accessScope.namespaces) || p.accessScope.namespaces.some((n) => typeof n !== 'string')));
  if (!Array.isArray(entry.accessPolicies) || entry.accessPolicies.some(badPolicy)) {
    problems.push(`${who}: accessPolicies must be a list of { policyArn, accessScope: { type: cluster | namespace, namespaces? } }, got ${JSON.stringify(entry.accessPolicies)}`);
  }
  if (problems.length > 0) {
    return problems;
  }
  problems.push(...principalProblems(who, entry.type, principal!, context));
  if (isNodeAccessEntryType(entry.type)) {
    problems.push(...nodeEntryProblems(who, entry));
  }
  if (entry.username !== undefined) {
    problems.push(...usernameProblems(who, entry.username));
  }
  for (const group of entry.kubernetesGroups) {
    if (group.startsWith('system:')) {
      problems.push(`${who}: Kubernetes group "${group}" is reserved (system: groups cannot be set on access entries; use an access policy such as AmazonEKSClusterAdminPolicy instead of system:masters)`);
    } else if (group.trim() === '') {
      problems.push(`${who}: empty Kubernetes group name`);
    }
  }
  const seen = new Set<string>();
  for (const policy of entry.accessPolicies) {
    if (!POLICY_ARN.test(policy.policyArn)) {
      problems.push(`${who}: "${policy.policyArn}" is not an EKS access policy ARN (arn:aws:eks::aws:cluster-access-policy/<name>)`);
    } else if (SERVICE_LINKED_ROLE_POLICIES.includes(policyName(policy.policyArn))) {
      problems.push(`${who}: access policy ${policyName(policy.policyArn)} is designated for AWS service-linked roles only; EKS does not grant it to customer-managed roles or users (EKS associates it itself where it is needed)`);
    }
    if (seen.has(policy.policyArn)) {
      problems.push(`${who}: access policy ${policy.policyArn} is associated twice`);
    }
    seen.add(policy.policyArn);
    const scope = policy.accessScope;
    if (scope.type === 'namespace') {
      if (!scope.namespaces || scope.namespaces.length === 0) {
        problems.push(`${who}: namespace-scoped policy ${policy.policyArn} needs at least one namespace`);
      }
      for (const ns of scope.namespaces ?? []) {
        // EKS also accepts a trailing wildcard (`dev-*`).
        if (!isDns1123Label(ns.endsWith('*') ? ns.slice(0, -1) + 'x' : ns)) {
          problems.push(`${who}: namespace "${ns}" of policy ${policy.policyArn} is not a valid namespace name`);
        }
      }
    } else if (scope.namespaces && scope.namespaces.length > 0) {
      problems.push(`${who}: cluster-scoped policy ${policy.policyArn} takes no namespaces`);
    }
  }
  return problems;
}

/** The principal as EKS takes it for an entry of `type`. */
function principalProblems(who: string, type: AccessEntryType, principal: ParsedPrincipalArn, context: AccessEntryContext): string[] {
  const problems: string[] = [];
  if (principal.kind === 'role' && principal.path.startsWith('/aws-service-role/')) {
    problems.push(`${who}: a service-linked role cannot have an access entry (EKS refuses principals under role/aws-service-role/); map it in aws-auth only (AccessMechanism.AWS_AUTH), or let the service create its own entry`);
  }
  if (isNodeAccessEntryType(type)) {
    if (principal.kind !== 'role') {
      problems.push(`${who}: type ${type} takes only an IAM role, got a ${principal.kind}`);
    }
    const account = context.clusterAccount;
    if (account !== undefined && principal.accountId !== account) {
      problems.push(`${who}: type ${type} needs a role in the cluster's account ${account}, but the role is in account ${principal.accountId}; only STANDARD entries may name another account's principal`);
    }
  }
  return problems;
}

/** Node types: no username, no groups, no policies but AmazonEKSAutoNodePolicy on EC2. */
function nodeEntryProblems(who: string, entry: AccessEntrySpec): string[] {
  const problems: string[] = [];
  if (entry.username !== undefined) {
    problems.push(`${who}: type ${entry.type} takes no username (EKS sets it), got "${entry.username}"`);
  }
  if (entry.kubernetesGroups.length > 0) {
    problems.push(`${who}: type ${entry.type} takes no Kubernetes groups, got ${entry.kubernetesGroups.join(', ')}`);
  }
  const allowed = entry.type === 'EC2' ? [AUTO_NODE_POLICY] : [];
  const refused = entry.accessPolicies.map((p) => policyName(p.policyArn)).filter((n) => !allowed.includes(n));
  if (refused.length > 0) {
    problems.push(entry.type === 'EC2'
      ? `${who}: type EC2 (EKS Auto Mode nodes) takes only the access policy ${AUTO_NODE_POLICY}, got ${refused.join(', ')}`
      : `${who}: type ${entry.type} takes no access policies, got ${refused.join(', ')}`);
  }
  return problems;
}

/**
 * A username EKS accepts: no reserved prefix, and a colon somewhere before `{{SessionName}}` or
 * `{{SessionNameRaw}}` (User Guide: "you can't have a username of john{{SessionName}}").
 */
function usernameProblems(who: string, username: string): string[] {
  const problems: string[] = [];
  if (username === '') {
    return [`${who}: username is empty`];
  }
  const prefix = RESERVED_USERNAME_PREFIXES.find((p) => username.startsWith(p));
  if (prefix) {
    problems.push(`${who}: username "${username}" starts with the reserved prefix "${prefix}"`);
  }
  const session = /\{\{SessionName(Raw)?\}\}/.exec(username);
  if (session && !username.slice(0, session.index).includes(':')) {
    const before = username.slice(0, session.index);
    problems.push(`${who}: username "${username}" has ${session[0]} without a colon before it, which EKS refuses for access entries (aws-auth accepts it); put a colon before it, e.g. "${before === '' ? 'user' : before}:${username.slice(session.index)}"`);
  }
  return problems;
}

function policyName(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf('/') + 1);
}

/** Throws {@link AccessConfigError} listing every problem with the entry. */
export function validateAccessEntry(entry: AccessEntrySpec, context: AccessEntryContext = {}): void {
  const problems = accessEntryProblems(entry, context);
  if (problems.length > 0) {
    throw new AccessConfigError(problems.join('\n'));
  }
}
