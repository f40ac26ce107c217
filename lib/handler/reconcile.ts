/**
 * One Create, Update or Delete, end to end: wait for the cluster, move its authentication mode
 * forward if asked, then make identities (access entries or aws-auth) and RBAC match the desired
 * state, removing only what this owner created and no longer wants. Every check that can refuse
 * the change (validation, ownership conflicts, lockout) runs before the first write it guards.
 *
 * On clusters with the access-entry API, the run holds the cluster lease (`lib/io/cluster-lease.ts`)
 * from the moment it reaches Kubernetes to its end, and plans access entries with every owner's
 * record (`lib/core/owner-record.ts`), so that owners sharing a principal never undo each other.
 *
 * A Delete never refuses: whatever it cannot remove (the last node mapping, an aws-auth that cannot
 * be parsed, anything behind an error) is left in place and listed in the outcome's `leftovers`.
 */
import { keepOnDelete, reconcileAwsAuth } from './aws-auth-reconcile';
import { DecodedRequest } from './event';
import { finishAwsAuthMigration, planAwsAuthMigration } from './migration';
import { resolveRequestPermissionSets } from './permission-sets';
import { applyPrepared, deleteUnwanted, otherOwnerIds } from './rbac';
import { accessEntrySnapshot, entriesAfter, isNodeType, planAccessEntries, AccessEntryAction, AccessEntryPlan, PlanInput } from '../core/access-entries-plan';
import { AccessEntrySpec } from '../core/access-entry';
import { awsAuthRoleArn } from '../core/arn';
import { AWS_AUTH_OWNER_RECORDS_ANNOTATION } from '../core/aws-auth';
import { AuthenticationMode, DesiredClusterAccess, OWNER_KEY } from '../core/desired-state';
import { assertMayStopReadingAwsAuth, assertNoLockout, handlerIdentities, HandlerIdentity, inAwsAuthForm, LockoutError } from '../core/lockout';
import { formatOwnerRecord, ManagingResource, OWNER_RECORD_VERSION, OwnerRecord, RecordedEntry, sameResource } from '../core/owner-record';
import { AccessEntryContext, applyAccessEntryPlan, ensureHandlerAccess, observeAccessEntries, removeHandlerAccess, runAction, withHandlerEntry } from '../io/access-entries';
import { advanceAuthenticationMode, chooseMechanism, MechanismChoice, modeAfter } from '../io/authentication-mode';
import { ClusterInfo, ClusterNotFoundError, describeCluster, waitForActiveCluster } from '../io/cluster';
import { ClusterLease } from '../io/cluster-lease';
import { Deadline } from '../io/deadline';
import { EksSender } from '../io/eks-api';
import { KubernetesApi } from '../io/kubernetes-api';
import { Logger } from '../io/log';
import { deleteOwnerRecord, readOwnerRecords, writeOwnerRecord } from '../io/owner-records';
import { entriesToObserve, entryPlanInput } from '../plan/access-entry-phase';
import { AwsAuthChange, AwsAuthReconcileInput, EMPTY_DESIRED_AWS_AUTH, precheckAwsAuth, warnDoubleMappings } from '../plan/aws-auth-change';
import { PreparedManifests, prepareManifests, RbacContext } from '../plan/rbac-plan';

/** How long Kubernetes 401/403 answers are retried after the handler granted itself access. */
export const NEW_ACCESS_GRACE_MS = 120_000;
/** How long they are retried otherwise (token and authenticator caches settling). */
export const DEFAULT_AUTH_GRACE_MS = 5_000;

