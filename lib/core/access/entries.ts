/**
 * Access entries as EKS applies them when a caller signs in: the entry of the caller's principal
 * (the role, whatever its path, or the user), its username (EKS's default when none was set) with
 * templates rendered, and its Kubernetes groups (EKS's own for node types).
 */
import { AccessScopeSpec, NODE_ACCESS_ENTRY_TYPES } from '../access-entry';
import { parsePrincipalArn, principalArnProblem } from '../arn';
import { CallerView } from './caller';

/** An access entry with its policy associations, as read from EKS or a file. */
export interface AccessEntryView {
  readonly principalArn: string;
  readonly type: string;
  /** As EKS reports it; EKS's default when absent. */
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  readonly accessPolicies: ReadonlyArray<{ readonly policyArn: string; readonly accessScope: AccessScopeSpec }>;
}

/**
 * The entry EKS uses for the caller: the one naming exactly its principal ARN, else (a session of a
 * role, whose path STS does not show) the entry of the role with that name in the account.
 */
export function findAccessEntry(entries: readonly AccessEntryView[], caller: CallerView): AccessEntryView | undefined {
  if (caller.principalArn !== undefined) {
    const exact = entries.find((e) => e.principalArn === caller.principalArn);
    if (exact) {
      return exact;
    }
  }
  if (caller.kind !== 'role') {
    return caller.kind === 'root' ? entries.find((e) => e.principalArn === caller.given) : undefined;
  }
  return entries.find((e) => {
    if (principalArnProblem(e.principalArn) !== undefined) {
      return false;
    }
    const p = parsePrincipalArn(e.principalArn);
    return p.kind === 'role' && p.accountId === caller.accountId && p.partition === caller.partition && p.name.toLowerCase() === caller.roleName!.toLowerCase();
  });
}

/** True for types EKS maps to nodes. */
export function isNodeEntry(entry: Pick<AccessEntryView, 'type'>): boolean {
  return (NODE_ACCESS_ENTRY_TYPES as readonly string[]).includes(entry.type);
}

/** The username template EKS uses for the entry: its own, or EKS's default for the principal and type. */
export function entryUsernameTemplate(entry: AccessEntryView): string {
  if (entry.username !== undefined && entry.username !== '') {
    return entry.username;
  }
  if (entry.type === 'EC2_LINUX' || entry.type === 'EC2_WINDOWS') {
    return 'system:node:{{EC2PrivateDNSName}}';
  }
  if (isNodeEntry(entry) || entry.type === 'EC2') {
    return 'system:node:{{SessionName}}';
  }
  // Matched by shape, so that an app's role with a deploy-time account or name gets the same form.
  const role = /^arn:([^:]+):iam::([^:]+):role\/(?:.*\/)?([^/]+)$/.exec(entry.principalArn);
  return role ? `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/{{SessionName}}` : entry.principalArn;
}

/** The Kubernetes groups of the entry: its own, or those EKS gives each node type. */
export function entryGroups(entry: AccessEntryView): string[] {
  switch (entry.type) {
    case 'EC2_LINUX':
    case 'HYBRID_LINUX':
      return ['system:nodes'];
    case 'EC2_WINDOWS':
      return ['system:nodes', 'eks:kube-proxy-windows'];
    case 'FARGATE_LINUX':
      return ['system:nodes', 'system:node-proxier'];
    default:
      return [...entry.kubernetesGroups];
  }
}
