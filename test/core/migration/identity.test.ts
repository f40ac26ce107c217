import { defaultAccessEntryUsername, entryIdentity, identityDifferences } from '../../../lib/core/migration';

const ROLE = 'arn:aws:iam::111122223333:role/teams/dev/developer';
const ADMIN = { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' as const } };

describe('the identity an access entry gives (EKS User Guide defaults)', () => {
  test('a role\'s default username is its session ARN, without the path; a user\'s its ARN', () => {
    expect(defaultAccessEntryUsername(ROLE, 'STANDARD')).toBe('arn:aws:sts::111122223333:assumed-role/developer/{{SessionName}}');
    expect(defaultAccessEntryUsername('arn:aws:iam::111122223333:user/ops/olga', 'STANDARD')).toBe('arn:aws:iam::111122223333:user/ops/olga');
  });

  test.each([
    ['EC2_LINUX', 'system:node:{{EC2PrivateDNSName}}', ['system:nodes']],
    ['EC2_WINDOWS', 'system:node:{{EC2PrivateDNSName}}', ['system:nodes', 'eks:kube-proxy-windows']],
    ['FARGATE_LINUX', 'system:node:{{SessionName}}', ['system:nodes', 'system:node-proxier']],
    ['HYBRID_LINUX', 'system:node:{{SessionName}}', ['system:nodes']],
  ])('a %s entry is %s in %j', (type, username, groups) => {
    expect(entryIdentity({ principalArn: ROLE, type, kubernetesGroups: [] })).toEqual({ username, groups, policies: [] });
  });
});

describe('identityDifferences: does the access entry give what aws-auth gave?', () => {
  test('same username template and groups, in any order: no difference', () => {
    expect(identityDifferences(ROLE, { username: 'dev:{{SessionName}}', groups: ['a', 'b'] }, { principalArn: ROLE, type: 'STANDARD', username: 'dev:{{SessionName}}', kubernetesGroups: ['b', 'a'] })).toEqual([]);
  });

  test('system:masters is the cluster-admin policy at cluster scope, and only that', () => {
    const entry = { principalArn: ROLE, type: 'STANDARD', username: 'admin', kubernetesGroups: ['ops'], policies: [ADMIN] };
    expect(identityDifferences(ROLE, { username: 'admin', groups: ['system:masters', 'ops'] }, entry)).toEqual([]);
    expect(identityDifferences(ROLE, { username: 'admin', groups: ['system:masters', 'ops'] }, { ...entry, policies: [] })).toEqual(['groups only aws-auth gives: system:masters']);
    expect(identityDifferences(ROLE, { username: 'admin', groups: ['system:masters', 'ops'] }, { ...entry, policies: [{ ...ADMIN, accessScope: { type: 'namespace', namespaces: ['dev'] } }] }))
      .toEqual(['groups only aws-auth gives: system:masters', 'access policy only the access entry gives: AmazonEKSClusterAdminPolicy (namespaces dev)']);
    expect(identityDifferences(ROLE, { username: 'admin', groups: ['ops'] }, entry)).toEqual(['access policy only the access entry gives: AmazonEKSClusterAdminPolicy (cluster scope)']);
  });

  test('a node entry stands for system:nodes; system:bootstrappers is not carried over', () => {
    const node = { principalArn: ROLE, type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] };
    expect(identityDifferences(ROLE, { username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }, node)).toEqual([]);
    expect(identityDifferences(ROLE, { username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes', 'eks:kube-proxy-windows'] }, node))
      .toEqual(['groups only aws-auth gives: eks:kube-proxy-windows']);
  });

  test('another username is a difference; no username in aws-auth is not compared (Kubernetes got an empty one)', () => {
    const entry = { principalArn: ROLE, type: 'STANDARD', kubernetesGroups: [] };
    expect(identityDifferences(ROLE, { username: 'dev', groups: [] }, entry)).toEqual(['username: aws-auth gives "dev", the access entry "arn:aws:sts::111122223333:assumed-role/developer/{{SessionName}}"']);
    expect(identityDifferences(ROLE, { groups: [] }, entry)).toEqual([]);
  });

  test('{{AccountID}} is compared expanded', () => {
    expect(identityDifferences(ROLE, { username: 'ci-{{AccountID}}', groups: ['g-{{AccountID}}'] }, { principalArn: ROLE, type: 'STANDARD', username: 'ci-111122223333', kubernetesGroups: ['g-111122223333'] })).toEqual([]);
  });
});
