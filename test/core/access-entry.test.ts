import { ACCESS_ENTRY_TYPES, AccessEntrySpec, accessEntryProblems, isNodeAccessEntryType } from '../../lib/core/access-entry';
import { ACCESS_ENTRY_TYPES as FAKE_TYPES } from '../support/eks-fake';

const ACCOUNT = '111122223333';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/nodes`;
const policy = (name: string) => ({ policyArn: `arn:aws:eks::aws:cluster-access-policy/${name}`, accessScope: { type: 'cluster' as const } });
const entry = (overrides: Partial<AccessEntrySpec>): AccessEntrySpec => ({ principalArn: NODE_ROLE, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides });

describe('access entry types', () => {
  test('the seven types of the EKS API, as the fake (checked against the SDK\'s model) has them', () => {
    expect([...ACCESS_ENTRY_TYPES].sort()).toEqual([...FAKE_TYPES].sort());
    expect(ACCESS_ENTRY_TYPES.filter(isNodeAccessEntryType).sort()).toEqual(['EC2', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'HYPERPOD_LINUX']);
  });

  test('an EC2 (Auto Mode) entry takes AmazonEKSAutoNodePolicy and nothing else', () => {
    expect(accessEntryProblems(entry({ type: 'EC2', accessPolicies: [policy('AmazonEKSAutoNodePolicy')] }))).toEqual([]);
    expect(accessEntryProblems(entry({ type: 'EC2', accessPolicies: [policy('AmazonEKSAutoNodePolicy'), policy('AmazonEKSViewPolicy')] })))
      .toEqual([`access entry for ${NODE_ROLE}: type EC2 (EKS Auto Mode nodes) takes only the access policy AmazonEKSAutoNodePolicy, got AmazonEKSViewPolicy`]);
  });

  test.each(['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'HYPERPOD_LINUX'] as const)('%s takes no policy, group or username, and only a role', (type) => {
    expect(accessEntryProblems(entry({ type }))).toEqual([]);
    const problems = accessEntryProblems(entry({ type, principalArn: `arn:aws:iam::${ACCOUNT}:user/u`, username: 'n', kubernetesGroups: ['g'], accessPolicies: [policy('AmazonEKSAutoNodePolicy')] }));
    expect(problems).toEqual([
      expect.stringContaining(`type ${type} takes only an IAM role, got a user`),
      expect.stringContaining(`type ${type} takes no username`),
      expect.stringContaining(`type ${type} takes no Kubernetes groups`),
      expect.stringContaining(`type ${type} takes no access policies, got AmazonEKSAutoNodePolicy`),
    ]);
  });

  test('a node entry needs a role of the cluster\'s account when that is known; a STANDARD entry does not', () => {
    const foreign = 'arn:aws:iam::444455556666:role/nodes';
    expect(accessEntryProblems(entry({ type: 'EC2_LINUX', principalArn: foreign }), { clusterAccount: ACCOUNT }))
      .toEqual([expect.stringContaining('needs a role in the cluster\'s account 111122223333, but the role is in account 444455556666')]);
    expect(accessEntryProblems(entry({ type: 'EC2_LINUX', principalArn: foreign }))).toEqual([]);
    expect(accessEntryProblems(entry({ principalArn: foreign }), { clusterAccount: ACCOUNT })).toEqual([]);
  });

  test('a service-linked role cannot have an access entry', () => {
    expect(accessEntryProblems(entry({ principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS` })))
      .toEqual([expect.stringContaining('a service-linked role cannot have an access entry')]);
  });
});

describe('usernames', () => {
  test.each([
    ['john{{SessionName}}', '"john:{{SessionName}}"'],
    ['{{SessionName}}', '"user:{{SessionName}}"'],
    ['x{{SessionNameRaw}}:y', '"x:{{SessionNameRaw}}:y"'],
  ])('%s: refused, with the fix', (username, fix) => {
    expect(accessEntryProblems(entry({ username }))).toEqual([expect.stringContaining(`put a colon before it, e.g. ${fix}`)]);
  });

  test.each([':john{{SessionName}}', 'jo:hn{{SessionName}}', 'arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}', 'plain', 'System:me'])('%s: accepted', (username) => {
    expect(accessEntryProblems(entry({ username }))).toEqual([]);
  });
});

describe('policies for service-linked roles only', () => {
  test.each(['AmazonEKSBlockStoragePolicy', 'AmazonEKSBlockStorageClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSComputeClusterPolicy', 'AmazonEKSHybridPolicy', 'AmazonEKSClusterInsightsPolicy'])(
    '%s is refused', (name) => {
      expect(accessEntryProblems(entry({ accessPolicies: [policy(name)] }))).toEqual([expect.stringContaining(`access policy ${name} is designated for AWS service-linked roles only`)]);
    });
});
