/**
 * Scenarios of the deploy-time handler with access entries and RBAC, end to end: `onEvent` → EKS
 * fake → real kube-apiserver, whose emulated EKS authenticator reads the fake's access entries.
 * Team members then call the API server with their own EKS tokens.
 */
import { besidesOwnerRecords, desiredState, invoke, startStsStandIn, statusAs, useHandlerEnvironment } from './handler-support';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { DesiredClusterAccess, FIELD_MANAGER, KubernetesManifest, OWNER_KEY } from '../../lib/core/desired-state';
import { eksFake, kubeHarness, testPrincipal } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const ACCOUNT = '111122223333';
const HANDLER = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
const DEV = `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`;
const VIEWER = `arn:aws:iam::${ACCOUNT}:role/viewer`;
const OPS = `arn:aws:iam::${ACCOUNT}:user/ops/olga`;
const CREATOR = `arn:aws:iam::${ACCOUNT}:role/cluster-creator`;
const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const RBAC = 'rbac.authorization.k8s.io/v1';

function entry(principalArn: string, overrides: Partial<AccessEntrySpec> = {}): AccessEntrySpec {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides };
}

function teamManifests(roleRef = 'dev-read'): KubernetesManifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
    { apiVersion: RBAC, kind: 'Role', metadata: { name: 'dev-read', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
    { apiVersion: RBAC, kind: 'Role', metadata: { name: 'dev-write', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'delete'] }] },
    { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'dev-namespace-reader' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }] },
    { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'dev-namespace-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dev-namespace-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev-team' }] },
    { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'dev-team', namespace: 'dev' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleRef }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev-team' }] },
  ];
}

function desired(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return desiredState({
    mechanism: 'AUTO',
    handlerRoleArn: HANDLER,
    accessEntries: [entry(DEV, { kubernetesGroups: ['dev-team'] }), entry(VIEWER, { accessPolicies: [{ policyArn: VIEW_POLICY, accessScope: { type: 'namespace', namespaces: ['dev'] } }] })],
    manifests: teamManifests(),
    ...overrides,
  });
}


const listConfigMaps = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const newConfigMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

async function seedApiCluster(mode: 'API' | 'API_AND_CONFIG_MAP' = 'API'): Promise<void> {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: mode, creatorArn: CREATOR });
}

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
});

test('end to end: team members get exactly what their RBAC and access policies grant; a replay writes nothing', async () => {
  await seedApiCluster();
  const create = await invoke('Create', desired());
  expect(create.error).toBeUndefined();
  expect(create.response!.Data).toMatchObject({ AuthenticationMode: 'API', Mechanism: 'ACCESS_ENTRIES', Changed: 'true' });

  // dev (a role with a path: the access entry names the full ARN) reads ConfigMaps in dev, nothing else.
  expect(await statusAs('dev', 'GET', listConfigMaps('dev'))).toBe(200);
  expect(await statusAs('dev', 'GET', '/api/v1/namespaces')).toBe(200);
  expect(await statusAs('dev', 'POST', listConfigMaps('dev'), newConfigMap('x'))).toBe(403);
  expect(await statusAs('dev', 'GET', '/api/v1/namespaces/dev/secrets')).toBe(403);
  expect(await statusAs('dev', 'GET', listConfigMaps('default'))).toBe(403);
  // viewer has AmazonEKSViewPolicy on namespace dev only.
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/dev/pods')).toBe(200);
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/default/pods')).toBe(403);
  // Someone with no entry at all is not even authenticated.
  expect(await statusAs('ops', 'GET', listConfigMaps('dev'))).toBe(401);
  // Everything it created carries the owner label.
  const role = await cluster.admin().get({ kind: 'Role', namespace: 'dev', name: 'dev-read' });
  expect(role!.metadata!.labels![OWNER_KEY]).toBe('stack-a.access');
  expect((role!.metadata!.managedFields as { manager: string }[]).map((f) => f.manager)).toContain(FIELD_MANAGER);

  const replay = await invoke('Update', desired(), desired());
  expect(replay.error).toBeUndefined();
  expect(replay.eksWrites).toEqual([]);
  expect(replay.kubeWrites).toEqual([]);
  expect(replay.response!.Data!.Changed).toBe('false');
  // eslint-disable-next-line no-console
  console.info(`no-op re-apply (access entries + ${teamManifests().length} RBAC objects): ${replay.kubeCalls.length} Kubernetes calls, ${replay.eksCalls} EKS calls, 0 writes, ${replay.ms} ms`);
});

