/**
 * One Create, Update or Delete, end to end: wait for the cluster, move its authentication mode
 * forward if asked, then make identities (access entries or aws-auth) and RBAC match the desired
 * state, removing only what this owner created and no longer wants. Every check that can refuse
 * the change (validation, ownership conflicts, lockout) runs before the first write it guards.
 */
import { AccessEntryContext, HANDLER_ENTRY_TAG, applyAccessEntryPlan, ensureHandlerAccess, observeAccessEntries, removeHandlerAccess, runAction, withHandlerEntry } from '../io/access-entries';
import { accessEntrySnapshot, entriesAfter, planAccessEntries, AccessEntryAction, AccessEntryPlan } from '../core/access-entries-plan';
import { advanceAuthenticationMode, chooseMechanism, MechanismChoice, modeAfter } from '../io/authentication-mode';
import { EMPTY_DESIRED_AWS_AUTH, precheckAwsAuth, reconcileAwsAuth } from './aws-auth-reconcile';
import { ClusterInfo, ClusterNotFoundError, describeCluster, waitForActiveCluster } from '../io/cluster';
import { Deadline } from '../io/deadline';
import { EksSender } from '../io/eks-api';
import { DecodedRequest } from './event';
import { KubernetesApi } from '../io/kubernetes-api';
import { AccessSnapshot, assertNoLockout, effectiveSnapshot, HandlerIdentity, inAwsAuthForm, LockoutError } from '../core/lockout';
import { Logger } from '../io/log';
import { finishAwsAuthMigration, planAwsAuthMigration } from './migration';
import { applyPrepared, deleteUnwanted, otherOwnersObjects, prepareManifests } from './rbac';
import { AccessEntrySpec } from '../core/access-entry';
import { awsAuthRoleArn } from '../core/arn';
import { AuthenticationMode, DesiredClusterAccess, OWNER_KEY } from '../core/desired-state';

/** How long Kubernetes 401/403 answers are retried after the handler granted itself access. */
export const NEW_ACCESS_GRACE_MS = 120_000;
/** How long they are retried otherwise (token and authenticator caches settling). */
export const DEFAULT_AUTH_GRACE_MS = 5_000;

export interface KubernetesConnectOptions {
  /** Retry 401 and 403 answers for this long (a new access entry takes a moment to apply). */
  readonly authGraceMs: number;
}

export interface ReconcileDeps {
  readonly eks: EksSender;
  /** Opens a Kubernetes connection to the cluster with the identity of the desired state. */
  readonly connectKubernetes: (cluster: ClusterInfo, state: DesiredClusterAccess, options: KubernetesConnectOptions) => Promise<KubernetesApi>;
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly random?: () => number;
  /** Poll interval while waiting for the cluster or a mode update (tests shorten it). */
  readonly pollMs?: number;
  /** IAM, where the migration from aws-auth learns role paths (`migrateFromAwsAuth`); absent: not consulted. */
  readonly iam?: EksSender;
}

export interface ReconcileOutcome {
  /** The cluster's mode after this run; undefined when the cluster no longer exists (Delete). */
  readonly authenticationMode?: AuthenticationMode;
  readonly mechanism: 'AWS_AUTH' | 'ACCESS_ENTRIES' | 'NONE';
  readonly awsAuthWritten: boolean;
  readonly accessEntryWrites: number;
  readonly adoptedAccessEntries: string[];
  readonly rbacApplied: string[];
  readonly rbacDeleted: string[];
  readonly warnings: string[];
  /** With `migrateFromAwsAuth`: a one-line summary of the migration. */
  readonly migration?: string;
}

/**
 * Runs the request against the cluster. A lockout refusal says what this run had already written
 * before it (an authentication mode step, the handler's own access entry, ...) or that it wrote
 * nothing of this configuration's identities or RBAC.
 */
export async function reconcile(request: DecodedRequest, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const written: string[] = [];
  try {
    // migrateFromAwsAuth: the live aws-auth, planned into extra desired entries before the run.
    const migration = await planAwsAuthMigration(request, deps, written);
    const outcome = await reconcileRecording(migration?.request ?? request, deps, written);
    return migration ? await finishAwsAuthMigration(migration, outcome, deps) : outcome;
  } catch (error) {
    if (error instanceof LockoutError) {
      throw new LockoutError(`${error.message} ${describeWritten(written)}`);
    }
    throw error;
  }
}

