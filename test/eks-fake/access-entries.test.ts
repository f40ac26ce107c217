import {
  AssociateAccessPolicyCommand, CreateAccessEntryCommand, DeleteAccessEntryCommand, DescribeAccessEntryCommand,
  DisassociateAccessPolicyCommand, EKSClient, InvalidParameterException, InvalidRequestException, ListAccessEntriesCommand,
  ListAccessPoliciesCommand, ListAssociatedAccessPoliciesCommand, ListTagsForResourceCommand, NotFoundException,
  ResourceInUseException, ResourceNotFoundException, TagResourceCommand, UntagResourceCommand, UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { EksFake, accessPolicyArn, startEksFake } from '../support/eks-fake';

const ACCOUNT = '111122223333';
const DEV_ROLE = `arn:aws:iam::${ACCOUNT}:role/team/dev`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/node-role`;
const ADMIN = accessPolicyArn('AmazonEKSClusterAdminPolicy');
const VIEW = accessPolicyArn('AmazonEKSViewPolicy');
const EDIT = accessPolicyArn('AmazonEKSEditPolicy');

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
  fake.seedCluster({ name: 'prod', authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: false });
});

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; clusterName?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('CreateAccessEntry / DescribeAccessEntry', () => {
  test('creates a STANDARD role entry with the assumed-role username EKS sets, keeping the role path', async () => {
    const created = await eks.send(new CreateAccessEntryCommand({
      clusterName: 'prod', principalArn: DEV_ROLE, kubernetesGroups: ['devs'], tags: { team: 'a' },
    }));
    const entry = created.accessEntry!;
    expect(entry).toMatchObject({
      clusterName: 'prod',
      principalArn: DEV_ROLE,
      kubernetesGroups: ['devs'],
      username: `arn:aws:sts::${ACCOUNT}:assumed-role/dev/{{SessionName}}`,
      type: 'STANDARD',
      tags: { team: 'a' },
    });
    expect(entry.accessEntryArn).toMatch(new RegExp(`^arn:aws:eks:us-east-1:${ACCOUNT}:access-entry/prod/role/${ACCOUNT}/dev/[0-9a-f-]{36}$`));
    expect(entry.createdAt).toBeInstanceOf(Date);
    expect(entry.modifiedAt!.getTime()).toBe(entry.createdAt!.getTime());

    const described = await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    expect(described.accessEntry).toEqual(entry);
  });

  test('a user gets its own ARN as username; a custom username is kept', async () => {
    const user = await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: ALICE }));
    expect(user.accessEntry!.username).toBe(ALICE);
    expect(user.accessEntry!.kubernetesGroups).toEqual([]);
    const role = await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, username: 'dev-user' }));
    expect(role.accessEntry!.username).toBe('dev-user');
  });

  test.each([
    ['EC2_LINUX', 'system:node:{{EC2PrivateDNSName}}', ['system:nodes']],
    ['EC2_WINDOWS', 'system:node:{{EC2PrivateDNSName}}', ['system:nodes', 'eks:kube-proxy-windows']],
    ['FARGATE_LINUX', 'system:node:{{SessionName}}', ['system:nodes', 'system:node-proxier']],
    ['HYBRID_LINUX', 'system:node:{{SessionName}}', ['system:nodes']],
  ])('node type %s gets the node identity EKS sets', async (type, username, groups) => {
    const created = await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: NODE_ROLE, type }));
    expect(created.accessEntry).toMatchObject({ type, username, kubernetesGroups: groups });
  });

  test('an existing entry is ResourceInUseException (409) and is left unchanged', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, kubernetesGroups: ['a'] }));
    const error = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, kubernetesGroups: ['b'] })));
    expect(error).toBeInstanceOf(ResourceInUseException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.message).toBe('The specified access entry resource is already in use on this cluster.');
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.kubernetesGroups).toEqual(['a']);
  });

  test('a missing entry and a missing cluster are both ResourceNotFoundException, with distinct messages', async () => {
    const noEntry = await failure(eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE })));
    expect(noEntry).toBeInstanceOf(ResourceNotFoundException);
    expect(noEntry.$metadata.httpStatusCode).toBe(404);
    expect(noEntry.message).toMatch(/^The specified principalArn could not be found/);
    const noCluster = await failure(eks.send(new DescribeAccessEntryCommand({ clusterName: 'staging', principalArn: DEV_ROLE })));
    expect(noCluster).toBeInstanceOf(ResourceNotFoundException);
    expect(noCluster.message).toBe('No cluster found for name: staging.');
    expect(noCluster.clusterName).toBe('staging');
  });

  test.each([
    ['an assumed-role session', { principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/dev/session` }, /^The principalArn parameter format is not valid$/],
    ['a non-IAM ARN', { principalArn: 'arn:aws:s3:::bucket' }, /^The principalArn parameter format is not valid$/],
    ['a system: group', { principalArn: DEV_ROLE, kubernetesGroups: ['system:masters'] }, /^The kubernetes group name system:masters is invalid, it cannot start with system:$/],
    ['a reserved username', { principalArn: DEV_ROLE, username: 'eks:admin' }, /^The username must not begin with eks:$/],
    ['groups on a node type', { principalArn: NODE_ROLE, type: 'EC2_LINUX', kubernetesGroups: ['x'] }, /kubernetesGroups cannot be specified.*EC2_LINUX/],
    ['a username on a node type', { principalArn: NODE_ROLE, type: 'FARGATE_LINUX', username: 'n' }, /username cannot be specified.*FARGATE_LINUX/],
    ['a user on a node type', { principalArn: ALICE, type: 'EC2_LINUX' }, /only IAM role principals/],
    ['an unknown type', { principalArn: DEV_ROLE, type: 'ROBOT' }, /type is invalid: ROBOT/],
    ['a service-linked role', { principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX` }, /Service Linked Role/],
  ])('%s is InvalidParameterException and creates nothing', async (_what, input, message) => {
    const error = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', ...input })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(fake.state.accessEntries('prod')).toEqual([]);
  });

  test('a principal IAM does not know is refused until it exists', async () => {
    fake.state.setPrincipalMissing(DEV_ROLE);
    const error = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('The specified principalArn is invalid: invalid principal.');
    fake.state.setPrincipalMissing(DEV_ROLE, false);
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    expect(fake.state.accessEntry('prod', DEV_ROLE)).toBeDefined();
  });

  test('CONFIG_MAP clusters refuse every access-entry operation with InvalidRequestException', async () => {
    fake.seedCluster({ name: 'legacy', authenticationMode: 'CONFIG_MAP' });
    const calls = [
      new CreateAccessEntryCommand({ clusterName: 'legacy', principalArn: DEV_ROLE }),
      new DescribeAccessEntryCommand({ clusterName: 'legacy', principalArn: DEV_ROLE }),
      new ListAccessEntriesCommand({ clusterName: 'legacy' }),
      new AssociateAccessPolicyCommand({ clusterName: 'legacy', principalArn: DEV_ROLE, policyArn: VIEW, accessScope: { type: 'cluster' } }),
    ];
    for (const command of calls) {
      const error = await failure(eks.send(command as never));
      expect(error).toBeInstanceOf(InvalidRequestException);
      expect(error.message).toBe("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.");
    }
    // The bootstrap entry of a CONFIG_MAP cluster lives in aws-auth, not in the API.
    expect(fake.state.accessEntries('legacy')).toEqual([]);
  });
});

describe('UpdateAccessEntry / DeleteAccessEntry', () => {
  test('replaces groups and username, moves modifiedAt, keeps what was not given', async () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const timed = await startEksFake({ now: () => clock });
    const client = new EKSClient({ ...timed.clientConfig(), maxAttempts: 1 });
    try {
      timed.seedCluster({ name: 'c', bootstrapClusterCreatorAdminPermissions: false });
      await client.send(new CreateAccessEntryCommand({ clusterName: 'c', principalArn: DEV_ROLE, kubernetesGroups: ['a', 'b'], username: 'dev' }));
      clock = new Date('2026-01-02T00:00:00Z');
      const updated = await client.send(new UpdateAccessEntryCommand({ clusterName: 'c', principalArn: DEV_ROLE, kubernetesGroups: ['c'] }));
      expect(updated.accessEntry).toMatchObject({ kubernetesGroups: ['c'], username: 'dev' });
      expect(updated.accessEntry!.createdAt!.toISOString()).toBe('2026-01-01T00:00:00.000Z');
      expect(updated.accessEntry!.modifiedAt!.toISOString()).toBe('2026-01-02T00:00:00.000Z');
      const cleared = await client.send(new UpdateAccessEntryCommand({ clusterName: 'c', principalArn: DEV_ROLE, kubernetesGroups: [] }));
      expect(cleared.accessEntry!.kubernetesGroups).toEqual([]);
    } finally {
      client.destroy();
      await timed.close();
    }
  });

  test('node entries cannot be updated; bad groups are refused', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: NODE_ROLE, type: 'EC2_LINUX' }));
    const node = await failure(eks.send(new UpdateAccessEntryCommand({ clusterName: 'prod', principalArn: NODE_ROLE, username: 'x' })));
    expect(node).toBeInstanceOf(InvalidParameterException);
    expect(node.message).toBe('This operation can only be performed on Access Entries with a type of "STANDARD".');
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, kubernetesGroups: ['a'] }));
    const group = await failure(eks.send(new UpdateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, kubernetesGroups: ['system:masters'] })));
    expect(group).toBeInstanceOf(InvalidParameterException);
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.kubernetesGroups).toEqual(['a']);
  });

  test('delete removes the entry and its policies; deleting again is ResourceNotFoundException', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: DEV_ROLE, policyArn: VIEW, accessScope: { type: 'cluster' } }));
    await eks.send(new DeleteAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    expect(fake.state.accessEntry('prod', DEV_ROLE)).toBeUndefined();
    const again = await failure(eks.send(new DeleteAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE })));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    // A re-created entry starts with no policies.
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    const policies = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
    expect(policies.associatedAccessPolicies).toEqual([]);
  });
});

describe('access policies', () => {
  beforeEach(async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE }));
  });

  test('associate, upsert the scope, list, disassociate', async () => {
    let clock = new Date('2026-03-01T00:00:00Z');
    const timed = await startEksFake({ now: () => clock });
    const client = new EKSClient({ ...timed.clientConfig(), maxAttempts: 1 });
    try {
      timed.seedCluster({ name: 'c', bootstrapClusterCreatorAdminPermissions: false, accessEntries: [{ principalArn: DEV_ROLE }] });
      const first = await client.send(new AssociateAccessPolicyCommand({
        clusterName: 'c', principalArn: DEV_ROLE, policyArn: EDIT, accessScope: { type: 'namespace', namespaces: ['dev', 'team-*'] },
      }));
      expect(first.clusterName).toBe('c');
      expect(first.principalArn).toBe(DEV_ROLE);
      expect(first.associatedAccessPolicy).toEqual({
        policyArn: EDIT,
        accessScope: { type: 'namespace', namespaces: ['dev', 'team-*'] },
        associatedAt: new Date('2026-03-01T00:00:00Z'),
        modifiedAt: new Date('2026-03-01T00:00:00Z'),
      });
      clock = new Date('2026-03-02T00:00:00Z');
      const second = await client.send(new AssociateAccessPolicyCommand({
        clusterName: 'c', principalArn: DEV_ROLE, policyArn: EDIT, accessScope: { type: 'cluster' },
      }));
      expect(second.associatedAccessPolicy).toEqual({
        policyArn: EDIT,
        accessScope: { type: 'cluster', namespaces: [] },
        associatedAt: new Date('2026-03-01T00:00:00Z'),
        modifiedAt: new Date('2026-03-02T00:00:00Z'),
      });
      await client.send(new AssociateAccessPolicyCommand({ clusterName: 'c', principalArn: DEV_ROLE, policyArn: VIEW, accessScope: { type: 'cluster' } }));
      const listed = await client.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'c', principalArn: DEV_ROLE }));
      expect(listed.associatedAccessPolicies!.map((p) => p.policyArn)).toEqual([EDIT, VIEW]);
      expect(listed.clusterName).toBe('c');

      await client.send(new DisassociateAccessPolicyCommand({ clusterName: 'c', principalArn: DEV_ROLE, policyArn: EDIT }));
      expect(timed.state.accessEntry('c', DEV_ROLE)!.accessPolicies.map((p) => p.policyArn)).toEqual([VIEW]);
      const again = await failure(client.send(new DisassociateAccessPolicyCommand({ clusterName: 'c', principalArn: DEV_ROLE, policyArn: EDIT })));
      expect(again).toBeInstanceOf(ResourceNotFoundException);
    } finally {
      client.destroy();
      await timed.close();
    }
  });

  test.each([
    ['namespaces on cluster scope', { policyArn: VIEW, accessScope: { type: 'cluster' as const, namespaces: ['dev'] } }, /Namespaces cannot be specified/],
    ['namespace scope without namespaces', { policyArn: VIEW, accessScope: { type: 'namespace' as const } }, /At least one namespace/],
    ['an invalid namespace', { policyArn: VIEW, accessScope: { type: 'namespace' as const, namespaces: ['Dev_1'] } }, /namespace Dev_1 is invalid/],
    ['an unknown policy', { policyArn: accessPolicyArn('AmazonEKSRootPolicy'), accessScope: { type: 'cluster' as const } }, /policyArn is invalid/],
    ['an unknown scope type', { policyArn: VIEW, accessScope: { type: 'account' as never } }, /must be cluster or namespace/],
  ])('%s is InvalidParameterException', async (_what, input, message) => {
    const error = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: DEV_ROLE, ...input })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(message);
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.accessPolicies).toEqual([]);
  });

  test('node entries take no policies; a missing entry is ResourceNotFoundException', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: NODE_ROLE, type: 'EC2_LINUX' }));
    const node = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: NODE_ROLE, policyArn: VIEW, accessScope: { type: 'cluster' } })));
    expect(node).toBeInstanceOf(InvalidParameterException);
    const missing = await failure(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: ALICE, policyArn: VIEW, accessScope: { type: 'cluster' } })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toMatch(/principalArn could not be found/);
  });

  test('ListAccessEntries filters by associated policy', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: ALICE }));
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: ALICE, policyArn: ADMIN, accessScope: { type: 'cluster' } }));
    const admins = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', associatedPolicyArn: ADMIN }));
    expect(admins.accessEntries).toEqual([ALICE]);
    const all = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' }));
    expect(all.accessEntries).toEqual([DEV_ROLE, ALICE].sort());
  });

  test('ListAccessPolicies lists the AWS-managed policies with their ARNs', async () => {
    const listed = await eks.send(new ListAccessPoliciesCommand({}));
    expect(listed.accessPolicies).toContainEqual({ name: 'AmazonEKSClusterAdminPolicy', arn: ADMIN });
    expect(listed.accessPolicies).toContainEqual({ name: 'AmazonEKSViewPolicy', arn: VIEW });
    expect(listed.nextToken).toBeUndefined();
  });
});

describe('tags', () => {
  test('tag, list and untag an access entry and a cluster by ARN', async () => {
    const created = await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: DEV_ROLE, tags: { a: '1' } }));
    const arn = created.accessEntry!.accessEntryArn!;
    await eks.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2' } }));
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ a: '1', b: '2' });
    await eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
    expect(fake.state.accessEntry('prod', DEV_ROLE)!.tags).toEqual({ b: '2' });

    const clusterArn = fake.state.cluster('prod')!.arn;
    await eks.send(new TagResourceCommand({ resourceArn: clusterArn, tags: { env: 'prod' } }));
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags).toEqual({ env: 'prod' });
  });

  test('an unknown ARN is NotFoundException', async () => {
    const error = await failure(eks.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/none` })));
    expect(error).toBeInstanceOf(NotFoundException);
  });
});