test('an Update that removes the team denies it; what it owned is gone, the namespace once empty too', async () => {
  await seedApiCluster();
  expect((await invoke('Create', desired())).error).toBeUndefined();
  expect(await statusAs('dev', 'GET', listConfigMaps('dev'))).toBe(200);
  const withoutDev = desired({ accessEntries: [entry(VIEWER)], manifests: [] });
  const update = await invoke('Update', withoutDev, desired());
  expect(update.error).toBeUndefined();
  expect([401, 403]).toContain(await statusAs('dev', 'GET', listConfigMaps('dev')));
  expect((await eksFake().state()).clusters[0].accessEntries.map((e) => e.principalArn)).not.toContain(DEV);
  expect(await cluster.admin().get({ kind: 'ClusterRoleBinding', name: 'dev-namespace-reader' })).toBeUndefined();
  // The namespace it created is deleted, and its RoleBinding with it (Kubernetes deletes a namespace's
  // content first; this API server runs no namespace controller, so here it stays in the terminating namespace).
  const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(ns === undefined || ns.metadata?.deletionTimestamp !== undefined).toBe(true);
  expect(update.kubeWrites.map((w) => `${w.method} ${w.path}`)).toContain('DELETE /api/v1/namespaces/dev');
});

test('Delete leaves pre-existing and adopted entries, and a namespace it did not create', async () => {
  await seedApiCluster();
  await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: OPS, kubernetesGroups: ['ops'] });
  await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: VIEWER, kubernetesGroups: [] });
  await cluster.admin().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { team: 'dev' } } });
  const create = await invoke('Create', desired());
  expect(create.error).toBeUndefined();
  const viewer = (await eksFake().state()).clusters[0].accessEntries.find((e) => e.principalArn === VIEWER)!;
  expect(viewer.tags[OWNER_KEY]).toBeUndefined(); // adopted, not owned
  expect(viewer.accessPolicies.map((p) => p.policyArn)).toEqual([VIEW_POLICY]);
  expect((await cluster.admin().get({ kind: 'Namespace', name: 'dev' }))!.metadata!.labels![OWNER_KEY]).toBeUndefined();

  const del = await invoke('Delete', desired());
  expect(del.error).toBeUndefined();
  const left = (await eksFake().state()).clusters[0].accessEntries.map((e) => e.principalArn).sort();
  expect(left).toEqual([CREATOR, OPS, VIEWER].sort());
  const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(ns!.metadata!.deletionTimestamp).toBeUndefined();
  expect(await cluster.admin().get({ kind: 'Role', namespace: 'dev', name: 'dev-read' })).toBeUndefined();
});

test('a namespace it created but that now holds someone else\'s objects is kept on Delete', async () => {
  await seedApiCluster();
  expect((await invoke('Create', desired())).error).toBeUndefined();
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-settings', namespace: 'dev' }, data: { a: 'b' } });
  const del = await invoke('Delete', desired());
  expect(del.error).toBeUndefined();
  const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(ns!.metadata!.deletionTimestamp).toBeUndefined();
  expect(ns!.metadata!.labels?.[OWNER_KEY]).toBeUndefined();
  expect(del.lines.some((l) => String(l.msg).includes('keeping namespace dev'))).toBe(true);
  expect(await cluster.admin().get({ kind: 'ConfigMap', namespace: 'dev', name: 'app-settings' })).toBeDefined();
});

test('a namespace it created is kept on Delete while it holds objects of a kind the handler does not manage (found through discovery)', async () => {
  await seedApiCluster();
  expect((await invoke('Create', desired())).error).toBeUndefined();
  const policies = '/apis/networking.k8s.io/v1/namespaces/dev/networkpolicies';
  await cluster.admin().request('POST', policies, { body: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } });
  try {
    const del = await invoke('Delete', desired());
    expect(del.error).toBeUndefined();
    const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
    expect(ns!.metadata!.deletionTimestamp).toBeUndefined();
    expect(del.lines.some((l) => String(l.msg).includes('keeping namespace dev') && String(l.msg).includes('networkpolicies/deny-all'))).toBe(true);
  } finally {
    // Without a namespace controller, the reset between tests would leave it behind in etcd.
    await cluster.admin().request('DELETE', `${policies}/deny-all`);
  }
});

test('another configuration using a namespace this one created never strips its owner label (one field manager for all)', async () => {
  await seedApiCluster();
  expect((await invoke('Create', desired())).error).toBeUndefined();
  const shared: KubernetesManifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { 'team-b': 'uses-it' } } };
  const other = await invoke('Create', desired({ ownerId: 'stack-b.access', accessEntries: [], manifests: [shared] }));
  expect(other.error).toBeUndefined();
  const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(ns!.metadata!.labels).toMatchObject({ [OWNER_KEY]: 'stack-a.access', 'team-b': 'uses-it' });
});