/** The sentence a refusal ends with: what this run wrote before it. */
export function describeWritten(written: readonly string[]): string {
  return written.length === 0
    ? 'Nothing of this configuration\'s identities or RBAC was written.'
    : `Already written by this run before the refusal: ${written.join('; ')}. Nothing else was written.`;
}

/** {@link reconcile}, recording in `written` each kind of write it has made. */
async function reconcileRecording(request: DecodedRequest, deps: ReconcileDeps, written: string[]): Promise<ReconcileOutcome> {
  const { desired } = request;
  const isDelete = request.requestType === 'Delete';
  const log = deps.log;
  const region = desired.region;

  if (isDelete) {
    try {
      const status = (await describeCluster(deps.eks, desired.clusterName, region)).status;
      if (status === 'DELETING' || status === 'FAILED') {
        log.warn(`cluster "${desired.clusterName}" is ${status}; nothing to remove`);
        return gone(log);
      }
    } catch (error) {
      if (error instanceof ClusterNotFoundError) {
        log.warn(`cluster "${desired.clusterName}" no longer exists; nothing to remove`);
        return gone(log);
      }
      throw error;
    }
  }

  const cluster = await waitForActiveCluster(deps.eks, desired.clusterName, { deadline: deps.deadline, log, region, pollMs: deps.pollMs });
  let mode = cluster.authenticationMode;
  // Chosen for the mode the cluster ends in, before the mode changes: a mechanism that mode
  // cannot serve is refused while the cluster is still as it was (a mode change cannot be undone).
  const finalMode = isDelete ? mode : modeAfter(mode, desired.targetAuthenticationMode);
  const choice: MechanismChoice = isDelete
    ? { awsAuth: false, accessEntries: false }
    : chooseMechanism(desired.mechanism, finalMode, desired.clusterName);
  // The last step to API, after which aws-auth is no longer read, is taken at the end: once the
  // access entries exist, and only when aws-auth alone does not let in nodes or the handler.
  const movesToApi = finalMode === 'API' && mode !== 'API';
  const modeOptions = { deadline: deps.deadline, log, pollMs: deps.pollMs, random: deps.random };
  if (!isDelete) {
    // Never on Delete: a mode change cannot be undone, and removing access needs none.
    mode = await advanceAuthenticationMode(deps.eks, desired.clusterName, mode, movesToApi ? 'API_AND_CONFIG_MAP' : desired.targetAuthenticationMode, modeOptions);
    if (mode !== cluster.authenticationMode) {
      written.push(`the cluster's authentication mode moved from ${cluster.authenticationMode} to ${mode} (a mode change cannot be undone)`);
    }
  }
  const identities = isDelete ? [] : handlerIdentities(desired);
  log.info('reconciling', { cluster: desired.clusterName, mode, awsAuth: choice.awsAuth, accessEntries: choice.accessEntries, ownerId: desired.ownerId });

  // 1. Read and check everything that can refuse the change, before any write (but the handler's
  //    own access entry, without which it cannot read Kubernetes).
  let accessEntryWrites = 0;
  let adopted: string[] = [];
  let deferredDeletions: AccessEntryAction[] = [];
  let entryPlan: AccessEntryPlan | undefined;
  let wantedEntries: AccessEntrySpec[] = [];
  let authGraceMs = DEFAULT_AUTH_GRACE_MS;
  let accessEntryChange: { before: AccessSnapshot; after: AccessSnapshot } | undefined;
  const otherOwners = new Set<string>();
  const entryCtx: AccessEntryContext = { eks: deps.eks, clusterName: desired.clusterName, ownerId: desired.ownerId, log };
  const usesHandlerEntry = desired.handlerRoleArn !== undefined && desired.kubernetesRoleArn === undefined;
  // With AWS_AUTH and a kubernetesRoleArn, the handler neither uses nor may call the access-entry API.
  const entriesApi = mode !== 'CONFIG_MAP' && !(desired.mechanism === 'AWS_AUTH' && desired.kubernetesRoleArn !== undefined);
  if (entriesApi) {
    const wanted = choice.accessEntries ? desired.accessEntries : [];
    const withPolicies = new Set([...wanted.map((e) => e.principalArn), ...identities.map((i) => i.arn)]);
    const observed = await observeAccessEntries(entryCtx, withPolicies);
    observed.filter((e) => e.tags[HANDLER_ENTRY_TAG] !== 'true' && e.tags[OWNER_KEY] !== undefined && e.tags[OWNER_KEY] !== desired.ownerId)
      .forEach((e) => otherOwners.add(e.tags[OWNER_KEY]));
    const keep = new Set(usesHandlerEntry ? [desired.handlerRoleArn!] : []);
    const plan = planAccessEntries({ ownerId: desired.ownerId, formerOwnerId: request.formerOwnerId, desired: wanted, observed, keep });
    if (plan.problems.length > 0) {
      throw new Error(`cannot reconcile the access entries (nothing was written):\n- ${plan.problems.join('\n- ')}`);
    }
    plan.warnings.forEach((w) => log.warn(w));
    if (mode === 'API_AND_CONFIG_MAP') {
      // EKS lets a principal in through either mechanism: judged with aws-auth, once it is read
      // (by then the handler's own entry exists, with cluster-admin access).
      const current = usesHandlerEntry ? withHandlerEntry(observed, desired.handlerRoleArn!) : observed;
      accessEntryChange = {
        before: inAwsAuthForm(accessEntrySnapshot(current)),
        after: inAwsAuthForm(accessEntrySnapshot(entriesAfter(current, plan))),
      };
    } else {
      assertNoLockout('the access entries', accessEntrySnapshot(observed), accessEntrySnapshot(entriesAfter(observed, plan)), identities);
    }
    if (usesHandlerEntry) {
      if (await ensureHandlerAccess(entryCtx, desired.handlerRoleArn!, observed)) {
        written.push(`the handler's own cluster-admin access entry (${desired.handlerRoleArn})`);
        accessEntryWrites++;
        authGraceMs = NEW_ACCESS_GRACE_MS;
      }
    }
    entryPlan = { ...plan, actions: plan.actions.filter((a) => a.action !== 'delete') };
    deferredDeletions = plan.actions.filter((a) => a.action === 'delete');
    wantedEntries = wanted;
  }
  const kube = await deps.connectKubernetes(cluster, desired, { authGraceMs });
  const rbacCtx = { kube, ownerId: desired.ownerId, formerOwnerId: request.formerOwnerId, log, deadline: deps.deadline };
  // aws-auth: this owner's desired entries, or none when aws-auth is no longer its mechanism
  // (Delete, or a move to access entries) so that the ones it wrote before are removed.
  const awsAuthInput = {
    ownerId: desired.ownerId,
    desired: choice.awsAuth ? desired.awsAuth : EMPTY_DESIRED_AWS_AUTH,
    identities: identities.map((i) => ({ ...i, arn: awsAuthRoleArn(i.arn) })),
    deadline: deps.deadline,
    log,
    random: deps.random,
    refuseEmpty: mode === 'CONFIG_MAP',
    accessEntries: accessEntryChange,
  };
  const awsAuthCheck = mode !== 'API' ? await precheckAwsAuth(kube, awsAuthInput) : undefined;
  if (movesToApi && !isDelete) {
    assertMayStopReadingAwsAuth(accessEntryChange!.after, awsAuthCheck!.access, awsAuthInput.identities, log);
  }
  const rbacPrepared = isDelete ? undefined : await prepareManifests(rbacCtx, desired.manifests);

  // 2. Writes: access entries (but deletions), aws-auth, RBAC.
  if (entryPlan) {
    const applied = await applyAccessEntryPlan(entryCtx, entryPlan, wantedEntries);
    accessEntryWrites += applied.writes;
    if (applied.writes > 0) {
      written.push(`${applied.writes} access entry change(s) of this configuration`);
    }
    adopted = [...entryPlan.adopted, ...applied.adopted];
    if (adopted.length > 0) {
      log.info('adopted access entries (they existed before; they are kept when this configuration is removed)', { adopted });
    }
  }
  let awsAuthWritten = false;
  let rbacApplied: string[] = [];
  let rbacDeleted: string[] = [];
  if (isDelete) {
    rbacDeleted = (await deleteUnwanted(rbacCtx, [])).deleted;
    if (rbacDeleted.length > 0) {
      written.push(`the deletion of ${rbacDeleted.length} RBAC object(s) of this configuration`);
    }
  }
  if (awsAuthCheck) {
    // Nothing to change when checked a moment ago: no second read. Otherwise read-merge-write,
    // repeated on conflicts with concurrent writers.
    const result = awsAuthCheck.next === undefined ? { ...awsAuthCheck, written: false } : await reconcileAwsAuth(kube, awsAuthInput);
    if (awsAuthCheck.next === undefined) {
      awsAuthCheck.warnings.forEach((w) => log.warn(`aws-auth: ${w}`));
    }
    awsAuthWritten = result.written;
    result.owners.filter((o) => o !== desired.ownerId).forEach((o) => otherOwners.add(o));
    if (choice.accessEntries) {
      warnDoubleMappings(desired, result.mappedArns, log);
    }
  }
  if (rbacPrepared) {
    rbacApplied = (await applyPrepared(rbacCtx, rbacPrepared)).applied;
    rbacDeleted = (await deleteUnwanted(rbacCtx, desired.manifests)).deleted;
  }

  // 3. Access entries this owner created and no longer wants, last.
  for (const action of deferredDeletions) {
    accessEntryWrites += (await runAction(entryCtx, action)) ? 1 : 0;
  }
  if (isDelete && usesHandlerEntry && entriesApi) {
    // The handler's own entry may serve other access configurations on this cluster (one handler
    // per stack): it goes only with the last of them.
    const rbacOfOthers = await otherOwnersObjects({ kube, ownerId: desired.ownerId, log, deadline: deps.deadline });
    if (otherOwners.size === 0 && rbacOfOthers.length === 0) {
      accessEntryWrites += (await removeHandlerAccess(entryCtx, desired.handlerRoleArn!)) ? 1 : 0;
    } else {
      log.info('keeping the handler\'s access entry: other access configurations on this cluster use it', { others: [...otherOwners, ...rbacOfOthers].slice(0, 10) });
    }
  }

  if (movesToApi && !isDelete) {
    mode = await advanceAuthenticationMode(deps.eks, desired.clusterName, mode, 'API', modeOptions);
  }

  const mechanism = choice.accessEntries ? 'ACCESS_ENTRIES' : choice.awsAuth ? 'AWS_AUTH' : 'NONE';
  log.info('reconciled', { mode, mechanism, awsAuthWritten, accessEntryWrites, rbacApplied: rbacApplied.length, rbacDeleted: rbacDeleted.length });
  return {
    authenticationMode: mode,
    mechanism,
    awsAuthWritten,
    accessEntryWrites,
    adoptedAccessEntries: adopted,
    rbacApplied,
    rbacDeleted,
    warnings: log.warnings(),
  };
}

