/**
 * Planning access-entry changes, without I/O: from the desired entries and the entries observed on
 * the cluster (with their owner tag and policy associations), the exact calls to make. Entries
 * this owner created carry the tag `OWNER_KEY = ownerId` and are fully reconciled; everything else
 * (the cluster creator's entry, entries made by hand or by another owner) is adopted when desired
 * and only ever gains access: missing policies and groups are added, but no policy is
 * disassociated, no existing association's scope changes, no group is removed and the username is
 * left as it is. Each difference left in place is a warning. Adopted entries are never deleted.
 */
import { AccessEntrySpec, AccessEntryType, AccessScopeSpec, NODE_ACCESS_ENTRY_TYPES } from './access-entry';
import { OWNER_KEY } from './desired-state';
import { AccessSnapshot } from './lockout';

/** An access entry as read from the cluster. */
export interface ObservedAccessEntry {
  readonly principalArn: string;
  readonly type: string;
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** ARN of the entry itself (for tagging). */
  readonly accessEntryArn?: string;
  /** Associated policies; undefined when not listed (entries the plan will not touch). */
  readonly policies?: readonly ObservedPolicy[];
}

export interface ObservedPolicy {
  readonly policyArn: string;
  readonly accessScope: AccessScopeSpec;
}

export type AccessEntryAction =
  | { readonly action: 'create'; readonly entry: AccessEntrySpec }
  /** Delete, then create: the type cannot change in place (only for entries this owner created). */
  | { readonly action: 'recreate'; readonly entry: AccessEntrySpec; readonly fromType: string }
  | { readonly action: 'update'; readonly principalArn: string; readonly username?: string; readonly kubernetesGroups: string[] }
  | { readonly action: 'associate'; readonly principalArn: string; readonly policyArn: string; readonly accessScope: AccessScopeSpec }
  | { readonly action: 'disassociate'; readonly principalArn: string; readonly policyArn: string }
  | { readonly action: 'delete'; readonly principalArn: string }
  /** Take over an entry the previous owner ID created (the resource was replaced under a new owner ID). */
  | { readonly action: 'retag'; readonly principalArn: string; readonly accessEntryArn: string };

export interface AccessEntryPlan {
  /** In the order to run them: creates and updates, then policy changes, then deletions. */
  readonly actions: AccessEntryAction[];
  /** Desired entries that already existed without this owner's tag (adopted, never deleted). */
  readonly adopted: string[];
  /** Differences on adopted entries that are left in place (they would take access away). */
  readonly warnings: string[];
  /** Problems that make the plan impossible (the caller fails before any write). */
  readonly problems: string[];
}

export interface PlanInput {
  readonly ownerId: string;
  readonly desired: readonly AccessEntrySpec[];
  readonly observed: readonly ObservedAccessEntry[];
  /**
   * The owner ID this resource had before a replacement on the same cluster: its entries that are
   * still desired are taken over (re-tagged); the others are left for the old resource's Delete.
   */
  readonly formerOwnerId?: string;
  /** Entries never deleted by this plan even when owned and not desired (the handler's own). */
  readonly keep?: ReadonlySet<string>;
}

/** True when the entry carries this owner's tag. */
export function isOwnedBy(entry: Pick<ObservedAccessEntry, 'tags'>, ownerId: string): boolean {
  return entry.tags[OWNER_KEY] === ownerId;
}

/** Two scopes grant the same thing (namespace order does not matter). */
export function sameScope(a: AccessScopeSpec, b: AccessScopeSpec): boolean {
  return a.type === b.type && sameSet(a.namespaces ?? [], b.namespaces ?? []);
}

/** The policy associations to add or change, and to remove, for one entry. */
export function planPolicies(principalArn: string, desired: AccessEntrySpec['accessPolicies'], observed: readonly ObservedPolicy[]): AccessEntryAction[] {
  const actions: AccessEntryAction[] = [];
  const current = new Map(observed.map((p) => [p.policyArn, p]));
  for (const want of desired) {
    const have = current.get(want.policyArn);
    // AssociateAccessPolicy replaces the scope of an existing association.
    if (!have || !sameScope(have.accessScope, want.accessScope)) {
      actions.push({ action: 'associate', principalArn, policyArn: want.policyArn, accessScope: normalizeScope(want.accessScope) });
    }
  }
  const wanted = new Set(desired.map((p) => p.policyArn));
  for (const have of observed) {
    if (!wanted.has(have.policyArn)) {
      actions.push({ action: 'disassociate', principalArn, policyArn: have.policyArn });
    }
  }
  return actions;
}