test('an existing access entry is adopted; the scope of its existing association is left as it was, with a warning', async () => {
  await seedApiCluster();
  await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: VIEWER, accessPolicies: [{ policyArn: VIEW_POLICY, accessScope: { type: 'namespace', namespaces: ['dev'] } }] });
  const create = await invoke('Create', desired());
  expect(create.error).toBeUndefined();
  expect(create.eksWrites.filter((w) => w.principalArn === VIEWER)).toEqual([]); // already as desired
  await cluster.admin().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'staging' } });
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/staging/pods')).toBe(403);

  const wider = desired({ accessEntries: [entry(DEV, { kubernetesGroups: ['dev-team'] }), entry(VIEWER, { accessPolicies: [{ policyArn: VIEW_POLICY, accessScope: { type: 'namespace', namespaces: ['dev', 'staging'] } }] })] });
  const update = await invoke('Update', wider, desired());
  expect(update.error).toBeUndefined();
  expect(update.eksWrites).toEqual([]);
  expect(besidesOwnerRecords(update.kubeWrites)).toEqual([]); // only this owner's record of what it wants
  expect(update.response!.Data!.Warnings).toMatch(/adopted access entry .*role\/viewer: policy .*AmazonEKSViewPolicy stays associated with namespace scope \(dev\); the desired namespace scope \(dev, staging\) is not applied/);
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/staging/pods')).toBe(403);
});

test('adopting the cluster creator\'s entry while desiring only a view policy never takes its cluster-admin access away; only what it added goes', async () => {
  const ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
  await seedApiCluster();
  const creatorPolicies = async () => (await eksFake().state()).clusters[0].accessEntries.find((e) => e.principalArn === CREATOR)!.accessPolicies;
  expect(await creatorPolicies()).toEqual([expect.objectContaining({ policyArn: ADMIN_POLICY, accessScope: expect.objectContaining({ type: 'cluster' }) })]);
  const viewOnly = (namespaces: string[]) => desired({
    accessEntries: [entry(CREATOR, { username: 'creator', accessPolicies: [{ policyArn: VIEW_POLICY, accessScope: { type: 'namespace', namespaces } }] })],
    manifests: [],
  });
  const keepsAdmin = async () => {
    const policies = await creatorPolicies();
    expect(policies).toContainEqual(expect.objectContaining({ policyArn: ADMIN_POLICY, accessScope: expect.objectContaining({ type: 'cluster' }) }));
  };

  const create = await invoke('Create', viewOnly(['default']));
  expect(create.error).toBeUndefined();
  expect(create.response!.Data!.Warnings).toMatch(/AmazonEKSClusterAdminPolicy \(cluster scope\) is not desired but stays associated/);
  expect(create.eksWrites.filter((w) => w.principalArn === CREATOR)).toEqual([{ operation: 'AssociateAccessPolicy', principalArn: CREATOR }]);
  await keepsAdmin();
  expect(await creatorPolicies()).toContainEqual(expect.objectContaining({ policyArn: VIEW_POLICY }));
  expect(create.response!.Data!.Warnings).toMatch(/username stays .*; the desired "creator" is not applied/);
  expect((await eksFake().state()).clusters[0].accessEntries.find((e) => e.principalArn === CREATOR)!.username).not.toBe('creator');

  // The view policy was not there before adoption: its scope is this owner's to change, and to take away.
  const update = await invoke('Update', viewOnly(['kube-system']), viewOnly(['default']));
  expect(update.error).toBeUndefined();
  expect(update.eksWrites.filter((w) => w.principalArn === CREATOR)).toEqual([{ operation: 'AssociateAccessPolicy', principalArn: CREATOR }]);
  await keepsAdmin();
  expect(await creatorPolicies()).toContainEqual(expect.objectContaining({ policyArn: VIEW_POLICY, accessScope: expect.objectContaining({ namespaces: ['kube-system'] }) }));

  const remove = await invoke('Delete', viewOnly(['kube-system']));
  expect(remove.error).toBeUndefined();
  expect(remove.eksWrites.filter((w) => w.principalArn === CREATOR)).toEqual([{ operation: 'DisassociateAccessPolicy', principalArn: CREATOR }]);
  await keepsAdmin();
  expect((await creatorPolicies()).map((p) => p.policyArn)).toEqual([ADMIN_POLICY]);
});

test('a binding whose roleRef changes is deleted and re-created', async () => {
  await seedApiCluster();
  expect((await invoke('Create', desired())).error).toBeUndefined();
  expect(await statusAs('dev', 'POST', listConfigMaps('dev'), newConfigMap('a'))).toBe(403);
  const before = await cluster.admin().get({ kind: 'RoleBinding', namespace: 'dev', name: 'dev-team' });
  const update = await invoke('Update', desired({ manifests: teamManifests('dev-write') }), desired());
  expect(update.error).toBeUndefined();
  expect(update.kubeWrites.map((w) => `${w.method} ${String(w.path).split('?')[0]}`)).toEqual([
    'DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/dev-team',
    'PATCH /apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/dev-team',
  ]);
  const after = await cluster.admin().get({ kind: 'RoleBinding', namespace: 'dev', name: 'dev-team' });
  expect(after!.metadata!.uid).not.toBe(before!.metadata!.uid);
  expect((after!.roleRef as { name: string }).name).toBe('dev-write');
  expect(await statusAs('dev', 'POST', listConfigMaps('dev'), newConfigMap('b'))).toBe(200);
});