/** The identities the handler reaches Kubernetes with, in their full (access entry) form. */
export function handlerIdentities(state: DesiredClusterAccess): HandlerIdentity[] {
  if (state.kubernetesRoleArn) {
    return [{ arn: state.kubernetesRoleArn, field: 'kubernetesRoleArn' }];
  }
  return state.handlerRoleArn ? [{ arn: state.handlerRoleArn, field: 'handlerRoleArn' }] : [];
}

/**
 * Refuses moving the cluster to mode API (which ignores aws-auth) when aws-auth alone maps the
 * cluster's nodes or the handler's identity; warns naming every other principal that only aws-auth
 * lets in. Both snapshots in aws-auth form, as they will be once this run's writes are done.
 */
function assertMayStopReadingAwsAuth(entries: AccessSnapshot, awsAuth: AccessSnapshot, identities: readonly HandlerIdentity[], log: Logger): void {
  const ids = identities.map((i) => ({ ...i, arn: i.arn.toLowerCase() }));
  assertNoLockout('the cluster by moving it to authentication mode API, which ignores aws-auth', effectiveSnapshot(entries, awsAuth), entries, ids);
  const awsAuthOnly = [...awsAuth.principals].filter((arn) => !entries.principals.has(arn)).sort();
  if (awsAuthOnly.length > 0) {
    log.warn(`moving to authentication mode API: these principals are mapped only in aws-auth and lose access to the cluster: ${awsAuthOnly.join(', ')}`);
  }
}

/** Warns for each desired access entry whose principal aws-auth also maps (the access entry wins). */
function warnDoubleMappings(desired: DesiredClusterAccess, awsAuthArns: ReadonlySet<string>, log: Logger): void {
  for (const entry of desired.accessEntries) {
    const form = entry.principalArn.includes(':role/') ? awsAuthRoleArn(entry.principalArn) : entry.principalArn;
    if (awsAuthArns.has(form.toLowerCase())) {
      log.warn(`${entry.principalArn} is mapped both in aws-auth and by an access entry; EKS uses the access entry and ignores the aws-auth mapping`);
    }
  }
}

function gone(log: Logger): ReconcileOutcome {
  return { mechanism: 'NONE', awsAuthWritten: false, accessEntryWrites: 0, adoptedAccessEntries: [], rbacApplied: [], rbacDeleted: [], warnings: log.warnings() };
}
