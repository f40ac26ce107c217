/**
 * Several owners (stacks) on one cluster, on the real API server and the EKS fake: owners that
 * grant the same principal, owners adopting one entry at the same moment, and the handler's own
 * access entry, which every owner on the cluster shares. Rounds are repeated: the races they
 * guard against do not show in every run.
 */
import { desiredState, invoke, invokeMany, statusAs, useHandlerEnvironment } from './handler-support';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { DesiredClusterAccess, KubernetesManifest, OWNER_KEY } from '../../lib/core/desired-state';
import { OWNER_RECORD_LABEL } from '../../lib/core/owner-record';
import { HANDLER_ENTRY_TAG } from '../../lib/io/access-entries';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../lib/io/cluster-lease';
import { eksFake, kubeHarness } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(600_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const ACCOUNT = '111122223333';
const HANDLER = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
const DEV = `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`;
const VIEWER = `arn:aws:iam::${ACCOUNT}:role/viewer`;
const CREATOR = `arn:aws:iam::${ACCOUNT}:role/cluster-creator`;
const RBAC = 'rbac.authorization.k8s.io/v1';

function entry(principalArn: string, overrides: Partial<AccessEntrySpec> = {}): AccessEntrySpec {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides };
}

/** Read access to ConfigMaps in `namespace` for Kubernetes group `group`. */
function readerOf(namespace: string, group: string): KubernetesManifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: RBAC, kind: 'Role', metadata: { name: 'read', namespace }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
    { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'read', namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }] },
  ];
}

function owner(ownerId: string, overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return desiredState({ ownerId, handlerRoleArn: HANDLER, ...overrides });
}

async function seedCluster(): Promise<void> {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API', creatorArn: CREATOR });
}

async function accessEntry(principalArn: string) {
  return (await eksFake().state()).clusters[0].accessEntries.find((e) => e.principalArn === principalArn);
}

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
});

test('two owners grant one role: deleting either keeps the other\'s access; the entry goes with the last', async () => {
  await seedCluster();
  const a = owner('stack-a.access', { accessEntries: [entry(DEV, { kubernetesGroups: ['a-team'] })], manifests: readerOf('a', 'a-team') });
  const b = owner('stack-b.access', { accessEntries: [entry(DEV, { kubernetesGroups: ['b-team'] })], manifests: readerOf('b', 'b-team') });
  expect((await invoke('Create', a)).error).toBeUndefined();
  expect((await invoke('Create', b)).error).toBeUndefined();
  expect((await accessEntry(DEV))!.kubernetesGroups.sort()).toEqual(['a-team', 'b-team']);
  expect(await statusAs('dev', 'GET', '/api/v1/namespaces/a/configmaps')).toBe(200);
  expect(await statusAs('dev', 'GET', '/api/v1/namespaces/b/configmaps')).toBe(200);

  const removeA = await invoke('Delete', a);
  expect(removeA.error).toBeUndefined();
  expect(removeA.response!.Data!.Leftovers).toBeUndefined();
  const shared = (await accessEntry(DEV))!;
  expect(shared.kubernetesGroups).toEqual(['b-team']); // only what A alone wanted went
  expect(shared.tags[OWNER_KEY]).toBe('stack-b.access'); // handed over to the owner that still wants it
  expect(await statusAs('dev', 'GET', '/api/v1/namespaces/b/configmaps')).toBe(200);

  expect((await invoke('Delete', b)).error).toBeUndefined();
  expect(await accessEntry(DEV)).toBeUndefined();
  expect(await accessEntry(HANDLER)).toBeUndefined();
  expect(await cluster.admin().list({ kind: 'ConfigMap', namespace: 'kube-system' }, { labelSelector: OWNER_RECORD_LABEL })).toEqual([]);
  expect(await cluster.admin().get({ kind: 'Lease', namespace: LEASE_NAMESPACE, name: LEASE_NAME })).toBeUndefined();
});

test('owners sharing an adopted entry: its own grants are never removed, what the owners added goes with the last', async () => {
  await seedCluster();
  await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: VIEWER, kubernetesGroups: ['legacy'] });
  const a = owner('stack-a.access', { accessEntries: [entry(VIEWER, { kubernetesGroups: ['a-team', 'legacy'] })] });
  const b = owner('stack-b.access', { accessEntries: [entry(VIEWER, { kubernetesGroups: ['b-team'] })] });
  expect((await invoke('Create', a)).error).toBeUndefined();
  expect((await invoke('Create', b)).error).toBeUndefined();
  expect((await accessEntry(VIEWER))!.kubernetesGroups.sort()).toEqual(['a-team', 'b-team', 'legacy']);
  expect((await invoke('Delete', a)).error).toBeUndefined();
  expect((await accessEntry(VIEWER))!.kubernetesGroups.sort()).toEqual(['b-team', 'legacy']); // "legacy" was there before
  expect((await invoke('Delete', b)).error).toBeUndefined();
  const left = (await accessEntry(VIEWER))!;
  expect(left.kubernetesGroups).toEqual(['legacy']);
  expect(left.tags[OWNER_KEY]).toBeUndefined();
});

/** N owners adopt the viewer's entry at once, each adding its own group; returns the groups lost. */
async function adoptAtOnce(owners: number): Promise<string[]> {
  await resetCluster(cluster.admin());
  await eksFake().reset();
  await seedCluster();
  await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: VIEWER, kubernetesGroups: ['baseline'] });
  const states = Array.from({ length: owners }, (_, i) => owner(`stack-${i}.access`, { accessEntries: [entry(VIEWER, { kubernetesGroups: [`team-${i}`] })] }));
  const runs = await invokeMany(states.map((desired) => ({ requestType: 'Create' as const, desired })), 300_000);
  expect(runs.map((r) => r.error?.message).filter((m) => m !== undefined)).toEqual([]);
  const groups = new Set((await accessEntry(VIEWER))!.kubernetesGroups);
  return ['baseline', ...states.map((_, i) => `team-${i}`)].filter((g) => !groups.has(g));
}

