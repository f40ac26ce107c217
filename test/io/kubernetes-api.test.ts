/**
 * The paths the handler and the CLI send to the API server: built by the validated builder, so a
 * name or namespace of `.` or `..` can never make a path name another object.
 */
import { Deadline } from '../../lib/io/deadline';
import { collectionPath, objectPath } from '../../lib/io/kubernetes-api';
import { Logger } from '../../lib/io/log';
import { prepareManifests } from '../../lib/plan/rbac-plan';
import { teamRbac } from '../handler/fixtures';
import { MemoryKube } from '../handler/memory-kube';

describe('objectPath and collectionPath', () => {
  test('build the same paths as before for valid names', () => {
    expect(objectPath('ConfigMap', 'aws-auth', 'kube-system')).toBe('/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(objectPath('ClusterRole', 'system:team')).toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Ateam');
    expect(objectPath('Namespace', 'dev')).toBe('/api/v1/namespaces/dev');
    expect(collectionPath('RoleBinding')).toBe('/apis/rbac.authorization.k8s.io/v1/rolebindings');
    expect(collectionPath('Role', 'dev')).toBe('/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles');
    // A namespace in a cluster-scoped manifest does not belong in its path.
    expect(objectPath('ClusterRole', 'reader', 'dev')).toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles/reader');
  });

  test('refuse . and .. as names and namespaces, and namespaces that are not namespace names', () => {
    expect(() => objectPath('RoleBinding', '..', 'dev')).toThrow(/"\.\." is not a valid RoleBinding name/);
    expect(() => objectPath('Namespace', '.')).toThrow(/"\." is not a valid Namespace name/);
    expect(() => objectPath('ClusterRole', '..')).toThrow(/not a valid ClusterRole name/);
    expect(() => objectPath('Role', 'reader', '..')).toThrow(/"\.\." is not a valid namespace name/);
    expect(() => collectionPath('RoleBinding', '.')).toThrow(/"\." is not a valid namespace name/);
    expect(() => collectionPath('ConfigMap', 'a/b')).toThrow(/not a valid namespace name/);
    expect(() => objectPath('Role', 'reader')).toThrow(/Role reader needs a namespace/);
    expect(() => objectPath('Pod', 'p', 'dev')).toThrow(/unsupported Kubernetes kind "Pod"/);
  });

  test('the handler refuses a manifest named .. before it calls the API server', async () => {
    const kube = new MemoryKube();
    const [namespace, role] = teamRbac('dev');
    const ctx = { kube, ownerId: 'owner-a', log: new Logger({}, () => undefined), deadline: Deadline.in(30_000) };
    await expect(prepareManifests(ctx, [namespace, { ...role, metadata: { ...role.metadata, name: '..' } }])).rejects.toThrow(/"\.\." is not a valid Role name/);
    await expect(prepareManifests(ctx, [{ ...role, metadata: { ...role.metadata, namespace: '..' } }])).rejects.toThrow(/"\.\." is not a valid namespace name/);
    expect(kube.calls.filter((c) => c.path.includes('..'))).toEqual([]);
  });
});
