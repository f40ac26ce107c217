/**
 * The EKS rules the fake enforces, each from the document named beside it (see
 * test/support/eks-fake/README.md), checked through the real SDK over HTTP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AccessDeniedException, AssociateAccessPolicyCommand, BadRequestException, CreateAccessEntryCommand, DescribeClusterCommand,
  DescribeUpdateCommand, EKSClient, InvalidParameterException, ListAccessEntriesCommand, ListAccessPoliciesCommand,
  ResourceInUseException, ResourceLimitExceededException, TagResourceCommand, UpdateAccessEntryCommand, UpdateClusterConfigCommand,
} from '@aws-sdk/client-eks';
import { ACCESS_POLICIES, EksFake, EksFakeControl, accessPolicyArn, faults, startEksFake } from '../support/eks-fake';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/nodes/node-role`;
const DEV_ROLE = `arn:aws:iam::${ACCOUNT}:role/dev`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

let fake: EksFake;
let eks: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ accountId: ACCOUNT });
  eks = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eks.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.configure({ updateCompletesAfterDescribes: 0, updatesStayInProgress: false, accessEntryLimit: 0 });
  fake.seedCluster({ name: 'prod', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
});

type ServiceError = Error & { $metadata: { httpStatusCode?: number } };

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const create = (input: Partial<ConstructorParameters<typeof CreateAccessEntryCommand>[0]>) =>
  eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, ...input }));

describe('iam:PassRole for node entries (User Guide, Create access entries)', () => {
  const callerArn = `arn:aws:sts::${ACCOUNT}:assumed-role/handler/session`;

  test.each(['EC2_LINUX', 'EC2_WINDOWS'])('creating a %s entry needs iam:PassRole on the role', async (type) => {
    fake.state.setCallerPolicy({ callerArn, statements: [{ Effect: 'Allow', Action: 'eks:*', Resource: '*' }] });
    const denied = await failure(create({ principalArn: NODE_ROLE, type }));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toBe(`User: ${callerArn} is not authorized to perform: iam:PassRole on resource: ${NODE_ROLE} because no identity-based policy allows the iam:PassRole action`);
    expect(fake.state.accessEntries('prod')).toEqual([]);

    fake.state.setCallerPolicy({ callerArn, statements: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: NODE_ROLE }] });
    await create({ principalArn: NODE_ROLE, type });
    expect(fake.state.accessEntry('prod', NODE_ROLE)!.type).toBe(type);
  });

  test('PassRole on another role, or an explicit Deny, is not enough; other types need none', async () => {
    fake.state.setCallerPolicy({ statements: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/other` }] });
    expect(await failure(create({ principalArn: NODE_ROLE, type: 'EC2_LINUX' }))).toBeInstanceOf(AccessDeniedException);
    fake.state.setCallerPolicy({
      statements: [
        { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/nodes/*` },
      ],
    });
    expect(await failure(create({ principalArn: NODE_ROLE, type: 'EC2_LINUX' }))).toBeInstanceOf(AccessDeniedException);
    await create({ principalArn: NODE_ROLE, type: 'FARGATE_LINUX' });
    await create({ principalArn: DEV_ROLE });
  });

  test('a policy applies to the access key it names; without any policy the caller may do anything', async () => {
    fake.state.setCallerPolicy({ accessKeyId: 'AKIAOTHERCALLER', statements: [{ Effect: 'Allow', Action: 'eks:*', Resource: '*' }] });
    await create({ principalArn: NODE_ROLE, type: 'EC2_LINUX' }); // signed with the fake's own test key
    expect(fake.state.accessEntry('prod', NODE_ROLE)).toBeDefined();
  });

  test('statements the model cannot evaluate are refused, not ignored', () => {
    expect(() => fake.state.setCallerPolicy({ statements: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } } } as never] }))
      .toThrow(/does not evaluate Condition/);
    expect(() => fake.state.setCallerPolicy({ statements: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['R', 'Arn'] } } as never] }))
      .toThrow(/resolve intrinsics first/);
  });
});

describe('usernames (User Guide, Create access entries)', () => {
  test.each(['john{{SessionName}}', '{{SessionName}}', 'john{{SessionNameRaw}}', 'a{{SessionName}}:b'])('%s has no colon before the session name and is refused', async (username) => {
    const error = await failure(create({ username }));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/must have a colon before it/);
    expect(fake.state.accessEntries('prod')).toEqual([]);
  });

  test.each([':john{{SessionName}}', 'jo:hn{{SessionName}}', 'dev:{{SessionNameRaw}}', 'john'])('%s is accepted', async (username) => {
    await create({ username });
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.username).toBe(username);
  });

  test('UpdateAccessEntry applies the same rule', async () => {
    await create({ username: 'dev:{{SessionName}}' });
    expect(await failure(eks.send(new UpdateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, username: 'dev{{SessionName}}' }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.username).toBe('dev:{{SessionName}}');
  });

  test('reserved prefixes are compared with case, as the authenticator compares them', async () => {
    for (const prefix of ['system:', 'eks:', 'aws:', 'amazon:', 'iam:']) {
      const error = await failure(create({ username: `${prefix}me` }));
      expect(error.message).toBe(`The username must not begin with ${prefix}`);
    }
    await create({ username: 'System:me' });
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.username).toBe('System:me');
  });
});

describe('access policies (User Guide, Review access policy permissions)', () => {
  test('ListAccessPolicies lists every documented policy, AmazonEKSSecretReaderPolicy and AmazonEKSClusterInsightsPolicy included', async () => {
    const listed = await eks.send(new ListAccessPoliciesCommand({}));
    const names = listed.accessPolicies!.map((p) => p.name);
    expect(names).toEqual(ACCESS_POLICIES.map((p) => p.name));
    expect(names).toEqual(expect.arrayContaining(['AmazonEKSSecretReaderPolicy', 'AmazonEKSClusterInsightsPolicy']));
  });

  test.each(['AmazonEKSBlockStoragePolicy', 'AmazonEKSBlockStorageClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSComputeClusterPolicy', 'AmazonEKSHybridPolicy', 'AmazonEKSClusterInsightsPolicy'])(
    '%s is for service-linked roles only: no customer role gets it', async (name) => {
      await create({});
      const error = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: DEV_ROLE, policyArn: accessPolicyArn(name), accessScope: { type: 'cluster' } })));
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toMatch(/designated for AWS service-linked roles only/);
      expect(fake.state.accessEntry('prod', DEV_ROLE)!.accessPolicies).toEqual([]);
    });

  test('the Auto Mode and networking policies the docs do not reserve can be associated', async () => {
    await create({});
    for (const name of ['AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy', 'AmazonEKSSecretReaderPolicy']) {
      await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: DEV_ROLE, policyArn: accessPolicyArn(name), accessScope: { type: 'cluster' } }));
    }
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.accessPolicies).toHaveLength(3);
  });
});

describe('entry types (API reference CreateAccessEntry type; Auto Mode: Create node class access entry)', () => {
  test('an EC2 (Auto Mode) entry takes AmazonEKSAutoNodePolicy and no other policy', async () => {
    await create({ principalArn: NODE_ROLE, type: 'EC2' });
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: NODE_ROLE, policyArn: accessPolicyArn('AmazonEKSAutoNodePolicy'), accessScope: { type: 'cluster' } }));
    const other = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: NODE_ROLE, policyArn: accessPolicyArn('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' } })));
    expect(other).toBeInstanceOf(InvalidParameterException);
    expect(fake.state.accessEntry('prod', NODE_ROLE)!.accessPolicies.map((p) => p.policyArn)).toEqual([accessPolicyArn('AmazonEKSAutoNodePolicy')]);
  });

  test.each(['EC2', 'HYPERPOD_LINUX'])('a %s entry takes no groups and no username', async (type) => {
    expect(await failure(create({ principalArn: NODE_ROLE, type, kubernetesGroups: ['x'] }))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(create({ principalArn: NODE_ROLE, type, username: 'n' }))).toBeInstanceOf(InvalidParameterException);
    await create({ principalArn: NODE_ROLE, type });
    expect(fake.state.accessEntry('prod', NODE_ROLE)!.type).toBe(type);
  });

  test.each(['EC2', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'HYPERPOD_LINUX'])('a %s entry needs a role in the cluster\'s account', async (type) => {
    const error = await failure(create({ principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/node-role`, type }));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/cluster's account 111122223333/);
  });

  test('a STANDARD entry may name a principal of another account', async () => {
    await create({ principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/auditor` });
    expect(fake.state.accessEntries('prod')).toHaveLength(1);
  });
});

describe('principals, checked from the documents, not by the library under test', () => {
  test.each([
    ['an assumed-role session', `arn:aws:sts::${ACCOUNT}:assumed-role/dev/session`],
    ['a role without a name', `arn:aws:iam::${ACCOUNT}:role`],
    ['a role with an empty name', `arn:aws:iam::${ACCOUNT}:role/`],
    ['an empty path segment', `arn:aws:iam::${ACCOUNT}:role/a//dev`],
    ['a name of 65 characters', `arn:aws:iam::${ACCOUNT}:role/${'r'.repeat(65)}`],
    ['a name with a space', `arn:aws:iam::${ACCOUNT}:role/my role`],
    ['an account of 11 digits', 'arn:aws:iam::11112222333:role/dev'],
    ['a region', `arn:aws:iam:us-east-1:${ACCOUNT}:role/dev`],
    ['a group', `arn:aws:iam::${ACCOUNT}:group/devs`],
    ['an instance profile', `arn:aws:iam::${ACCOUNT}:instance-profile/nodes`],
    ['no ARN at all', 'dev'],
  ])('%s: "The principalArn parameter format is not valid"', async (_what, principalArn) => {
    const error = await failure(create({ principalArn }));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('The principalArn parameter format is not valid');
  });

  test.each([
    `arn:aws:iam::${ACCOUNT}:role/a/b/c/deep`,
    `arn:aws:iam::${ACCOUNT}:role/${'r'.repeat(64)}`,
    `arn:aws:iam::${ACCOUNT}:role/name+=,.@_-`,
    `arn:aws:iam::${ACCOUNT}:user/people/bob`,
  ])('%s is a valid principal', async (principalArn) => {
    await create({ principalArn });
    expect(fake.state.accessEntry('prod', principalArn)).toBeDefined();
  });

  test('a principal IAM does not know answers differently from a malformed one', async () => {
    fake.state.setPrincipalMissing(DEV_ROLE);
    expect((await failure(create({}))).message).toBe('The specified principalArn is invalid: invalid principal.');
  });

  test('a service-linked role is refused with EKS\'s message', async () => {
    const error = await failure(create({ principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS` }));
    expect(error.message).toBe('The caller is not allowed to modify access entries with a principalArn value of a Service Linked Role');
  });
});

describe('smaller model rules', () => {
  test('a resource holds at most 50 tags, counted across calls', async () => {
    const created = await create({ tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v'])) });
    const arn = created.accessEntry!.accessEntryArn!;
    await eks.send(new TagResourceCommand({ resourceArn: arn, tags: { k0: 'again', k48: 'v', k49: 'v' } }));
    const error = await failure(eks.send(new TagResourceCommand({ resourceArn: arn, tags: { k50: 'v' } })));
    expect(error).toBeInstanceOf(BadRequestException);
    expect(Object.keys(fake.state.accessEntry('prod', DEV_ROLE)!.tags)).toHaveLength(50);
  });

  test.each([
    `arn:aws:iam::${ACCOUNT}:role/DEV`,
    `arn:aws:iam::${ACCOUNT}:role/team/dev`,
    `arn:aws:iam::${ACCOUNT}:role/Team/Dev`,
  ])('role/dev exists: %s names the same IAM role and cannot get a second entry', async (principalArn) => {
    await create({});
    expect(await failure(create({ principalArn }))).toBeInstanceOf(ResourceInUseException);
    expect(fake.state.accessEntries('prod').map((e) => e.principalArn)).toEqual([DEV_ROLE]);
  });

  test('a user and a role of the same name are different principals', async () => {
    await create({ principalArn: `arn:aws:iam::${ACCOUNT}:role/alice` });
    await create({ principalArn: ALICE });
    expect(fake.state.accessEntries('prod')).toHaveLength(2);
  });

  test('principal and policy ARNs of another partition are refused', async () => {
    expect(await failure(create({ principalArn: `arn:aws-cn:iam::${ACCOUNT}:role/dev` }))).toBeInstanceOf(InvalidParameterException);
    await create({});
    const policy = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: DEV_ROLE, policyArn: accessPolicyArn('AmazonEKSViewPolicy', 'aws-cn'), accessScope: { type: 'cluster' } })));
    expect(policy).toBeInstanceOf(InvalidParameterException);
    expect(await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', associatedPolicyArn: accessPolicyArn('AmazonEKSViewPolicy', 'aws-us-gov') }))))
      .toBeInstanceOf(InvalidParameterException);
  });

  test('in another partition the fake takes that partition\'s ARNs', async () => {
    const cn = await startEksFake({ partition: 'aws-cn', region: 'cn-north-1', accountId: ACCOUNT });
    const client = new EKSClient({ ...cn.clientConfig(), maxAttempts: 1 });
    try {
      cn.seedCluster({ name: 'c', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
      const role = `arn:aws-cn:iam::${ACCOUNT}:role/dev`;
      await client.send(new CreateAccessEntryCommand({ clusterName: 'c', principalArn: role }));
      await client.send(new AssociateAccessPolicyCommand({ clusterName: 'c', principalArn: role, policyArn: accessPolicyArn('AmazonEKSViewPolicy', 'aws-cn'), accessScope: { type: 'cluster' } }));
      expect(await failure(client.send(new CreateAccessEntryCommand({ clusterName: 'c', principalArn: `arn:aws:iam::${ACCOUNT}:role/x` })))).toBeInstanceOf(InvalidParameterException);
    } finally {
      client.destroy();
      await cn.close();
    }
  });
});

describe('controls for the branches a handler must survive', () => {
  test('an update can end Failed or Cancelled with errors[]; the mode does not change', async () => {
    fake.seedCluster({ name: 'legacy', authenticationMode: 'CONFIG_MAP' });
    const errors = [{ errorCode: 'AccessDenied', errorMessage: 'the cluster role cannot do it', resourceIds: ['legacy'] }];
    fake.state.setNextUpdateOutcome({ status: 'Failed', errors });
    const started = await eks.send(new UpdateClusterConfigCommand({ name: 'legacy', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    const update = (await eks.send(new DescribeUpdateCommand({ name: 'legacy', updateId: started.update!.id! }))).update!;
    expect(update.status).toBe('Failed');
    expect(update.errors).toEqual(errors);
    expect(fake.state.authenticationMode('legacy')).toBe('CONFIG_MAP');
    expect(fake.state.cluster('legacy')!.status).toBe('ACTIVE');

    fake.state.setNextUpdateOutcome({ status: 'Cancelled' });
    const again = await eks.send(new UpdateClusterConfigCommand({ name: 'legacy', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    expect((await eks.send(new DescribeUpdateCommand({ name: 'legacy', updateId: again.update!.id! }))).update!.status).toBe('Cancelled');
    // The outcome applies once: the next update succeeds.
    const third = await eks.send(new UpdateClusterConfigCommand({ name: 'legacy', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    expect((await eks.send(new DescribeUpdateCommand({ name: 'legacy', updateId: third.update!.id! }))).update!.status).toBe('Successful');
  });

  test('updates can stay InProgress, the cluster UPDATING, until the test completes them', async () => {
    fake.seedCluster({ name: 'legacy', authenticationMode: 'CONFIG_MAP' });
    fake.configure({ updatesStayInProgress: true });
    const started = await eks.send(new UpdateClusterConfigCommand({ name: 'legacy', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    for (let i = 0; i < 5; i++) {
      expect((await eks.send(new DescribeUpdateCommand({ name: 'legacy', updateId: started.update!.id! }))).update!.status).toBe('InProgress');
    }
    expect((await eks.send(new DescribeClusterCommand({ name: 'legacy' }))).cluster!.status).toBe('UPDATING');
    fake.state.completeUpdates();
    expect((await eks.send(new DescribeClusterCommand({ name: 'legacy' }))).cluster!.status).toBe('ACTIVE');
  });

  test('a cluster can answer DescribeCluster without accessConfig', async () => {
    fake.seedCluster({ name: 'old', reportAccessConfig: false });
    const cluster = (await eks.send(new DescribeClusterCommand({ name: 'old' }))).cluster!;
    expect(cluster.accessConfig).toBeUndefined();
    expect(fake.state.authenticationMode('old')).toBe('CONFIG_MAP');
  });

  test('CreateAccessEntry answers ResourceLimitExceededException past a limit, or once by fault', async () => {
    fake.configure({ accessEntryLimit: 1 });
    await create({});
    const error = await failure(create({ principalArn: ALICE }));
    expect(error).toBeInstanceOf(ResourceLimitExceededException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    fake.configure({ accessEntryLimit: 0 });
    fake.injectFault(faults.resourceLimitExceeded());
    expect(await failure(create({ principalArn: ALICE }))).toBeInstanceOf(ResourceLimitExceededException);
    await create({ principalArn: ALICE });
  });

  test('the same controls over HTTP', async () => {
    const control = new EksFakeControl(fake.endpoint);
    await control.setCallerPolicy({ statements: [{ Effect: 'Allow', Action: 'eks:*', Resource: '*' }] });
    expect(await failure(create({ principalArn: NODE_ROLE, type: 'EC2_LINUX' }))).toBeInstanceOf(AccessDeniedException);
    await control.seedCluster({ name: 'legacy', authenticationMode: 'CONFIG_MAP' });
    await control.setNextUpdateOutcome({ status: 'Failed', errors: [{ errorCode: 'Unknown', errorMessage: 'boom' }] });
    const started = await eks.send(new UpdateClusterConfigCommand({ name: 'legacy', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    expect((await eks.send(new DescribeUpdateCommand({ name: 'legacy', updateId: started.update!.id! }))).update!.status).toBe('Failed');
    await control.configure({ updatesStayInProgress: true, accessEntryLimit: 5 });
    expect(fake.state.updatesStayInProgress).toBe(true);
    expect(fake.state.accessEntryLimit).toBe(5);
    await control.reset();
    fake.seedCluster({ name: 'prod', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
    await create({ principalArn: NODE_ROLE, type: 'EC2_LINUX' }); // the reset dropped the caller policy
  });
});

test('the fake imports nothing from the library it checks', () => {
  const dir = join(__dirname, '..', 'support', 'eks-fake');
  const imports = readdirSync(dir).filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => `${f}: ${m[1]}`));
  expect(imports.filter((i) => /\blib\//.test(i))).toEqual([]);
});