/**
 * The policy associations for an adopted entry: desired policies that are missing are associated;
 * an association that exists keeps its scope and an undesired one stays (both are warnings), so
 * the entry never loses access it had before adoption.
 */
export function planAdoptedPolicies(principalArn: string, desired: AccessEntrySpec['accessPolicies'], observed: readonly ObservedPolicy[], warnings: string[]): AccessEntryAction[] {
  const actions: AccessEntryAction[] = [];
  const current = new Map(observed.map((p) => [p.policyArn, p]));
  for (const want of desired) {
    const have = current.get(want.policyArn);
    if (!have) {
      actions.push({ action: 'associate', principalArn, policyArn: want.policyArn, accessScope: normalizeScope(want.accessScope) });
    } else if (!sameScope(have.accessScope, want.accessScope)) {
      warnings.push(`adopted access entry ${principalArn}: policy ${want.policyArn} stays associated with ${describeScope(have.accessScope)}; the desired ${describeScope(want.accessScope)} is not applied, because an entry this configuration did not create never has an existing association changed. Change it by hand if intended.`);
    }
  }
  const wanted = new Set(desired.map((p) => p.policyArn));
  for (const have of observed) {
    if (!wanted.has(have.policyArn)) {
      warnings.push(`adopted access entry ${principalArn}: policy ${have.policyArn} (${describeScope(have.accessScope)}) is not desired but stays associated, because an entry this configuration did not create never loses access. Disassociate it by hand if intended.`);
    }
  }
  return actions;
}

/** The whole plan. */
export function planAccessEntries(input: PlanInput): AccessEntryPlan {
  const observed = new Map(input.observed.map((e) => [e.principalArn, e]));
  const entryActions: AccessEntryAction[] = [];
  const policyActions: AccessEntryAction[] = [];
  const deletions: AccessEntryAction[] = [];
  const adopted: string[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];

  for (const want of input.desired) {
    const have = observed.get(want.principalArn);
    if (!have) {
      entryActions.push({ action: 'create', entry: want });
      policyActions.push(...planPolicies(want.principalArn, want.accessPolicies, []));
      continue;
    }
    const inherited = input.formerOwnerId !== undefined && isOwnedBy(have, input.formerOwnerId);
    const owned = isOwnedBy(have, input.ownerId) || inherited;
    if (!owned) {
      adopted.push(want.principalArn);
    }
    if (have.type !== want.type) {
      if (owned) {
        entryActions.push({ action: 'recreate', entry: want, fromType: have.type });
        policyActions.push(...planPolicies(want.principalArn, want.accessPolicies, []));
      } else {
        problems.push(`access entry for ${want.principalArn} exists with type ${have.type}, but type ${want.type} is desired; the type cannot change in place and the entry was not created by this configuration (${input.ownerId}), so it is not replaced. Delete it by hand, or desire type ${have.type}.`);
      }
      continue;
    }
    if (inherited && have.accessEntryArn) {
      entryActions.push({ action: 'retag', principalArn: want.principalArn, accessEntryArn: have.accessEntryArn });
    }
    if (have.policies === undefined) {
      throw new Error(`internal: the policies of ${want.principalArn} were not observed`);
    }
    if (owned) {
      if (!isNodeType(want.type)) {
        const usernameChanges = want.username !== undefined && want.username !== have.username;
        if (usernameChanges || !sameSet(want.kubernetesGroups, have.kubernetesGroups)) {
          entryActions.push({ action: 'update', principalArn: want.principalArn, ...(want.username !== undefined ? { username: want.username } : {}), kubernetesGroups: [...want.kubernetesGroups] });
        }
      }
      policyActions.push(...planPolicies(want.principalArn, want.accessPolicies, have.policies));
    } else {
      if (!isNodeType(want.type)) {
        entryActions.push(...planAdoptedIdentity(want, have, warnings));
      }
      policyActions.push(...planAdoptedPolicies(want.principalArn, want.accessPolicies, have.policies, warnings));
    }
  }

  const wanted = new Set(input.desired.map((e) => e.principalArn));
  for (const have of input.observed) {
    if (!wanted.has(have.principalArn) && isOwnedBy(have, input.ownerId) && !input.keep?.has(have.principalArn)) {
      deletions.push({ action: 'delete', principalArn: have.principalArn });
    }
  }
  return { actions: [...entryActions, ...policyActions, ...deletions], adopted, problems, warnings };
}

