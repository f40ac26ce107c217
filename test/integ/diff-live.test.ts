/**
 * `eks-access diff --app cdk.out --cluster NAME` against the real API server and the EKS fake: it
 * lists what a deployment would change, writes nothing (the EKS fake's call log has no write, every
 * Kubernetes object keeps its resourceVersion, and every Kubernetes call it makes is a read or a
 * dry run), agrees with the handler (after the handler applied the same desired state, diff finds
 * no change), and shows the refusals the handler would give.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { invoke, useHandlerEnvironment } from './handler-support';
import { buildApp } from '../../examples/new-cluster/app';
import { CliIo } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { DESIRED_STATE_VERSION, DesiredClusterAccess, OWNER_KEY } from '../../lib/core/desired-state';
import { EKS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubeObject } from '../../lib/io/kube/client';
import { accessPolicyArn } from '../support/eks-fake/access-policies';
import { eksFake, freshCredentialsOf, kubeHarness, testPrincipal } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(180_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const OUT = join(__dirname, '..', '.tmp', 'diff-live');
const ACCOUNT = '111122223333';
const RBAC = 'rbac.authorization.k8s.io/v1';

/** A desired state as the constructs would write it, for the harness's cluster and handler. */
function desiredState(ownerId = 'diff-test'): DesiredClusterAccess {
  return {
    version: DESIRED_STATE_VERSION,
    clusterName: kubeHarness().clusterName,
    ownerId,
    mechanism: 'AUTO',
    handlerRoleArn: testPrincipal('handler').principalArn,
    awsAuth: { mapRoles: [{ rolearn: `arn:aws:iam::${ACCOUNT}:role/viewer`, username: 'viewer', groups: ['team:view'] }], mapUsers: [], mapAccounts: [] },
    accessEntries: [
      { principalArn: testPrincipal('viewer').principalArn, type: 'STANDARD', kubernetesGroups: ['team:view'], accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['team-a'] } }] },
    ],
    manifests: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'team-view', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'team:view', apiGroup: 'rbac.authorization.k8s.io' }] },
    ],
  };
}

/** A minimal cloud assembly carrying `state` as a ClusterAccess custom resource does. */
function assemblyWith(name: string, state: DesiredClusterAccess): string {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '54.0.0', artifacts: { Stack: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Stack.template.json' } } } }));
  writeFileSync(join(dir, 'Stack.template.json'), JSON.stringify({ Resources: { Access: { Type: 'Custom::EksClusterAccess', Properties: { ServiceToken: 'x', inline: JSON.stringify(state) } } } }));
  return dir;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { readStdin: async () => '', stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
  const saved = { ...process.env };
  const c = freshCredentialsOf('admin'); // diff reads as the cluster admin, not as the handler
  const credentials = { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken };
  Object.assign(process.env, { ...credentials, [EKS_ENDPOINT_ENV]: kubeHarness().eksEndpoint });
  try {
    const code = await main(argv, io);
    return { code, stdout, stderr };
  } finally {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
  }
}

const on = () => ['--cluster', kubeHarness().clusterName, '--region', kubeHarness().region];

/** Every object's resourceVersion of the kinds a deployment touches: equal before and after means nothing was written there. */
async function resourceVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const kind of ['Namespace', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) {
    for (const o of await cluster.admin().list({ kind })) {
      versions[`${kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = String(o.metadata?.resourceVersion);
    }
  }
  return versions;
}

/** Runs diff and checks that it wrote nothing: no EKS write, no Kubernetes object changed, only reads and dry runs. */
async function diffWritingNothing(argv: string[]): Promise<{ code: number; stdout: string }> {
  const before = await resourceVersions();
  await eksFake().clearCalls();
  const r = await cli([...argv, '--verbose']);
  const calls = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { api?: string; method?: string; path?: string });
  expect(calls.filter((c) => c.api === 'kubernetes' && c.method !== 'GET' && !(c.method === 'PATCH' && /[?&]dryRun=All/.test(c.path ?? '')))).toEqual([]);
  expect((await eksFake().calls({ write: true })).calls).toEqual([]);
  expect(await resourceVersions()).toEqual(before);
  return { code: r.code, stdout: r.stdout };
}

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
  await eksFake().seedCluster({
    name: kubeHarness().clusterName,
    authenticationMode: 'API_AND_CONFIG_MAP',
    bootstrapClusterCreatorAdminPermissions: false,
    accessEntries: [{ principalArn: testPrincipal('admin').principalArn, accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] }],
  });
});

test('on a fresh cluster: every change listed, exit 3, nothing written', async () => {
  const r = await diffWritingNothing(['diff', '--app', assemblyWith('fresh', desiredState()), ...on()]);
  expect(r.stdout).toBe([
    `EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region} (mode API_AND_CONFIG_MAP), ClusterAccess diff-test (identities as access entries):`,
    `  + access entry: the handler's own entry ${testPrincipal('handler').principalArn} with AmazonEKSClusterAdminPolicy (cluster)`,
    `  + access entry: ${testPrincipal('viewer').principalArn} (STANDARD, groups team:view)`,
    `  + access policy: AmazonEKSViewPolicy (namespaces team-a) for ${testPrincipal('viewer').principalArn}`,
    '  + RBAC: Namespace team-a',
    '  + RBAC: RoleBinding team-a/team-view',
    '',
    '5 changes; nothing was written',
    '',
  ].join('\n'));
  expect(r.code).toBe(3);
});

