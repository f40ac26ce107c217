/**
 * What a Create or Update of one `ClusterAccess` would change on its cluster, read only: the
 * handler's own planning functions, called in the handler's order, against the live cluster. Where
 * the handler would write before it plans further (moving the authentication mode, granting its
 * own role cluster-admin access), the plan takes the result as given instead. The first refusal
 * the handler would give ends the plan, as it ends the handler's run.
 */
import { entryPlanInput } from './access-entry-phase';
import { AwsAuthChange, EMPTY_DESIRED_AWS_AUTH, precheckAwsAuth } from './aws-auth-change';
import { describeObject, foreignObjectsInNamespaces, listOwned, prepareManifests, unwantedOwned } from './rbac-plan';
import { accessEntrySnapshot, AccessEntryAction, entriesAfter, ObservedAccessEntry, planAccessEntries } from '../core/access-entries-plan';
import { awsAuthRoleArn } from '../core/arn';
import { parseAwsAuth, RoleMapping, UserMapping } from '../core/aws-auth';
import { AuthenticationMode, DesiredClusterAccess, OWNER_KEY } from '../core/desired-state';
import { desiredStateProblems } from '../core/desired-state-check';
import { AccessSnapshot, assertMayStopReadingAwsAuth, assertNoLockout, handlerIdentities, inAwsAuthForm } from '../core/lockout';
import { clusterAdminPolicyArn, withHandlerEntry } from '../io/access-entries';
import { ReadAccessEntry } from '../io/access-reader';
import { authenticationModeSteps, chooseMechanism, modeAfter } from '../io/authentication-mode';
import { readAwsAuth } from '../io/aws-auth-store';
import { Deadline } from '../io/deadline';
import { KubernetesApi } from '../io/kubernetes-api';
import { Logger } from '../io/log';
import { readOwnerRecords } from '../io/owner-records';

export interface ClusterPlanDeps {
  /** The cluster's authentication mode as it is. */
  readonly mode: AuthenticationMode;
  /** Reads the access entries (with tags and policies); called only when the mode has them. */
  readonly readAccessEntries: () => Promise<ReadAccessEntry[]>;
  readonly kube: KubernetesApi;
  readonly deadline: Deadline;
  readonly log: Logger;
}

/** One change the deployment would make. */
export interface PlannedChange {
  /** `mode`, `access entry`, `access policy`, `aws-auth`, `RBAC`. */
  readonly area: string;
  /** `+` added or created, `-` removed or deleted, `~` changed. */
  readonly op: '+' | '-' | '~';
  readonly what: string;
}

export interface ClusterPlan {
  readonly clusterName: string;
  readonly ownerId: string;
  readonly modeBefore: AuthenticationMode;
  readonly modeAfter: AuthenticationMode;
  /** `ACCESS_ENTRIES` or `AWS_AUTH`: where this owner's identities go. */
  readonly mechanism?: string;
  readonly changes: PlannedChange[];
  readonly warnings: string[];
  /** What the handler would refuse (it writes nothing of this configuration then). */
  readonly refusals: string[];
  /** Assumptions the plan makes where the handler would have written first. */
  readonly notes: string[];
}

/** The plan of a Create or Update of `desired`, read only. */
export async function planClusterAccess(desired: DesiredClusterAccess, deps: ClusterPlanDeps): Promise<ClusterPlan> {
  const plan: Mutable = {
    clusterName: desired.clusterName,
    ownerId: desired.ownerId,
    modeBefore: deps.mode,
    modeAfter: deps.mode,
    changes: [],
    warnings: [],
    refusals: [],
    notes: [],
  };
  const problems = desiredStateProblems(desired);
  if (problems.length > 0) {
    plan.refusals.push(...problems);
    return plan;
  }
  try {
    await planSteps(desired, deps, plan);
  } catch (error) {
    plan.refusals.push((error as Error).message);
  }
  return plan;
}

type Mutable = { -readonly [K in keyof ClusterPlan]: ClusterPlan[K] };

