/**
 * `eks-access diff --app cdk.out --cluster NAME`: what `cdk deploy` of the app would change on the
 * cluster, before it runs. Each ClusterAccess of the app on that cluster is planned with the
 * handler's own planning code (`lib/plan/`) against the live cluster, read only: nothing is written
 * to EKS or Kubernetes (RBAC changes are validated with the API server's dry run, which persists
 * nothing). Exit codes like `terraform plan -detailed-exitcode`: 0 no change, 1 error (or a refusal
 * the handler would give), 3 changes.
 */
import { desiredStatesOfApp } from './app-source';
import { CliIo, EXIT_ERROR, EXIT_OK, UsageError } from './io';
import { connectLive, explainLiveFailure, liveCommandContext, LiveSession, LiveStoreDeps } from './live-store';
import { Flags, outputFlag, stringFlag } from './options';
import { formatJson } from './output';
import { liveOptions } from './stores';
import { DesiredClusterAccess } from '../core/desired-state';
import { readAccessEntries } from '../io/access-reader';
import { ClusterPlan, planClusterAccess } from '../plan/cluster-plan';

/** Exit code when the deployment would change something. */
export const EXIT_CHANGES = 3;

export const DIFF_FLAGS = {
  app: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export async function diffCommand(flags: Flags, io: CliIo, deps: LiveStoreDeps = {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const app = stringFlag(flags, 'app');
  const clusterName = stringFlag(flags, 'cluster');
  if (!app || !clusterName) {
    throw new UsageError('diff needs --app cdk.out (a synthesized app) and --cluster NAME (the live cluster to compare it with)');
  }
  const output = outputFlag(flags, ['text', 'json'], 'text');
  const options = liveOptions(flags, clusterName, env);
  const { where, log, deadline } = liveCommandContext(options, io);
  let session: LiveSession | undefined;
  try {
    session = await connectLive(options, deps, log, deadline, true);
    const states = statesFor(app, clusterName, session);
    const { cluster, kube, eks } = session;
    const readEntries = () => readAccessEntries(eks!, clusterName);
    const plans: ClusterPlan[] = [];
    for (const state of states) {
      plans.push(await planClusterAccess(state, { mode: cluster.authenticationMode, readAccessEntries: readEntries, kube, deadline, log }));
    }
    io.stdout(output === 'json' ? formatJson({ cluster: where, plans }) : plansText(where, plans));
    if (plans.some((p) => p.refusals.length > 0)) {
      return EXIT_ERROR;
    }
    return plans.some((p) => p.changes.length > 0) ? EXIT_CHANGES : EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      throw error;
    }
    throw explainLiveFailure(error, 'read the cluster\'s access entries, aws-auth and RBAC objects', where, options);
  } finally {
    session?.close();
  }
}

/**
 * The desired states of the app's ClusterAccess constructs on the cluster: those naming it, or,
 * when none does, those whose cluster name is a deploy-time value (a cluster created in the app).
 * Deploy-time values are filled in with the cluster's account and the resources' logical IDs.
 */
function statesFor(app: string, clusterName: string, session: LiveSession): DesiredClusterAccess[] {
  const account = session.cluster.arn?.split(':')[4];
  const shown = desiredStatesOfApp(app).states.map((s) => s.state.clusterName);
  const states = desiredStatesOfApp(app, { account, placeholder: (name) => name.replace(/\.Arn$/, '').replace(/[^\w+=,.@-]/g, '-') }).states.map((s) => s.state);
  const named = states.filter((_, i) => shown[i] === clusterName);
  const deployTime = states.filter((_, i) => shown[i].includes('${'));
  const chosen = named.length > 0 ? named : deployTime;
  if (chosen.length === 0) {
    throw new UsageError(`the app has no ClusterAccess on cluster "${clusterName}" (it has ${[...new Set(shown)].join(', ')})`);
  }
  return chosen.map((s) => ({ ...s, clusterName }));
}

/** The plans as text: one line per change, then warnings and refusals. */
export function plansText(where: string, plans: readonly ClusterPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const mode = plan.modeBefore === plan.modeAfter ? `mode ${plan.modeBefore}` : `mode ${plan.modeBefore} → ${plan.modeAfter}`;
    lines.push(`${where} (${mode}), ClusterAccess ${plan.ownerId}${plan.mechanism ? ` (identities as ${plan.mechanism === 'ACCESS_ENTRIES' ? 'access entries' : 'aws-auth entries'})` : ''}:`);
    plan.changes.forEach((c) => lines.push(`  ${c.op} ${c.area}: ${c.what}`));
    if (plan.changes.length === 0 && plan.refusals.length === 0) {
      lines.push('  no change');
    }
    plan.warnings.forEach((w) => lines.push(`  warning: ${w}`));
    plan.notes.forEach((n) => lines.push(`  note: ${n}`));
    plan.refusals.forEach((r) => lines.push(`  refused: ${r}`));
  }
  const changes = plans.reduce((n, p) => n + p.changes.length, 0);
  const refusals = plans.reduce((n, p) => n + p.refusals.length, 0);
  lines.push('', refusals > 0 ? `the deployment would be refused (${refusals} refusal${refusals > 1 ? 's' : ''}); nothing was written` : `${changes} change${changes === 1 ? '' : 's'}; nothing was written`);
  return lines.join('\n') + '\n';
}