/**
 * Groups and username of an adopted entry: desired groups that are missing are added, groups it
 * had stay. The username is never changed (the principal's RBAC bindings may name it): a different
 * desired username is a warning.
 */
function planAdoptedIdentity(want: AccessEntrySpec, have: ObservedAccessEntry, warnings: string[]): AccessEntryAction[] {
  if (want.username !== undefined && want.username !== have.username) {
    warnings.push(`adopted access entry ${want.principalArn}: username stays ${JSON.stringify(have.username ?? '')}; the desired ${JSON.stringify(want.username)} is not applied, because changing the username of an entry this configuration did not create could take away access granted to that name. Change it by hand if intended.`);
  }
  const extra = have.kubernetesGroups.filter((g) => !want.kubernetesGroups.includes(g));
  if (extra.length > 0) {
    warnings.push(`adopted access entry ${want.principalArn}: Kubernetes groups ${extra.join(', ')} are not desired but stay, because an entry this configuration did not create never loses access. Remove them by hand if intended.`);
  }
  const missing = want.kubernetesGroups.filter((g) => !have.kubernetesGroups.includes(g));
  if (missing.length === 0) {
    return [];
  }
  return [{ action: 'update', principalArn: want.principalArn, kubernetesGroups: [...new Set([...have.kubernetesGroups, ...missing])] }];
}

function describeScope(scope: AccessScopeSpec): string {
  return scope.type === 'cluster' ? 'cluster scope' : `namespace scope (${[...(scope.namespaces ?? [])].sort().join(', ')})`;
}

/** Node types: EKS maps them to system:nodes itself. */
export function isNodeType(type: string): boolean {
  return (NODE_ACCESS_ENTRY_TYPES as readonly string[]).includes(type) || type === ('EC2' satisfies AccessEntryType);
}

const CLUSTER_ADMIN_POLICY = /:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;

/** Who can do what through access entries, before or after the plan. */
/** An entry as the lockout check sees it. */
export interface EntryShape {
  principalArn: string;
  type: string;
  policies?: ObservedPolicy[];
}

export function accessEntrySnapshot(entries: readonly (EntryShape | ObservedAccessEntry)[]): AccessSnapshot {
  return {
    principals: new Set(entries.map((e) => e.principalArn)),
    nodePrincipals: new Set(entries.filter((e) => isNodeType(e.type)).map((e) => e.principalArn)),
    admins: new Set(entries.filter((e) => (e.policies ?? []).some((p) => CLUSTER_ADMIN_POLICY.test(p.policyArn) && p.accessScope.type === 'cluster')).map((e) => e.principalArn)),
  };
}

/** The entries as they will be once `plan` has run over `observed`. */
export function entriesAfter(observed: readonly ObservedAccessEntry[], plan: AccessEntryPlan): EntryShape[] {
  const result = new Map<string, EntryShape>(
    observed.map((e) => [e.principalArn, { principalArn: e.principalArn, type: e.type, policies: e.policies ? [...e.policies] : undefined }]),
  );
  for (const a of plan.actions) {
    switch (a.action) {
      case 'create':
      case 'recreate':
        result.set(a.entry.principalArn, { principalArn: a.entry.principalArn, type: a.entry.type, policies: [] });
        break;
      case 'delete':
        result.delete(a.principalArn);
        break;
      case 'associate': {
        const e = result.get(a.principalArn)!;
        e.policies = [...(e.policies ?? []).filter((p) => p.policyArn !== a.policyArn), { policyArn: a.policyArn, accessScope: a.accessScope }];
        break;
      }
      case 'disassociate': {
        const e = result.get(a.principalArn)!;
        e.policies = (e.policies ?? []).filter((p) => p.policyArn !== a.policyArn);
        break;
      }
      case 'update':
      case 'retag':
        break;
    }
  }
  return [...result.values()];
}

function normalizeScope(scope: AccessScopeSpec): AccessScopeSpec {
  return scope.type === 'cluster' ? { type: 'cluster' } : { type: 'namespace', namespaces: [...(scope.namespaces ?? [])] };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
