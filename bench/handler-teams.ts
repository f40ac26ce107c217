/**
 * Benchmark: the deploy-time handler creating and deleting N teams on the test control plane (a
 * real kube-apiserver with etcd, the emulated EKS authenticator and authorizer, and the EKS fake:
 * `test/support/`), as CloudFormation would run it.
 *
 * A team is what `ClusterAccess.addTeam(name, { role, namespaces: [name], createNamespaces: true,
 * namespaceRole: KubernetesClusterRole.EDIT })` synthesizes: an access entry for the team's role
 * (mode API), its namespace, and a RoleBinding of the team's group to `edit` there.
 *
 * Two layouts of the same N teams:
 * - `batches`: the desired states the construct synthesizes with `teamBatches` (one per 100
 *   teams): the main resource, which holds every team's namespace, and one per nested stack of
 *   teams (a hash of the team's ID picks its batch; each batch its own owner), in CloudFormation's
 *   order: the main resource, then the batches at the same time (nested stacks of one parent
 *   deploy in parallel, and they depend on it); on Delete the reverse;
 * - `one`: all N teams in one desired state (one owner, one invocation): the most one Lambda
 *   invocation has to do.
 *
 * For each layout and step (Create, a replayed Update that changes nothing, Delete) it prints the
 * wall time, the Kubernetes calls the handler made (its log has one line per HTTP attempt) and the
 * EKS calls the fake answered, and checks the outcome (every namespace and binding present after
 * Create, every namespace gone or terminating after Delete).
 *
 * Usage: npx ts-node bench/handler-teams.ts [--layouts=batches,one] [N ...]     (default: both, 1000)
 * The process starts the control plane (scripts/build-kube.sh builds it once, about 6 minutes on
 * 2 cores) and runs the handler in a child process, as jest runs tests in a worker beside the
 * harness: the emulated authenticator and authorizer answer the API server from this process.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterAccess, KubernetesClusterRole } from '../lib';
import { applyDesiredStateOverrides, DesiredClusterAccess, OWNER_KEY } from '../lib/core/desired-state';
import { flatten, newStack } from '../test/constructs/helpers';
import { invokeMany, Invocation } from '../test/integ/handler-support';
import { startHarness } from '../test/support/kube/harness';
import { adminClient, credentialsOf, eksFake, kubeHarness, testPrincipal } from '../test/support/kube/env';
import { resetCluster } from '../test/support/kube/reset';
import { EKS_ENDPOINT_ENV } from '../lib/io/endpoints';

export type Layout = 'batches' | 'one';

/** The desired states of N teams as the construct synthesizes them (one per batch). */
export function teamStates(teams: number, teamBatches = defaultBatches(teams)): DesiredClusterAccess[] {
  process.env.CDK_VALIDATION = 'false';
  const { app, stack } = newStack('Teams');
  const access = new ClusterAccess(stack, 'Access', { clusterName: kubeHarness().clusterName, region: kubeHarness().region, teamBatches });
  for (let i = 0; i < teams; i++) {
    const name = `team-${String(i).padStart(4, '0')}`;
    const role = iam.Role.fromRoleArn(stack, `Role${i}`, `arn:aws:iam::111122223333:role/teams/${name}`);
    access.addTeam(name, { role, namespaces: [name], createNamespaces: true, namespaceRole: KubernetesClusterRole.EDIT });
  }
  const assembly = app.synth();
  const stacks: Stack[] = [stack, ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)];
  const handler = testPrincipal('handler').principalArn;
  const states = stacks.flatMap((s) => Object.values(Template.fromStack(s).findResources('Custom::EksClusterAccess')))
    .map((r) => stateOf(assembly.directory, (r as { Properties: Record<string, unknown> }).Properties));
  // The handler role's ARN is the only deploy-time value: a GetAtt, or in a nested stack a parameter.
  return states.map((state) => JSON.parse(JSON.stringify(state).replace(/"\$\{[^"}]*Arn\}"/g, JSON.stringify(handler))) as DesiredClusterAccess);
}

