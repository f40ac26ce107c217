import { load, loadAll } from 'js-yaml';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace } from 'kubernetes-models/v1';
import { desiredState, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess, KubernetesClusterRole } from '../../lib';
import { KubernetesManifest } from '../../lib/core/desired-state';
import { ownerIdFor } from '../../lib/owner-id';
import {
  clusterRoleBindingManifest, clusterRoleManifest, manifestProblems, manifestsToYaml,
  namespaceManifest, roleBindingManifest, roleManifest, sortManifests,
} from '../../lib/rbac/manifests';

skipCfnSchemaValidation();

/** Validates a manifest against the Kubernetes OpenAPI schema shipped by kubernetes-models. */
function schemaErrors(m: KubernetesManifest): string | undefined {
  const models: Record<string, new (data: any) => { validate(): void }> = { Namespace, ClusterRole, ClusterRoleBinding, Role, RoleBinding };
  const Model = models[m.kind];
  if (!Model) return `no schema for kind ${m.kind}`;
  try {
    new Model(m).validate();
    return undefined;
  } catch (e) {
    return `${m.kind}/${m.metadata.name}: ${(e as Error).message}`;
  }
}

describe('RBAC manifests against the Kubernetes schema', () => {
  test('every object a realistic ClusterAccess generates is valid', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.addTeam('Dev', { namespaces: ['dev', 'dev-tools'], createNamespaces: true });
    access.addTeam('Sre', { clusterRole: KubernetesClusterRole.CLUSTER_ADMIN });
    access.addTeam('Auditors', { clusterRole: KubernetesClusterRole.VIEW, namespaces: ['audit'], namespaceRole: KubernetesClusterRole.existing('secret-reader') });
    access.addTeam('Data', {
      namespaces: ['etl'],
      namespaceRules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['*'], resourceNames: ['nightly'] }],
      clusterRole: KubernetesClusterRole.fromRules('metrics-reader', [{ nonResourceUrls: ['/metrics'], verbs: ['get'] }]),
    });
    access.addManifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'crd-viewer' }, rules: [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list'] }] });
    const manifests = desiredState(stack).manifests;
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? '-'}/${m.metadata.name}`)).toEqual([
      'Namespace/-/dev',
      'Namespace/-/dev-tools',
      'ClusterRole/-/crd-viewer',
      'ClusterRole/-/metrics-reader',
      'Role/etl/data',
      'ClusterRoleBinding/-/auditors-view',
      'ClusterRoleBinding/-/data-metrics-reader',
      'ClusterRoleBinding/-/sre-cluster-admin',
      'RoleBinding/audit/auditors-secret-reader',
      'RoleBinding/dev/dev-edit',
      'RoleBinding/dev-tools/dev-edit',
      'RoleBinding/etl/data-data',
    ]);
    expect(manifests.map(schemaErrors).filter(Boolean)).toEqual([]);
    // The YAML form is the same objects.
    expect(loadAll(access.toYaml())).toEqual(manifests);
  });

  test('the schema check can fail: a binding without roleRef name and a rule with a number verb are rejected', () => {
    const bad = clusterRoleBindingManifest('x', 'view', [{ kind: 'Group', name: 'g' }], 'owner');
    expect(schemaErrors({ ...bad, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole' } })).toMatch(/roleRef must have required property 'name'|roleRef must have required property name/);
    expect(schemaErrors({ ...clusterRoleManifest('r', [], 'o'), rules: [{ verbs: [1] }] })).toMatch(/verbs\/0 must be string/);
  });

  test('builders produce the documented shapes and apply order', () => {
    const ms = sortManifests([
      roleBindingManifest('b', 'ns', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'alice' }], 'o'),
      roleManifest('r', 'ns', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'o'),
      namespaceManifest('ns', 'o'),
    ]);
    expect(ms.map((m) => m.kind)).toEqual(['Namespace', 'Role', 'RoleBinding']);
    expect(load(manifestsToYaml([ms[0]]))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: { 'app.kubernetes.io/managed-by': 'cdk-eks-access', 'cdk-eks-access.dev/owner': 'o' } } });
  });

  test('manifestProblems names the object and the value', () => {
    expect(manifestProblems(namespaceManifest('Bad_NS', 'o'))).toEqual([expect.stringMatching(/Namespace\/Bad_NS: namespace name "Bad_NS" is not a DNS-1123 label/)]);
    expect(manifestProblems(roleManifest('r', 'ns', [{ nonResourceURLs: ['/x'], verbs: ['get'] }], 'o'))).toEqual([expect.stringMatching(/Role\/ns\/r: rule 1: nonResourceURLs \(\/x\) are only allowed in a ClusterRole/)]);
    expect(manifestProblems(clusterRoleManifest('r', [{ resources: ['pods'], verbs: [] }], 'o'))).toEqual([
      'ClusterRole/r: rule 1: a rule needs at least one verb',
      'ClusterRole/r: rule 1: rule on resources pods needs apiGroups ("" is the core group)',
    ]);
    expect(manifestProblems({ ...roleManifest('r', 'ns', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'o'), metadata: { name: 'r' } }))
      .toEqual(['Role/r: a Role needs metadata.namespace']);
    expect(manifestProblems({ ...namespaceManifest('a', 'o'), metadata: { name: 'a', namespace: 'b' } }))
      .toEqual(['Namespace/b/a: a Namespace is cluster-scoped and takes no metadata.namespace']);
    expect(manifestProblems(clusterRoleBindingManifest('a/b', 'view', [], 'o'))).toEqual([
      'ClusterRoleBinding/a/b: "a/b" is not a valid object name (no \'/\' or \'%\', at most 253 characters)',
      'ClusterRoleBinding/a/b: a binding needs at least one subject',
    ]);
  });
});

describe('owner IDs', () => {
  test('are label values of at most 63 characters, stable, and distinct even when truncated alike', () => {
    const long = 'A'.repeat(80);
    const a = ownerIdFor('Stack', `${long}/x`);
    const b = ownerIdFor('Stack', `${long}/y`);
    for (const id of [a, b, ownerIdFor('My_Stack', 'Access/Default'), ownerIdFor('--', '--')]) {
      expect(id).toMatch(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/);
    }
    expect(a).not.toBe(b);
    expect(ownerIdFor('Stack', 'Access/Default')).toBe(ownerIdFor('Stack', 'Access/Default'));
    expect(ownerIdFor('My_Stack', 'Access/Default')).toMatch(/^my-stack-access-default-[0-9a-f]{8}$/);
  });
});

describe('KubernetesClusterRole.fromRules', () => {
  const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];

  test.each(['view', 'edit', 'admin', 'cluster-admin', 'system:aggregate-to-view', 'eks:cloud-provider'])(
    'refuses "%s" at synth: the cluster has that role already, and it is not for this library to write or delete', (name) => {
      expect(() => KubernetesClusterRole.fromRules(name, rules)).toThrow(`KubernetesClusterRole.fromRules("${name}"): that name belongs to a ClusterRole of Kubernetes or EKS itself`);
    });

  test('accepts names of its own, including ones that merely contain a reserved word', () => {
    for (const name of ['viewer', 'team-edit', 'my-system:reader']) {
      expect(KubernetesClusterRole.fromRules(name, rules).isDefinedHere).toBe(true);
    }
  });
});
