/**
 * Scenarios of the deploy-time handler on aws-auth, end to end: `onEvent` → EKS fake → real
 * kube-apiserver with the emulated EKS authenticator.
 */
import { desiredState, invoke, invokeMany, startStsStandIn, useHandlerEnvironment } from './handler-support';
import { parseAwsAuth, recordedOwners, resolveIdentity } from '../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION, DesiredClusterAccess } from '../../lib/core/desired-state';
import { updateAwsAuth } from '../../lib/io/aws-auth-store';
import { Deadline } from '../../lib/io/deadline';
import { KubernetesApiError } from '../../lib/io/kube/errors';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { KubeObject } from '../../lib/io/kubernetes-api';
import { openCluster } from '../../lib/io/kubernetes-connection';
import { Logger } from '../../lib/io/log';
import { clientAs, credentialsOf, eksFake, kubeHarness, testPrincipal } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const ACCOUNT = '111122223333';
const HANDLER = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
const NODE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;
const DEV_AWS_AUTH = `arn:aws:iam::${ACCOUNT}:role/developer`; // role/teams/dev/developer without its path

function desired(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return desiredState({
    mechanism: 'AWS_AUTH',
    handlerRoleArn: HANDLER,
    ...overrides,
  });
}

const devTeam = {
  awsAuth: { mapRoles: [{ rolearn: DEV_AWS_AUTH, username: 'dev:{{SessionName}}', groups: ['dev-team'] }], mapUsers: [], mapAccounts: [] },
  manifests: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'dev-edit', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'delete'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev-edit', namespace: 'dev' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dev-edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev-team' }] },
  ],
};

/** A real aws-auth as clusters have it: eksctl node groups, SSO, users, accounts, odd spellings. */
const FOREIGN_AWS_AUTH = {
  mapRoles: [
    `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}`,
    `- rolearn: ${HANDLER}\n  username: handler\n  groups:\n  - system:masters`,
    `- RoleArn: arn:aws:iam::${ACCOUNT}:role/legacy-admin\n  Username: legacy\n  Groups: [system:masters]`,
    `- rolearn: arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_ReadOnly_0123456789abcdef\n  username: sso-ro:{{SessionName}}\n  groups:\n  - view-only\n  note: kept by hand`,
  ].join('\n') + '\n',
  mapUsers: `- userarn: arn:aws:iam::${ACCOUNT}:user/ops/olga\n  username: olga\n  groups:\n  - ops\n`,
  mapAccounts: `- "${ACCOUNT}"\n`,
};

async function seedAwsAuth(data: Record<string, string>): Promise<void> {
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data });
}

async function liveAwsAuth() {
  return cluster.admin().get(AWS_AUTH_REF);
}

