/**
 * Planning access-entry changes, without I/O: from the desired entries, the entries observed on
 * the cluster (with their owner tag and policy associations) and the other owners' records, the
 * exact calls to make. An entry this library created holds exactly what its owners want; an entry
 * that existed before (adopted) keeps what it granted then and gains what the owners want; see
 * {@link planAccessEntries} and the handler's README (Ownership).
 */
import { AccessEntrySpec, AccessEntryType, AccessScopeSpec, NODE_ACCESS_ENTRY_TYPES } from './access-entry';
import { OWNER_KEY } from './desired-state';
import { AccessSnapshot } from './lockout';
import { EntryBaseline, OwnerRecord, RecordedEntry } from './owner-record';

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
  /** Hand an entry this library created over to another of its owners (its creator no longer wants it). */
  | { readonly action: 'retag'; readonly principalArn: string; readonly accessEntryArn: string; readonly ownerId: string };

export interface AccessEntryPlan {
  /** In the order to run them: creates and updates, then policy changes, then deletions. */
  readonly actions: AccessEntryAction[];
  /** Desired entries that already existed without this owner's tag (adopted, never deleted). */
  readonly adopted: string[];
  /** Differences on adopted entries that are left in place (they would take access away). */
  readonly warnings: string[];
  /** Problems that make the plan impossible (the caller fails before any write). */
  readonly problems: string[];
  /** This owner's share after the plan, for its owner record (adopted entries with their baseline). */
  readonly record: RecordedEntry[];
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
  /** Entries never touched by this plan (the handler's own). */
  readonly keep?: ReadonlySet<string>;
  /** The records of the other owners on the cluster (what each of them wants). */
  readonly others?: readonly OwnerRecord[];
  /** This owner's record of its previous run: what it wanted then (so that it can take it back). */
  readonly previous?: OwnerRecord;
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

/** One owner's wish for a principal. */
interface Want {
  readonly ownerId: string;
  readonly entry: RecordedEntry;
}

/** Everything known about one principal the plan covers. */
interface Principal {
  readonly arn: string;
  /** What this owner wants now, wanted at its previous run, and what the cluster has. */
  readonly mine?: AccessEntrySpec;
  readonly before?: RecordedEntry;
  readonly have?: ObservedAccessEntry;
  /** Every owner's wish, this owner's first. */
  readonly wants: readonly Want[];
  /** All wishes merged; undefined when nobody wants it, or the owners disagree (a problem). */
  readonly target?: AccessEntrySpec;
}

/** What one principal's plan adds to the whole plan. */
interface PrincipalPlan {
  readonly entryActions: AccessEntryAction[];
  readonly policyActions: AccessEntryAction[];
  readonly deletions: AccessEntryAction[];
  /** This owner's record of the principal (undefined when it does not want it). */
  readonly record?: RecordedEntry;
}

/**
 * The whole plan. Every principal this owner wants, wanted before, or created is planned for the
 * wishes of all owners together (this one's desired state and the others' records):
 * - an entry this library created (tagged with an owner ID) holds exactly what its owners want, and
 *   is deleted when none wants it any more;
 * - an entry that existed before (adopted) keeps what it granted then (its baseline) and gains what
 *   the owners want; when an owner stops wanting it, only what that owner wanted and no one else
 *   wants (and the baseline lacks) is removed; it is never deleted;
 * - an entry created by an owner that has no record (an older version of this library) is only
 *   added to, never reduced, until that owner records its wishes.
 */
export function planAccessEntries(input: PlanInput): AccessEntryPlan {
  const observed = new Map(input.observed.map((e) => [e.principalArn, e]));
  const desired = new Map(input.desired.map((e) => [e.principalArn, e]));
  const previous = new Map((input.previous?.entries ?? []).map((e) => [e.principalArn, e]));
  const ctx: PlanContext = { input, problems: [], warnings: [], adopted: [] };
  const arns = new Set([...desired.keys(), ...previous.keys()]);
  input.observed.filter((e) => isOwnedBy(e, input.ownerId) || (input.formerOwnerId !== undefined && isOwnedBy(e, input.formerOwnerId)))
    .forEach((e) => arns.add(e.principalArn));
  const parts = [...arns].filter((arn) => !input.keep?.has(arn))
    .map((arn) => planPrincipal(ctx, principalOf(ctx, arn, desired.get(arn), previous.get(arn), observed.get(arn))));
  return {
    actions: [...parts.flatMap((p) => p.entryActions), ...parts.flatMap((p) => p.policyActions), ...parts.flatMap((p) => p.deletions)],
    adopted: ctx.adopted,
    warnings: ctx.warnings,
    problems: ctx.problems,
    record: parts.flatMap((p) => (p.record ? [p.record] : [])),
  };
}

interface PlanContext {
  readonly input: PlanInput;
  readonly problems: string[];
  readonly warnings: string[];
  readonly adopted: string[];
}

const NOTHING: PrincipalPlan = { entryActions: [], policyActions: [], deletions: [] };

function principalOf(ctx: PlanContext, arn: string, mine?: AccessEntrySpec, before?: RecordedEntry, have?: ObservedAccessEntry): Principal {
  const theirs = (ctx.input.others ?? []).flatMap((r) => r.entries
    .filter((e) => e.principalArn === arn)
    .map((entry) => ({ ownerId: r.ownerId, entry })));
  const wants: Want[] = [...(mine ? [{ ownerId: ctx.input.ownerId, entry: mine }] : []), ...theirs];
  const merged = mergeWants(arn, wants, ctx.problems);
  // Tags of this owner's wish (e.g. migrated-from) go on an entry it creates.
  const target = merged && mine?.tags ? { ...merged, tags: mine.tags } : merged;
  return { arn, mine, before, have, wants, target };
}

function planPrincipal(ctx: PlanContext, p: Principal): PrincipalPlan {
  const { input } = ctx;
  const have = p.have;
  if (!have) {
    if (!p.mine || !p.target) {
      return NOTHING; // gone, and not wanted by this owner: nothing to do
    }
    return { entryActions: [{ action: 'create', entry: p.target }], policyActions: planPolicies(p.arn, p.target.accessPolicies, []), deletions: [], record: p.mine };
  }
  const tagOwner = have.tags[OWNER_KEY];
  const recorded = new Set((input.others ?? []).map((r) => r.ownerId));
  const mineOrFormer = tagOwner === input.ownerId || (input.formerOwnerId !== undefined && tagOwner === input.formerOwnerId);
  if (p.mine && tagOwner === undefined) {
    ctx.adopted.push(p.arn);
  }
  if (tagOwner !== undefined && (mineOrFormer || recorded.has(tagOwner))) {
    return planCreated(ctx, p, have);
  }
  // Not created by this library (adopted), or by an owner that keeps no record: its grants stay.
  const recordedBaseline = p.wants.find((w) => w.entry.baseline)?.entry.baseline ?? p.before?.baseline;
  const baseline = tagOwner !== undefined ? snapshotOf(have) : recordedBaseline ?? snapshotOf(have);
  return planAdopted(ctx, p, have, baseline, tagOwner === undefined);
}

/** An entry this library created for owners that record their wishes: exactly what they want. */
function planCreated(ctx: PlanContext, p: Principal, have: ObservedAccessEntry): PrincipalPlan {
  const { input } = ctx;
  const target = p.target;
  if (p.wants.length === 0) {
    return { ...NOTHING, deletions: [{ action: 'delete', principalArn: p.arn }] };
  }
  if (!target) {
    return NOTHING; // the owners disagree: a problem was recorded
  }
  const entryActions: AccessEntryAction[] = [];
  // The tag names an owner that wants the entry: its creator while it does, then another owner.
  const tagOwner = have.tags[OWNER_KEY];
  const heir = p.wants.some((w) => w.ownerId === tagOwner) ? tagOwner : p.mine ? input.ownerId : p.wants.map((w) => w.ownerId).sort()[0];
  if (tagOwner !== heir && have.accessEntryArn) {
    entryActions.push({ action: 'retag', principalArn: p.arn, accessEntryArn: have.accessEntryArn, ownerId: heir });
  }
  if (have.type !== target.type) {
    if (!p.mine) {
      return { ...NOTHING, entryActions }; // the owners that want the new type re-create it
    }
    return { entryActions: [{ action: 'recreate', entry: target, fromType: have.type }], policyActions: planPolicies(p.arn, target.accessPolicies, []), deletions: [], record: p.mine };
  }
  if (!isNodeType(target.type)) {
    const usernameChanges = target.username !== undefined && target.username !== have.username;
    if (usernameChanges || !sameSet(target.kubernetesGroups, have.kubernetesGroups)) {
      entryActions.push({ action: 'update', principalArn: p.arn, ...(target.username !== undefined ? { username: target.username } : {}), kubernetesGroups: [...target.kubernetesGroups] });
    }
  }
  return { entryActions, policyActions: planPolicies(p.arn, target.accessPolicies, policiesOf(have)), deletions: [], record: p.mine };
}

/**
 * An entry that existed before (or that an owner without a record created): what it had is kept,
 * what the owners want is added, and what this owner wanted before and nobody wants now is removed.
 * `recordBaseline`: the entry predates this library, and every owner wanting it records what it had.
 */
function planAdopted(ctx: PlanContext, p: Principal, have: ObservedAccessEntry, baseline: EntryBaseline, recordBaseline: boolean): PrincipalPlan {
  if (p.mine && have.type !== p.mine.type) {
    ctx.problems.push(`access entry for ${p.arn} exists with type ${have.type}, but type ${p.mine.type} is desired; the type cannot change in place and the entry was not created by this configuration (${ctx.input.ownerId}), so it is not replaced. Delete it by hand, or desire type ${have.type}.`);
    return NOTHING;
  }
  if (p.wants.length > 0 && !p.target) {
    return NOTHING; // the owners disagree: a problem was recorded
  }
  const record = p.mine ? { ...p.mine, ...(recordBaseline ? { baseline } : {}) } : undefined;
  const entryActions = isNodeType(have.type) ? [] : planAdoptedIdentity(ctx, p, have, baseline);
  return { entryActions, policyActions: planAdoptedPolicies(ctx, p, have, baseline), deletions: [], record };
}

/**
 * Groups and username of an adopted entry: wanted groups that are missing are added, groups of
 * the baseline stay, groups only this owner wanted before are removed. The username is never
 * changed (the principal's RBAC bindings may name it): a different desired username is a warning.
 */
function planAdoptedIdentity(ctx: PlanContext, p: Principal, have: ObservedAccessEntry, baseline: EntryBaseline): AccessEntryAction[] {
  const { mine } = p;
  if (mine?.username !== undefined && mine.username !== have.username) {
    ctx.warnings.push(`adopted access entry ${p.arn}: username stays ${JSON.stringify(have.username ?? '')}; the desired ${JSON.stringify(mine.username)} is not applied, because changing the username of an entry this configuration did not create could take away access granted to that name. Change it by hand if intended.`);
  }
  const wanted = p.target?.kubernetesGroups ?? [];
  const extra = mine ? have.kubernetesGroups.filter((g) => !mine.kubernetesGroups.includes(g) && baseline.kubernetesGroups.includes(g)) : [];
  if (extra.length > 0) {
    ctx.warnings.push(`adopted access entry ${p.arn}: Kubernetes groups ${extra.join(', ')} are not desired but stay, because an entry this configuration did not create never loses access. Remove them by hand if intended.`);
  }
  const removable = new Set((p.before?.kubernetesGroups ?? []).filter((g) => !wanted.includes(g) && !baseline.kubernetesGroups.includes(g)));
  const groups = [...new Set([...have.kubernetesGroups.filter((g) => !removable.has(g)), ...wanted])];
  return sameSet(groups, have.kubernetesGroups) ? [] : [{ action: 'update', principalArn: p.arn, kubernetesGroups: groups }];
}

/**
 * The policy associations of an adopted entry: wanted policies that are missing are associated; an
 * association of the baseline keeps its scope and stays (both are warnings when this owner wants
 * otherwise); an association only this owner wanted before is removed.
 */
function planAdoptedPolicies(ctx: PlanContext, p: Principal, have: ObservedAccessEntry, baseline: EntryBaseline): AccessEntryAction[] {
  const actions: AccessEntryAction[] = [];
  const current = new Map(policiesOf(have).map((x) => [x.policyArn, x]));
  const inBaseline = new Map(baseline.accessPolicies.map((x) => [x.policyArn, x]));
  for (const want of p.target?.accessPolicies ?? []) {
    const existing = current.get(want.policyArn);
    if (!existing || (!inBaseline.has(want.policyArn) && !sameScope(existing.accessScope, want.accessScope))) {
      actions.push({ action: 'associate', principalArn: p.arn, policyArn: want.policyArn, accessScope: normalizeScope(want.accessScope) });
    } else if (!sameScope(existing.accessScope, want.accessScope) && p.mine?.accessPolicies.some((x) => x.policyArn === want.policyArn)) {
      ctx.warnings.push(`adopted access entry ${p.arn}: policy ${want.policyArn} stays associated with ${describeScope(existing.accessScope)}; the desired ${describeScope(want.accessScope)} is not applied, because an entry this configuration did not create never has an existing association changed. Change it by hand if intended.`);
    }
  }
  const wanted = new Set((p.target?.accessPolicies ?? []).map((x) => x.policyArn));
  const mineBefore = new Set((p.before?.accessPolicies ?? []).map((x) => x.policyArn));
  for (const existing of current.values()) {
    if (wanted.has(existing.policyArn)) {
      continue;
    }
    if (mineBefore.has(existing.policyArn) && !inBaseline.has(existing.policyArn)) {
      actions.push({ action: 'disassociate', principalArn: p.arn, policyArn: existing.policyArn });
    } else if (p.mine) {
      ctx.warnings.push(`adopted access entry ${p.arn}: policy ${existing.policyArn} (${describeScope(existing.accessScope)}) is not desired but stays associated, because an entry this configuration did not create never loses access. Disassociate it by hand if intended.`);
    }
  }
  return actions;
}

/**
 * What all owners want of one principal together: the union of their groups and policies (a policy
 * wanted over the cluster by one and some namespaces by another gets the cluster). Owners that
 * want another type or another username cannot both be served: a problem naming them.
 */
function mergeWants(principal: string, wants: readonly Want[], problems: string[]): AccessEntrySpec | undefined {
  if (wants.length === 0) {
    return undefined;
  }
  const [first] = wants;
  const otherType = wants.find((w) => w.entry.type !== first.entry.type);
  if (otherType) {
    problems.push(`access entry for ${principal}: owner ${first.ownerId} wants type ${first.entry.type} and owner ${otherType.ownerId} type ${otherType.entry.type}; one entry cannot be both. Map the principal with the same type in both, or in one of them only.`);
    return undefined;
  }
  const named = wants.filter((w) => w.entry.username !== undefined);
  const otherName = named.find((w) => w.entry.username !== named[0].entry.username);
  if (otherName) {
    problems.push(`access entry for ${principal}: owner ${named[0].ownerId} wants username ${JSON.stringify(named[0].entry.username)} and owner ${otherName.ownerId} ${JSON.stringify(otherName.entry.username)}; one entry has one username. Use the same username in both, or map the principal in one of them only.`);
    return undefined;
  }
  const policies = new Map<string, AccessScopeSpec>();
  for (const p of wants.flatMap((w) => w.entry.accessPolicies)) {
    policies.set(p.policyArn, widerScope(policies.get(p.policyArn), p.accessScope));
  }
  return {
    principalArn: principal,
    type: first.entry.type,
    ...(named.length > 0 ? { username: named[0].entry.username } : {}),
    kubernetesGroups: [...new Set(wants.flatMap((w) => w.entry.kubernetesGroups))],
    accessPolicies: [...policies].map(([policyArn, accessScope]) => ({ policyArn, accessScope })),
  };
}

/** The scope that grants both. */
function widerScope(a: AccessScopeSpec | undefined, b: AccessScopeSpec): AccessScopeSpec {
  if (!a) {
    return normalizeScope(b);
  }
  if (a.type === 'cluster' || b.type === 'cluster') {
    return { type: 'cluster' };
  }
  return { type: 'namespace', namespaces: [...new Set([...(a.namespaces ?? []), ...(b.namespaces ?? [])])].sort() };
}

/** What an entry grants now, as a baseline. */
function snapshotOf(entry: ObservedAccessEntry): EntryBaseline {
  return {
    ...(entry.username !== undefined ? { username: entry.username } : {}),
    kubernetesGroups: [...entry.kubernetesGroups],
    accessPolicies: policiesOf(entry).map((p) => ({ policyArn: p.policyArn, accessScope: normalizeScope(p.accessScope) })),
  };
}

function policiesOf(entry: ObservedAccessEntry): readonly ObservedPolicy[] {
  if (entry.policies === undefined) {
    throw new Error(`internal: the policies of ${entry.principalArn} were not observed`);
  }
  return entry.policies;
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
