/**
 * Many teams on the real API server: Create applies them several calls at a time, and Delete
 * checks whether the teams' namespaces hold anything else with one list per namespaced kind
 * across the cluster (it was one list per kind and namespace: 53 calls a namespace), keeps a
 * namespace that does, and deletes the others with their content.
 */
import { desiredState, invoke, useHandlerEnvironment } from './handler-support';
import { DesiredClusterAccess, KubernetesManifest, OWNER_KEY } from '../../lib/core/desired-state';
import { eksFake, kubeHarness, testPrincipal } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const TEAMS = 60;
const names = Array.from({ length: TEAMS }, (_, i) => `scale-team-${i}`);

function teams(): DesiredClusterAccess {
  const manifests = names.flatMap((name): KubernetesManifest[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${name}-edit`, namespace: name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name }],
    } as KubernetesManifest,
  ]);
  return desiredState({
    handlerRoleArn: testPrincipal('handler').principalArn,
    accessEntries: names.map((name) => ({ principalArn: `arn:aws:iam::111122223333:role/teams/${name}`, type: 'STANDARD', kubernetesGroups: [name], accessPolicies: [] })),
    manifests,
  });
}

test(`${TEAMS} teams: Create, then Delete with one emptiness check per kind; a namespace with foreign content is kept`, async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API' });
  const desired = teams();
  const create = await invoke('Create', desired);
  expect(create.error).toBeUndefined();
  const admin = cluster.admin();
  const owned = await admin.list({ kind: 'Namespace' }, { labelSelector: `${OWNER_KEY}=stack-a.access` });
  expect(owned.map((n) => n.metadata!.name).sort()).toEqual([...names].sort());
  // Reads, dry runs of the namespaces (their bindings cannot be dry-run before they exist), writes.
  expect(create.kubeCalls.length).toBeLessThan(TEAMS * 4 + 100);

  await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-settings', namespace: 'scale-team-7' }, data: { a: 'b' } });
  const del = await invoke('Delete', desired);
  expect(del.error).toBeUndefined();
  // One delete per namespace, plus discovery and one list per namespaced kind: not 53 per namespace.
  expect(del.kubeCalls.length).toBeLessThan(TEAMS + 120);
  expect(del.kubeWrites.filter((w) => String(w.path).includes('/rolebindings/')).map((w) => w.path))
    .toEqual(['/apis/rbac.authorization.k8s.io/v1/namespaces/scale-team-7/rolebindings/scale-team-7-edit']);
  const kept = (await admin.get({ kind: 'Namespace', name: 'scale-team-7' }))!;
  expect(kept.metadata!.deletionTimestamp).toBeUndefined();
  expect(kept.metadata!.labels?.[OWNER_KEY]).toBeUndefined();
  expect(await admin.get({ kind: 'ConfigMap', namespace: 'scale-team-7', name: 'app-settings' })).toBeDefined();
  for (const name of names.filter((n) => n !== 'scale-team-7')) {
    const ns = await admin.get({ kind: 'Namespace', name });
    expect(ns === undefined || ns.metadata!.deletionTimestamp !== undefined).toBe(true);
  }
  // eslint-disable-next-line no-console
  console.info(`${TEAMS} teams: Create ${create.kubeCalls.length} Kubernetes calls in ${create.ms} ms; Delete ${del.kubeCalls.length} calls in ${del.ms} ms`);
});
