/**
 * `migrateFromAwsAuth`: the migration from aws-auth as two small steps around the normal
 * reconcile, which itself is unchanged. Before it, the live aws-auth is planned (the planner of
 * `lib/core/migration`, as `eks-access migrate plan` runs it) into extra desired access entries of
 * this owner, tagged as migrated; the move to mode API is refused, before any write it guards,
 * when the plan blocks it. The reconcile then creates, adopts and lockout-checks these entries as
 * any other desired entry. After it, with `pruneMigratedAwsAuthEntries`, the migrated entries
 * that verify (same username and groups through the access entry) leave aws-auth.
 *
 * Entries migrated earlier stay desired while the option is on (aws-auth may no longer hold them):
 * every entry of this owner tagged as migrated is desired again as it is, unless the
 * configuration now declares its principal, whose declaration then applies.
 */
import { DecodedRequest } from './event';
import { DEFAULT_AUTH_GRACE_MS, NEW_ACCESS_GRACE_MS, ReconcileDeps, ReconcileOutcome } from './reconcile';
import { ObservedAccessEntry, isOwnedBy } from '../core/access-entries-plan';
import { AccessEntrySpec, NODE_ACCESS_ENTRY_TYPES } from '../core/access-entry';
import { parseAwsAuth, toConfigMapObject } from '../core/aws-auth';
import { AuthenticationMode, DesiredClusterAccess, MIGRATED_FROM_KEY } from '../core/desired-state';
import { LockoutError, REFUSAL } from '../core/lockout';
import { MigrationItem, MigrationPlan, planMigration, principalKey, pruneMigrated, verifyMigrated } from '../core/migration';
import { ensureHandlerAccess } from '../io/access-entries';
import { advanceAuthenticationMode, modeAfter } from '../io/authentication-mode';
import { updateAwsAuth } from '../io/aws-auth-store';
import { ClusterInfo, waitForActiveCluster } from '../io/cluster';
import { KubernetesApi } from '../io/kubernetes-api';
import { readMigrationState } from '../io/migration-state';

/** The tag value on migrated entries. */
export const MIGRATED_FROM_AWS_AUTH = 'aws-auth';

/** The planned migration, carried from before the reconcile to after it. */
export interface AwsAuthMigration {
  /** The request with the migrated entries added to the desired access entries. */
  readonly request: DecodedRequest;
  readonly plan: MigrationPlan;
  /** The entries the configuration itself declares (without the migrated ones). */
  readonly declared: readonly AccessEntrySpec[];
}

/**
 * Plans the migration and returns the request with the extra entries; undefined when the desired
 * state does not ask for it (or on Delete). `written` records the writes it needed (the first mode
 * step and the handler's own entry, for a handler that reaches Kubernetes with its own role).
 */
export async function planAwsAuthMigration(request: DecodedRequest, deps: ReconcileDeps, written: string[]): Promise<AwsAuthMigration | undefined> {
  const { desired } = request;
  if (!desired.migrateFromAwsAuth || request.requestType === 'Delete') {
    return undefined;
  }
  let cluster = await activeCluster(desired, deps);
  if (modeAfter(cluster.authenticationMode, desired.targetAuthenticationMode) === 'CONFIG_MAP') {
    throw new Error(`migrateFromAwsAuth moves aws-auth to access entries, and cluster "${desired.clusterName}" is in authentication mode CONFIG_MAP, which has none: set authenticationMode to API_AND_CONFIG_MAP (or API)`);
  }
  const { kube, cluster: reached } = await reachKubernetes(cluster, request, deps, written);
  cluster = reached;
  const state = await readMigrationState({ eks: deps.eks, iam: deps.iam, kube, cluster, log: deps.log, declared: desired.accessEntries });
  const plan = planMigration({ ...state.input, nodeRolesMustBeDeclared: true, ownerId: desired.ownerId });
  state.notes.forEach((n) => deps.log.warn(`migration from aws-auth: ${n}`));
  logPlan(plan, deps);
  if (desired.targetAuthenticationMode === 'API' && cluster.authenticationMode !== 'API' && !plan.api.allowed) {
    throw new LockoutError(`${REFUSAL} moving the cluster to authentication mode API, which ignores aws-auth, while the migration from aws-auth is blocked: ${plan.api.reasons.join('; ')}.`
      + `${plan.api.loseAccessAfterMigration.length > 0 ? ` These would lose access: ${plan.api.loseAccessAfterMigration.map((l) => l.arn).join(', ')}.` : ''} Fix them, or target API_AND_CONFIG_MAP for now.`);
  }
  const extra = [...plan.entries.map(migratedSpec), ...keptEntries(state.accessEntries, desired, plan)];
  const withMigrated = { ...desired, accessEntries: [...desired.accessEntries, ...extra] };
  return { request: { ...request, desired: withMigrated }, plan, declared: desired.accessEntries };
}

