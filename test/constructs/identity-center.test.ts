/**
 * IAM Identity Center permission sets as teams and plain mappings (their roles resolved by the
 * handler at deploy time), and teams with an existing IAM group or none.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredState, newStack, skipCfnSchemaValidation } from './helpers';
import { AccessMechanism, AccessPolicy, ClusterAccess, KubernetesClusterRole } from '../../lib';

skipCfnSchemaValidation();

/** Every action the handler's policies in the template allow, with the resources. */
function handlerGrants(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('a team of an IAM Identity Center permission set', () => {
  test('creates no IAM role or group, carries both forms for the handler to resolve, and lets it list Identity Center roles', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const team = access.addTeam('Platform', { permissionSet: 'PlatformAdmins', clusterRole: KubernetesClusterRole.VIEW });
    expect(team.role).toBeUndefined();
    expect(team.group).toBeUndefined();
    expect(team.permissionSet).toBe('PlatformAdmins');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Group', 0);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('Access'))).toEqual([]);
    const state = desiredState(stack);
    expect(state.permissionSets).toEqual([{
      permissionSetName: 'PlatformAdmins',
      awsAuth: { username: 'platform:{{SessionName}}', groups: ['team:platform'] },
      accessEntry: { type: 'STANDARD', kubernetesGroups: ['team:platform'], accessPolicies: [] },
    }]);
    expect(state.awsAuth.mapRoles).toEqual([]);
    expect(state.accessEntries).toEqual([]);
    // Its RBAC is as any team's.
    expect(state.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ClusterRoleBinding/platform-view']);
    expect(handlerGrants(template)).toContainEqual(expect.objectContaining({ Action: 'iam:ListRoles', Resource: '*' }));
  });

  test('a plain mapping of a permission set, with access policies (access entries only)', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', mechanism: AccessMechanism.ACCESS_ENTRIES });
    access.mapPermissionSet('ReadOnly', { accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_VIEW_POLICY }] });
    expect(desiredState(stack).permissionSets).toEqual([{
      permissionSetName: 'ReadOnly',
      awsAuth: { groups: [] },
      accessEntry: { type: 'STANDARD', kubernetesGroups: [], accessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] },
    }]);
  });

  test('without any permission set the handler may not list roles', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).addTeam('Dev', { clusterRole: KubernetesClusterRole.VIEW });
    expect(handlerGrants(Template.fromStack(stack)).filter((s) => [s.Action].flat().includes('iam:ListRoles'))).toEqual([]);
  });

  test('the access-entry rules apply to it at synth, naming the permission set', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapPermissionSet('Ops', { username: 'eks:ops', groups: ['ops'] });
    expect(() => app.synth()).toThrow('Platform/Access.mapPermissionSet(Ops): access entry for permission set Ops (its role is resolved at deploy time): username "eks:ops" starts with the reserved prefix "eks:"');
  });

  test.each([
    [{ permissionSet: 'Dev', group: 'group' }, 'Platform/Access/Dev: permissionSet "Dev" gives the team IAM Identity Center\'s role and no IAM group; group cannot go with it'],
    [{ permissionSet: 'Dev', requireMfa: true, roleName: 'dev' }, 'Platform/Access/Dev: permissionSet "Dev" gives the team IAM Identity Center\'s role and no IAM group; requireMfa, roleName cannot go with it'],
    [{ permissionSet: 'Dev Team' }, 'Platform/Access/Dev: "Dev Team" is not a permission set name (1-32 letters, digits and +=,.@_-, known at synth time)'],
    [{ createGroup: false, groupName: 'devs' }, 'Platform/Access/Dev: groupName names a new group, and createGroup is false'],
  ])('misuse %#', (options, message) => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const resolved = { ...options, ...('group' in options ? { group: iam.Group.fromGroupName(stack, 'G', 'devs') } : {}) };
    expect(() => access.addTeam('Dev', resolved as never)).toThrow(message);
  });

  test('addMember and grantAssume on a permission-set team say what to do instead', () => {
    const { stack } = newStack();
    const team = new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).addTeam('Dev', { permissionSet: 'Developers' });
    expect(() => team.addMember(iam.User.fromUserName(stack, 'Alice', 'alice')))
      .toThrow('Platform/Access/Dev.addMember(Platform/Alice): the team has no IAM group (its members are whoever IAM Identity Center assigns permission set Developers to); assign the user the permission set in IAM Identity Center');
    expect(() => team.grantAssume(new iam.AccountRootPrincipal())).toThrow(/permission set Developers, which only IAM Identity Center lets people assume/);
  });
});

describe('teams with an existing IAM group, or none', () => {
  test('an existing group may assume the new role; no group is created', () => {
    const { stack } = newStack();
    const group = iam.Group.fromGroupArn(stack, 'Existing', 'arn:aws:iam::111122223333:group/developers');
    const team = new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).addTeam('Dev', { group });
    expect(team.group).toBe(group);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Group', 0);
    expect(handlerGrants(template)).toContainEqual(expect.objectContaining({ Action: 'sts:AssumeRole' }));
  });

  test('createGroup: false: only the role, assumable through grantAssume', () => {
    const { stack } = newStack();
    const team = new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).addTeam('Dev', { createGroup: false });
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    team.grantAssume(ci);
    expect(team.group).toBeUndefined();
    expect(() => team.addMember(iam.User.fromUserName(stack, 'Alice', 'alice'))).toThrow(/the team has no IAM group \(createGroup: false\); give the user the right to assume the team's role with grantAssume, or give the team a group/);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Group', 0);
    expect(desiredState(stack).accessEntries).toHaveLength(1);
  });
});
