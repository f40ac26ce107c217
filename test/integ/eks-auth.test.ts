/**
 * The full token path on a real API server: a token minted by lib/io/eks-token.ts for a test
 * principal is verified by the emulated EKS authenticator and mapped through aws-auth or access
 * entries, as EKS would; access policies authorize as EKS's authorizer would.
 */
import { AuthenticationMode } from '../../lib/core/desired-state';
import { KubernetesClient } from '../../lib/io/kube/client';
import { KubernetesApiError } from '../../lib/io/kube/errors';
import { accessPolicyArn } from '../support/eks-fake/access-policies';
import type { AccessEntrySeed, ClusterSeed } from '../support/eks-fake/model';
import { authDecisions, clientAs, eksFake, kubeHarness, tokenFor } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(60_000);
const cluster = useSharedCluster();

const ACCOUNT = '111122223333';

async function setAwsAuth(mapRoles: string, mapUsers = '[]', mapAccounts = '[]'): Promise<void> {
  await cluster.admin().apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system' },
    data: { mapRoles, mapUsers, mapAccounts },
  }, { fieldManager: 'eks-auth-test' });
}

async function seedCluster(authenticationMode: AuthenticationMode, accessEntries: AccessEntrySeed[] = []): Promise<void> {
  await eksFake().reset();
  const seed: ClusterSeed = { name: kubeHarness().clusterName, authenticationMode, bootstrapClusterCreatorAdminPermissions: false, accessEntries };
  await eksFake().seedCluster(seed);
}

/** whoAmI as the principal, or the error status and reason. */
async function whoIs(name: string): Promise<{ username: string; groups: string[] } | string> {
  const kube = clientAs(name);
  try {
    const me = await kube.whoAmI();
    return { username: me.username, groups: me.groups.filter((g) => g !== 'system:authenticated') };
  } catch (e) {
    return e instanceof KubernetesApiError ? `${e.status} ${e.reason}` : String(e);
  } finally {
    kube.close();
  }
}

/** Retries until `fn` stops throwing (RBAC bindings take effect after a short informer lag). */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('aws-auth (cluster unknown to EKS, or CONFIG_MAP mode)', () => {
  beforeEach(() => eksFake().reset());

  test('a role session maps through mapRoles with the role path stripped and templates expanded', async () => {
    await setAwsAuth(`
- rolearn: arn:aws:iam::${ACCOUNT}:role/developer
  username: dev:{{SessionName}}
  groups: [devs, "acct-{{AccountID}}"]
`);
    expect(await whoIs('dev')).toEqual({ username: 'dev:alice-example.com', groups: ['devs', `acct-${ACCOUNT}`] });
  });

  test('an entry that keeps the role path never matches (as with the real authenticator)', async () => {
    await setAwsAuth(`
- rolearn: arn:aws:iam::${ACCOUNT}:role/teams/dev/developer
  username: dev
  groups: [devs]
`);
    expect(await whoIs('dev')).toBe('401 Unauthorized');
    const last = (await authDecisions()).pop()!;
    expect(last.error).toMatch(/not mapped in aws-auth/);
  });

  test('users map through mapUsers; mapAccounts maps any principal of the account to its ARN', async () => {
    await setAwsAuth('[]', `
- userarn: arn:aws:iam::${ACCOUNT}:user/ops/olga
  username: olga
  groups: [ops]
`, `["${ACCOUNT}"]`);
    expect(await whoIs('ops')).toEqual({ username: 'olga', groups: ['ops'] });
    expect(await whoIs('viewer')).toEqual({ username: `arn:aws:iam::${ACCOUNT}:role/viewer`, groups: [] });
    expect(await whoIs('outsider')).toBe('401 Unauthorized');
  });

  test('no aws-auth at all: every token is refused', async () => {
    await cluster.admin().delete({ kind: 'ConfigMap', namespace: 'kube-system', name: 'aws-auth' });
    expect(await whoIs('admin')).toBe('401 Unauthorized');
  });

  test('a token for another cluster is refused by the signature check', async () => {
    await setAwsAuth(`[{rolearn: "arn:aws:iam::${ACCOUNT}:role/developer", username: dev, groups: [devs]}]`);
    const h = kubeHarness();
    const kube = new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: h.certificateAuthorityData, token: () => tokenFor('dev', 'some-other-cluster') });
    await expect(kube.whoAmI()).rejects.toMatchObject({ status: 401, reason: 'Unauthorized' });
    kube.close();
    expect((await authDecisions()).pop()!.error).toMatch(/signature does not match.*integ-cluster/);
  });

  test('a reused token keeps its identity for a while (API server cache); fresh credentials see the change at once', async () => {
    const mapping = (username: string) => `[{rolearn: "arn:aws:iam::${ACCOUNT}:role/developer", username: ${username}, groups: [devs]}]`;
    await setAwsAuth(mapping('first'));
    const h = kubeHarness();
    const token = await tokenFor('dev');
    const reused = new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: h.certificateAuthorityData, token: () => token });
    expect((await reused.whoAmI()).username).toBe('first');
    await setAwsAuth(mapping('second'));
    expect((await reused.whoAmI()).username).toBe('first'); // kube-apiserver caches successes for 10 s
    reused.close();
    expect(await whoIs('dev')).toMatchObject({ username: 'second' });
  });

  test('RBAC from aws-auth groups applies (after the informer catches up)', async () => {
    await setAwsAuth(`[{rolearn: "arn:aws:iam::${ACCOUNT}:role/developer", username: "dev:{{SessionName}}", groups: [devs]}]`);
    const admin = cluster.admin();
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const dev = clientAs('dev');
    await expect(dev.list({ kind: 'ConfigMap', namespace: 'team-a' })).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    await admin.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] });
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'devs', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
    });
    await eventually(() => dev.list({ kind: 'ConfigMap', namespace: 'team-a' }));
    await expect(dev.list({ kind: 'ConfigMap', namespace: 'default' })).rejects.toMatchObject({ reason: 'Forbidden' });
    dev.close();
  });
});

