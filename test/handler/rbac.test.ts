import { teamRbac } from './fixtures';
import { KubeTestError, MemoryKube } from './memory-kube';
import { OWNER_KEY } from '../../lib/core/desired-state';
import { applyManifests, deleteUnwanted } from '../../lib/handler/rbac';
import { Deadline } from '../../lib/io/deadline';
import { objectPath } from '../../lib/io/kubernetes-api';
import { Logger } from '../../lib/io/log';
import { applyOrder, foreignObjectsIn, isSubset } from '../../lib/plan/rbac-plan';

const ctx = (kube: MemoryKube, ownerId = 'owner-a') => ({ kube, ownerId, log: new Logger({}, () => undefined), deadline: Deadline.in(30_000) });

describe('isSubset', () => {
  test('desired fields must all match; server-added fields are ignored; lists compare element-wise', () => {
    expect(isSubset({ a: 1, b: { c: [1, { d: 2 }] } }, { a: 1, x: 9, b: { c: [1, { d: 2, e: 3 }], y: 1 } })).toBe(true);
    expect(isSubset({ b: { c: [1] } }, { b: { c: [1, 2] } })).toBe(false);
    expect(isSubset({ a: '1' }, { a: 1 })).toBe(false);
    expect(isSubset({ a: {} }, { a: null })).toBe(false);
  });
});

describe('RBAC apply and removal', () => {
  test('orders namespaces, roles, then bindings', () => {
    const shuffled = [...teamRbac('dev')].reverse();
    expect(applyOrder(shuffled).map((m) => m.kind)).toEqual(['Namespace', 'Role', 'Role', 'RoleBinding']);
  });

  test('labels what it creates, writes nothing the second time, removes what is no longer wanted', async () => {
    const kube = new MemoryKube();
    const first = await applyManifests(ctx(kube), teamRbac('dev'));
    expect(first.applied).toHaveLength(4);
    expect(kube.objects.get(objectPath('Role', 'dev-read', 'dev'))!.metadata.labels![OWNER_KEY]).toBe('owner-a');
    const writes = kube.writes();
    const second = await applyManifests(ctx(kube), teamRbac('dev'));
    expect(second).toEqual({ applied: [], unchanged: expect.arrayContaining(['Namespace dev', 'Role dev/dev-read']) });
    expect(kube.writes()).toBe(writes);
    const removed = await deleteUnwanted(ctx(kube), teamRbac('dev').filter((m) => m.metadata.name !== 'dev-write'));
    expect(removed.deleted).toEqual(['Role dev/dev-write']);
  });

  test('never takes over an object of another owner or one made by hand; checks all before writing', async () => {
    const kube = new MemoryKube();
    await applyManifests(ctx(kube, 'owner-b'), [teamRbac('dev')[1]]);
    const before = kube.writes();
    await expect(applyManifests(ctx(kube), teamRbac('dev'))).rejects.toThrow(/Role dev\/dev-read already exists and belongs to another access configuration \(owner-b\).*nothing was written|nothing was written[\s\S]*owner-b/);
    expect(kube.writes()).toBe(before);
  });

  test('uses a namespace that existed before without owning it, so never deletes it', async () => {
    const kube = new MemoryKube();
    kube.objects.set(objectPath('Namespace', 'dev'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    // The constructs put the owner label in their manifests already; it must not land on a namespace made by hand.
    const [namespace, ...rest] = teamRbac('dev');
    const labelled = { ...namespace, metadata: { ...namespace.metadata, labels: { [OWNER_KEY]: 'owner-a', team: 'dev' } } };
    await applyManifests(ctx(kube), [labelled, ...rest]);
    expect(kube.objects.get(objectPath('Namespace', 'dev'))!.metadata.labels).toEqual({ team: 'dev' });
    const removed = await deleteUnwanted(ctx(kube), []);
    expect(removed.deleted).not.toContain('Namespace dev');
    expect(kube.objects.has(objectPath('Namespace', 'dev'))).toBe(true);
  });

  test('a binding whose roleRef changes is deleted before it is applied again', async () => {
    const kube = new MemoryKube();
    await applyManifests(ctx(kube), teamRbac('dev'));
    kube.calls.length = 0;
    await applyManifests(ctx(kube), teamRbac('dev', 'dev', 'dev-write'));
    expect(kube.calls.filter((c) => c.method === 'DELETE' || c.method === 'PATCH').map((c) => `${c.method} ${c.path}`)).toEqual([
      `DELETE ${objectPath('RoleBinding', 'dev-binding', 'dev')}`,
      `PATCH ${objectPath('RoleBinding', 'dev-binding', 'dev')}`,
    ]);
  });
});

describe('what a namespace holds, through the API server\'s discovery', () => {
  /** A MemoryKube serving discovery for the core group and one custom group; `failing` collections answer 503. */
  function discoveringKube(failing: string[] = []): MemoryKube {
    const kube = new (class extends MemoryKube {
      public async list(path: string, selector?: string) {
        if (failing.includes(path)) throw new KubeTestError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
        return super.list(path, selector);
      }
    })();
    const doc = (o: object) => o as never;
    kube.objects.set('/api/v1', doc({ resources: [{ name: 'configmaps', namespaced: true, verbs: ['list'] }, { name: 'events', namespaced: true, verbs: ['list'] }, { name: 'namespaces', namespaced: false, verbs: ['list'] }] }));
    kube.objects.set('/apis', doc({ groups: [{ preferredVersion: { groupVersion: 'example.com/v1' } }] }));
    kube.objects.set('/apis/example.com/v1', doc({ resources: [{ name: 'databases', namespaced: true, verbs: ['get', 'list'] }, { name: 'databases/status', namespaced: true, verbs: ['get'] }] }));
    kube.objects.set('/api/v1/namespaces/dev/configmaps/kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt' } });
    kube.objects.set('/api/v1/namespaces/dev/events/e1', { metadata: { name: 'e1' } });
    return kube;
  }

  test('a custom resource counts (deleting the namespace would delete it); events and automatic objects do not', async () => {
    const kube = discoveringKube();
    expect(await foreignObjectsIn(ctx(kube), 'dev')).toEqual([]);
    kube.objects.set('/apis/example.com/v1/namespaces/dev/databases/orders', { metadata: { name: 'orders' } });
    expect(await foreignObjectsIn(ctx(kube), 'dev')).toEqual(['databases/orders']);
  });

  test('a collection that cannot be listed keeps the namespace instead of failing the run', async () => {
    const kube = discoveringKube(['/apis/example.com/v1/namespaces/dev/databases']);
    expect(await foreignObjectsIn(ctx(kube), 'dev')).toEqual([expect.stringMatching(/^databases \(cannot be listed: 503/)]);
  });
});
