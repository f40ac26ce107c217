/**
 * A Delete never blocks a stack: on the real API server and the EKS fake, every case in which a
 * Delete cannot remove everything answers SUCCESS, leaves what it must in place, and lists it.
 * Creates and Updates keep refusing the same situations (see the aws-auth and access-entry scenarios).
 */
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { desiredState, invoke, useHandlerEnvironment } from './handler-support';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { parseAwsAuth, recordedOwners } from '../../lib/core/aws-auth';
import { DesiredClusterAccess, OWNER_KEY } from '../../lib/core/desired-state';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { eksFake, kubeHarness } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const ACCOUNT = '111122223333';
const HANDLER = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
const NODE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;
const DEV_AWS_AUTH = `arn:aws:iam::${ACCOUNT}:role/developer`;
const HANDLER_MAPPING = `- rolearn: ${HANDLER}\n  username: handler\n  groups:\n  - system:masters\n`;
const NODE_MAPPING = { rolearn: NODE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };

const team = {
  awsAuth: { mapRoles: [{ rolearn: DEV_AWS_AUTH, username: 'dev', groups: ['dev-team'] }], mapUsers: [], mapAccounts: [] },
  manifests: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'dev-read', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
  ],
};

function awsAuthOwner(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return desiredState({ mechanism: 'AWS_AUTH', handlerRoleArn: HANDLER, ...team, ...overrides });
}

async function seedConfigMapCluster(data: Record<string, string>): Promise<void> {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP' });
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data });
}

/**
 * The owner's Roles that stay in dev: none once dev is terminating, since a namespace's content goes
 * with it (this API server runs no namespace controller, so here they would linger).
 */
const ownedRoles = async () => {
  if ((await cluster.admin().get({ kind: 'Namespace', name: 'dev' }))?.metadata?.deletionTimestamp !== undefined) {
    return [];
  }
  return (await cluster.admin().list({ kind: 'Role', namespace: 'dev' }, { labelSelector: OWNER_KEY })).map((r) => r.metadata!.name);
};

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
});

test('aws-auth removed by someone else on a CONFIG_MAP cluster: the Delete cannot authenticate, answers SUCCESS and lists what stays', async () => {
  await seedConfigMapCluster({ mapRoles: HANDLER_MAPPING });
  const state = awsAuthOwner();
  expect((await invoke('Create', state)).error).toBeUndefined();
  await cluster.admin().delete(AWS_AUTH_REF);

  const removal = await invoke('Delete', state, undefined, 60_000);
  expect(removal.error).toBeUndefined();
  expect(removal.response!.PhysicalResourceId).toBe(`111122223333/${kubeHarness().region}/${kubeHarness().clusterName}/stack-a.access`);
  expect(removal.response!.Data!.Leftovers).toMatch(/RBAC objects and namespaces \(labelled cdk-eks-access\.dev\/owner=stack-a\.access\)/);
  expect(removal.response!.Data!.Leftovers).toMatch(/401/);
  expect(await ownedRoles()).toEqual(['dev-read']); // what it could not reach stays, and is named
  expect(removal.lines.some((l) => l.level === 'warn' && String(l.msg).includes('Delete left things in the cluster'))).toBe(true);
});

test('an aws-auth that cannot be parsed: the Delete leaves it untouched, removes the rest, answers SUCCESS', async () => {
  await seedConfigMapCluster({ mapRoles: HANDLER_MAPPING });
  const state = awsAuthOwner();
  expect((await invoke('Create', state)).error).toBeUndefined();
  const live = (await cluster.admin().get(AWS_AUTH_REF))!;
  const broken = { ...(live.data as Record<string, string>), mapUsers: '- userarn: [broken\n' };
  await cluster.admin().replace({ ...live, data: broken });

  const removal = await invoke('Delete', state);
  expect(removal.error).toBeUndefined();
  expect(removal.response!.Data!.Leftovers).toMatch(/aws-auth entries \(owner stack-a\.access\): aws-auth cannot be read safely, so it was left untouched/);
  expect((await cluster.admin().get(AWS_AUTH_REF))!.data).toEqual(broken);
  expect(await ownedRoles()).toEqual([]);
  // A Create refuses the same aws-auth.
  expect((await invoke('Create', state)).error?.message).toMatch(/aws-auth ConfigMap in kube-system cannot be read safely/);
});

