import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredState, newStack, skipCfnSchemaValidation } from './helpers';
import { AccessPolicy, AccessScope, AccessTeam, ClusterAccess, KubernetesClusterRole } from '../../lib';

skipCfnSchemaValidation();

function access(stack: Stack): ClusterAccess {
  return new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
}

describe('AccessTeam', () => {
  test('a new team is exactly two resources: a role trusting the account and a group with an inline AssumeRole policy', () => {
    const { stack } = newStack();
    const team = access(stack).addTeam('Dev', { namespaces: ['dev'] });
    const template = Template.fromStack(stack);
    const teamResources = Object.keys(template.toJSON().Resources).filter((id) => id.startsWith('AccessDev'));
    expect(teamResources).toHaveLength(2);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } } }] },
      Description: 'Kubernetes access of team dev',
    });
    template.hasResourceProperties('AWS::IAM::Group', {
      Policies: [{
        PolicyName: 'AssumeTeamRole',
        PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(team.role!.node.defaultChild as iam.CfnRole), 'Arn'] } }] },
      }],
    });
    expect(team.teamName).toBe('dev');
    expect(team.kubernetesGroups).toEqual(['team:dev']);
  });

  test('mapped with its group, a session-name username in aws-auth and EKS default username in the access entry', () => {
    const { stack } = newStack();
    const team = access(stack).addTeam('Dev', { namespaces: ['dev'] });
    const state = desiredState(stack);
    const roleRef = `\${${stack.getLogicalId(team.role!.node.defaultChild as iam.CfnRole)}.Arn}`;
    expect(state.awsAuth.mapRoles).toEqual([{ rolearn: roleRef, username: 'dev:{{SessionName}}', groups: ['team:dev'] }]);
    expect(state.accessEntries).toEqual([{ principalArn: roleRef, type: 'STANDARD', kubernetesGroups: ['team:dev'], accessPolicies: [] }]);
    expect(state.manifests).toEqual([expect.objectContaining({
      kind: 'RoleBinding',
      metadata: expect.objectContaining({ name: 'dev-edit', namespace: 'dev' }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team:dev' }],
    })]);
  });

  test('MFA, session duration and a role path', () => {
    const { stack } = newStack();
    const team = access(stack).addTeam('Sre', { requireMfa: true, maxSessionDuration: Duration.hours(4), rolePath: '/teams/', accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY }] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      Path: '/teams/',
      MaxSessionDuration: 14400,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })] },
    });
    template.hasResourceProperties('AWS::IAM::Group', {
      Policies: [Match.objectLike({ PolicyDocument: { Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })] } })],
    });
    const state = desiredState(stack);
    const logicalId = stack.getLogicalId(team.role!.node.defaultChild as iam.CfnRole);
    // Access entry: full ARN with the path; aws-auth: rebuilt without it.
    expect(state.accessEntries[0].principalArn).toBe(`\${${logicalId}.Arn}`);
    expect(state.awsAuth.mapRoles[0].rolearn).toMatch(new RegExp(`:role/\\$\\{${logicalId}\\}$`));
    expect(state.awsAuth.mapRoles[0].groups).toEqual(['team:sre', 'system:masters']);
  });

  test('an existing role and an existing group', () => {
    const { stack } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Existing', 'arn:aws:iam::111122223333:role/path/auditors');
    const group = iam.Group.fromGroupArn(stack, 'ExistingGroup', 'arn:aws:iam::111122223333:group/auditors');
    const team = access(stack).addTeam('Auditors', { role, group, clusterRole: KubernetesClusterRole.VIEW });
    expect(team.role).toBe(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Group', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Groups: ['auditors'],
      PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: 'arn:aws:iam::111122223333:role/path/auditors' }] },
    });
    const state = desiredState(stack);
    expect(state.awsAuth.mapRoles[0].rolearn).toBe('arn:aws:iam::111122223333:role/auditors');
    expect(state.accessEntries[0].principalArn).toBe('arn:aws:iam::111122223333:role/path/auditors');
    expect(state.manifests[0]).toMatchObject({ kind: 'ClusterRoleBinding', metadata: { name: 'auditors-view' }, roleRef: { kind: 'ClusterRole', name: 'view' } });
  });

  test('options for a new role are refused with an existing one', () => {
    const { stack } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Existing', 'arn:aws:iam::111122223333:role/x');
    expect(() => access(stack).addTeam('T', { role, requireMfa: true })).toThrow(/requireMfa, rolePath, roleName and maxSessionDuration apply to a new role/);
  });

  test('addMember puts a user in the group; grantAssume lets another principal assume the role', () => {
    const { stack } = newStack();
    const team = access(stack).addTeam('Dev');
    const alice = new iam.User(stack, 'Alice');
    team.addMember(alice);
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    team.grantAssume(ci);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::User', { Groups: [{ Ref: stack.getLogicalId(team.group!.node.defaultChild as iam.CfnGroup) }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(ci.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [stack.getLogicalId(team.role!.node.defaultChild as iam.CfnRole), 'Arn'] } })] },
    });
  });

  test('custom namespace Role from rules, created namespaces and a custom ClusterRole', () => {
    const { stack } = newStack();
    access(stack).addTeam('Data', {
      namespaces: ['etl', 'reports'],
      createNamespaces: true,
      namespaceRules: [{ apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'create', 'delete'] }],
      clusterRole: KubernetesClusterRole.fromRules('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }, { nonResourceUrls: ['/healthz'], verbs: ['get'] }]),
    });
    const kinds = desiredState(stack).manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? '-'}/${m.metadata.name}`);
    expect(kinds).toEqual([
      'Namespace/-/etl',
      'Namespace/-/reports',
      'ClusterRole/-/node-reader',
      'Role/etl/data',
      'Role/reports/data',
      'ClusterRoleBinding/-/data-node-reader',
      'RoleBinding/etl/data-data',
      'RoleBinding/reports/data-data',
    ]);
    const clusterRole = desiredState(stack).manifests.find((m) => m.kind === 'ClusterRole')!;
    expect(clusterRole.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }]);
  });

  test('system:masters in a team needs the opt-in', () => {
    const { app, stack } = newStack();
    access(stack).addTeam('Root', { kubernetesGroups: ['system:masters'] });
    expect(() => app.synth()).toThrow(/team Platform\/Access\/Root: .* is mapped to system:masters .* set allowSystemMasters: true/);
  });

  test('team names must be unique and valid', () => {
    const { stack } = newStack();
    const a = access(stack);
    a.addTeam('Dev');
    expect(() => a.addTeam('dev2', { teamName: 'dev' })).toThrow(/team name "dev" is already used by Platform\/Access\/Dev/);
    expect(() => a.addTeam('X', { teamName: 'Not_Valid' })).toThrow(/team name "Not_Valid" must be lower-case/);
  });

  test('an AccessTeam can be created directly, in any scope of the stack', () => {
    const { stack } = newStack();
    const a = access(stack);
    new AccessTeam(stack, 'Viewers', { clusterAccess: a, accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_VIEW_POLICY, scope: AccessScope.namespaces('apps') }] });
    const state = desiredState(stack);
    expect(state.accessEntries[0].accessPolicies).toEqual([{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['apps'] } }]);
    expect(a.teams.map((t) => t.teamName)).toEqual(['viewers']);
  });
});
