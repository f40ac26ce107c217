/**
 * The RBAC of the realistic cluster: what each aws-auth group (and two usernames) of
 * `realistic-aws-auth.ts` is allowed, so that a change of username or groups shows up as a change
 * of access. The `admin`/`edit`/`view` ClusterRoles are empty on the test API server (no
 * aggregation controller), so every rule is spelled out.
 */
import { KubernetesClient, KubeObject } from '../../../lib/io/kube/client';

const RBAC = 'rbac.authorization.k8s.io/v1';

function role(kind: 'Role' | 'ClusterRole', name: string, rules: object[], namespace?: string): KubeObject {
  return { apiVersion: RBAC, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules };
}

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleKind: 'Role' | 'ClusterRole', subject: { kind: 'Group' | 'User'; name: string }, namespace?: string): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
  };
}

/** Namespaces, then roles, then bindings. */
export const REALISTIC_RBAC: readonly KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'partner' } },
  role('Role', 'dev-editor', [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'create', 'delete'] }], 'dev'),
  binding('RoleBinding', 'dev-editor', 'Role', { kind: 'Group', name: 'developers' }, 'dev'),
  // Bound to a username: a migrated entry must keep dev:{{SessionName}} exactly.
  role('Role', 'alice-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'dev'),
  binding('RoleBinding', 'alice-secrets', 'Role', { kind: 'User', name: 'dev:alice-example.com' }, 'dev'),
  role('ClusterRole', 'migration-viewers', [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list'] }]),
  binding('ClusterRoleBinding', 'migration-viewers', 'ClusterRole', { kind: 'Group', name: 'viewers' }),
  // The shadowed entry's group: it must stay ungranted.
  role('ClusterRole', 'migration-old-viewers', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]),
  binding('ClusterRoleBinding', 'migration-old-viewers', 'ClusterRole', { kind: 'Group', name: 'old-viewers' }),
  role('ClusterRole', 'migration-platform', [{ apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: ['get', 'list'] }]),
  binding('ClusterRoleBinding', 'migration-platform', 'ClusterRole', { kind: 'Group', name: 'platform-admins' }),
  role('ClusterRole', 'migration-ops', [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]),
  binding('ClusterRoleBinding', 'migration-ops', 'ClusterRole', { kind: 'Group', name: 'ops' }),
  role('Role', 'olga-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'kube-system'),
  binding('RoleBinding', 'olga-secrets', 'Role', { kind: 'User', name: 'olga' }, 'kube-system'),
  role('Role', 'partner-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }], 'partner'),
  binding('RoleBinding', 'partner-reader', 'Role', { kind: 'Group', name: 'partners' }, 'partner'),
  // What the Node authorizer would let a kubelet do, reduced to one rule for the group nodes get.
  role('ClusterRole', 'migration-nodes', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]),
  binding('ClusterRoleBinding', 'migration-nodes', 'ClusterRole', { kind: 'Group', name: 'system:nodes' }),
];

/** Creates the RBAC with the admin client. */
export async function applyRealisticRbac(admin: KubernetesClient): Promise<void> {
  for (const object of REALISTIC_RBAC) {
    await admin.apply(object, { fieldManager: 'migration-test' });
  }
}
