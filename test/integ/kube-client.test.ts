/**
 * The Kubernetes client against a real kube-apiserver (started by the jest global setup).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIELD_MANAGER } from '../../lib/core/desired-state';
import { KubernetesCallRecord, KubernetesClient, KubeObject } from '../../lib/io/kube/client';
import { KubernetesApiError, TLS_VERIFICATION_FAILED } from '../../lib/io/kube/errors';
import { makeClusterCertificates } from '../support/kube/certs';
import { adminClient, kubeHarness } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(60_000);
const cluster = useSharedCluster();

const RBAC = 'rbac.authorization.k8s.io/v1';
const role = (namespace: string, name: string, verbs: string[], labels: Record<string, string> = {}) => ({
  apiVersion: RBAC,
  kind: 'Role',
  metadata: { name, namespace, labels },
  rules: [{ apiGroups: [''], resources: ['configmaps'], verbs }],
});

async function rejection(p: Promise<unknown>): Promise<KubernetesApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KubernetesApiError);
    return e as KubernetesApiError;
  }
  throw new Error('expected the call to fail');
}

describe('CRUD', () => {
  test('create, get, replace, list by label, delete', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crud' } });
    const created = await kube.create(role('crud', 'reader', ['get'], { team: 'a' }));
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    await kube.create(role('crud', 'other', ['get'], { team: 'b' }));

    const fetched = await kube.get<KubeObject & { rules: { verbs: string[] }[] }>({ kind: 'Role', namespace: 'crud', name: 'reader' });
    expect(fetched?.rules[0].verbs).toEqual(['get']);
    expect(await kube.get({ kind: 'Role', namespace: 'crud', name: 'missing' })).toBeUndefined();

    const replaced = await kube.replace({ ...fetched!, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
    expect(replaced.metadata?.resourceVersion).not.toBe(fetched!.metadata!.resourceVersion);

    const teamA = await kube.list({ kind: 'Role', namespace: 'crud' }, { labelSelector: 'team=a' });
    expect(teamA.map((r) => r.metadata?.name)).toEqual(['reader']);
    expect((await kube.list({ kind: 'Role', namespace: 'crud' })).length).toBe(2);

    expect(await kube.delete({ kind: 'Role', namespace: 'crud', name: 'reader' })).toBe(true);
    expect(await kube.delete({ kind: 'Role', namespace: 'crud', name: 'reader' })).toBe(false);
    expect(await kube.get({ kind: 'Role', namespace: 'crud', name: 'reader' })).toBeUndefined();
  });

  test('a second create is AlreadyExists (409), told apart from Conflict by reason', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dup' } });
    await kube.create(role('dup', 'r', ['get']));
    const e = await rejection(kube.create(role('dup', 'r', ['get'])));
    expect([e.status, e.reason]).toEqual([409, 'AlreadyExists']);
    expect(e.message).toContain('POST /apis/rbac.authorization.k8s.io/v1/namespaces/dup/roles');
  });

  test('a PUT with a stale resourceVersion is a 409 Conflict and changes nothing', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cas' } });
    const first = await kube.create(role('cas', 'r', ['get']));
    await kube.replace({ ...first, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] });
    const e = await rejection(kube.replace({ ...first, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['delete'] }] }));
    expect([e.status, e.reason]).toEqual([409, 'Conflict']);
    const now = await kube.get<KubeObject & { rules: { verbs: string[] }[] }>({ kind: 'Role', namespace: 'cas', name: 'r' });
    expect(now?.rules[0].verbs).toEqual(['list']);
  });

  test('delete with a stale resourceVersion precondition is a Conflict', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'delpre' } });
    const first = await kube.create(role('delpre', 'r', ['get']));
    await kube.replace({ ...first, rules: [] });
    const e = await rejection(kube.delete({ kind: 'Role', namespace: 'delpre', name: 'r' }, { resourceVersion: first.metadata!.resourceVersion }));
    expect(e.reason).toBe('Conflict');
    expect(await kube.get({ kind: 'Role', namespace: 'delpre', name: 'r' })).toBeDefined();
  });
});

describe('server-side apply', () => {
  const clusterRole = (verbs: string[]) => ({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: 'apply-test', labels: { 'cdk-eks-access.dev/owner': 'test' } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
  });

  test('creates, is idempotent (same resourceVersion), and updates on change', async () => {
    const kube = cluster.admin();
    const a = await kube.apply(clusterRole(['get']), { fieldManager: FIELD_MANAGER });
    const b = await kube.apply(clusterRole(['get']), { fieldManager: FIELD_MANAGER });
    expect(b.metadata?.resourceVersion).toBe(a.metadata?.resourceVersion);
    const c = await kube.apply(clusterRole(['get', 'list']), { fieldManager: FIELD_MANAGER });
    expect(c.metadata?.resourceVersion).not.toBe(a.metadata?.resourceVersion);
    const managers = (c.metadata?.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain(`${FIELD_MANAGER}/Apply`);
  });

  test('force takes over fields another manager owns; without force it is a Conflict', async () => {
    const kube = cluster.admin();
    await kube.apply(clusterRole(['get']), { fieldManager: 'someone-else' });
    const e = await rejection(kube.apply(clusterRole(['delete']), { fieldManager: FIELD_MANAGER, force: false }));
    expect([e.status, e.reason]).toEqual([409, 'Conflict']);
    const forced = await kube.apply<KubeObject & { rules: { verbs: string[] }[] }>(clusterRole(['delete']), { fieldManager: FIELD_MANAGER });
    expect(forced.rules[0].verbs).toEqual(['delete']);
  });

  test('changing a binding\'s roleRef is 422 Invalid, with the field named', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'refs' } });
    const binding = (roleName: string) => ({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'refs' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
    });
    await kube.apply(binding('one'), { fieldManager: FIELD_MANAGER });
    const e = await rejection(kube.apply(binding('two'), { fieldManager: FIELD_MANAGER }));
    expect([e.status, e.reason]).toEqual([422, 'Invalid']);
    expect(e.causes.map((c) => c.field)).toContain('roleRef');
  });

  test('dry run validates without persisting', async () => {
    const kube = cluster.admin();
    const dry = await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dry-only' } }, { fieldManager: FIELD_MANAGER, dryRun: true });
    expect(dry.metadata?.name).toBe('dry-only');
    expect(await kube.get({ kind: 'Namespace', name: 'dry-only' })).toBeUndefined();
    const invalid = await rejection(kube.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'Bad_Name' }, rules: [{ verbs: [] }] }, { dryRun: true }));
    expect([invalid.status, invalid.reason]).toEqual([422, 'Invalid']);
  });
});

describe('transport and authentication', () => {
  test('refuses an API server whose certificate is not from the given CA, without retrying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrong-ca-'));
    try {
      const other = makeClusterCertificates(dir, 'some other cluster');
      const calls: KubernetesCallRecord[] = [];
      const kube = new KubernetesClient({
        endpoint: kubeHarness().endpoint,
        certificateAuthorityData: readFileSync(other.caCertFile).toString('base64'),
        token: () => kubeHarness().adminToken,
        onCall: (c) => calls.push(c),
      });
      const e = await rejection(kube.list({ kind: 'Namespace' }));
      kube.close();
      expect([e.status, e.reason]).toEqual([0, TLS_VERIFICATION_FAILED]);
      expect(e.message).toMatch(/did not verify against the cluster CA/);
      expect(calls.map((c) => c.attempt)).toEqual([1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad token is 401 Unauthorized', async () => {
    const h = kubeHarness();
    const kube = new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: h.certificateAuthorityData, token: () => 'not-a-token' });
    const e = await rejection(kube.get({ kind: 'Namespace', name: 'default' }));
    kube.close();
    expect([e.status, e.reason]).toEqual([401, 'Unauthorized']);
  });

  test('a plain-HTTP endpoint and a CA that is not PEM are refused up front', () => {
    const h = kubeHarness();
    expect(() => new KubernetesClient({ endpoint: h.endpoint.replace('https', 'http'), certificateAuthorityData: h.certificateAuthorityData, token: () => 'x' }))
      .toThrow(/must be https/);
    expect(() => new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: Buffer.from('nope').toString('base64'), token: () => 'x' }))
      .toThrow(/not a base64-encoded PEM/);
  });

  test('logs every call without the token', async () => {
    const calls: KubernetesCallRecord[] = [];
    const kube = adminClient({ onCall: (c) => calls.push(c) });
    await kube.get({ kind: 'Namespace', name: 'kube-system' });
    await kube.get({ kind: 'Namespace', name: 'nope' });
    kube.close();
    expect(calls).toEqual([
      { method: 'GET', path: '/api/v1/namespaces/kube-system', status: 200, attempt: 1, ms: expect.any(Number) },
      { method: 'GET', path: '/api/v1/namespaces/nope', status: 404, reason: 'NotFound', attempt: 1, ms: expect.any(Number) },
    ]);
    expect(JSON.stringify(calls)).not.toContain(kubeHarness().adminToken);
  });
});

describe('harness reset', () => {
  test('removes test namespaces with their contents, test RBAC and aws-auth, keeping bootstrap objects', async () => {
    const kube = cluster.admin();
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    await kube.create(role('scratch', 'r', ['get']));
    await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: '[]' } }, { fieldManager: 'test' });
    await kube.apply({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'scratch-role' }, rules: [] }, { fieldManager: 'test' });

    await resetCluster(kube);

    expect(await kube.get({ kind: 'Namespace', name: 'scratch' })).toBeUndefined();
    expect(await kube.get({ kind: 'ClusterRole', name: 'scratch-role' })).toBeUndefined();
    expect(await kube.get({ kind: 'ConfigMap', namespace: 'kube-system', name: 'aws-auth' })).toBeUndefined();
    expect(await kube.get({ kind: 'ClusterRole', name: 'cluster-admin' })).toBeDefined();
    // A namespace of the same name starts empty.
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    expect(await kube.list({ kind: 'Role', namespace: 'scratch' })).toEqual([]);
  });
});