export interface KubernetesConnectOptions {
  /** Retry 401 and 403 answers for this long (a new access entry takes a moment to apply). */
  readonly authGraceMs: number;
  /** Gives the handler its access again after a 401/403 (see `KubernetesConnection`). */
  readonly repairAccess?: () => Promise<boolean>;
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
  /** Timing of the cluster lease (tests shorten it). */
  readonly lease?: { readonly durationSeconds?: number; readonly pollMs?: number };
  /**
   * IAM, where the migration from aws-auth learns role paths (`migrateFromAwsAuth`) and IAM
   * Identity Center permission sets are resolved to their roles; absent: not consulted.
   */
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
  /** What a Delete had to leave in the cluster, and why (empty when everything was removed). */
  readonly leftovers: string[];
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
  let run: Reconciliation | undefined;
  try {
    // IAM Identity Center permission sets: their roles, resolved before anything is planned.
    const resolved = await resolveRequestPermissionSets(request, deps);
    // migrateFromAwsAuth: the live aws-auth, planned into extra desired entries before the run.
    const migration = await planAwsAuthMigration(resolved, deps, written);
    run = new Reconciliation(migration?.request ?? resolved, deps, written);
    const outcome = await run.execute();
    return migration ? await finishAwsAuthMigration(migration, outcome, deps) : outcome;
  } catch (error) {
    const failure = error instanceof LockoutError ? new LockoutError(`${error.message} ${describeWritten(written)}`) : error;
    // A run that took the owner over from another resource is not undone: that resource still manages it.
    if ((run?.began || written.length > 0) && !run?.tookOver && failure instanceof Error) {
      Object.defineProperty(failure, BEGAN_WRITING, { value: true });
    }
    throw failure;
  }
}

const BEGAN_WRITING = Symbol('began writing');

/** True when the run that threw `error` had begun writing to the cluster (a failed Create then needs undoing). */
export function failedAfterWriting(error: unknown): boolean {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[BEGAN_WRITING] === true;
}

/** The sentence a refusal ends with: what this run wrote before it. */
export function describeWritten(written: readonly string[]): string {
  return written.length === 0
    ? 'Nothing of this configuration\'s identities or RBAC was written.'
    : `Already written by this run before the refusal: ${written.join('; ')}. Nothing else was written.`;
}

/** What the access-entry phase decided before any of its writes. */
interface EntryPhase {
  readonly plan: AccessEntryPlan;
  readonly wanted: AccessEntrySpec[];
  readonly deferred: AccessEntryAction[];
  readonly others: OwnerRecord[];
  readonly previous?: OwnerRecord;
}

/** How the run left the owners of the cluster. */
interface Finished {
  /** No owner of this library is left on the cluster: the lease object can go too. */
  readonly lastOwner: boolean;
  /** The handler role whose own entry no owner relies on any more (removed after the lease). */
  readonly unusedHandlerRole?: string;
}

/** One run: the state its phases share. */
class Reconciliation {
  /** Set before the first write of the run (a mode step, the handler's entry, the writes phase). */
  public began = false;
  private readonly leftovers: string[] = [];
  private readonly desired: DesiredClusterAccess;
  private readonly isDelete: boolean;
  private readonly log: Logger;
  private readonly entryCtx: AccessEntryContext;
  private readonly usesHandlerEntry: boolean;
  private accessEntryWrites = 0;
  private adopted: string[] = [];
  private otherOwners = new Set<string>();
  /** The text of this owner's record as this run last wrote it. */
  private storedRecord?: string;
  /** The custom resource this run acts for (absent when the event does not name it). */
  private readonly managing?: ManagingResource;
  /** Set when this run took the owner over from another resource: its record before the run. */
  public tookOver?: OwnerRecord;

  /** `written`: each kind of write made so far (for a refusal's message). */
  constructor(private readonly request: DecodedRequest, private readonly deps: ReconcileDeps, public readonly written: string[]) {
    this.desired = request.desired;
    this.isDelete = request.requestType === 'Delete';
    this.log = deps.log;
    this.entryCtx = { eks: deps.eks, clusterName: this.desired.clusterName, ownerId: this.desired.ownerId, log: deps.log };
    this.usesHandlerEntry = this.desired.handlerRoleArn !== undefined && this.desired.kubernetesRoleArn === undefined;
    if (request.logicalResourceId) {
      this.managing = { logicalResourceId: request.logicalResourceId, ...(request.stackId ? { stackId: request.stackId } : {}) };
    }
  }