test('2 owners adopting one entry at once: no group is lost, in 5 rounds', async () => {
  const lost: string[] = [];
  for (let round = 0; round < 5; round++) {
    lost.push(...(await adoptAtOnce(2)));
  }
  // eslint-disable-next-line no-console
  console.info(`2 concurrent adopters, 5 rounds: ${lost.length} groups lost`);
  expect(lost).toEqual([]);
});

test('50 owners adopting one entry at once: every group is there afterwards, in 3 rounds; then all leave at once and nothing remains', async () => {
  const lost: string[] = [];
  const started = Date.now();
  for (let round = 0; round < 3; round++) {
    lost.push(...(await adoptAtOnce(50)));
  }
  const ms = Date.now() - started;
  // eslint-disable-next-line no-console
  console.info(`50 concurrent adopters, 3 rounds: ${lost.length} groups lost (${Math.round(ms / 3)} ms per round)`);
  expect(lost).toEqual([]);

  const states = Array.from({ length: 50 }, (_, i) => owner(`stack-${i}.access`, { accessEntries: [entry(VIEWER, { kubernetesGroups: [`team-${i}`] })] }));
  const deletes = await invokeMany(states.map((desired) => ({ requestType: 'Delete' as const, desired })), 300_000);
  expect(deletes.map((r) => r.error?.message ?? r.response?.Data?.Leftovers).filter((m) => m !== undefined)).toEqual([]);
  expect((await accessEntry(VIEWER))!.kubernetesGroups).toEqual(['baseline']);
  expect(await accessEntry(HANDLER)).toBeUndefined();
  expect(await cluster.admin().list({ kind: 'ConfigMap', namespace: 'kube-system' }, { labelSelector: OWNER_RECORD_LABEL })).toEqual([]);
});

test('the handler\'s entry stays while an owner with only adopted entries remains', async () => {
  await seedCluster();
  const a = owner('stack-a.access', { accessEntries: [entry(DEV, { kubernetesGroups: ['a-team'] })], manifests: readerOf('a', 'a-team') });
  // B only adopts the cluster creator's entry: no entry, object or aws-auth mapping carries its ID.
  const b = owner('stack-b.access', { accessEntries: [entry(CREATOR, { kubernetesGroups: ['platform'] })] });
  expect((await invoke('Create', a)).error).toBeUndefined();
  expect((await invoke('Create', b)).error).toBeUndefined();
  expect((await invoke('Delete', a)).error).toBeUndefined();
  expect((await accessEntry(HANDLER))?.tags[HANDLER_ENTRY_TAG]).toBe('true');
  const update = await invoke('Update', owner('stack-b.access', { accessEntries: [entry(CREATOR, { kubernetesGroups: ['platform', 'oncall'] })] }), b);
  expect(update.error).toBeUndefined();
  expect(update.eksWrites.filter((w) => w.principalArn === HANDLER)).toEqual([]); // it never had to grant itself access again
  expect(update.lines.filter((l) => l.api === 'kubernetes' && (l.status === 401 || String(l.status).startsWith('401')))).toEqual([]);
});

test('a Delete does not associate the handler\'s policy again when it is there', async () => {
  await seedCluster();
  const a = owner('stack-a.access', { accessEntries: [entry(DEV, { kubernetesGroups: ['a-team'] })] });
  expect((await invoke('Create', a)).error).toBeUndefined();
  expect((await invoke('Create', owner('stack-b.access'))).error).toBeUndefined();
  const removal = await invoke('Delete', a);
  expect(removal.error).toBeUndefined();
  expect(removal.eksWrites.filter((w) => w.principalArn === HANDLER)).toEqual([]);
});

test('the last owner\'s Delete racing a new owner\'s Create: the Create always succeeds and keeps the handler\'s entry, in 8 rounds', async () => {
  const failures: string[] = [];
  for (let round = 0; round < 8; round++) {
    await resetCluster(cluster.admin());
    await eksFake().reset();
    await seedCluster();
    const leaving = owner('stack-old.access', { accessEntries: [entry(DEV, { kubernetesGroups: ['old'] })], manifests: readerOf('old', 'old') });
    const coming = owner('stack-new.access', { accessEntries: [entry(VIEWER, { kubernetesGroups: ['new'] })], manifests: readerOf('new', 'new') });
    expect((await invoke('Create', leaving)).error).toBeUndefined();
    const [removed, created] = await invokeMany([{ requestType: 'Delete', desired: leaving }, { requestType: 'Create', desired: coming }]);
    if (removed.error || removed.response?.Data?.Leftovers || created.error) {
      failures.push(`round ${round}: ${removed.error?.message ?? removed.response?.Data?.Leftovers ?? created.error?.message}`);
      continue;
    }
    const self = await accessEntry(HANDLER);
    if (!self || !self.accessPolicies.some((p) => p.policyArn.endsWith('/AmazonEKSClusterAdminPolicy'))) {
      failures.push(`round ${round}: the handler's entry is gone while stack-new.access still uses it`);
    }
    if (await statusAs('viewer', 'GET', '/api/v1/namespaces/new/configmaps') !== 200) {
      failures.push(`round ${round}: the new owner's team has no access`);
    }
    expect((await invoke('Delete', coming)).error).toBeUndefined();
    expect(await accessEntry(HANDLER)).toBeUndefined();
  }
  // eslint-disable-next-line no-console
  console.info(`last Delete racing a new Create, 8 rounds: ${failures.length} failed`);
  expect(failures).toEqual([]);
});
