/**
 * `eks-access migrate apply`: the planned move, carried out on a live cluster one step at a time.
 * Every step starts from what the cluster is now (it plans again), so a run that stopped (a
 * failure, Ctrl-C) is continued by running the command again: the mode does not move twice,
 * existing entries are covered, removed aws-auth entries are gone. The step to mode API, after
 * which aws-auth is ignored and which EKS cannot undo, comes last and only when the plan allows it.
 */
import { AwsAuthStore, CliIo, EXIT_ERROR, EXIT_OK, LiveCluster, UsageError } from './io';
import { describeEntry as describeAccessEntry, formatPlanTable } from './migrate-output';
import { Flags, listFlag, stringFlag } from './options';
import { planAccessEntries } from '../core/access-entries-plan';
import { AccessConfigError, principalArnProblem } from '../core/arn';
import { parseAwsAuth, toConfigMapObject } from '../core/aws-auth';
import { AuthenticationMode } from '../core/desired-state';
import { MigrationItem, MigrationPlan, isPrunable, planMigration, pruneMigrated, verifyMigrated } from '../core/migration';
import type { MigrationState } from '../io/migration-state';

/** The owner ID on the access entries this command creates (a ClusterAccess that declares one adopts it). */
export const MIGRATION_OWNER_ID = 'eks-access-migrate';

interface ApplyOptions {
  readonly target: AuthenticationMode;
  readonly removeMigrated: boolean;
  readonly yes: boolean;
  readonly principals: string[];
}

export async function migrateApply(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  if (!store.withCluster) {
    throw new UsageError('migrate apply changes a live cluster: give --cluster (to plan from a file, use "eks-access migrate plan --file")');
  }
  const target = stringFlag(flags, 'target-mode') ?? 'API_AND_CONFIG_MAP';
  if (target !== 'API_AND_CONFIG_MAP' && target !== 'API') {
    throw new UsageError(`--target-mode "${target}" is not API_AND_CONFIG_MAP or API`);
  }
  const principals = listFlag(flags, 'principal-arn');
  const bad = principals.find((p) => principalArnProblem(p) !== undefined);
  if (bad) {
    throw new UsageError(`--principal-arn "${bad}": ${principalArnProblem(bad)}`);
  }
  const options: ApplyOptions = { target, removeMigrated: flags['remove-migrated'] === true, yes: flags.yes === true, principals };
  return store.withCluster('migrate to access entries', (cluster) => new Migration(cluster, options, io, store.description).run());
}

/** One run of the migration. */
class Migration {
  private readonly name: string;
  /** What this run has written so far, for the message of a failure. */
  private readonly done: string[] = [];

  constructor(private cluster: LiveCluster, private readonly options: ApplyOptions, private readonly io: CliIo, private readonly where: string) {
    this.name = cluster.info.name;
  }

  public async run(): Promise<number> {
    try {
      return await this.applySteps();
    } catch (error) {
      if (this.done.length > 0 && error instanceof Error) {
        error.message += ` (written before this failure: ${this.done.join('; ')}; every step starts from the cluster as it is, so run the command again to continue)`;
      }
      throw error;
    }
  }

  private async applySteps(): Promise<number> {
    let { state, plan } = await this.plan();
    this.io.stdout(formatPlanTable({ plan, source: this.where.replace(/^kube-system\/aws-auth on /, ''), notes: state.notes }));
    const steps = this.steps(plan);
    if (steps.length === 0) {
      this.io.stdout('\nNothing to do.\n');
      return EXIT_OK;
    }
    this.io.stdout(`\nSteps:\n${steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n`);
    if (!(await this.confirmed())) {
      this.io.stderr('eks-access: nothing was changed\n');
      return EXIT_ERROR;
    }
    if (plan.mode === 'CONFIG_MAP') {
      await this.moveMode('API_AND_CONFIG_MAP');
      ({ state, plan } = await this.plan());
      this.io.stdout(`  planned again: ${plan.entries.length} access entr${plan.entries.length === 1 ? 'y' : 'ies'} to create\n`);
    }
    // Migrated now, or covered already with the same access: what may leave aws-auth once verified.
    const migrating = plan.items.filter(isPrunable);
    await this.createEntries(plan);
    const verification = await this.verify(migrating);
    if (verification.failures.length > 0) {
      this.io.stderr(`eks-access: not verified, so nothing is removed from aws-auth and the mode stays ${this.cluster.info.authenticationMode}:\n${verification.failures.map((f) => `- ${f}\n`).join('')}`);
      return EXIT_ERROR;
    }
    if (this.options.removeMigrated) {
      await this.prune(state, verification.verified);
    }
    ({ state, plan } = await this.plan());
    return this.finish(plan);
  }