/**
 * After the reconcile: with `pruneMigratedAwsAuthEntries`, removes from aws-auth the entries of
 * this owner's migrated principals whose access entries verify; adds the plan's summary to the outcome.
 */
export async function finishAwsAuthMigration(migration: AwsAuthMigration, outcome: ReconcileOutcome, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const desired = migration.request.desired;
  let pruned = 0;
  if (desired.pruneMigratedAwsAuthEntries) {
    pruned = await pruneVerified({ ...desired, accessEntries: [...migration.declared] }, deps);
  }
  return { ...outcome, migration: summarize(migration.plan, pruned) };
}

/**
 * A Kubernetes connection as the reconcile would make it: a handler that uses its own role first
 * takes the cluster to API_AND_CONFIG_MAP and gives that role its cluster-admin entry (the
 * reconcile does the same, and then finds them done).
 */
async function reachKubernetes(
  cluster: ClusterInfo, request: DecodedRequest, deps: ReconcileDeps, written: string[],
): Promise<{ kube: KubernetesApi; cluster: ClusterInfo }> {
  const { desired } = request;
  const usesHandlerEntry = desired.handlerRoleArn !== undefined && desired.kubernetesRoleArn === undefined;
  if (!usesHandlerEntry) {
    return { kube: await deps.connectKubernetes(cluster, desired, { authGraceMs: DEFAULT_AUTH_GRACE_MS }), cluster };
  }
  let reached = cluster;
  if (cluster.authenticationMode === 'CONFIG_MAP') {
    const mode: AuthenticationMode = await advanceAuthenticationMode(deps.eks, desired.clusterName, 'CONFIG_MAP', 'API_AND_CONFIG_MAP', { deadline: deps.deadline, log: deps.log, pollMs: deps.pollMs, random: deps.random });
    written.push(`the cluster's authentication mode moved from CONFIG_MAP to ${mode} (a mode change cannot be undone)`);
    reached = { ...cluster, authenticationMode: mode };
  }
  const ctx = { eks: deps.eks, clusterName: desired.clusterName, ownerId: desired.ownerId, log: deps.log };
  const granted = await ensureHandlerAccess(ctx, desired.handlerRoleArn!);
  if (granted) {
    written.push(`the handler's own cluster-admin access entry (${desired.handlerRoleArn})`);
  }
  const kube = await deps.connectKubernetes(reached, desired, { authGraceMs: granted ? NEW_ACCESS_GRACE_MS : DEFAULT_AUTH_GRACE_MS });
  return { kube, cluster: reached };
}

function activeCluster(desired: DesiredClusterAccess, deps: ReconcileDeps): Promise<ClusterInfo> {
  return waitForActiveCluster(deps.eks, desired.clusterName, { deadline: deps.deadline, log: deps.log, region: desired.region, pollMs: deps.pollMs });
}

/** A planned entry, tagged as migrated when created. */
function migratedSpec(entry: AccessEntrySpec): AccessEntrySpec {
  return { ...entry, tags: { [MIGRATED_FROM_KEY]: MIGRATED_FROM_AWS_AUTH } };
}