/** Who each foreign principal is, as the authenticator resolves it from aws-auth. */
function foreignMeaning(cm: object) {
  const parsed = parseAwsAuth(cm).configMap!;
  const callers = [
    { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/eks-node/i-0123456789abcdef0`, accessKeyId: 'ASIAX', userId: 'AROAX:i-0123456789abcdef0' },
    { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/legacy-admin/s`, accessKeyId: 'ASIAX', userId: 'AROAX:s' },
    { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/kim`, accessKeyId: 'ASIAX', userId: 'AROAX:kim' },
    { arn: `arn:aws:iam::${ACCOUNT}:user/ops/olga`, accessKeyId: 'AKIAX', userId: 'AIDAX' },
  ];
  return callers.map((c) => resolveIdentity(parsed, c));
}

async function canListConfigMaps(who: string, namespace: string): Promise<number> {
  const client = clientAs(who);
  try {
    await client.request('GET', `/api/v1/namespaces/${namespace}/configmaps`);
    return 200;
  } catch (e) {
    return (e as KubernetesApiError).status;
  } finally {
    client.close();
  }
}

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
});

test('Create on a cluster without aws-auth creates it (API_AND_CONFIG_MAP: the handler grants itself an access entry first)', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: false });
  const run = await invoke('Create', desired(devTeam));
  expect(run.error).toBeUndefined();
  expect(run.response!.PhysicalResourceId).toBe(`111122223333/${kubeHarness().region}/${kubeHarness().clusterName}/stack-a.access`);
  const cm = await liveAwsAuth();
  expect(String((cm!.data as Record<string, string>).mapRoles)).toContain(DEV_AWS_AUTH);
  expect(recordedOwners(cm!.metadata!.annotations)).toEqual(['stack-a.access']);
  // The dev team member (role with a path) is mapped through the path-less aws-auth form.
  expect(await canListConfigMaps('dev', 'dev')).toBe(200);
  expect(await canListConfigMaps('dev', 'default')).toBe(403);
});

test('merges into an aws-auth full of foreign entries: they survive with the same meaning; a replay writes nothing; Delete removes only its own', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth(FOREIGN_AWS_AUTH);
  const before = foreignMeaning((await liveAwsAuth())!);

  const create = await invoke('Create', desired({ ...devTeam, handlerRoleArn: HANDLER }));
  expect(create.error).toBeUndefined();
  const afterCreate = (await liveAwsAuth())!;
  expect(foreignMeaning(afterCreate)).toEqual(before);
  expect((afterCreate.data as Record<string, string>).mapRoles).toMatch(/note: "?kept by hand/);
  expect(await canListConfigMaps('dev', 'dev')).toBe(200);

  const replay = await invoke('Update', desired(devTeam), desired(devTeam));
  expect(replay.error).toBeUndefined();
  expect(replay.kubeWrites).toEqual([]);
  expect(replay.eksWrites).toEqual([]);
  expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(afterCreate.metadata!.resourceVersion);
  // eslint-disable-next-line no-console
  console.info(`no-op re-apply (aws-auth): ${replay.kubeCalls.length} Kubernetes calls, ${replay.eksCalls} EKS calls, 0 writes, ${replay.ms} ms`);

  const del = await invoke('Delete', desired(devTeam));
  expect(del.error).toBeUndefined();
  const afterDelete = (await liveAwsAuth())!;
  expect(foreignMeaning(afterDelete)).toEqual(before);
  expect((afterDelete.data as Record<string, string>).mapRoles).not.toContain(DEV_AWS_AUTH);
  expect(recordedOwners(afterDelete.metadata!.annotations)).toEqual([]);
  expect(afterDelete.metadata!.annotations?.[AWS_AUTH_OWNERS_ANNOTATION]).toBeUndefined();
  expect([401, 403]).toContain(await canListConfigMaps('dev', 'dev'));
});

test('an Update that removes a team takes its access away', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth(FOREIGN_AWS_AUTH);
  const viewer = { rolearn: `arn:aws:iam::${ACCOUNT}:role/viewer`, username: 'viewer', groups: ['viewers'] };
  const both = desired({ ...devTeam, awsAuth: { ...devTeam.awsAuth, mapRoles: [...devTeam.awsAuth.mapRoles, viewer] } });
  expect((await invoke('Create', both)).error).toBeUndefined();
  expect(await canListConfigMaps('dev', 'dev')).toBe(200);
  const onlyViewer = desired({ awsAuth: { mapRoles: [viewer], mapUsers: [], mapAccounts: [] }, manifests: [] });
  const update = await invoke('Update', onlyViewer, both);
  expect(update.error).toBeUndefined();
  // Denied: 401 once the API server's token cache forgets the old identity, 403 until then (RBAC is gone).
  expect([401, 403]).toContain(await canListConfigMaps('dev', 'dev'));
  const data = (await liveAwsAuth())!.data as Record<string, string>;
  expect(data.mapRoles).toContain('role/viewer');
  expect(data.mapRoles).toContain(NODE);
  // The team's RBAC objects go with the namespace it created (this API server runs no namespace
  // controller, so here they stay in the terminating namespace).
  const ns = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(ns === undefined || ns.metadata?.deletionTimestamp !== undefined).toBe(true);
});

test('an aws-auth that cannot be parsed fails the deployment and nothing is written', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API_AND_CONFIG_MAP' });
  await seedAwsAuth({ mapRoles: `- rolearn: ${NODE}\n  groups: [system:nodes\n` });
  const before = (await liveAwsAuth())!.metadata!.resourceVersion;
  const run = await invoke('Create', desired(devTeam));
  expect(run.error?.message).toMatch(/aws-auth ConfigMap in kube-system cannot be read safely.*nothing was written/s);
  expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(before);
  expect(run.kubeWrites).toEqual([]);
});

test('lockout: refuses removing the last node role mapping', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth({ mapRoles: `- rolearn: ${HANDLER}\n  username: handler\n  groups:\n  - system:masters\n` });
  const nodes = { rolearn: NODE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
  const withNodes = desired({ awsAuth: { mapRoles: [nodes], mapUsers: [], mapAccounts: [] } });
  expect((await invoke('Create', withNodes)).error).toBeUndefined();
  const rv = (await liveAwsAuth())!.metadata!.resourceVersion;
  const refused = await invoke('Update', desired(), withNodes);
  expect(refused.error?.message).toMatch(/LockoutError: refusing the change, which was not written: .*last node mapping from aws-auth.* Nothing of this configuration's identities or RBAC was written\.$/s);
  expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(rv);
});

test('20 handlers merging into the same aws-auth at once: no entry is lost', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth(FOREIGN_AWS_AUTH);
  const runs = Array.from({ length: 20 }, (_, i) => ({
    requestType: 'Create' as const,
    desired: desired({ ownerId: `stack-${i}.access`, awsAuth: { mapRoles: [{ rolearn: `arn:aws:iam::${ACCOUNT}:role/team-${i}`, username: `team-${i}`, groups: [`team-${i}`] }], mapUsers: [], mapAccounts: [] } }),
  }));
  const results = await invokeMany(runs);
  expect(results.map((r) => r.error?.message)).toEqual(runs.map(() => undefined));
  const cm = (await liveAwsAuth())!;
  const parsed = parseAwsAuth(cm).configMap!;
  const arns = parsed.mapRoles.map((r) => r.rolearn);
  const lost = runs.filter((_, i) => !arns.includes(`arn:aws:iam::${ACCOUNT}:role/team-${i}`));
  expect(lost).toEqual([]);
  expect(recordedOwners(cm.metadata!.annotations)).toHaveLength(20);
  expect(foreignMeaning(cm)).toEqual(foreignMeaning({ data: FOREIGN_AWS_AUTH }));
  const conflicts = results[0].lines.filter((l) => String(l.msg).includes('writing the aws-auth ConfigMap')).length;
  const puts = results[0].kubeWrites.filter((l) => String(l.path).endsWith('/configmaps/aws-auth')).length;
  // eslint-disable-next-line no-console
  console.info(`20 concurrent handlers: 0 of 20 entries lost, ${conflicts} conflicts retried, ${puts} aws-auth writes, ${results[0].ms} ms`);
});

test('the handler identity must be mapped on a CONFIG_MAP cluster: a clear 401 message otherwise', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth({ mapRoles: `- rolearn: ${NODE}\n  groups:\n  - system:nodes\n` });
  const run = await invoke('Create', desired(devTeam), undefined, 40_000);
  expect(run.error?.message).toMatch(/401.*on a CONFIG_MAP cluster, the role it uses \(kubernetesRoleArn, or else its own role\) must be mapped to system:masters/s);
  expect(testPrincipal('handler').principalArn).toBe(HANDLER);
});

test('kubernetesRoleArn: the handler assumes it through STS and reaches a CONFIG_MAP cluster as that role', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  const admin = testPrincipal('admin'); // role/platform/cluster-admin, mapped path-less to system:masters
  await seedAwsAuth({ mapRoles: `- rolearn: arn:aws:iam::${ACCOUNT}:role/cluster-admin\n  username: admin\n  groups:\n  - system:masters\n` });
  const sts = await startStsStandIn(admin);
  try {
    const run = await invoke('Create', desired({ ...devTeam, kubernetesRoleArn: admin.principalArn }));
    expect(run.error).toBeUndefined();
    expect(sts.assumed).toEqual([`AssumeRole ${admin.principalArn} signed=true`]);
    expect(run.lines.filter((l) => l.api === 'sts')).toEqual([expect.objectContaining({ operation: 'AssumeRole', status: 200 })]);
    expect(await canListConfigMaps('dev', 'dev')).toBe(200);
  } finally {
    await sts.close();
  }
});

test('the store the CLI reuses: open a cluster by name, edit aws-auth with retry on conflict', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await seedAwsAuth(FOREIGN_AWS_AUTH);
  const log = new Logger({}, () => undefined);
  const open = await openCluster({ clusterName: kubeHarness().clusterName, region: kubeHarness().region, credentials: credentialsOf('handler'), log });
  try {
    expect(open.cluster.authenticationMode).toBe('CONFIG_MAP');
    let rounds = 0;
    const result = await updateAwsAuth(open.kube, (current) => {
      rounds++;
      const data = { ...(current!.data as Record<string, string>) };
      data.mapAccounts = `${data.mapAccounts}- "444455556666"\n`;
      return { ...current!, data } as KubeObject;
    }, { deadline: Deadline.in(30_000), log });
    expect(result).toMatchObject({ written: true, created: false, attempts: 1 });
    expect(rounds).toBe(1);
    expect(parseAwsAuth((await liveAwsAuth())!).configMap!.mapAccounts).toEqual([ACCOUNT, '444455556666']);
  } finally {
    open.close();
  }
});