  public async execute(): Promise<ReconcileOutcome> {
    const { desired, deps, isDelete, log } = this;
    if (isDelete && (await this.clusterGone())) {
      return this.outcome(undefined, 'NONE', false, [], []);
    }
    const waiting = { deadline: deps.deadline, log, region: desired.region, pollMs: deps.pollMs };
    const cluster = await waitForActiveCluster(deps.eks, desired.clusterName, waiting);
    let mode = cluster.authenticationMode;
    // Chosen for the mode the cluster ends in, before the mode changes: a mechanism that mode
    // cannot serve is refused while the cluster is still as it was (a mode change cannot be undone).
    const finalMode = isDelete ? mode : modeAfter(mode, desired.targetAuthenticationMode);
    const choice: MechanismChoice = isDelete
      ? { awsAuth: false, accessEntries: false }
      : chooseMechanism(desired.mechanism, finalMode, desired.clusterName);
    // The last step to API, after which aws-auth is no longer read, is taken at the end: once the
    // access entries exist, and only when aws-auth alone does not let in nodes or the handler.
    const movesToApi = !isDelete && finalMode === 'API' && mode !== 'API';
    if (!isDelete) {
      // Never on Delete: a mode change cannot be undone, and removing access needs none.
      mode = await this.advanceMode(mode, movesToApi ? 'API_AND_CONFIG_MAP' : desired.targetAuthenticationMode);
      if (mode !== cluster.authenticationMode) {
        this.written.push(`the cluster's authentication mode moved from ${cluster.authenticationMode} to ${mode} (a mode change cannot be undone)`);
      }
    }
    // With AWS_AUTH and a kubernetesRoleArn, the handler neither uses nor may call the access-entry API.
    const entriesApi = mode !== 'CONFIG_MAP' && !(desired.mechanism === 'AWS_AUTH' && desired.kubernetesRoleArn !== undefined);
    log.info('reconciling', { cluster: desired.clusterName, mode, awsAuth: choice.awsAuth, accessEntries: choice.accessEntries, ownerId: desired.ownerId });

    let authGraceMs = DEFAULT_AUTH_GRACE_MS;
    if (entriesApi && this.usesHandlerEntry && (await this.grantHandlerAccess())) {
      authGraceMs = NEW_ACCESS_GRACE_MS;
    }
    const connected = await this.step('reach Kubernetes', () => this.connect(cluster, entriesApi, authGraceMs));
    if (!connected) {
      this.leftovers.push(`everything this configuration (owner ${desired.ownerId}) wrote in Kubernetes: its aws-auth entries, its RBAC objects and namespaces (labelled ${OWNER_KEY}=${desired.ownerId})${entriesApi ? ', and its share of the access entries' : ''}`);
      return this.outcome(mode, 'NONE', false, [], []);
    }
    const { kube, lease } = connected;
    let released = false;
    try {
      const result = await this.underLease(kube, lease, mode, entriesApi, choice, movesToApi);
      await lease?.release(result.lastOwner);
      released = true;
      if (result.unusedHandlerRole) {
        // After the lease: without its entry the handler could not release it. An owner that
        // registers meanwhile gets its access back through its connection's repair.
        await this.step('remove the handler\'s own access entry', async () => {
          this.accessEntryWrites += (await removeHandlerAccess(this.entryCtx, result.unusedHandlerRole!)) ? 1 : 0;
        });
      }
      return result.outcome;
    } catch (error) {
      if (this.tookOver) {
        // The resource it took the owner over from still manages it: its record says so again.
        await writeOwnerRecord(kube, this.tookOver).catch((e) => log.warn('could not restore the owner record', { error: (e as Error).message }));
      }
      throw error;
    } finally {
      if (!released) {
        await lease?.release(false);
      }
    }
  }