async function planSteps(desired: DesiredClusterAccess, deps: ClusterPlanDeps, plan: Mutable): Promise<void> {
  const finalMode = modeAfter(deps.mode, desired.targetAuthenticationMode);
  const choice = chooseMechanism(desired.mechanism, finalMode, desired.clusterName);
  plan.mechanism = choice.accessEntries ? 'ACCESS_ENTRIES' : 'AWS_AUTH';
  const movesToApi = finalMode === 'API' && deps.mode !== 'API';
  const mode = modeAfter(deps.mode, movesToApi ? 'API_AND_CONFIG_MAP' : desired.targetAuthenticationMode);
  for (const step of authenticationModeSteps(deps.mode, desired.targetAuthenticationMode)) {
    plan.changes.push({ area: 'mode', op: '~', what: `authentication mode to ${step}${step === 'API' ? ' (last, once the access entries exist)' : ''}` });
  }
  if (desired.targetAuthenticationMode && authenticationModeSteps(desired.targetAuthenticationMode, deps.mode).length > 0) {
    plan.warnings.push(`the cluster is already in mode ${deps.mode}, past the target ${desired.targetAuthenticationMode}; EKS cannot move it back, so the mode stays`);
  }
  plan.modeAfter = finalMode;
  const identities = handlerIdentities(desired);
  const usesHandlerEntry = desired.handlerRoleArn !== undefined && desired.kubernetesRoleArn === undefined;
  const entriesApi = mode !== 'CONFIG_MAP' && !(desired.mechanism === 'AWS_AUTH' && desired.kubernetesRoleArn !== undefined);
  let accessEntryChange: { before: AccessSnapshot; after: AccessSnapshot } | undefined;
  if (entriesApi) {
    accessEntryChange = await planEntries(desired, deps, plan, { mode, wanted: choice.accessEntries, usesHandlerEntry, identities });
  }
  const awsAuthInput = {
    ownerId: desired.ownerId,
    desired: choice.awsAuth ? desired.awsAuth : EMPTY_DESIRED_AWS_AUTH,
    identities: identities.map((i) => ({ ...i, arn: awsAuthRoleArn(i.arn) })),
    refuseEmpty: mode === 'CONFIG_MAP',
    accessEntries: accessEntryChange,
  };
  const awsAuthCheck = mode !== 'API' ? await precheckAwsAuth(deps.kube, awsAuthInput) : undefined;
  if (movesToApi) {
    assertMayStopReadingAwsAuth(accessEntryChange!.after, awsAuthCheck!.access, awsAuthInput.identities, { warn: (w) => plan.warnings.push(w) });
  }
  if (awsAuthCheck) {
    plan.warnings.push(...awsAuthCheck.warnings.map((w) => `aws-auth: ${w}`));
    plan.changes.push(...await awsAuthChanges(deps.kube, awsAuthCheck));
  }
  await planRbac(desired, deps, plan);
}

interface EntryInput {
  readonly mode: AuthenticationMode;
  readonly wanted: boolean;
  readonly usesHandlerEntry: boolean;
  readonly identities: ReturnType<typeof handlerIdentities>;
}

type EntryChange = { before: AccessSnapshot; after: AccessSnapshot };

async function planEntries(desired: DesiredClusterAccess, deps: ClusterPlanDeps, plan: Mutable, input: EntryInput): Promise<EntryChange | undefined> {
  const wanted = input.wanted ? desired.accessEntries : [];
  let read: ObservedAccessEntry[] = [];
  if (deps.mode === 'CONFIG_MAP') {
    plan.notes.push('the cluster has no access entries before its mode moves; EKS then gives the cluster creator an entry, which this plan does not show');
  } else {
    read = (await deps.readAccessEntries()).map((e) => ({ ...e, policies: e.accessPolicies }));
  }
  // The handler grants its own role cluster-admin access before it plans: planned on the entries as that leaves them.
  const handlerEntry = input.usesHandlerEntry ? handlerEntryChange(read, desired.handlerRoleArn!) : undefined;
  const observed = handlerEntry ? handlerEntry.entries : read;
  const records = await readOwnerRecords(deps.kube);
  const { input: planInput } = entryPlanInput({ desired, wanted, records, observed, usesHandlerEntry: input.usesHandlerEntry });
  const entryPlan = planAccessEntries(planInput);
  if (entryPlan.problems.length > 0) {
    throw new Error(`cannot reconcile the access entries:\n- ${entryPlan.problems.join('\n- ')}`);
  }
  plan.warnings.push(...entryPlan.warnings);
  let change: EntryChange | undefined;
  if (input.mode === 'API_AND_CONFIG_MAP') {
    change = { before: inAwsAuthForm(accessEntrySnapshot(observed)), after: inAwsAuthForm(accessEntrySnapshot(entriesAfter(observed, entryPlan))) };
  } else {
    assertNoLockout('the access entries', accessEntrySnapshot(observed), accessEntrySnapshot(entriesAfter(observed, entryPlan)), input.identities);
  }
  if (handlerEntry?.change) {
    plan.changes.push(handlerEntry.change);
  }
  plan.changes.push(...entryPlan.actions.map(describeAction));
  return change;
}

/** The handler's own cluster-admin entry, as `ensureHandlerAccess` would leave it. */
function handlerEntryChange(observed: readonly ObservedAccessEntry[], roleArn: string): { entries: ObservedAccessEntry[]; change?: PlannedChange } {
  const admin = clusterAdminPolicyArn(roleArn);
  const have = observed.find((e) => e.principalArn === roleArn);
  if (have?.policies?.some((p) => p.policyArn === admin && p.accessScope.type === 'cluster')) {
    return { entries: [...observed] };
  }
  const what = have ? `AmazonEKSClusterAdminPolicy (cluster) for the handler's role ${roleArn}` : `the handler's own entry ${roleArn} with AmazonEKSClusterAdminPolicy (cluster)`;
  return { entries: withHandlerEntry(observed, roleArn), change: { area: have ? 'access policy' : 'access entry', op: '+', what } };
}