test('every manifest passes a server-side dry run; an invalid one fails the deployment before any Kubernetes write', async () => {
  await seedApiCluster();
  const admin = cluster.admin();
  for (const m of teamManifests()) {
    if (m.kind === 'Namespace') {
      await admin.apply({ ...m, metadata: { ...m.metadata } }, { fieldManager: FIELD_MANAGER, dryRun: true });
      await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: m.metadata.name } }); // for the namespaced dry runs
    } else {
      await expect(admin.apply(m as never, { fieldManager: FIELD_MANAGER, dryRun: true })).resolves.toBeDefined();
    }
  }
  await resetCluster(admin);
  const bad: KubernetesManifest = { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'broken' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Secret', name: 'x' }, subjects: [] };
  const run = await invoke('Create', desired({ manifests: [...teamManifests(), bad] }));
  expect(run.error?.message).toMatch(/API server rejects these RBAC objects \(nothing was written\):\s*- ClusterRoleBinding broken/);
  expect(run.kubeWrites).toEqual([]);
});

test('an RBAC object of another owner is never taken over', async () => {
  await seedApiCluster();
  const other = desired({ ownerId: 'stack-b.access', accessEntries: [], manifests: [teamManifests()[3]] });
  expect((await invoke('Create', other)).error).toBeUndefined();
  const run = await invoke('Create', desired());
  expect(run.error?.message).toMatch(/ClusterRole dev-namespace-reader already exists and belongs to another access configuration \(stack-b\.access\)/);
  expect(run.kubeWrites).toEqual([]);
  const cr = await cluster.admin().get({ kind: 'ClusterRole', name: 'dev-namespace-reader' });
  expect(cr!.metadata!.labels![OWNER_KEY]).toBe('stack-b.access');
});

test('throttling and 5xx from EKS are retried; the deployment succeeds', async () => {
  await seedApiCluster();
  await eksFake().injectFault(
    { operation: 'ListAccessEntries', count: 2, errorName: 'ThrottlingException', message: 'Rate exceeded' },
    { operation: 'CreateAccessEntry', count: 1, errorName: 'ServiceUnavailableException' },
    { operation: 'DescribeAccessEntry', count: 1, errorName: 'InternalFailure', status: 500 },
    { operation: 'CreateAccessEntry', count: 2, principalArn: DEV, errorName: 'InvalidParameterException', message: 'The specified principalArn is invalid: invalid principal.' },
  );
  const run = await invoke('Create', desired());
  expect(run.error).toBeUndefined();
  const failed = (await eksFake().calls({ ok: false })).calls.map((c) => c.errorName);
  // (ResourceNotFoundException: the handler's own entry, looked up first, does not exist yet.)
  expect(failed.sort()).toEqual(['InternalFailure', 'InvalidParameterException', 'InvalidParameterException', 'ResourceNotFoundException', 'ServiceUnavailableException', 'ThrottlingException', 'ThrottlingException'].sort());
  expect(run.lines.filter((l) => String(l.msg).startsWith('retryable failure')).length).toBe(6);
  expect(await statusAs('dev', 'GET', listConfigMaps('dev'))).toBe(200);
});

test('lockout: refuses removing the access entry of the handler\'s kubernetesRoleArn', async () => {
  await seedApiCluster();
  const admin = `arn:aws:iam::${ACCOUNT}:role/platform/cluster-admin`;
  const adminEntry = entry(admin, { accessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] });
  // Created with the handler's own role; then the handler reaches Kubernetes as kubernetesRoleArn (through STS).
  const state = desired({ accessEntries: [adminEntry], manifests: [] });
  expect((await invoke('Create', state)).error).toBeUndefined();
  const sts = await startStsStandIn(testPrincipal('admin'));
  try {
    const refused = await invoke('Update', { ...state, kubernetesRoleArn: admin, accessEntries: [] }, { ...state, kubernetesRoleArn: admin });
    expect(refused.error?.message).toMatch(/LockoutError.*would remove arn:aws:iam::111122223333:role\/platform\/cluster-admin from the access entries.*kubernetesRoleArn/);
    expect(refused.eksWrites).toEqual([]);
    expect(sts.assumed).toEqual([`AssumeRole ${admin} signed=true`]);
  } finally {
    await sts.close();
  }
});