  /** Everything after Kubernetes is reached (under the cluster lease where access entries exist). */
  private async underLease(
    kube: KubernetesApi, lease: ClusterLease | undefined, mode: AuthenticationMode, entriesApi: boolean, choice: MechanismChoice, movesToApi: boolean,
  ): Promise<Finished & { outcome: ReconcileOutcome }> {
    const { desired, deps, isDelete, log } = this;
    const identities = isDelete ? [] : handlerIdentities(desired);
    const rbacCtx: RbacContext = { kube, ownerId: desired.ownerId, formerOwnerId: this.request.formerOwnerId, log, deadline: deps.deadline };

    // 0. The owner records: a Delete of a resource that no longer manages this owner does nothing.
    const records = await this.step('read the owner records', () => readOwnerRecords(kube));
    const previous = records?.get(desired.ownerId);
    if (previous?.managedBy && this.managing && !sameResource(previous.managedBy, this.managing)) {
      if (isDelete) {
        log.warn(`owner "${desired.ownerId}" on cluster "${desired.clusterName}" is now managed by ${previous.managedBy.logicalResourceId}, which replaced this resource (${this.managing.logicalResourceId}): nothing to remove`);
        return { outcome: this.outcome(mode, 'NONE', false, [], []), lastOwner: false };
      }
      this.tookOver = previous;
      log.info('taking over an owner another resource managed (a replacement by another logical ID)', { from: previous.managedBy.logicalResourceId });
    }

    // 1. Read and check everything that can refuse the change, before any write.
    const entries = entriesApi && records ? await this.step('read and plan the access entries', () => this.planEntries(choice, identities, mode, records)) : undefined;
    const awsAuthInput = {
      ownerId: desired.ownerId,
      desired: choice.awsAuth ? desired.awsAuth : EMPTY_DESIRED_AWS_AUTH,
      identities: identities.map((i) => ({ ...i, arn: awsAuthRoleArn(i.arn) })),
      deadline: deps.deadline,
      log,
      random: deps.random,
      // Only the cluster creator could still sign in to a CONFIG_MAP cluster with an empty aws-auth;
      // a Delete takes the owner's entries out anyway (the creator keeps access).
      refuseEmpty: mode === 'CONFIG_MAP' && !isDelete,
      accessEntries: entries?.lockoutView,
    };
    const awsAuthCheck = mode !== 'API' && !isDelete ? await precheckAwsAuth(kube, awsAuthInput) : undefined;
    if (movesToApi) {
      assertMayStopReadingAwsAuth(entries!.lockoutView!.after, awsAuthCheck!.access, awsAuthInput.identities, log);
    }
    const rbacPrepared = isDelete ? undefined : await prepareManifests(rbacCtx, desired.manifests);

    // 2. Writes: this owner's record of what it is about to want (so that an interrupted run leaves
    //    a record of all it may have written), access entries (but deletions), aws-auth, RBAC.
    lease?.assertHeld('writing');
    this.began = true;
    if (!isDelete) {
      await this.recordIntent(kube, entries?.phase, previous);
    }
    if (entries) {
      await this.step('update the access entries it shares', () => this.applyEntries(entries.phase));
    }
    let awsAuthWritten = false;
    if (isDelete && mode !== 'API') {
      const removed = await this.step(`remove its aws-auth entries (recorded for owner ${desired.ownerId} in the ${AWS_AUTH_OWNER_RECORDS_ANNOTATION} annotation)`, () => keepOnDelete(kube, awsAuthInput, this.leftovers));
      awsAuthWritten = removed?.written ?? false;
      removed?.owners.filter((o) => o !== desired.ownerId).forEach((o) => this.otherOwners.add(o));
      if (removed?.nodesKept && entries) {
        this.keepOwnNodeEntries(entries.phase);
      }
    } else if (awsAuthCheck) {
      awsAuthWritten = await this.writeAwsAuth(kube, awsAuthCheck, awsAuthInput, choice);
    }
    const rbac = await this.writeRbac(rbacCtx, rbacPrepared);

    // 3. Access entries this owner created and nobody wants any more, last; then the records.
    let finished: Finished = { lastOwner: false };
    if (entries) {
      for (const action of entries.phase.deferred) {
        await this.step(`remove access entry ${'principalArn' in action ? action.principalArn : ''}`, async () => {
          this.accessEntryWrites += (await runAction(this.entryCtx, action)) ? 1 : 0;
        });
      }
      finished = await this.finishRecords(kube, rbacCtx, entries.phase);
    } else if (records) {
      await this.finishOwnRecord(kube, previous, previous?.entries ?? []);
    }

    if (movesToApi) {
      mode = await this.advanceMode(mode, 'API');
    }
    const mechanism = choice.accessEntries ? 'ACCESS_ENTRIES' : choice.awsAuth ? 'AWS_AUTH' : 'NONE';
    log.info('reconciled', { mode, mechanism, awsAuthWritten, accessEntryWrites: this.accessEntryWrites, rbacApplied: rbac.applied.length, rbacDeleted: rbac.deleted.length, leftovers: this.leftovers.length });
    return { outcome: this.outcome(mode, mechanism, awsAuthWritten, rbac.applied, rbac.deleted), ...finished };
  }

