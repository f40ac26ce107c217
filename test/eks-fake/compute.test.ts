/**
 * Managed node groups and Fargate profiles, as far as access goes: their roles, listed and
 * described through the real SDK, and the access entries EKS makes for them once the cluster
 * leaves CONFIG_MAP.
 */
import {
  DescribeAccessEntryCommand, DescribeFargateProfileCommand, DescribeNodegroupCommand, EKSClient, ListAccessEntriesCommand,
  ListFargateProfilesCommand, ListNodegroupsCommand, ResourceNotFoundException, UpdateClusterConfigCommand,
} from '@aws-sdk/client-eks';
import { EksFake, startEksFake } from '../support/eks-fake';

const ACCOUNT = '111122223333';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/ng-role`;
const POD_ROLE = `arn:aws:iam::${ACCOUNT}:role/fargate-pods`;

let fake: EksFake;
let eks: EKSClient;
beforeAll(async () => {
  fake = await startEksFake({ accountId: ACCOUNT, defaultPageSize: 1 });
  eks = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eks.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

const seed = (authenticationMode: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP') => fake.seedCluster({
  name: 'prod',
  authenticationMode,
  nodegroups: [{ nodegroupName: 'ng-a', nodeRole: NODE_ROLE }, { nodegroupName: 'ng-b', nodeRole: NODE_ROLE }],
  fargateProfiles: [{ fargateProfileName: 'default', podExecutionRoleArn: POD_ROLE }],
});

test('node groups and Fargate profiles are listed (paged) and described with their roles', async () => {
  seed('CONFIG_MAP');
  const first = await eks.send(new ListNodegroupsCommand({ clusterName: 'prod' }));
  const second = await eks.send(new ListNodegroupsCommand({ clusterName: 'prod', nextToken: first.nextToken }));
  expect([...first.nodegroups!, ...second.nodegroups!]).toEqual(['ng-a', 'ng-b']);
  expect(second.nextToken).toBeUndefined();
  expect((await eks.send(new DescribeNodegroupCommand({ clusterName: 'prod', nodegroupName: 'ng-b' }))).nodegroup).toMatchObject({ nodegroupName: 'ng-b', nodeRole: NODE_ROLE, status: 'ACTIVE' });
  expect((await eks.send(new ListFargateProfilesCommand({ clusterName: 'prod' }))).fargateProfileNames).toEqual(['default']);
  expect((await eks.send(new DescribeFargateProfileCommand({ clusterName: 'prod', fargateProfileName: 'default' }))).fargateProfile).toMatchObject({ podExecutionRoleArn: POD_ROLE });
  await expect(eks.send(new DescribeNodegroupCommand({ clusterName: 'prod', nodegroupName: 'none' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
});

test('EKS creates their access entries when the cluster leaves CONFIG_MAP, not before', async () => {
  seed('CONFIG_MAP');
  await eks.send(new UpdateClusterConfigCommand({ name: 'prod', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
  const node = (await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: NODE_ROLE }))).accessEntry;
  expect(node).toMatchObject({ type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] });
  const pods = (await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: POD_ROLE }))).accessEntry;
  expect(pods).toMatchObject({ type: 'FARGATE_LINUX', kubernetesGroups: ['system:nodes', 'system:node-proxier'] });
});

test('a cluster seeded with access entries has them at once', async () => {
  seed('API_AND_CONFIG_MAP');
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', nextToken }));
    arns.push(...page.accessEntries!);
    nextToken = page.nextToken;
  } while (nextToken);
  expect(arns).toEqual(expect.arrayContaining([NODE_ROLE, POD_ROLE]));
});
