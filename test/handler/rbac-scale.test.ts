/**
 * Removing many teams' RBAC: whether a namespace holds anything else is checked with one list per
 * namespaced kind across the cluster (not one per kind and namespace), the owner's objects in a
 * namespace that goes are not deleted one by one, and nothing foreign is ever deleted.
 */
import { KubeTestError, MemoryKube } from './memory-kube';
import { KubernetesManifest, OWNER_KEY } from '../../lib/core/desired-state';
import { applyManifests, deleteUnwanted } from '../../lib/handler/rbac';
import { Deadline } from '../../lib/io/deadline';
import { objectPath } from '../../lib/io/kubernetes-api';
import { Logger } from '../../lib/io/log';
import { foreignObjectsInNamespaces, PER_NAMESPACE_CHECK_LIMIT } from '../../lib/plan/rbac-plan';

const ctx = (kube: MemoryKube, ownerId = 'owner-a') => ({ kube, ownerId, log: new Logger({}, () => undefined), deadline: Deadline.in(30_000) });

/** A MemoryKube serving discovery: core kinds, RBAC, and one custom group. */
function discoveringKube(failing: (path: string) => boolean = () => false): MemoryKube {
  const kube = new (class extends MemoryKube {
    public async list(path: string, selector?: Parameters<MemoryKube['list']>[1]) {
      if (failing(path)) throw new KubeTestError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      return super.list(path, selector);
    }
  })();
  const resources = (...names: string[]) => ({ resources: names.map((name) => ({ name, namespaced: true, verbs: ['get', 'list'] })) }) as never;
  kube.objects.set('/api/v1', resources('configmaps', 'secrets', 'serviceaccounts', 'pods', 'events'));
  kube.objects.set('/apis', { groups: [{ preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1' } }, { preferredVersion: { groupVersion: 'example.com/v1' } }] } as never);
  kube.objects.set('/apis/rbac.authorization.k8s.io/v1', resources('roles', 'rolebindings'));
  kube.objects.set('/apis/example.com/v1', resources('databases'));
  return kube;
}

function team(name: string): KubernetesManifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${name}-edit`, namespace: name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name }],
    },
  ] as KubernetesManifest[];
}

/** What Kubernetes itself puts in every namespace. */
function automaticObjects(kube: MemoryKube, ns: string): void {
  kube.objects.set(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`, { metadata: { name: 'kube-root-ca.crt', namespace: ns } });
  kube.objects.set(`/api/v1/namespaces/${ns}/serviceaccounts/default`, { metadata: { name: 'default', namespace: ns } });
  kube.objects.set(`/api/v1/namespaces/${ns}/secrets/default-token-x1`, { metadata: { name: 'default-token-x1', namespace: ns }, type: 'kubernetes.io/service-account-token' });
}

describe('removing many teams', () => {
  test('one list per namespaced kind across the cluster, and one delete per namespace', async () => {
    const kube = discoveringKube();
    const teams = Array.from({ length: 200 }, (_, i) => `team-${i}`);
    await applyManifests(ctx(kube), teams.flatMap(team));
    teams.forEach((ns) => automaticObjects(kube, ns));
    kube.calls.length = 0;

    const removed = await deleteUnwanted(ctx(kube), []);
    expect(removed.kept).toEqual([]);
    expect(removed.deleted).toHaveLength(400);
    // 200 namespace deletes; the bindings go with their namespaces.
    expect(kube.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toHaveLength(200);
    expect(kube.calls.filter((c) => c.method === 'DELETE' && c.path.includes('rolebindings'))).toEqual([]);
    // Discovery (4 documents), 5 owned kinds, and 7 namespaced kinds listed once each (events never).
    const reads = kube.calls.filter((c) => c.method !== 'DELETE');
    expect(reads.length).toBeLessThanOrEqual(4 + 5 + 7);
    expect(reads.some((c) => c.path.includes('/namespaces/team-'))).toBe(false);
    expect(teams.every((ns) => !kube.objects.has(objectPath('Namespace', ns)))).toBe(true);
  });

  test('a namespace with anything foreign is kept (label removed) and its owned objects deleted one by one; the rest go', async () => {
    const kube = discoveringKube();
    const teams = Array.from({ length: 12 }, (_, i) => `team-${i}`);
    await applyManifests(ctx(kube), teams.flatMap(team));
    teams.forEach((ns) => automaticObjects(kube, ns));
    kube.objects.set('/api/v1/namespaces/team-3/configmaps/app-settings', { metadata: { name: 'app-settings', namespace: 'team-3' } });
    kube.objects.set('/apis/example.com/v1/namespaces/team-7/databases/orders', { metadata: { name: 'orders', namespace: 'team-7' } });
    kube.objects.set('/api/v1/namespaces/team-9/secrets/api-key', { metadata: { name: 'api-key', namespace: 'team-9' }, type: 'Opaque' });
    // Another owner's object counts as foreign too; this owner's own extra objects do not.
    kube.objects.set('/api/v1/namespaces/team-10/configmaps/theirs', { metadata: { name: 'theirs', namespace: 'team-10', labels: { [OWNER_KEY]: 'owner-b' } } });
    kube.objects.set('/api/v1/namespaces/team-11/configmaps/mine', { metadata: { name: 'mine', namespace: 'team-11', labels: { [OWNER_KEY]: 'owner-a' } } });
    kube.calls.length = 0;

    const removed = await deleteUnwanted(ctx(kube), []);
    expect(removed.kept).toEqual(['Namespace team-10', 'Namespace team-3', 'Namespace team-7', 'Namespace team-9']);
    for (const ns of ['team-3', 'team-7', 'team-9', 'team-10']) {
      // Applied again without the owner label (server-side apply then removes it: see the integration test).
      expect(kube.calls).toContainEqual({ method: 'PATCH', path: objectPath('Namespace', ns) });
      expect(kube.objects.has(objectPath('Namespace', ns))).toBe(true);
      expect(kube.objects.has(objectPath('RoleBinding', `${ns}-edit`, ns))).toBe(false);
    }
    expect(kube.objects.has('/api/v1/namespaces/team-3/configmaps/app-settings')).toBe(true);
    expect(kube.objects.has(objectPath('Namespace', 'team-11'))).toBe(false);
    expect(removed.deleted).toContain('RoleBinding team-11/team-11-edit');
    expect(removed.deleted).toContain('RoleBinding team-3/team-3-edit');
  });

  test('a kind that cannot be listed keeps every namespace: what it may hold is unknown', async () => {
    const kube = discoveringKube((path) => path === '/apis/example.com/v1/databases');
    const teams = Array.from({ length: PER_NAMESPACE_CHECK_LIMIT + 1 }, (_, i) => `team-${i}`);
    await applyManifests(ctx(kube), teams.flatMap(team));
    const found = await foreignObjectsInNamespaces(ctx(kube), teams);
    for (const ns of teams) {
      expect(found.get(ns)).toEqual([expect.stringMatching(/^databases \(cannot be listed: 503/)]);
    }
    const removed = await deleteUnwanted(ctx(kube), []);
    expect(removed.kept).toHaveLength(teams.length);
    expect(teams.every((ns) => kube.objects.has(objectPath('Namespace', ns)))).toBe(true);
  });

  test('up to the limit, namespaces are checked one by one, with the same answers', async () => {
    const kube = discoveringKube();
    const teams = Array.from({ length: PER_NAMESPACE_CHECK_LIMIT }, (_, i) => `team-${i}`);
    await applyManifests(ctx(kube), teams.flatMap(team));
    teams.forEach((ns) => automaticObjects(kube, ns));
    kube.objects.set('/apis/example.com/v1/namespaces/team-1/databases/orders', { metadata: { name: 'orders', namespace: 'team-1' } });
    kube.calls.length = 0;
    const found = await foreignObjectsInNamespaces(ctx(kube), teams);
    expect([...found.entries()].filter(([, f]) => f.length > 0)).toEqual([['team-1', ['databases/orders']]]);
    expect(kube.calls.filter((c) => c.method === 'LIST').every((c) => /\/namespaces\/team-\d\//.test(c.path))).toBe(true);
  });
});