  /** True when a Delete finds the cluster gone or going: nothing to remove. */
  private async clusterGone(): Promise<boolean> {
    const { desired, deps, log } = this;
    try {
      const status = (await describeCluster(deps.eks, desired.clusterName, desired.region)).status;
      if (status === 'DELETING' || status === 'FAILED') {
        log.warn(`cluster "${desired.clusterName}" is ${status}; nothing to remove`);
        return true;
      }
      return false;
    } catch (error) {
      if (error instanceof ClusterNotFoundError) {
        log.warn(`cluster "${desired.clusterName}" no longer exists; nothing to remove`);
        return true;
      }
      throw error;
    }
  }

  private advanceMode(mode: AuthenticationMode, target: AuthenticationMode | undefined): Promise<AuthenticationMode> {
    const { deps, desired, log } = this;
    this.began ||= target !== undefined && target !== mode;
    const options = { deadline: deps.deadline, log, pollMs: deps.pollMs, random: deps.random };
    return advanceAuthenticationMode(deps.eks, desired.clusterName, mode, target, options);
  }

  /** Gives the handler role its cluster-admin entry when it lacks one; true when it wrote. */
  private async grantHandlerAccess(): Promise<boolean> {
    let wrote: boolean;
    try {
      wrote = await ensureHandlerAccess(this.entryCtx, this.desired.handlerRoleArn!);
    } catch (error) {
      this.began = true; // it may have written part of it
      throw error;
    }
    if (!wrote) {
      return false;
    }
    this.began = true;
    this.written.push(`the handler's own cluster-admin access entry (${this.desired.handlerRoleArn})`);
    this.accessEntryWrites++;
    return true;
  }

  /**
   * Connects to Kubernetes and, where access entries exist, takes the cluster lease. Another
   * owner's Delete may remove the handler's shared entry while this run waits for the lease (it
   * found no record of this owner yet): the connection then grants it again and goes on.
   */
  private async connect(cluster: ClusterInfo, entriesApi: boolean, authGraceMs: number): Promise<{ kube: KubernetesApi; lease?: ClusterLease }> {
    const { deps, desired, log } = this;
    const repairAccess = entriesApi && this.usesHandlerEntry ? () => this.grantHandlerAccess() : undefined;
    const kube = await deps.connectKubernetes(cluster, desired, { authGraceMs, repairAccess });
    if (!entriesApi) {
      return { kube };
    }
    const lease = await ClusterLease.acquire({ kube, holder: desired.ownerId, deadline: deps.deadline, log, random: deps.random, ...deps.lease });
    return { kube, lease };
  }

