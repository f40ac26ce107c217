/**
 * Misuse a newcomer makes, each refused or warned about at synth time with a message that names the
 * construct, the offending value and the fix. (A region typo and clusters of other environments:
 * clusters.test.ts.)
 */
import { Annotations } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { newStack, skipCfnSchemaValidation } from './helpers';
import { AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';

skipCfnSchemaValidation();

describe('mapRole takes roles', () => {
  test('a user ARN given to mapRole through Role.fromRoleArn is refused, pointing to mapUser', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    expect(() => access.mapRole(iam.Role.fromRoleArn(stack, 'Bob', 'arn:aws:iam::111122223333:user/bob'), { groups: ['devs'] }))
      .toThrow('Platform/Access.mapRole(Platform/Bob): "arn:aws:iam::111122223333:user/bob" is an IAM user ARN, not a role: map it with mapUser (iam.User.fromUserArn), not mapRole');
  });
});

describe('AccessPolicy.of checks names against the policies EKS documents', () => {
  test('an unknown name is refused, with the nearest name and the full-ARN escape hatch', () => {
    expect(() => AccessPolicy.of('AmazonEKSSuperPolicy')).toThrow(
      'AccessPolicy.of: "AmazonEKSSuperPolicy" is not an access policy EKS documents. For a policy EKS added after this library version, give its full ARN: '
      + "AccessPolicy.of('arn:aws:eks::aws:cluster-access-policy/AmazonEKSSuperPolicy') (not checked; `aws eks list-access-policies` lists them)");
    expect(() => AccessPolicy.of('AmazonEKSViewPolcy')).toThrow(/is not an access policy EKS documents \(did you mean AmazonEKSViewPolicy\?\)/);
  });

  test('documented names, and any policy by its full ARN, are accepted', () => {
    expect(AccessPolicy.of('AmazonEMRJobPolicy').policyName).toBe('AmazonEMRJobPolicy');
    expect(AccessPolicy.of('arn:aws:eks::aws:cluster-access-policy/AmazonEKSFuturePolicy').policyName).toBe('AmazonEKSFuturePolicy');
  });
});

describe('node roles belong to mapNodeRole', () => {
  test('a node role mapped with mapRole and the node groups is refused, pointing to mapNodeRole (no system:masters hint)', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Nodes', 'arn:aws:iam::111122223333:role/nodes'), {
      username: 'system:node:{{EC2PrivateDNSName}}',
      groups: ['system:bootstrappers', 'system:nodes'],
    });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Platform/Access.mapRole(Platform/Nodes): arn:aws:iam::111122223333:role/nodes is mapped as a node role (group system:bootstrappers, group system:nodes, username system:node:{{EC2PrivateDNSName}}): map node roles with mapNodeRole(role) (windows: true for Windows nodes)');
    expect(message).not.toContain('system:masters');
  });
});

describe('mappings that grant nothing', () => {
  test('mapRole with no groups and a username nothing binds: a warning naming the mapping', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Ci', 'arn:aws:iam::111122223333:role/ci'), { username: 'ci' });
    Annotations.fromStack(stack).hasWarning('/Platform/Access/Default', 'Platform/Access.mapRole(Platform/Ci): arn:aws:iam::111122223333:role/ci gets no Kubernetes groups and no access policies, and no RBAC binding of this ClusterAccess names its username "ci": it can sign in but do nothing. '
      + "Give it groups that RBAC binds (groups: [...] and a team's clusterRole or addManifest), or accessPolicies; a username alone grants nothing [ack: cdk-eks-access:mapping]");
  });

  test('no warning when a binding names the username, or the mapping has groups or access policies', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', authenticationMode: 'API_AND_CONFIG_MAP' as never });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Ci', 'arn:aws:iam::111122223333:role/ci'), { username: 'ci' });
    access.addManifest({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'ci-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ci' }],
    });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Dev', 'arn:aws:iam::111122223333:role/dev'), { groups: ['devs'] });
    access.mapUser(iam.User.fromUserArn(stack, 'Ops', 'arn:aws:iam::111122223333:user/ops'), { accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_VIEW_POLICY, scope: AccessScope.namespaces('ops') }] });
    access.addTeam('Readers', { clusterRole: KubernetesClusterRole.VIEW });
    expect(Annotations.fromStack(stack).findWarning('*', /can sign in but do nothing/)).toEqual([]);
  });
});

describe('messages name constructs, never internal placeholders', () => {
  test('a reserved username on a role created in the app names the role\'s construct path', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(new iam.Role(stack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() }), { username: 'eks:deployer', groups: ['deployers'] });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Platform/Access.mapRole(Platform/Deployer): access entry for role Platform/Deployer (ARN known at deploy time): username "eks:deployer" starts with the reserved prefix "eks:"');
    expect(message).not.toMatch(/000000000000|resolved-at-deploy-time/);
  });
});