test('after the handler applied the same app: no change, exit 0', async () => {
  const desired = desiredState();
  const applied = await invoke('Create', desired);
  expect(applied.error).toBeUndefined();
  const r = await diffWritingNothing(['diff', '--app', assemblyWith('applied', desired), ...on(), '-o', 'json']);
  expect(JSON.parse(r.stdout).plans).toEqual([expect.objectContaining({ changes: [], refusals: [] })]);
  expect(r.code).toBe(0);
});

test('changes and removals of an applied app, and aws-auth when the mechanism moves', async () => {
  const old = desiredState();
  expect((await invoke('Create', old)).error).toBeUndefined();
  const next: DesiredClusterAccess = { ...old, mechanism: 'AWS_AUTH', accessEntries: [], manifests: [old.manifests[0]] };
  const r = await diffWritingNothing(['diff', '--app', assemblyWith('changed', next), ...on()]);
  expect(r.stdout).toContain(`  - access entry: ${testPrincipal('viewer').principalArn}\n`);
  expect(r.stdout).toContain(`  + aws-auth: mapRoles arn:aws:iam::${ACCOUNT}:role/viewer → viewer [team:view]\n`);
  expect(r.stdout).toContain('  - RBAC: RoleBinding team-a/team-view\n');
  expect(r.code).toBe(3);
});

test('an RBAC object of another owner: the handler\'s refusal, exit 1, nothing written', async () => {
  await cluster.admin().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  await cluster.admin().create({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: 'team-view', namespace: 'team-a', labels: { [OWNER_KEY]: 'someone-else' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ kind: 'Group', name: 'x', apiGroup: 'rbac.authorization.k8s.io' }],
  } as KubeObject);
  const r = await diffWritingNothing(['diff', '--app', assemblyWith('conflict', desiredState()), ...on()]);
  expect(r.stdout).toContain('  refused: refusing to apply the RBAC objects (nothing was written):\n- RoleBinding team-a/team-view already exists and belongs to another access configuration (someone-else)');
  expect(r.stdout).toContain('the deployment would be refused (1 refusal); nothing was written');
  expect(r.code).toBe(1);
});

test('the example app on the live cluster (its cluster is created in the app, so --cluster names it)', async () => {
  const dir = join(OUT, 'example');
  buildApp(new App({ outdir: dir, context: { 'aws:cdk:disable-creation-stack-traces': true } })).app.synth();
  const r = await diffWritingNothing(['diff', '--app', dir, ...on()]);
  expect(r.stdout).toMatch(/\+ access entry: arn:aws:iam::111122223333:role\/AccessDevelopersRole52FE51B8 \(STANDARD, groups team:dev\)/);
  expect(r.stdout).toMatch(/\+ access policy: AmazonEKSClusterAdminPolicy \(cluster\) for arn:aws:iam::111122223333:role\/platform\/AccessSreRoleFE018CB7/);
  expect(r.stdout).toContain('  + RBAC: RoleBinding dev-tools/dev-edit\n');
  expect(r.code).toBe(3);
});