function describeAction(a: AccessEntryAction): PlannedChange {
  switch (a.action) {
    case 'create':
      return { area: 'access entry', op: '+', what: `${a.entry.principalArn} (${describeEntrySpec(a.entry)})` };
    case 'recreate':
      return { area: 'access entry', op: '~', what: `${a.entry.principalArn}: type ${a.fromType} → ${a.entry.type} (deleted and created again)` };
    case 'update':
      return { area: 'access entry', op: '~', what: `${a.principalArn}: ${a.username !== undefined ? `username ${a.username}, ` : ''}groups ${a.kubernetesGroups.join(', ') || '(none)'}` };
    case 'associate':
      return { area: 'access policy', op: '+', what: `${a.policyArn.split('/').pop()} (${a.accessScope.type === 'cluster' ? 'cluster' : `namespaces ${(a.accessScope.namespaces ?? []).join(', ')}`}) for ${a.principalArn}` };
    case 'disassociate':
      return { area: 'access policy', op: '-', what: `${a.policyArn.split('/').pop()} from ${a.principalArn}` };
    case 'delete':
      return { area: 'access entry', op: '-', what: a.principalArn };
    case 'retag':
      return { area: 'access entry', op: '~', what: `${a.principalArn}: taken over from the previous owner ID (${OWNER_KEY} tag)` };
  }
}

function describeEntrySpec(entry: { type: string; username?: string; kubernetesGroups: readonly string[] }): string {
  const username = entry.username ? `, username ${entry.username}` : '';
  const groups = entry.kubernetesGroups.length > 0 ? `, groups ${entry.kubernetesGroups.join(', ')}` : '';
  return `${entry.type}${username}${groups}`;
}

/** The entries aws-auth would gain and lose. */
async function awsAuthChanges(kube: KubernetesApi, check: AwsAuthChange): Promise<PlannedChange[]> {
  if (!check.next) {
    return [];
  }
  const current = await readAwsAuth(kube);
  const before = entriesOf(current);
  const after = entriesOf(check.next);
  const changes: PlannedChange[] = [];
  if (current === undefined) {
    changes.push({ area: 'aws-auth', op: '+', what: 'the ConfigMap kube-system/aws-auth' });
  }
  after.filter((e) => !before.includes(e)).forEach((what) => changes.push({ area: 'aws-auth', op: '+', what }));
  before.filter((e) => !after.includes(e)).forEach((what) => changes.push({ area: 'aws-auth', op: '-', what }));
  if (changes.length === 0) {
    changes.push({ area: 'aws-auth', op: '~', what: 'the owners annotation (which entries each owner wrote)' });
  }
  return changes;
}

function entriesOf(object: object | undefined): string[] {
  const cm = object === undefined ? undefined : parseAwsAuth(object).configMap;
  if (!cm) {
    return [];
  }
  const describe = (arnKey: string, e: RoleMapping | UserMapping) => `${arnKey} ${(e as RoleMapping).rolearn ?? (e as UserMapping).userarn ?? '?'} → ${e.username ?? '(no username)'} [${(e.groups ?? []).join(', ')}]`;
  return [
    ...cm.mapRoles.map((e) => describe('mapRoles', e)),
    ...cm.mapUsers.map((e) => describe('mapUsers', e)),
    ...cm.mapAccounts.map((a) => `mapAccounts ${a}`),
  ];
}

async function planRbac(desired: DesiredClusterAccess, deps: ClusterPlanDeps, plan: Mutable): Promise<void> {
  const ctx = { kube: deps.kube, ownerId: desired.ownerId, log: deps.log, deadline: deps.deadline };
  const prepared = await prepareManifests(ctx, desired.manifests);
  for (const write of prepared.writes) {
    const what = describeObject(write.body);
    plan.changes.push(write.live === undefined
      ? { area: 'RBAC', op: '+', what }
      : { area: 'RBAC', op: '~', what: `${what}${write.recreate ? ' (roleRef changes: deleted and created again)' : ''}` });
  }
  const unwanted = unwantedOwned(await listOwned(ctx), desired.manifests);
  const foreignByNamespace = await foreignObjectsInNamespaces(ctx, unwanted.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const object of unwanted) {
    const what = describeObject(object);
    const foreign = object.kind === 'Namespace' ? foreignByNamespace.get(object.metadata.name)! : [];
    plan.changes.push(foreign.length > 0
      ? { area: 'RBAC', op: '~', what: `${what}: kept (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); only its owner label goes` }
      : { area: 'RBAC', op: '-', what });
  }
}