  /**
   * Reads every owner's record and the access entries, plans this owner's change with the others'
   * wishes, and checks it for lockout.
   */
  private async planEntries(
    choice: MechanismChoice, identities: HandlerIdentity[], mode: AuthenticationMode, records: ReadonlyMap<string, OwnerRecord>,
  ) {
    const { desired, usesHandlerEntry } = this;
    const wanted = choice.accessEntries ? desired.accessEntries : [];
    const formerOwnerId = this.request.formerOwnerId;
    const { withPolicies, mayChange } = entriesToObserve({ desired, wanted, identities, records, formerOwnerId });
    const observed = await observeAccessEntries(this.entryCtx, withPolicies, mayChange);
    const { input, others, previous, otherOwners } = entryPlanInput({ desired, wanted, records, observed, usesHandlerEntry, formerOwnerId });
    otherOwners.forEach((o) => this.otherOwners.add(o));
    let plan = planAccessEntries(input);
    if (plan.problems.length > 0) {
      throw new Error(`cannot reconcile the access entries:\n- ${plan.problems.join('\n- ')}\n${describeWritten(this.written)}`);
    }
    const current = this.usesHandlerEntry ? withHandlerEntry(observed, desired.handlerRoleArn!) : observed;
    const view = { before: inAwsAuthForm(accessEntrySnapshot(current)), after: inAwsAuthForm(accessEntrySnapshot(entriesAfter(current, plan))) };
    if (mode !== 'API_AND_CONFIG_MAP') {
      // (In mode API_AND_CONFIG_MAP the check is made with aws-auth, once it is read.)
      plan = this.checkEntriesLockout(plan, identities, input);
    }
    plan.warnings.forEach((w) => this.log.warn(w));
    const phase: EntryPhase = {
      plan: { ...plan, actions: plan.actions.filter((a) => a.action !== 'delete') },
      deferred: plan.actions.filter((a) => a.action === 'delete'),
      wanted,
      others,
      previous,
    };
    return { phase, lockoutView: mode === 'API_AND_CONFIG_MAP' ? view : undefined };
  }

  /**
   * Records this owner's shares before and after the run together (its access entries, when the
   * cluster has them), and re-grants the handler its entry.
   */
  private async recordIntent(kube: KubernetesApi, phase: EntryPhase | undefined, previous: OwnerRecord | undefined): Promise<void> {
    await this.saveRecord(kube, previous, phase ? mergeShares(previous?.entries ?? [], phase.plan.record) : previous?.entries ?? []);
    if (phase && this.usesHandlerEntry) {
      // Under the lease and recorded now: no other owner's Delete removes it any more. It may have
      // gone while this run waited for the lease (kube-apiserver's token cache hides that a moment).
      await this.grantHandlerAccess();
    }
  }

  /**
   * The lockout check of the access entries alone (mode API). A Delete does not refuse: it keeps
   * the entries whose removal would lock nodes out, and lists them as leftovers.
   */
  private checkEntriesLockout(plan: AccessEntryPlan, identities: HandlerIdentity[], input: PlanInput): AccessEntryPlan {
    const observed = input.observed;
    const before = accessEntrySnapshot(observed);
    try {
      assertNoLockout('the access entries', before, accessEntrySnapshot(entriesAfter(observed, plan)), identities);
      return plan;
    } catch (error) {
      if (!this.isDelete || !(error instanceof LockoutError)) {
        throw error;
      }
      const tagged = observed.filter((e) => e.tags[OWNER_KEY] === input.ownerId);
      const ownedBefore = new Set([...(input.previous?.entries ?? []), ...tagged].map((e) => e.principalArn));
      const nodes = [...before.nodePrincipals].filter((arn) => ownedBefore.has(arn)).map((principalArn) => ({ principalArn }));
      const keep = new Set([...(input.keep ?? []), ...nodes.map((e) => e.principalArn)]);
      this.leftovers.push(`the access entries ${nodes.map((e) => e.principalArn).join(', ')}: they are the cluster's last node entries, and removing them would cut the nodes off (${error.message})`);
      return planAccessEntries({ ...input, keep });
    }
  }

  /** Runs the access-entry plan but its deletions. */
  private async applyEntries(phase: EntryPhase): Promise<void> {
    const applied = await applyAccessEntryPlan(this.entryCtx, phase.plan, phase.wanted, { others: phase.others, previous: phase.previous });
    this.accessEntryWrites += applied.writes;
    if (applied.writes > 0) {
      this.written.push(`${applied.writes} access entry change(s) of this configuration`);
    }
    this.adopted = [...phase.plan.adopted, ...applied.adopted];
    if (this.adopted.length > 0) {
      this.log.info('adopted access entries (they existed before; what they granted then is never removed)', { adopted: this.adopted });
    }
  }