test('the owner\'s mapping is the last node mapping: the Delete keeps it (no longer owned), removes the rest, answers SUCCESS', async () => {
  await seedConfigMapCluster({ mapRoles: HANDLER_MAPPING });
  const state = awsAuthOwner({ awsAuth: { ...team.awsAuth, mapRoles: [...team.awsAuth.mapRoles, NODE_MAPPING] } });
  expect((await invoke('Create', state)).error).toBeUndefined();
  // An Update that drops the node mapping is refused.
  expect((await invoke('Update', awsAuthOwner(), state)).error?.message).toMatch(/LockoutError.*last node mapping/);

  const removal = await invoke('Delete', state);
  expect(removal.error).toBeUndefined();
  expect(removal.response!.Data!.Leftovers).toMatch(/aws-auth node mappings arn:aws:iam::111122223333:role\/eks-node \(no longer owned by stack-a\.access\)/);
  const after = parseAwsAuth((await cluster.admin().get(AWS_AUTH_REF))!).configMap!;
  expect(after.mapRoles.map((r) => r.rolearn)).toEqual([HANDLER, NODE]);
  expect(recordedOwners(after.metadata.annotations)).toEqual([]);
  expect(await ownedRoles()).toEqual([]);
});

test('mode API: the owner\'s node entry is the last one: the Delete keeps it, removes the rest, answers SUCCESS', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API' });
  const node: AccessEntrySpec = { principalArn: NODE, type: 'EC2_LINUX', kubernetesGroups: [], accessPolicies: [] };
  const dev: AccessEntrySpec = { principalArn: `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`, type: 'STANDARD', kubernetesGroups: ['dev-team'], accessPolicies: [] };
  const state = desiredState({ handlerRoleArn: HANDLER, accessEntries: [node, dev], manifests: team.manifests });
  expect((await invoke('Create', state)).error).toBeUndefined();
  const removal = await invoke('Delete', state);
  expect(removal.error).toBeUndefined();
  expect(removal.response!.Data!.Leftovers).toMatch(/access entries arn:aws:iam::111122223333:role\/eks-node: they are the cluster's last node entries/);
  const entries = (await eksFake().state()).clusters[0].accessEntries.map((e) => e.principalArn);
  expect(entries).toContain(NODE);
  expect(entries).not.toContain(dev.principalArn);
  expect(await ownedRoles()).toEqual([]);
});

/** A TCP relay to the API server on a port of its own, which can stop (refusing connections) and start again. */
async function relay(): Promise<{ endpoint: string; stop(): Promise<void>; start(): Promise<void> }> {
  const target = new URL(kubeHarness().endpoint);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      [client, upstream].forEach((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      });
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => server!.close(resolve));
  };
  await start();
  return { endpoint: `https://127.0.0.1:${port}`, stop, start };
}

test('an ACTIVE cluster whose endpoint refuses connections for a few seconds: the Delete waits it out and removes everything', async () => {
  const endpoint = await relay();
  try {
    await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API', endpoint: endpoint.endpoint });
    const state = desiredState({ handlerRoleArn: HANDLER, manifests: team.manifests });
    expect((await invoke('Create', state)).error).toBeUndefined();
    await endpoint.stop();
    setTimeout(() => void endpoint.start(), 4_000);
    const removal = await invoke('Delete', state);
    expect(removal.error).toBeUndefined();
    expect(removal.response!.Data!.Leftovers).toBeUndefined();
    expect(removal.lines.some((l) => String(l.msg).startsWith('retryable failure') && JSON.stringify(l).includes('ECONNREFUSED'))).toBe(true);
    expect(await ownedRoles()).toEqual([]);
  } finally {
    await endpoint.stop().catch(() => undefined);
  }
});
