/**
 * Puts the shared API server back to its just-started state: removes every namespace, RBAC object,
 * aws-auth, owner record and lease that tests created, keeping what the API server bootstraps itself (objects labelled
 * `kubernetes.io/bootstrapping=rbac-defaults`, `system:` names, the system namespaces).
 *
 * Without a controller manager nothing empties a deleted namespace, so this deletes the namespace's
 * objects first, then the namespace, then finalizes it (clears `spec.finalizers`) so it is gone.
 */
import { OWNER_RECORD_LABEL } from '../../../lib/core/owner-record';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../../lib/io/cluster-lease';
import { KubernetesClient, KubeObject } from '../../../lib/io/kube/client';
import { AWS_AUTH_REF } from '../../../lib/io/kube/paths';

export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
const NAMESPACED_KINDS = ['RoleBinding', 'Role', 'ConfigMap', 'ServiceAccount'] as const;

function isBootstrap(o: KubeObject): boolean {
  return o.metadata?.labels?.[BOOTSTRAP_LABEL] !== undefined || (o.metadata?.name ?? '').startsWith('system:');
}

/** Removes what tests created; returns how many objects it deleted. */
export async function resetCluster(admin: KubernetesClient): Promise<number> {
  let deleted = 0;
  const del = async (kind: string, o: KubeObject) => {
    if (await admin.delete({ kind, namespace: o.metadata?.namespace, name: o.metadata!.name! })) {
      deleted++;
    }
  };
  const namespaces = await admin.list({ kind: 'Namespace' });
  const testNamespaces = namespaces.filter((n) => !SYSTEM_NAMESPACES.includes(n.metadata!.name!));
  for (const ns of testNamespaces) {
    for (const kind of NAMESPACED_KINDS) {
      for (const o of await admin.list({ kind, namespace: ns.metadata!.name })) {
        await del(kind, o);
      }
    }
    if (ns.metadata?.deletionTimestamp === undefined) {
      await del('Namespace', ns);
    }
    await finalizeNamespace(admin, ns.metadata!.name!);
  }
  for (const ns of SYSTEM_NAMESPACES) {
    for (const kind of ['RoleBinding', 'Role'] as const) {
      for (const o of await admin.list({ kind, namespace: ns })) {
        if (!isBootstrap(o)) {
          await del(kind, o);
        }
      }
    }
  }
  for (const kind of ['ClusterRoleBinding', 'ClusterRole'] as const) {
    for (const o of await admin.list({ kind })) {
      if (!isBootstrap(o)) {
        await del(kind, o);
      }
    }
  }
  if (await admin.delete(AWS_AUTH_REF)) {
    deleted++;
  }
  // The handler's owner records and its coordination lease.
  for (const o of await admin.list({ kind: 'ConfigMap', namespace: 'kube-system' }, { labelSelector: OWNER_RECORD_LABEL })) {
    await del('ConfigMap', o);
  }
  if (await admin.delete({ kind: 'Lease', namespace: LEASE_NAMESPACE, name: LEASE_NAME })) {
    deleted++;
  }
  return deleted;
}

/** Completes the deletion of a Terminating namespace (what the namespace controller would do). */
export async function finalizeNamespace(admin: KubernetesClient, name: string): Promise<void> {
  const ns = await admin.get({ kind: 'Namespace', name });
  if (!ns) {
    return;
  }
  await admin.request('PUT', `/api/v1/namespaces/${name}/finalize`, {
    body: { ...ns, spec: { finalizers: [] } },
  });
}