/** The desired state a custom resource carries: inline, or in an asset file of the assembly (S3 at deploy time). */
function stateOf(assemblyDir: string, properties: Record<string, unknown>): DesiredClusterAccess {
  if (properties.inline !== undefined) {
    return JSON.parse(flatten(properties.inline)) as DesiredClusterAccess;
  }
  const key = String(properties.s3Key);
  for (const manifest of fs.readdirSync(assemblyDir).filter((f) => f.endsWith('.assets.json'))) {
    const files = JSON.parse(fs.readFileSync(path.join(assemblyDir, manifest), 'utf8')).files as Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
    const found = Object.values(files).find((f) => Object.values(f.destinations).some((d) => d.objectKey === key));
    if (found) {
      const state = JSON.parse(fs.readFileSync(path.join(assemblyDir, found.source.path), 'utf8')) as DesiredClusterAccess;
      return applyDesiredStateOverrides(state, properties.overrides === undefined ? undefined : flatten(properties.overrides));
    }
  }
  throw new Error(`no asset file for the desired state ${key}`);
}

/** Batches of about 100 teams (a team costs up to 2 of a stack's 500 resources). */
export function defaultBatches(teams: number): number {
  return Math.max(1, Math.ceil(teams / 100));
}

/** The same teams in one desired state of one owner. */
export function oneState(states: readonly DesiredClusterAccess[]): DesiredClusterAccess {
  return {
    ...states[0],
    ownerId: 'bench-teams-all',
    accessEntries: states.flatMap((s) => s.accessEntries),
    awsAuth: {
      mapRoles: states.flatMap((s) => s.awsAuth.mapRoles),
      mapUsers: states.flatMap((s) => s.awsAuth.mapUsers),
      mapAccounts: [...new Set(states.flatMap((s) => s.awsAuth.mapAccounts))],
    },
    manifests: states.flatMap((s) => s.manifests),
  };
}

export interface StepResult {
  readonly step: string;
  readonly seconds: number;
  readonly kubeCalls: number;
  /** The most Kubernetes calls one invocation made. */
  readonly mostKubeCallsOfOne: number;
  readonly eksCalls: number;
  /** Seconds of each phase. */
  readonly phases: number[];
  /** Attempts that failed and were retried (throttling, conflicts, propagation). */
  readonly retries: number;
  /** Kubernetes and EKS calls that changed something. */
  readonly writes: { readonly kubernetes: number; readonly eks: number };
  readonly errors: string[];
  readonly check: string;
}

type Run = Parameters<typeof invokeMany>[0][number];

/**
 * One step of the deployment: phases in order (CloudFormation's dependency order), the runs of a
 * phase at the same time. Kubernetes calls are counted from the handlers' log lines (one per HTTP
 * attempt), per invocation by request ID; EKS calls from the fake's call log.
 */
async function step(name: string, phases: Run[][], check: () => Promise<string>): Promise<StepResult> {
  let ms = 0;
  let kubeCalls = 0;
  let eksCalls = 0;
  let mostKubeCallsOfOne = 0;
  let retries = 0;
  const writes = { kubernetes: 0, eks: 0 };
  const seconds: number[] = [];
  const errors: string[] = [];
  for (const runs of phases.filter((p) => p.length > 0)) {
    const results: Invocation[] = await invokeMany(runs, 14 * 60_000);
    const first = results[0];
    ms += first.ms;
    seconds.push(first.ms / 1000);
    writes.kubernetes += first.kubeWrites.length;
    writes.eks += first.eksWrites.length;
    retries += first.lines.filter((l) => String(l.msg).startsWith('retryable failure')).length;
    kubeCalls += first.kubeCalls.length;
    eksCalls += first.eksCalls;
    const perRequest = new Map<unknown, number>();
    first.kubeCalls.forEach((c) => perRequest.set(c.requestId, (perRequest.get(c.requestId) ?? 0) + 1));
    mostKubeCallsOfOne = Math.max(mostKubeCallsOfOne, ...perRequest.values());
    errors.push(...results.filter((r) => r.error).map((r) => r.error!.message.slice(0, 300)));
  }
  return { step: name, seconds: ms / 1000, kubeCalls, mostKubeCallsOfOne, eksCalls, phases: seconds, retries, writes, errors, check: await check() };
}