describe('access entries', () => {
  const viewerArn = `arn:aws:iam::${ACCOUNT}:role/viewer`;
  const devArn = `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`;

  beforeEach(() => setAwsAuth(`
- rolearn: arn:aws:iam::${ACCOUNT}:role/viewer
  username: from-aws-auth
  groups: [aws-auth-group]
- rolearn: arn:aws:iam::${ACCOUNT}:role/cluster-admin
  username: admin-from-aws-auth
  groups: [admins]
`));

  test('an entry wins over aws-auth; EKS defaults the username to the session ARN', async () => {
    await seedCluster('API_AND_CONFIG_MAP', [
      { principalArn: viewerArn, username: 'viewer:{{SessionName}}', kubernetesGroups: ['viewers'] },
      { principalArn: devArn, kubernetesGroups: ['devs'] },
    ]);
    expect(await whoIs('viewer')).toEqual({ username: 'viewer:bob', groups: ['viewers'] });
    expect(await whoIs('dev')).toEqual({ username: `arn:aws:sts::${ACCOUNT}:assumed-role/developer/alice-example.com`, groups: ['devs'] });
    // No entry for the admin role: API_AND_CONFIG_MAP falls back to aws-auth.
    expect(await whoIs('admin')).toEqual({ username: 'admin-from-aws-auth', groups: ['admins'] });
  });

  test('API mode ignores aws-auth; CONFIG_MAP mode ignores entries', async () => {
    await seedCluster('API', [{ principalArn: viewerArn, kubernetesGroups: ['viewers'] }]);
    expect(await whoIs('viewer')).toEqual({ username: `arn:aws:sts::${ACCOUNT}:assumed-role/viewer/bob`, groups: ['viewers'] });
    expect(await whoIs('admin')).toBe('401 Unauthorized');
    expect((await authDecisions()).pop()!.error).toMatch(/no access entry .*authentication mode API/);

    await seedCluster('CONFIG_MAP', [{ principalArn: viewerArn, kubernetesGroups: ['viewers'] }]);
    expect(await whoIs('viewer')).toEqual({ username: 'from-aws-auth', groups: ['aws-auth-group'] });
  });

  test('a new entry takes effect at once (failed authentications are not cached)', async () => {
    await seedCluster('API');
    expect(await whoIs('dev')).toBe('401 Unauthorized');
    await eksFake().seedAccessEntry(kubeHarness().clusterName, { principalArn: devArn, kubernetesGroups: ['devs'] });
    expect(await whoIs('dev')).toMatchObject({ groups: ['devs'] });
  });

  test('access policies authorize: cluster admin everywhere, namespace-scoped view (wildcard scope) only in its namespaces', async () => {
    const admin = cluster.admin();
    for (const name of ['policy-a', 'policy-a2', 'policy-b']) {
      await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    await seedCluster('API', [
      { principalArn: `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`, accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] },
      { principalArn: viewerArn, accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['policy-a*'] } }] },
    ]);
    const handler = clientAs('handler');
    await handler.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'made-by-handler' }, rules: [] }, { fieldManager: 'test' });
    expect((await handler.list({ kind: 'Namespace' })).map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['policy-a', 'policy-b']));
    handler.close();

    const viewer = clientAs('viewer');
    await expect(viewer.list({ kind: 'ConfigMap', namespace: 'policy-a' })).resolves.toEqual([]);
    await expect(viewer.list({ kind: 'ConfigMap', namespace: 'policy-a2' })).resolves.toEqual([]);
    await expect(viewer.list({ kind: 'ConfigMap', namespace: 'policy-b' })).rejects.toMatchObject({ reason: 'Forbidden' });
    await expect(viewer.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'policy-a' } })).rejects.toMatchObject({ reason: 'Forbidden' });
    viewer.close();
  });
});