  /** Writes this owner's aws-auth entries (or removes them); a Delete leaves what it must in place. */
  private async writeAwsAuth(kube: KubernetesApi, check: AwsAuthChange, input: AwsAuthReconcileInput, choice: MechanismChoice): Promise<boolean> {
    // Nothing to change when checked a moment ago: no second read. Otherwise read-merge-write,
    // repeated on conflicts with concurrent writers.
    if (check.next === undefined) {
      check.warnings.forEach((w) => this.log.warn(`aws-auth: ${w}`));
      check.owners.filter((o) => o !== this.desired.ownerId).forEach((o) => this.otherOwners.add(o));
      if (choice.accessEntries) {
        warnDoubleMappings(this.desired, check.mappedArns, this.log);
      }
      return false;
    }
    const result = await reconcileAwsAuth(kube, input);
    result.owners.filter((o) => o !== this.desired.ownerId).forEach((o) => this.otherOwners.add(o));
    if (choice.accessEntries) {
      warnDoubleMappings(this.desired, result.mappedArns, this.log);
    }
    return result.written;
  }

  /**
   * A Delete on a cluster in mode API_AND_CONFIG_MAP whose aws-auth removal would leave no node
   * mapping: this owner's node entries stay too (nodes may authenticate through either).
   */
  private keepOwnNodeEntries(phase: EntryPhase): void {
    const nodeArns = new Set((phase.previous?.entries ?? []).filter((e) => isNodeType(e.type)).map((e) => e.principalArn));
    const kept = phase.deferred.filter((a) => a.action === 'delete' && nodeArns.has(a.principalArn));
    if (kept.length > 0) {
      phase.deferred.splice(0, phase.deferred.length, ...phase.deferred.filter((a) => !kept.includes(a)));
      this.leftovers.push(`the node access entries ${kept.map((a) => (a as { principalArn: string }).principalArn).join(', ')}: with the aws-auth node mappings they are the cluster's last ways for nodes to authenticate`);
    }
  }

  /** Applies the desired RBAC objects and deletes this owner's others (all of them on Delete). */
  private async writeRbac(rbacCtx: RbacContext, prepared: PreparedManifests | undefined): Promise<{ applied: string[]; deleted: string[] }> {
    if (!prepared) {
      const what = `delete its RBAC objects and namespaces (labelled ${OWNER_KEY}=${this.desired.ownerId})`;
      const deleted = (await this.step(what, () => deleteUnwanted(rbacCtx, [])))?.deleted ?? [];
      if (deleted.length > 0) {
        this.written.push(`the deletion of ${deleted.length} RBAC object(s) of this configuration`);
      }
      return { applied: [], deleted };
    }
    const applied = (await applyPrepared(rbacCtx, prepared)).applied;
    const deleted = (await deleteUnwanted(rbacCtx, this.desired.manifests)).deleted;
    return { applied, deleted };
  }

  /**
   * Leaves this owner's record as the run left the cluster (deleted on Delete), and finds out
   * whether the handler role whose entry this owner relied on is still used by any owner. Says
   * whether no owner of this library is left on the cluster (the lease object can go too).
   */
  private async finishRecords(kube: KubernetesApi, rbacCtx: RbacContext, phase: EntryPhase): Promise<Finished> {
    const { desired, isDelete } = this;
    await this.finishOwnRecord(kube, phase.previous, phase.plan.record);
    const usedRole = isDelete || !this.usesHandlerEntry ? undefined : desired.handlerRoleArn;
    const droppedRole = phase.previous?.handlerRoleArn ?? (isDelete && this.usesHandlerEntry ? desired.handlerRoleArn : undefined);
    const legacy = await this.legacyOwners(rbacCtx, phase.others);
    const lastOwner = isDelete && phase.others.length === 0 && legacy.length === 0;
    if (!droppedRole || droppedRole === usedRole) {
      return { lastOwner };
    }
    if (phase.others.some((r) => r.handlerRoleArn === droppedRole) || legacy.length > 0) {
      this.log.info('keeping the handler\'s access entry: other access configurations on this cluster use it', { others: [...phase.others.map((r) => r.ownerId), ...legacy].slice(0, 10) });
      return { lastOwner };
    }
    return { lastOwner, unusedHandlerRole: droppedRole };
  }

