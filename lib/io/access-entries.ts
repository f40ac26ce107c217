/**
 * Access entries on the cluster: reading them (with owner tags and policy associations), granting
 * the handler's own role access, and running a plan from `lib/core/access-entries-plan.ts`, adopting any
 * entry that turns out to exist already instead of failing with "already in use".
 */
import {
  AccessEntry,
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeAccessEntryResponse,
  DisassociateAccessPolicyCommand,
  ListAccessEntriesCommand,
  ListAccessEntriesResponse,
  ListAssociatedAccessPoliciesCommand,
  ListAssociatedAccessPoliciesResponse,
  TagResourceCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { isAwsError, isPrincipalNotYetVisible } from './aws-errors';
import { ClusterNotFoundError, clusterExists } from './cluster';
import { EKS_READ_CONCURRENCY, EKS_WRITE_CONCURRENCY, mapLimited } from './concurrency';
import { EksSender } from './eks-api';
import { Logger } from './log';
import { withContext } from './retry';
import { AccessEntryAction, AccessEntryPlan, ObservedAccessEntry, ObservedPolicy, planAccessEntries, PlanInput } from '../core/access-entries-plan';
import { AccessEntrySpec, AccessScopeSpec } from '../core/access-entry';
import { parsePrincipalArn } from '../core/arn';
import { OWNER_KEY, OWNERSHIP_PREFIX } from '../core/desired-state';

/** Tag on the access entry the handler creates for its own role (besides the owner tag). */
export const HANDLER_ENTRY_TAG = `${OWNERSHIP_PREFIX}/handler-access`;

/** Calls at most this many EKS operations at once while reading entries. */
const READ_CONCURRENCY = EKS_READ_CONCURRENCY;

export interface AccessEntryContext {
  readonly eks: EksSender;
  readonly clusterName: string;
  readonly ownerId: string;
  readonly log: Logger;
}

/**
 * Every access entry of the cluster with its tags; policies are listed for the principals in
 * `withPolicies` (or every entry, `'all'`) and the entries `alsoWithPolicies` picks by their tags
 * (the ones a plan may change).
 */
export async function observeAccessEntries(
  ctx: AccessEntryContext, withPolicies: ReadonlySet<string> | 'all', alsoWithPolicies: (entry: ObservedAccessEntry) => boolean = () => false,
): Promise<ObservedAccessEntry[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const command = new ListAccessEntriesCommand({ clusterName: ctx.clusterName, nextToken });
    const page = await onCluster(ctx, () => ctx.eks.send<ListAccessEntriesResponse>(command));
    arns.push(...(page.accessEntries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const observed = await mapLimited(arns, READ_CONCURRENCY, async (arn) => {
    const entry = await describeEntry(ctx, arn, withPolicies === 'all' || withPolicies.has(arn));
    return entry && entry.policies === undefined && alsoWithPolicies(entry) ? { ...entry, policies: await listPolicies(ctx, arn) } : entry;
  });
  return observed.filter((e): e is ObservedAccessEntry => e !== undefined);
}

/** One entry, or undefined when it disappeared since it was listed. */
export async function describeEntry(ctx: AccessEntryContext, principalArn: string, withPolicies: boolean): Promise<ObservedAccessEntry | undefined> {
  let entry: AccessEntry | undefined;
  try {
    const command = new DescribeAccessEntryCommand({ clusterName: ctx.clusterName, principalArn });
    entry = (await ctx.eks.send<DescribeAccessEntryResponse>(command)).accessEntry;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException') && (await clusterExists(ctx.eks, ctx.clusterName))) {
      return undefined;
    }
    throw missingClusterOr(ctx, error);
  }
  if (!entry) {
    return undefined;
  }
  return {
    principalArn: entry.principalArn ?? principalArn,
    type: entry.type ?? 'STANDARD',
    username: entry.username,
    kubernetesGroups: entry.kubernetesGroups ?? [],
    tags: entry.tags ?? {},
    accessEntryArn: entry.accessEntryArn,
    policies: withPolicies ? await listPolicies(ctx, principalArn) : undefined,
  };
}

/** The policy associations of one entry. */
export async function listPolicies(ctx: AccessEntryContext, principalArn: string): Promise<ObservedPolicy[]> {
  const policies: ObservedPolicy[] = [];
  let nextToken: string | undefined;
  do {
    const command = new ListAssociatedAccessPoliciesCommand({ clusterName: ctx.clusterName, principalArn, nextToken });
    const page = await onCluster(ctx, () => ctx.eks.send<ListAssociatedAccessPoliciesResponse>(command));
    for (const p of page.associatedAccessPolicies ?? []) {
      if (p.policyArn) {
        const scope: AccessScopeSpec = p.accessScope?.type === 'namespace'
          ? { type: 'namespace', namespaces: p.accessScope.namespaces ?? [] }
          : { type: 'cluster' };
        policies.push({ policyArn: p.policyArn, accessScope: scope });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return policies;
}

/** AmazonEKSClusterAdminPolicy in the partition of `principalArn`. */
export function clusterAdminPolicyArn(principalArn: string): string {
  return `arn:${parsePrincipalArn(principalArn).partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/**
 * Makes sure the handler's own role has a cluster-admin access entry (reading that entry and its
 * policies first, so nothing is written when it is already there). Returns true when it had to
 * create or extend one (Kubernetes then needs a moment to honour it).
 */
export async function ensureHandlerAccess(ctx: AccessEntryContext, roleArn: string): Promise<boolean> {
  const policyArn = clusterAdminPolicyArn(roleArn);
  const have = await describeEntry(ctx, roleArn, true);
  if (have?.policies?.some((p) => p.policyArn === policyArn && p.accessScope.type === 'cluster')) {
    return false;
  }
  if (!have && !(await createEntry(ctx, { principalArn: roleArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [] }, { [HANDLER_ENTRY_TAG]: 'true' }))) {
    ctx.log.info('the handler role\'s access entry appeared meanwhile (another handler created it)', { principalArn: roleArn });
  }
  await associate(ctx, roleArn, policyArn, { type: 'cluster' });
  ctx.log.info('granted the handler role cluster-admin access', { principalArn: roleArn });
  return true;
}

/** The entries as {@link ensureHandlerAccess} leaves them: the handler's role with cluster-admin access. */
export function withHandlerEntry(observed: readonly ObservedAccessEntry[], roleArn: string): ObservedAccessEntry[] {
  const admin: ObservedPolicy = { policyArn: clusterAdminPolicyArn(roleArn), accessScope: { type: 'cluster' } };
  const have = observed.find((e) => e.principalArn === roleArn);
  const entry: ObservedAccessEntry = have
    ? { ...have, policies: [...(have.policies ?? []).filter((p) => p.policyArn !== admin.policyArn), admin] }
    : { principalArn: roleArn, type: 'STANDARD', kubernetesGroups: [], tags: {}, policies: [admin] };
  return [...observed.filter((e) => e !== have), entry];
}

/**
 * Removes the handler's own entry at the end of a Delete, when a handler created it (never an entry
 * made by hand or the cluster creator's). The caller makes sure no other owner still needs it.
 */
export async function removeHandlerAccess(ctx: AccessEntryContext, roleArn: string): Promise<boolean> {
  const entry = await describeEntry(ctx, roleArn, false);
  if (!entry || entry.tags[HANDLER_ENTRY_TAG] !== 'true') {
    return false;
  }
  return deleteEntry(ctx, roleArn);
}

export interface ApplyResult {
  /** Calls that changed something. */
  readonly writes: number;
  /** Entries found to exist at create time and adopted. */
  readonly adopted: string[];
}

/**
 * Runs the plan; an entry that already exists when created (made meanwhile by hand or by a writer
 * that does not take the cluster lease) is adopted and re-planned with the same owner records.
 */
export async function applyAccessEntryPlan(
  ctx: AccessEntryContext, plan: AccessEntryPlan, desired: readonly AccessEntrySpec[], records: Pick<PlanInput, 'others' | 'previous'> = {},
): Promise<ApplyResult> {
  // The plan's phases in order (entries, then associations, then disassociations, then deletions:
  // access is granted before any is taken away); within a phase, each principal's actions in order
  // and several principals at a time (their entries are distinct).
  const adopted = new Set<string>();
  let writes = 0;
  for (const phase of ACTION_PHASES) {
    const byPrincipal = new Map<string, AccessEntryAction[]>();
    for (const action of plan.actions.filter((a) => phase.includes(a.action))) {
      const principal = principalOf(action);
      if (!adopted.has(principal)) {
        byPrincipal.set(principal, [...(byPrincipal.get(principal) ?? []), action]);
      }
    }
    const counts = await mapLimited([...byPrincipal], EKS_WRITE_CONCURRENCY,
      ([principal, actions]) => applyForPrincipal(ctx, principal, actions, desired, records, adopted));
    writes += counts.reduce((n, c) => n + c, 0);
  }
  return { writes, adopted: [...adopted] };
}

/** The kinds of action of each phase of a plan, in the order the plan lists them. */
const ACTION_PHASES: ReadonlyArray<ReadonlyArray<AccessEntryAction['action']>> = [['create', 'recreate', 'update', 'retag'], ['associate'], ['disassociate'], ['delete']];

function principalOf(action: AccessEntryAction): string {
  return 'entry' in action ? action.entry.principalArn : action.principalArn;
}

/**
 * One principal's actions of one phase, in order; an entry that already exists when created is
 * adopted and re-planned (added to `adopted`: its other actions, in this phase and later ones, are
 * replaced by the adoption plan). Returns the calls that changed something.
 */
async function applyForPrincipal(
  ctx: AccessEntryContext, principal: string, actions: readonly AccessEntryAction[], desired: readonly AccessEntrySpec[],
  records: Pick<PlanInput, 'others' | 'previous'>, adopted: Set<string>,
): Promise<number> {
  let writes = 0;
  for (const action of actions) {
    if (action.action === 'create') {
      const created = await createEntry(ctx, action.entry, {});
      if (created) {
        writes++;
        continue;
      }
      // It exists already (created by hand, by the cluster creator option, or by another owner): adopt it.
      adopted.add(principal);
      const spec = desired.find((d) => d.principalArn === principal)!;
      const existing = await describeEntry(ctx, principal, true);
      if (!existing) {
        throw new Error(`access entry for ${principal} was reported as existing but cannot be read; re-run the deployment`);
      }
      const adoption = planAccessEntries({ ownerId: ctx.ownerId, desired: [spec], observed: [existing], ...records });
      if (adoption.problems.length > 0) {
        throw new Error(adoption.problems.join(' '));
      }
      ctx.log.info('adopted an existing access entry', { principalArn: principal, type: existing.type });
      adoption.warnings.forEach((w) => ctx.log.warn(w));
      for (const a of adoption.actions) {
        writes += (await runAction(ctx, a)) ? 1 : 0;
      }
      return writes;
    }
    writes += (await runAction(ctx, action)) ? 1 : 0;
  }
  return writes;
}

/** One action; true when it changed something. */
export async function runAction(ctx: AccessEntryContext, action: AccessEntryAction): Promise<boolean> {
  switch (action.action) {
    case 'create':
      if (!(await createEntry(ctx, action.entry, {}))) {
        throw new Error(`access entry for ${action.entry.principalArn} appeared while it was being created; re-run the deployment`);
      }
      return true;
    case 'recreate':
      ctx.log.info('replacing an access entry to change its type', { principalArn: action.entry.principalArn, from: action.fromType, to: action.entry.type });
      await deleteEntry(ctx, action.entry.principalArn);
      if (!(await createEntry(ctx, action.entry, {}))) {
        throw new Error(`access entry for ${action.entry.principalArn} could not be re-created with type ${action.entry.type}: it exists again; re-run the deployment`);
      }
      return true;
    case 'update':
      await onEntry(ctx, action.principalArn, () => ctx.eks.send(new UpdateAccessEntryCommand({
        clusterName: ctx.clusterName,
        principalArn: action.principalArn,
        kubernetesGroups: action.kubernetesGroups,
        ...(action.username !== undefined ? { username: action.username } : {}),
      }), { what: `updating the access entry for ${action.principalArn}`, alsoRetry: notVisibleYet }));
      return true;
    case 'associate':
      await associate(ctx, action.principalArn, action.policyArn, action.accessScope);
      return true;
    case 'disassociate':
      try {
        const { principalArn, policyArn } = action;
        const command = new DisassociateAccessPolicyCommand({ clusterName: ctx.clusterName, principalArn, policyArn });
        await onEntry(ctx, action.principalArn, () => ctx.eks.send(command));
        return true;
      } catch (error) {
        if (error instanceof AccessEntryNotFoundError) {
          return false; // already gone: the goal is reached
        }
        throw error;
      }
    case 'delete':
      return deleteEntry(ctx, action.principalArn);
    case 'retag':
      const command = new TagResourceCommand({ resourceArn: action.accessEntryArn, tags: { [OWNER_KEY]: action.ownerId } });
      await onEntry(ctx, action.principalArn, () => ctx.eks.send(command));
      ctx.log.info('handed an access entry over to another of its owners', { principalArn: action.principalArn, ownerId: action.ownerId });
      return true;
  }
}

/** Thrown when an access entry (not the cluster) does not exist. */
export class AccessEntryNotFoundError extends Error {
  constructor(principalArn: string, clusterName: string) {
    super(`access entry for ${principalArn} does not exist on cluster "${clusterName}"`);
    this.name = 'AccessEntryNotFoundError';
  }
}

/** Creates the entry tagged with the owner; false when it exists already (ResourceInUseException). */
async function createEntry(ctx: AccessEntryContext, entry: AccessEntrySpec, extraTags: Record<string, string>): Promise<boolean> {
  try {
    await onCluster(ctx, () => ctx.eks.send(new CreateAccessEntryCommand({
      clusterName: ctx.clusterName,
      principalArn: entry.principalArn,
      type: entry.type,
      ...(entry.username !== undefined ? { username: entry.username } : {}),
      ...(entry.kubernetesGroups.length > 0 ? { kubernetesGroups: [...entry.kubernetesGroups] } : {}),
      tags: { ...(entry.tags ?? {}), [OWNER_KEY]: ctx.ownerId, ...extraTags },
    }), {
      what: `creating the access entry for ${entry.principalArn}`,
      alsoRetry: (e) => (isPrincipalNotYetVisible(e) ? 'IAM may not have propagated the principal yet' : undefined),
    }));
    ctx.log.info('created an access entry', { principalArn: entry.principalArn, type: entry.type });
    return true;
  } catch (error) {
    if (isAwsError(error, 'ResourceInUseException')) {
      return false;
    }
    if (isPrincipalNotYetVisible(error)) {
      throw new Error(`EKS does not accept ${entry.principalArn} as an access entry principal (${(error as Error).message}); check that the role or user exists in this account`);
    }
    if (isAwsError(error, 'InvalidParameterException') || isAwsError(error, 'AccessDeniedException')) {
      throw withContext(error, `EKS refused the ${entry.type} access entry for ${entry.principalArn}`);
    }
    throw error;
  }
}

/** Deletes the entry; false when it was already gone. */
async function deleteEntry(ctx: AccessEntryContext, principalArn: string): Promise<boolean> {
  try {
    await onEntry(ctx, principalArn, () => ctx.eks.send(new DeleteAccessEntryCommand({ clusterName: ctx.clusterName, principalArn })));
    ctx.log.info('deleted an access entry', { principalArn });
    return true;
  } catch (error) {
    if (error instanceof AccessEntryNotFoundError) {
      return false;
    }
    throw error;
  }
}

async function associate(ctx: AccessEntryContext, principalArn: string, policyArn: string, accessScope: AccessScopeSpec): Promise<void> {
  await onEntry(ctx, principalArn, () => ctx.eks.send(new AssociateAccessPolicyCommand({
    clusterName: ctx.clusterName,
    principalArn,
    policyArn,
    accessScope: accessScope.type === 'cluster' ? { type: 'cluster' } : { type: 'namespace', namespaces: [...(accessScope.namespaces ?? [])] },
  }), { what: `associating ${policyArn} with ${principalArn}`, alsoRetry: notVisibleYet }));
}

/**
 * Right after CreateAccessEntry, EKS may still answer ResourceNotFoundException for the entry
 * (eventual consistency): retried for a bounded time. The cluster itself was seen at the start of
 * the run; if it vanished meanwhile, the retries run out and {@link onEntry} tells which is gone.
 */
function notVisibleYet(error: unknown): string | undefined {
  return isAwsError(error, 'ResourceNotFoundException') ? 'the access entry may not be visible yet' : undefined;
}

/**
 * Runs a call on one entry: ResourceNotFoundException means the entry is missing unless the
 * cluster itself is gone (both answer with that name), which DescribeCluster tells apart.
 */
async function onEntry<T>(ctx: AccessEntryContext, principalArn: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      if (!(await clusterExists(ctx.eks, ctx.clusterName))) {
        throw new ClusterNotFoundError(ctx.clusterName, undefined);
      }
      throw new AccessEntryNotFoundError(principalArn, ctx.clusterName);
    }
    throw error;
  }
}

/** Runs a call on the cluster: ResourceNotFoundException means the cluster is gone. */
async function onCluster<T>(ctx: AccessEntryContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw missingClusterOr(ctx, error);
  }
}

function missingClusterOr(ctx: AccessEntryContext, error: unknown): unknown {
  return isAwsError(error, 'ResourceNotFoundException') ? new ClusterNotFoundError(ctx.clusterName, undefined) : error;
}

/** `fn` over `items` with at most `limit` running at once, results in order (see `concurrency.ts`). */
export { mapLimited } from './concurrency';