  /** The plan of the cluster as it is now. */
  private async plan(): Promise<{ state: MigrationState; plan: MigrationPlan }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK-based readers load in live mode only
    const { readMigrationState } = require('../io/migration-state') as typeof import('../io/migration-state');
    const c = this.cluster;
    const state = await readMigrationState({
      eks: c.eks, iam: c.iam, kube: c.kube, cluster: c.info, log: c.log, principals: this.options.principals,
    });
    return { state, plan: planMigration(state.input) };
  }

  /** What this run will do, in order, as far as the plan tells now. */
  private steps(plan: MigrationPlan): string[] {
    const steps: string[] = [];
    if (plan.mode === 'CONFIG_MAP') {
      steps.push('move the authentication mode from CONFIG_MAP to API_AND_CONFIG_MAP (aws-auth keeps working; EKS cannot move back to CONFIG_MAP)');
    }
    if (plan.entries.length > 0) {
      steps.push(`create ${plan.entries.length} access entr${plan.entries.length === 1 ? 'y' : 'ies'}, then verify each principal against aws-auth`);
    }
    const prunable = plan.items.filter(isPrunable);
    if (this.options.removeMigrated && prunable.length > 0) {
      steps.push(`remove ${prunable.length} verified entr${prunable.length === 1 ? 'y' : 'ies'} from aws-auth (${prunable.map((i) => i.source).join(', ')})`);
    }
    if (this.options.target === 'API' && plan.mode !== 'API') {
      steps.push(plan.api.allowed
        ? 'move the authentication mode to API: aws-auth is ignored from then on, and EKS cannot move back'
        : 'stop before the mode API: the plan does not allow it yet (see above)');
    }
    return steps;
  }

  private async confirmed(): Promise<boolean> {
    if (this.options.yes) {
      return true;
    }
    if (!this.io.prompt) {
      throw new UsageError('migrate apply asks for confirmation, and there is no terminal to ask on: give --yes');
    }
    const answer = await this.io.prompt(`Apply these steps to EKS cluster "${this.name}"? [y/N] `);
    if (answer === undefined) {
      throw new UsageError('migrate apply asks for confirmation, and standard input is not a terminal: give --yes');
    }
    return /^y(es)?$/i.test(answer.trim());
  }

  /** One authentication mode step, waited for; the cluster is described again afterwards. */
  private async moveMode(to: AuthenticationMode): Promise<void> {
    /* eslint-disable @typescript-eslint/no-require-imports -- the SDK-based I/O loads in live mode only */
    const { advanceAuthenticationMode } = require('../io/authentication-mode') as typeof import('../io/authentication-mode');
    const { waitForActiveCluster } = require('../io/cluster') as typeof import('../io/cluster');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const c = this.cluster;
    this.io.stdout(`+ UpdateClusterConfig ${this.name}: authentication mode ${c.info.authenticationMode} -> ${to}\n`);
    await advanceAuthenticationMode(c.eks, this.name, c.info.authenticationMode, to, { deadline: c.deadline, log: c.log });
    this.done.push(`the authentication mode moved to ${to}`);
    this.cluster = { ...c, info: await waitForActiveCluster(c.eks, this.name, { deadline: c.deadline, log: c.log }) };
    this.io.stdout(`  the cluster is in mode ${this.cluster.info.authenticationMode}\n`);
  }

  /** Creates each planned entry and associates its policies; an entry that exists by then is adopted. */
  private async createEntries(plan: MigrationPlan): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK-based I/O loads in live mode only
    const { applyAccessEntryPlan } = require('../io/access-entries') as typeof import('../io/access-entries');
    const ctx = { eks: this.cluster.eks, clusterName: this.name, ownerId: MIGRATION_OWNER_ID, log: this.cluster.log };
    for (const entry of plan.entries) {
      this.io.stdout(`+ CreateAccessEntry ${describeAccessEntry(entry)}\n`);
      const entryPlan = planAccessEntries({ ownerId: MIGRATION_OWNER_ID, desired: [entry], observed: [] });
      const result = await applyAccessEntryPlan(ctx, entryPlan, [entry]);
      this.done.push(`the access entry of ${entry.principalArn}`);
      if (result.adopted.length > 0) {
        this.io.stdout('  it existed already: adopted (it gains the planned groups and policies, and loses none)\n');
      }
    }
  }

  /**
   * Checks each item against the access entries as they are now: the principal resolves to the
   * username and groups aws-auth gave it. EKS may take a moment to show a new entry.
   */
  private async verify(items: readonly MigrationItem[]): Promise<ReturnType<typeof verifyMigrated>> {
    let result = verifyMigrated(items, (await this.plan()).state.input.accessEntries ?? []);
    for (let attempt = 1; result.failures.some((f) => f.includes(': no access entry for ')) && attempt < 5; attempt++) {
      await this.cluster.deadline.sleep(2_000 * attempt, 'waiting for new access entries to become visible');
      result = verifyMigrated(items, (await this.plan()).state.input.accessEntries ?? []);
    }
    for (const item of result.verified) {
      this.io.stdout(`  verified ${item.source} ${item.principalArn}: ${describeIdentity(item)}\n`);
    }
    return result;
  }

  /** Removes the verified entries from aws-auth, matched by content (a concurrent edit is kept). */
  private async prune(state: MigrationState, verified: MigrationItem[]): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK-based I/O loads in live mode only
    const { updateAwsAuth } = require('../io/aws-auth-store') as typeof import('../io/aws-auth-store');
    if (verified.length === 0 || state.awsAuthObject === undefined) {
      return;
    }
    const planned = state.input.awsAuth;
    let removed: MigrationItem[] = [];
    await updateAwsAuth(this.cluster.kube, (current) => {
      if (current === undefined) {
        return undefined;
      }
      const parsed = parseAwsAuth(current as object);
      if (!parsed.configMap || parsed.problems.some((p) => p.severity === 'error')) {
        throw new AccessConfigError('kube-system/aws-auth changed and can no longer be read exactly as the authenticator reads it: nothing was removed');
      }
      const pruned = pruneMigrated(parsed.configMap, planned, verified);
      removed = pruned.removed;
      return removed.length === 0 ? undefined : toConfigMapObject(pruned.configMap) as never;
    }, { deadline: this.cluster.deadline, log: this.cluster.log });
    if (removed.length > 0) {
      this.done.push(`${removed.length} entries removed from aws-auth`);
    }
    for (const item of removed) {
      this.io.stdout(`- aws-auth ${item.source} ${item.arn} (${item.username ?? ''}${item.groups.length > 0 ? `; ${item.groups.join(',')}` : ''})\n`);
    }
  }

  /** The step to API when asked for and allowed; the summary. */
  private async finish(plan: MigrationPlan): Promise<number> {
    if (this.options.target === 'API' && plan.mode !== 'API') {
      if (!plan.api.allowed) {
        this.io.stderr(`eks-access: stopped before authentication mode API (the cluster stays in ${plan.mode}, where aws-auth still works):\n${plan.api.reasons.map((r) => `- ${r}\n`).join('')}`
          + (plan.api.loseAccessAfterMigration.length > 0 ? `These would lose access: ${plan.api.loseAccessAfterMigration.map((l) => l.arn).join(', ')}\n` : '')
          + 'Fix them and run the command again.\n');
        return EXIT_ERROR;
      }
      await this.moveMode('API');
    }
    this.io.stdout(`\nDone: EKS cluster "${this.name}" is in authentication mode ${this.cluster.info.authenticationMode}; ${plan.items.filter((i) => i.verdict === 'covered').length} aws-auth entries are covered by access entries, ${plan.items.filter((i) => i.verdict === 'blocked').length} blocked.\n`);
    return EXIT_OK;
  }
}

function describeIdentity(item: MigrationItem): string {
  const groups = item.groups.length > 0 ? item.groups.join(',') : 'no groups';
  return `${item.username ?? '(EKS default username)'}, ${groups} as in aws-auth`;
}
