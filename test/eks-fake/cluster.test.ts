import {
  CreateAccessEntryCommand, CreateClusterCommand, DescribeClusterCommand, DescribeUpdateCommand, EKSClient,
  InvalidParameterException, ListAccessEntriesCommand, ListAssociatedAccessPoliciesCommand, ListClustersCommand, ListUpdatesCommand,
  ResourceInUseException, ResourceNotFoundException, UpdateClusterConfigCommand, waitUntilClusterActive,
} from '@aws-sdk/client-eks';
import { AuthenticationMode, EksFake, accessPolicyArn, faults, startEksFake } from '../support/eks-fake';

const ACCOUNT = '444455556666';
const CREATOR = `arn:aws:iam::${ACCOUNT}:role/platform/deployer`;
const ADMIN = accessPolicyArn('AmazonEKSClusterAdminPolicy');
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nTUlJ\n-----END CERTIFICATE-----\n').toString('base64');

let fake: EksFake;
let eks: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ accountId: ACCOUNT, region: 'eu-west-1', creatorArn: CREATOR, clusterEndpoint: 'https://127.0.0.1:6443', certificateAuthorityData: CA });
  eks = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});

afterAll(async () => {
  eks.destroy();
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.configure({ updateCompletesAfterDescribes: 0, clusterActiveAfterDescribes: 0 });
});

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const create = (name: string, accessConfig?: { authenticationMode?: AuthenticationMode; bootstrapClusterCreatorAdminPermissions?: boolean }) =>
  eks.send(new CreateClusterCommand({
    name, roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`, resourcesVpcConfig: { subnetIds: ['subnet-1'] }, ...(accessConfig ? { accessConfig } : {}),
  }));

describe('CreateCluster / DescribeCluster', () => {
  test('creates a CREATING cluster that turns ACTIVE after the configured describes, with endpoint, CA, ARN and accessConfig', async () => {
    fake.configure({ clusterActiveAfterDescribes: 2 });
    const created = await create('blue', { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true });
    expect(created.cluster).toMatchObject({
      name: 'blue',
      status: 'CREATING',
      arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/blue`,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
    });
    expect(created.cluster!.endpoint).toBeUndefined();
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await eks.send(new DescribeClusterCommand({ name: 'blue' }))).cluster!.status!);
    }
    expect(statuses).toEqual(['CREATING', 'CREATING', 'ACTIVE']);
    const active = (await eks.send(new DescribeClusterCommand({ name: 'blue' }))).cluster!;
    expect(active.endpoint).toBe('https://127.0.0.1:6443');
    expect(active.certificateAuthority).toEqual({ data: CA });
    expect(active.createdAt).toBeInstanceOf(Date);
  });

  test('the SDK waiter sees a seeded cluster become ACTIVE', async () => {
    fake.seedCluster({ name: 'slow', activeAfterDescribes: 2 });
    expect(fake.state.cluster('slow')!.status).toBe('CREATING');
    const result = await waitUntilClusterActive({ client: eks, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { name: 'slow' });
    expect(result.state).toBe('SUCCESS');
    expect(fake.calls.count({ operation: 'DescribeCluster' })).toBe(3);
  });

  test('defaults to CONFIG_MAP with bootstrap admin, which lives in aws-auth (no access entry)', async () => {
    const created = await create('legacy');
    expect(created.cluster!.accessConfig).toEqual({ authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true });
    expect(fake.state.accessEntries('legacy')).toEqual([]);
  });

  test('the creator gets a cluster-admin access entry when bootstrap is on, none when off', async () => {
    await create('with', { authenticationMode: 'API_AND_CONFIG_MAP' });
    const entry = fake.state.accessEntry('with', CREATOR)!;
    expect(entry.username).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/{{SessionName}}`);
    expect(entry.accessPolicies.map((p) => [p.policyArn, p.accessScope.type])).toEqual([[ADMIN, 'cluster']]);
    const listed = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'with', principalArn: CREATOR }));
    expect(listed.associatedAccessPolicies!.map((p) => p.policyArn)).toEqual([ADMIN]);

    await create('without', { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
    expect((await eks.send(new ListAccessEntriesCommand({ clusterName: 'without' }))).accessEntries).toEqual([]);
  });

  test('refuses CONFIG_MAP without bootstrap, an unknown mode, a bad name and a duplicate', async () => {
    const noBootstrap = await failure(create('x', { authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: false }));
    expect(noBootstrap).toBeInstanceOf(InvalidParameterException);
    expect(noBootstrap.message).toBe('bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP');
    expect(await failure(create('x', { authenticationMode: 'OIDC' as never }))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(create('-bad'))).toBeInstanceOf(InvalidParameterException);
    await create('x');
    const duplicate = await failure(create('x'));
    expect(duplicate).toBeInstanceOf(ResourceInUseException);
    expect(duplicate.$metadata.httpStatusCode).toBe(409);
  });

  test('a missing cluster is ResourceNotFoundException', async () => {
    const error = await failure(eks.send(new DescribeClusterCommand({ name: 'ghost' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('No cluster found for name: ghost.');
  });

  test('ListClusters pages', async () => {
    for (const name of ['c', 'a', 'b']) {
      fake.seedCluster({ name });
    }
    const first = await eks.send(new ListClustersCommand({ maxResults: 2 }));
    expect(first.clusters).toEqual(['a', 'b']);
    const second = await eks.send(new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second).toMatchObject({ clusters: ['c'] });
    expect(second.nextToken).toBeUndefined();
  });
});

describe('UpdateClusterConfig: authentication mode', () => {
  const update = (name: string, authenticationMode: string) =>
    eks.send(new UpdateClusterConfigCommand({ name, accessConfig: { authenticationMode: authenticationMode as AuthenticationMode } }));

  test('moves one step forward; the update completes at once by default', async () => {
    fake.seedCluster({ name: 'c', authenticationMode: 'CONFIG_MAP' });
    const answer = await update('c', 'API_AND_CONFIG_MAP');
    expect(answer.update).toMatchObject({
      status: 'InProgress', type: 'AccessConfigUpdate', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }], errors: [],
    });
    expect(answer.update!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.state.authenticationMode('c')).toBe('API_AND_CONFIG_MAP');
    const described = await eks.send(new DescribeUpdateCommand({ name: 'c', updateId: answer.update!.id }));
    expect(described.update!.status).toBe('Successful');
    // The creator's bootstrap admin appears once the cluster takes access entries.
    expect(fake.state.accessEntry('c', CREATOR)!.accessPolicies[0].policyArn).toBe(ADMIN);

    await update('c', 'API');
    expect((await eks.send(new DescribeClusterCommand({ name: 'c' }))).cluster!.accessConfig!.authenticationMode).toBe('API');
    expect((await eks.send(new ListUpdatesCommand({ name: 'c' }))).updateIds).toHaveLength(2);
  });

  test.each([
    ['API_AND_CONFIG_MAP', 'CONFIG_MAP'],
    ['API', 'API_AND_CONFIG_MAP'],
    ['API', 'CONFIG_MAP'],
    ['CONFIG_MAP', 'API'],
    ['API_AND_CONFIG_MAP', 'API_AND_CONFIG_MAP'],
    ['API', 'API'],
  ])('from %s to %s is refused and changes nothing', async (from, to) => {
    fake.seedCluster({ name: 'c', authenticationMode: from as AuthenticationMode });
    const error = await failure(update('c', to));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(`Unsupported authentication mode update from ${from} to ${to}`);
    expect(fake.state.authenticationMode('c')).toBe(from);
    expect(fake.state.cluster('c')!.updates).toEqual([]);
  });

  test('an unknown mode or no change is InvalidParameterException; a missing cluster ResourceNotFoundException', async () => {
    fake.seedCluster({ name: 'c', authenticationMode: 'CONFIG_MAP' });
    expect(await failure(update('c', 'OPEN'))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(eks.send(new UpdateClusterConfigCommand({ name: 'c' })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(update('ghost', 'API'))).toBeInstanceOf(ResourceNotFoundException);
  });

  test('a slow update: UPDATING until the Nth DescribeUpdate, then the mode changes; a second update meanwhile is refused', async () => {
    fake.configure({ updateCompletesAfterDescribes: 2 });
    fake.seedCluster({ name: 'c', authenticationMode: 'API_AND_CONFIG_MAP' });
    const { update: started } = await update('c', 'API');
    const cluster = (await eks.send(new DescribeClusterCommand({ name: 'c' }))).cluster!;
    expect(cluster.status).toBe('UPDATING');
    expect(cluster.accessConfig!.authenticationMode).toBe('API_AND_CONFIG_MAP');
    expect(await failure(update('c', 'API'))).toBeInstanceOf(ResourceInUseException);

    const first = await eks.send(new DescribeUpdateCommand({ name: 'c', updateId: started!.id }));
    expect(first.update!.status).toBe('InProgress');
    expect(fake.state.authenticationMode('c')).toBe('API_AND_CONFIG_MAP');
    const second = await eks.send(new DescribeUpdateCommand({ name: 'c', updateId: started!.id }));
    expect(second.update!.status).toBe('Successful');
    const after = (await eks.send(new DescribeClusterCommand({ name: 'c' }))).cluster!;
    expect(after.status).toBe('ACTIVE');
    expect(after.accessConfig!.authenticationMode).toBe('API');
  });

  test('completeUpdates finishes a slow update; an unknown update ID is ResourceNotFoundException', async () => {
    fake.configure({ updateCompletesAfterDescribes: 5 });
    fake.seedCluster({ name: 'c', authenticationMode: 'CONFIG_MAP' });
    await update('c', 'API_AND_CONFIG_MAP');
    fake.state.completeUpdates();
    expect(fake.state.authenticationMode('c')).toBe('API_AND_CONFIG_MAP');
    expect(fake.state.cluster('c')!.status).toBe('ACTIVE');
    const unknown = await failure(eks.send(new DescribeUpdateCommand({ name: 'c', updateId: 'no-such-update' })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });

  test('access entries become possible after leaving CONFIG_MAP', async () => {
    fake.seedCluster({ name: 'c', authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: false });
    const principalArn = `arn:aws:iam::${ACCOUNT}:role/dev`;
    await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'c', principalArn })));
    await update('c', 'API_AND_CONFIG_MAP');
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'c', principalArn }));
    expect(fake.state.accessEntries('c').map((e) => e.principalArn)).toEqual([principalArn]);
  });

  test('a retry with the same clientRequestToken gets the same update, even after a lost response', async () => {
    fake.seedCluster({ name: 'c', authenticationMode: 'CONFIG_MAP' });
    fake.injectFault(faults.lostResponse('UpdateClusterConfig'));
    const command = () => new UpdateClusterConfigCommand({ name: 'c', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, clientRequestToken: 't-1' });
    expect((await failure(eks.send(command()))).name).toBe('InternalFailure');
    expect(fake.state.authenticationMode('c')).toBe('API_AND_CONFIG_MAP');
    const retried = await eks.send(command());
    expect(retried.update!.id).toBe(fake.state.cluster('c')!.updates[0].id);
    expect(fake.state.cluster('c')!.updates).toHaveLength(1);
    // Without the token, the same request is a refused same-mode update.
    const fresh = await failure(eks.send(new UpdateClusterConfigCommand({ name: 'c', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } })));
    expect(fresh).toBeInstanceOf(InvalidParameterException);
  });

  test('fields other than accessConfig are refused by name', async () => {
    fake.seedCluster({ name: 'c' });
    const error = await failure(eks.send(new UpdateClusterConfigCommand({ name: 'c', logging: { clusterLogging: [] } })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/logging/);
  });
});