  /** This owner's record as the run leaves the cluster: deleted on Delete, else what it wants now. */
  private async finishOwnRecord(kube: KubernetesApi, previous: OwnerRecord | undefined, entries: RecordedEntry[]): Promise<void> {
    if (!this.isDelete) {
      await this.saveRecord(kube, previous, entries);
    } else if (previous || this.storedRecord !== undefined) {
      // Whatever a Delete had to leave behind is listed; no owner claims it any more.
      await deleteOwnerRecord(kube, this.desired.ownerId);
    }
  }

  /** Owners seen on the cluster that keep no record (older versions of this library). */
  private async legacyOwners(rbacCtx: RbacContext, others: readonly OwnerRecord[]): Promise<string[]> {
    const recorded = new Set([this.desired.ownerId, ...others.map((r) => r.ownerId)]);
    const seen = new Set([...this.otherOwners, ...(await otherOwnerIds(rbacCtx))]);
    return [...seen].filter((o) => !recorded.has(o));
  }

  /** Writes this owner's record unless the stored one already says exactly that. */
  private async saveRecord(kube: KubernetesApi, stored: OwnerRecord | undefined, entries: RecordedEntry[]): Promise<void> {
    const record = this.recordOf(entries);
    const text = formatOwnerRecord(record);
    if ((this.storedRecord ?? (stored ? formatOwnerRecord(stored) : undefined)) !== text) {
      await writeOwnerRecord(kube, record);
      this.storedRecord = text;
    }
  }

  private recordOf(entries: RecordedEntry[]): OwnerRecord {
    return {
      version: OWNER_RECORD_VERSION,
      ownerId: this.desired.ownerId,
      ...(this.usesHandlerEntry && this.desired.handlerRoleArn ? { handlerRoleArn: this.desired.handlerRoleArn } : {}),
      entries,
      ...(this.managing ? { managedBy: this.managing } : {}),
    };
  }

  /**
   * Runs one part of the run. On Create and Update a failure stops the run; a Delete goes on with
   * the other parts and lists what this part could not remove (it returns undefined).
   */
  private async step<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (!this.isDelete) {
      return fn();
    }
    try {
      return await fn();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Delete could not ${what}; going on with the rest`, { error: message });
      this.leftovers.push(`could not ${what}: ${message}`);
      return undefined;
    }
  }

  private outcome(mode: AuthenticationMode | undefined, mechanism: ReconcileOutcome['mechanism'], awsAuthWritten: boolean, rbacApplied: string[], rbacDeleted: string[]): ReconcileOutcome {
    if (this.leftovers.length > 0) {
      this.log.warn('Delete left things in the cluster it could not remove', { leftovers: this.leftovers });
    }
    return {
      ...(mode ? { authenticationMode: mode } : {}),
      mechanism,
      awsAuthWritten,
      accessEntryWrites: this.accessEntryWrites,
      adoptedAccessEntries: this.adopted,
      rbacApplied,
      rbacDeleted,
      warnings: this.log.warnings(),
      leftovers: [...this.leftovers],
    };
  }
}

/** This owner's shares of before and after together (what it may have written while the run goes on). */
function mergeShares(before: readonly RecordedEntry[], after: readonly RecordedEntry[]): RecordedEntry[] {
  const byPrincipal = new Map(before.map((e) => [e.principalArn, e]));
  for (const e of after) {
    const old = byPrincipal.get(e.principalArn);
    byPrincipal.set(e.principalArn, old ? {
      ...e,
      kubernetesGroups: [...new Set([...old.kubernetesGroups, ...e.kubernetesGroups])],
      accessPolicies: [...new Map([...old.accessPolicies, ...e.accessPolicies].map((p) => [p.policyArn, p])).values()],
    } : e);
  }
  return [...byPrincipal.values()];
}