/** This owner's entries migrated by an earlier run, desired again as they are (unless declared or planned now). */
function keptEntries(observed: readonly ObservedAccessEntry[], desired: DesiredClusterAccess, plan: MigrationPlan): AccessEntrySpec[] {
  const taken = new Set([...desired.accessEntries, ...plan.entries].map((e) => principalKey(e.principalArn)));
  return observed
    .filter((e) => e.tags[MIGRATED_FROM_KEY] === MIGRATED_FROM_AWS_AUTH && isOwnedBy(e, desired.ownerId) && !taken.has(principalKey(e.principalArn)))
    .map((e) => ((NODE_ACCESS_ENTRY_TYPES as readonly string[]).includes(e.type)
      ? { principalArn: e.principalArn, type: e.type as AccessEntrySpec['type'], kubernetesGroups: [], accessPolicies: [] }
      : {
        principalArn: e.principalArn,
        type: e.type as AccessEntrySpec['type'],
        ...(e.username !== undefined ? { username: e.username } : {}),
        kubernetesGroups: [...e.kubernetesGroups],
        accessPolicies: [...(e.policies ?? [])],
      }));
}

/** Removes the verified aws-auth entries of this owner's migrated principals; returns how many. */
async function pruneVerified(desired: DesiredClusterAccess, deps: ReconcileDeps): Promise<number> {
  const cluster = await activeCluster(desired, deps);
  const kube = await deps.connectKubernetes(cluster, desired, { authGraceMs: DEFAULT_AUTH_GRACE_MS });
  const state = await readMigrationState({ eks: deps.eks, iam: deps.iam, kube, cluster, log: deps.log, declared: desired.accessEntries });
  const ours = new Set(state.accessEntries
    .filter((e) => e.tags[MIGRATED_FROM_KEY] === MIGRATED_FROM_AWS_AUTH && isOwnedBy(e, desired.ownerId))
    .map((e) => principalKey(e.principalArn)));
  const plan = planMigration({ ...state.input, ownerId: desired.ownerId });
  const candidates = plan.items.filter((i) => i.verdict === 'covered' && i.principalArn !== undefined && ours.has(principalKey(i.principalArn)));
  const { verified, failures } = verifyMigrated(candidates, state.input.accessEntries ?? []);
  failures.forEach((f) => deps.log.warn(`not removed from aws-auth, its access entry does not verify: ${f}`));
  if (verified.length === 0 || state.awsAuthObject === undefined) {
    return 0;
  }
  let removed: MigrationItem[] = [];
  await updateAwsAuth(kube, (current) => {
    const parsed = current === undefined ? undefined : parseAwsAuth(current as object);
    if (!parsed?.configMap || parsed.problems.some((p) => p.severity === 'error')) {
      return undefined; // changed meanwhile into something not to rewrite: left for the next run
    }
    const result = pruneMigrated(parsed.configMap, state.input.awsAuth, verified);
    removed = result.removed;
    return removed.length === 0 ? undefined : toConfigMapObject(result.configMap) as never;
  }, { deadline: deps.deadline, log: deps.log, random: deps.random });
  deps.log.info('removed migrated entries from aws-auth', { removed: removed.map((i) => `${i.source} ${i.arn}`) });
  return removed.length;
}

function logPlan(plan: MigrationPlan, deps: ReconcileDeps): void {
  deps.log.info('planned the migration from aws-auth', {
    mode: plan.mode,
    items: plan.items.map((i) => `${i.source} ${i.arn}: ${i.verdict} (${i.rule})`),
    api: plan.api.allowed ? 'allowed' : 'not allowed',
  });
  for (const item of plan.items.filter((i) => i.verdict === 'blocked')) {
    deps.log.warn(`aws-auth ${item.source} (${item.arn}) is not migrated: ${item.reason}. Fix: ${item.fix}`);
  }
}

/** The short summary of the response (`Fn::GetAtt` Migration). */
function summarize(plan: MigrationPlan, pruned: number): string {
  const count = (v: MigrationItem['verdict']) => plan.items.filter((i) => i.verdict === v).length;
  const blocked = plan.items.filter((i) => i.verdict === 'blocked');
  return `aws-auth: ${count('migrate')} migrated, ${count('covered')} covered, ${count('skip')} managed by EKS, ${blocked.length} blocked`
    + `${blocked.length > 0 ? ` (${blocked.map((i) => `${i.source} ${i.rule}`).join(', ')})` : ''}; ${pruned} removed from aws-auth; mode API ${plan.api.allowed ? 'allowed' : 'not allowed yet'}`;
}
