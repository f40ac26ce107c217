/**
 * EKS access entries: the rules the EKS API enforces, checked before any call so that bad input
 * fails at synth time (constructs) or before the first write (handler, CLI).
 */
import { AccessConfigError, parsePrincipalArn } from './arn';

/** Access entry types of the EKS API. */
export type AccessEntryType = 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX' | 'HYBRID_LINUX' | 'EC2';

/** Every access entry type this library creates (EKS refuses any other value). */
export const ACCESS_ENTRY_TYPES: readonly AccessEntryType[] = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2'];

/** Types for nodes: EKS sets their username and groups itself; they take no policies. */
export const NODE_ACCESS_ENTRY_TYPES: readonly AccessEntryType[] = ['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX'];

/** Username prefixes EKS reserves for itself in access entries. */
export const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'];

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

/** Every problem with an access entry, each naming the entry and the value. */
export function accessEntryProblems(entry: AccessEntrySpec): string[] {
  if (entry === null || typeof entry !== 'object') {
    return [`access entry ${JSON.stringify(entry)} is not an object`];
  }
  const problems: string[] = [];
  const who = `access entry for ${entry.principalArn}`;
  try {
    parsePrincipalArn(entry.principalArn);
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
  const isNode = NODE_ACCESS_ENTRY_TYPES.includes(entry.type);
  if (isNode) {
    if (entry.username !== undefined) {
      problems.push(`${who}: type ${entry.type} takes no username (EKS sets it), got "${entry.username}"`);
    }
    if (entry.kubernetesGroups.length > 0) {
      problems.push(`${who}: type ${entry.type} takes no Kubernetes groups, got ${entry.kubernetesGroups.join(', ')}`);
    }
    if (entry.accessPolicies.length > 0) {
      problems.push(`${who}: type ${entry.type} takes no access policies`);
    }
  }
  if (entry.username !== undefined) {
    const prefix = RESERVED_USERNAME_PREFIXES.find((p) => entry.username!.startsWith(p));
    if (prefix) {
      problems.push(`${who}: username "${entry.username}" starts with the reserved prefix "${prefix}"`);
    }
    if (entry.username === '') {
      problems.push(`${who}: username is empty`);
    }
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

/** Throws {@link AccessConfigError} listing every problem with the entry. */
export function validateAccessEntry(entry: AccessEntrySpec): void {
  const problems = accessEntryProblems(entry);
  if (problems.length > 0) {
    throw new AccessConfigError(problems.join('\n'));
  }
}