/** Namespaces of the teams: live (not terminating) ones, and those with their binding. */
async function teamNamespaces(): Promise<{ live: number; terminating: number; bindings: number }> {
  const admin = adminClient();
  try {
    const namespaces = (await admin.list({ kind: 'Namespace' })).filter((n) => n.metadata?.name?.startsWith('team-'));
    const bindings = (await admin.list({ kind: 'RoleBinding' }, { labelSelector: OWNER_KEY })).filter((b) => b.metadata?.namespace?.startsWith('team-'));
    const terminating = namespaces.filter((n) => n.metadata?.deletionTimestamp !== undefined).length;
    return { live: namespaces.length - terminating, terminating, bindings: bindings.length };
  } finally {
    admin.close();
  }
}

/** Create, a replayed Update and Delete of `teams` teams in one layout, on a reset cluster. */
export async function runLayout(teams: number, layout: Layout, teamBatches?: number): Promise<StepResult[]> {
  const admin = adminClient();
  await resetCluster(admin);
  admin.close();
  await eksFake().reset();
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API' });
  const batches = teamStates(teams, teamBatches);
  const states = layout === 'one' ? [oneState(batches)] : batches;
  const describe = async () => {
    const n = await teamNamespaces();
    const entries = (await eksFake().state()).clusters.flatMap((c) => c.accessEntries).filter((e) => e.principalArn.includes(':role/teams/')).length;
    return `${n.live} namespaces, ${n.terminating} terminating, ${n.bindings} bindings, ${entries} access entries`;
  };
  // The batches depend on the first state (it holds the namespaces): created after it, deleted before it.
  const [first, ...rest] = states;
  const create = (d: DesiredClusterAccess): Run => ({ requestType: 'Create', desired: d });
  const update = (d: DesiredClusterAccess): Run => ({ requestType: 'Update', desired: d, old: d });
  const remove = (d: DesiredClusterAccess): Run => ({ requestType: 'Delete', desired: d });
  return [
    await step('Create', [[create(first)], rest.map(create)], describe),
    await step('Update (no change)', [[update(first)], rest.map(update)], describe),
    await step('Delete', [rest.map(remove), [remove(first)]], describe),
  ];
}

/** The child: runs the handler against the harness whose environment it inherited. */
async function child(counts: number[], layouts: readonly Layout[]): Promise<void> {
  const creds = credentialsOf('handler');
  Object.assign(process.env, {
    AWS_REGION: kubeHarness().region,
    [EKS_ENDPOINT_ENV]: kubeHarness().eksEndpoint,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
  });
  delete process.env.AWS_PROFILE;
  const rows: string[] = [
    '| teams | layout | step | seconds (per phase) | Kubernetes calls | most in one invocation | EKS calls | writes (Kubernetes, EKS) | retried | outcome |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const teams of counts) {
    for (const layout of layouts) {
      for (const r of await runLayout(teams, layout)) {
        const label = layout === 'one' ? `1 state of ${teams}` : `teamBatches ${defaultBatches(teams)}: 1 + ${defaultBatches(teams)} concurrent`;
        const outcome = r.errors.length > 0 ? `FAILED: ${r.errors[0].replace(/\n/g, ' ')}` : r.check;
        const phases = r.phases.length > 1 ? ` (${r.phases.map((p) => p.toFixed(1)).join(' + ')})` : '';
        const row = `| ${teams} | ${label} | ${r.step} | ${r.seconds.toFixed(1)}${phases} | ${r.kubeCalls} | ${r.mostKubeCallsOfOne} | ${r.eksCalls} | ${r.writes.kubernetes}, ${r.writes.eks} | ${r.retries} | ${outcome} |`;
        process.stdout.write(row + '\n');
        rows.push(row);
      }
    }
  }
  process.stdout.write('\n' + rows.join('\n') + '\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const counts = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const layouts = (args.find((a) => a.startsWith('--layouts='))?.slice('--layouts='.length).split(',') ?? ['batches', 'one']) as Layout[];
  if (args.includes('--child')) {
    await child(counts, layouts);
    return;
  }
  const harness = await startHarness();
  try {
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const worker = fork(__filename, ['--child', `--layouts=${layouts.join(',')}`, ...(counts.length > 0 ? counts : [1000]).map(String)], {
        env: { ...process.env, ...harness.env },
        execArgv: process.execArgv,
        stdio: 'inherit',
      });
      worker.on('error', reject);
      worker.on('exit', resolve);
    });
    process.stderr.write(`done in ${Math.round((Date.now() - started) / 1000)} s (exit ${code})\n`);
    process.exitCode = code ?? 1;
  } finally {
    await harness.stop();
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
