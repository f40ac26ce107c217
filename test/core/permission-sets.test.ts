/** Resolving IAM Identity Center permission sets to their roles (pure). */
import { identityCenterRolesOf, permissionSetProblems, resolvePermissionSets } from '../../lib/core/permission-sets';
import { state } from '../handler/fixtures';

const A = '111122223333';
const role = (path: string, name: string) => `arn:aws:iam::${A}:role${path}${name}`;
const ADMIN = role('/aws-reserved/sso.amazonaws.com/', 'AWSReservedSSO_Admin_0123456789abcdef');
const ADMIN_EU = role('/aws-reserved/sso.amazonaws.com/eu-west-1/', 'AWSReservedSSO_ReadOnly_fedcba9876543210');
const ADMIN_PLUS = role('/aws-reserved/sso.amazonaws.com/', 'AWSReservedSSO_Admin_Plus_00112233445566aa');
const LOOKALIKE = role('/', 'AWSReservedSSO_Admin_0123456789abcdef0');

test('the role of a permission set: its exact name and suffix, under the Identity Center path (with or without a region)', () => {
  const roles = [ADMIN, ADMIN_EU, ADMIN_PLUS, LOOKALIKE];
  expect(identityCenterRolesOf('Admin', roles)).toEqual([ADMIN]);
  expect(identityCenterRolesOf('Admin_Plus', roles)).toEqual([ADMIN_PLUS]);
  expect(identityCenterRolesOf('ReadOnly', roles)).toEqual([ADMIN_EU]);
  expect(identityCenterRolesOf('admin', roles)).toEqual([]);
});

test('a resolved permission set becomes an aws-auth entry without the path and an access entry with it', () => {
  const desired = state({
    account: A,
    permissionSets: [{
      permissionSetName: 'ReadOnly',
      awsAuth: { username: 'ro:{{SessionName}}', groups: ['readers'] },
      accessEntry: { type: 'STANDARD', kubernetesGroups: ['readers'], accessPolicies: [] },
    }],
  });
  const { state: resolved, problems, resolved: roles } = resolvePermissionSets(desired, [ADMIN, ADMIN_EU]);
  expect(problems).toEqual([]);
  expect(roles).toEqual([{ permissionSetName: 'ReadOnly', roleArn: ADMIN_EU }]);
  expect(resolved.permissionSets).toBeUndefined();
  expect(resolved.awsAuth.mapRoles).toEqual([{ rolearn: `arn:aws:iam::${A}:role/AWSReservedSSO_ReadOnly_fedcba9876543210`, username: 'ro:{{SessionName}}', groups: ['readers'] }]);
  expect(resolved.accessEntries).toEqual([{ principalArn: ADMIN_EU, type: 'STANDARD', kubernetesGroups: ['readers'], accessPolicies: [] }]);
});

test('without a username, the aws-auth entry gets its role\'s ARN (the authenticator has no default)', () => {
  const desired = state({ permissionSets: [{ permissionSetName: 'Admin', awsAuth: { groups: ['admins'] }, accessEntry: { type: 'STANDARD', kubernetesGroups: ['admins'], accessPolicies: [] } }] });
  expect(resolvePermissionSets(desired, [ADMIN]).state.awsAuth.mapRoles).toEqual([{ rolearn: `arn:aws:iam::${A}:role/AWSReservedSSO_Admin_0123456789abcdef`, username: `arn:aws:iam::${A}:role/AWSReservedSSO_Admin_0123456789abcdef`, groups: ['admins'] }]);
});

test('a permission set without its role, or mapped otherwise too, is a problem naming it', () => {
  const mapping = (permissionSetName: string) => ({ permissionSetName, awsAuth: { groups: [] }, accessEntry: { type: 'STANDARD' as const, kubernetesGroups: ['x'], accessPolicies: [] } });
  const desired = state({ account: A, accessEntries: [{ principalArn: ADMIN, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [] }], permissionSets: [mapping('Missing'), mapping('Admin')] });
  expect(resolvePermissionSets(desired, [ADMIN]).problems).toEqual([
    `permission set Missing: IAM Identity Center has no role for it in account ${A} (AWSReservedSSO_Missing_<suffix> under /aws-reserved/sso.amazonaws.com/): it makes the role when the permission set is assigned to a user or group in this account; assign it first (the name is case-sensitive)`,
    `permission set Admin: its role ${ADMIN} is also mapped otherwise by this configuration; map it once`,
  ]);
});

test('malformed permission set mappings are refused by the handler\'s validation', () => {
  expect(permissionSetProblems([{ permissionSetName: 'has space', awsAuth: { groups: [] }, accessEntry: { kubernetesGroups: [], accessPolicies: [] } }]))
    .toEqual(['permission set mapping {"permissionSetName":"has space","awsAuth":{"groups":[]},"accessEntry":{"kubernetesGroups":[],"accessPolicies":[]}}: permissionSetName must be 1-32 characters of letters, digits and +=,.@_-']);
  expect(permissionSetProblems([{ permissionSetName: 'A' }])).toEqual(['permission set A: awsAuth (with groups) and accessEntry (with kubernetesGroups and accessPolicies) are required']);
  expect(permissionSetProblems('x')).toEqual(['permissionSets must be a list']);
});
