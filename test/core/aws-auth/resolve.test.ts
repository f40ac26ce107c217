import { fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import { canonicalizeCallerArn, expandTemplate, loadAwsAuth, matchCaller, resolveIdentities, resolveIdentity } from '../../../lib/core/aws-auth';

const cm = loadAwsAuth({
  mapRoles: [
    '- rolearn: arn:aws:iam::444455556666:role/Nodes',
    '  username: system:node:{{EC2PrivateDNSName}}',
    '  groups: [system:bootstrappers, system:nodes]',
    '- rolearn: arn:aws:iam::444455556666:role/developer',
    '  username: dev:{{SessionName}}',
    '  groups: [developers, "acct-{{AccountID}}"]',
    '- rolearn: arn:aws:iam::444455556666:role/developer',
    '  username: dev2:{{SessionNameRaw}}:{{AccessKeyID}}',
    '  groups: [developers-v2]',
    '- rolearn: arn:aws:iam::444455556666:role/team/pathed',
    '  username: never',
    '- sso: {permissionSetName: ReadOnly, accountID: "444455556666"}',
    '  username: sso:{{SessionName}}',
    '  groups: [readers]',
    '- userid: AROAEXAMPLEID',
    '  username: by-id',
    '',
  ].join('\n'),
  mapUsers: '- userarn: arn:aws:iam::444455556666:user/Alice\n  username: alice\n  groups: [admins]\n',
  mapAccounts: '- "777788889999"\n',
});

describe('canonicalizeCallerArn', () => {
  test('an assumed-role session becomes its role ARN and session name', () => {
    expect(canonicalizeCallerArn('arn:aws:sts::444455556666:assumed-role/developer/jane@example.com')).toEqual({
      canonicalArn: 'arn:aws:iam::444455556666:role/developer', accountId: '444455556666', sessionName: 'jane@example.com',
    });
  });
  test('users stay as they are', () => {
    expect(canonicalizeCallerArn('arn:aws:iam::444455556666:user/dev/bob').canonicalArn).toBe('arn:aws:iam::444455556666:user/dev/bob');
  });
  test('other ARNs are refused, naming them', () => {
    expect(() => canonicalizeCallerArn('arn:aws:s3:::bucket')).toThrow(AccessConfigError);
    expect(() => canonicalizeCallerArn('arn:aws:sts::444455556666:assumed-role/x')).toThrow(/names no role/);
    expect(() => canonicalizeCallerArn('not-an-arn')).toThrow(/"not-an-arn" is not an ARN/);
  });
});

describe('resolveIdentity', () => {
  test('a node: EC2PrivateDNSName from the instance in the session name; ARN case does not matter', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/nodes/i-0123456789abcdef0', ec2PrivateDnsName: 'ip-10-0-1-2.ec2.internal' })).toEqual({
      username: 'system:node:ip-10-0-1-2.ec2.internal', groups: ['system:bootstrappers', 'system:nodes'], source: 'mapRoles[0]',
    });
  });

  test('EC2PrivateDNSName with a session name that is not an instance ID: denied', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/Nodes/not-an-instance', ec2PrivateDnsName: 'x' })).toBeUndefined();
  });

  test('duplicate ARNs: the last entry wins; SessionNameRaw keeps @, AccessKeyID expands', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/developer/jane@example.com', accessKeyId: 'ASIAEXAMPLE' })).toEqual({
      username: 'dev2:jane@example.com:ASIAEXAMPLE', groups: ['developers-v2'], source: 'mapRoles[2]',
    });
  });

  test('a role ARN with a path in aws-auth never matches', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/pathed/s' })).toBeUndefined();
  });

  test('SSO permission set roles match through the matcher', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/jane@example.com' })).toEqual({
      username: 'sso:jane-example.com', groups: ['readers'], source: 'mapRoles[4]',
    });
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane' })).toBeUndefined();
  });

  test('an entry with only a userid is dropped: the authenticator matches by rolearn or sso only', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/other/s', userId: 'AROAEXAMPLEID:s' })).toBeUndefined();
  });

  test('a role ARN under mapUsers and the root user match, as the authenticator searches every entry', () => {
    const odd = loadAwsAuth({ mapUsers: '- userarn: arn:aws:iam::111122223333:role/Ops\n  username: ops\n- userarn: ARN:AWS:IAM::111122223333:ROOT\n  username: root\n' });
    expect(resolveIdentity(odd, { arn: 'arn:aws:sts::111122223333:assumed-role/ops/s' })).toEqual({ username: 'ops', groups: [], source: 'mapUsers[0]' });
    expect(resolveIdentity(odd, { arn: 'arn:aws:iam::111122223333:root' })).toEqual({ username: 'root', groups: [], source: 'mapUsers[1]' });
  });

  test('the session name comes from the caller\'s user ID when given (AROA...:session)', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/developer/arn-session', userId: 'AROAEXAMPLE:id-session' })?.username).toBe('dev2:id-session:');
  });

  test('user ARNs that differ in case are both kept: either may decide, and the result says so', () => {
    const twice = loadAwsAuth({ mapUsers: '- userarn: arn:aws:iam::111122223333:user/Bob\n  username: upper\n- userarn: arn:aws:iam::111122223333:user/bob\n  username: lower\n' });
    expect(resolveIdentities(twice, { arn: 'arn:aws:iam::111122223333:user/BOB' }).map((o) => o.identity?.username)).toEqual(['upper', 'lower']);
    expect(resolveIdentity(twice, { arn: 'arn:aws:iam::111122223333:user/bob' })).toEqual({ username: 'upper', groups: [], source: 'mapUsers[0]', ambiguous: true });
  });

  test('a role entry wins over a user entry; the last role entry of an ARN (any case) wins', () => {
    const both = loadAwsAuth({
      mapRoles: '- rolearn: arn:aws:iam::111122223333:role/X\n  username: first\n- rolearn: arn:aws:iam::111122223333:role/x\n  username: second\n',
      mapUsers: '- userarn: arn:aws:iam::111122223333:role/x\n  username: user\n',
    });
    expect(resolveIdentities(both, { arn: 'arn:aws:sts::111122223333:assumed-role/x/s' })).toEqual([{ source: 'mapRoles[1]', identity: { username: 'second', groups: [], source: 'mapRoles[1]' } }]);
  });

  test('an SSO matcher with a partition never matches (the pattern gets an empty partition)', () => {
    const sso = loadAwsAuth({ mapRoles: '- sso: {permissionSetName: Admin, accountID: "111122223333", partition: aws}\n  username: admin\n' });
    expect(resolveIdentity(sso, { arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice' })).toBeUndefined();
  });

  test('users, case-insensitively', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:iam::444455556666:user/alice' })).toEqual({ username: 'alice', groups: ['admins'], source: 'mapUsers[0]' });
  });

  test('an account in mapAccounts maps an unmapped caller to its canonical ARN with no groups', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::777788889999:assumed-role/Anything/s' })).toEqual({
      username: 'arn:aws:iam::777788889999:role/Anything', groups: [], source: 'mapAccounts[0]',
    });
  });

  test('unmapped callers are undefined', () => {
    expect(resolveIdentity(cm, { arn: 'arn:aws:sts::444455556666:assumed-role/stranger/s' })).toBeUndefined();
    expect(matchCaller(cm, { arn: 'arn:aws:iam::444455556666:user/stranger' })).toBeUndefined();
  });

  test('entries the authenticator drops do not match', () => {
    const broken = loadAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  sso: {permissionSetName: A, accountID: "111122223333"}\n  username: both\n' });
    expect(resolveIdentity(broken, { arn: 'arn:aws:sts::111122223333:assumed-role/a/s' })).toBeUndefined();
  });

  test('the fixture node role from a JSON ConfigMap', () => {
    const json = loadAwsAuth(fixture('aws-auth.json'));
    expect(resolveIdentity(json, { arn: 'arn:aws:sts::444455556666:assumed-role/ci-deployer/build@42' })?.username).toBe('ci:build@42');
  });
});

describe('expandTemplate', () => {
  test('{{EC2PrivateDNSName}} of an instance whose DNS name is unknown: denied (undefined)', () => {
    expect(expandTemplate('system:node:{{EC2PrivateDNSName}}', { accountId: '444455556666', sessionName: 'i-0123456789abcdef0', accessKeyId: '' })).toBeUndefined();
  });

  test('every variable', () => {
    const context = { accountId: '444455556666', sessionName: 'i-0123456789abcdef0', accessKeyId: 'AKIA', ec2PrivateDnsName: 'ip-1.ec2.internal' };
    expect(expandTemplate('{{AccountID}}/{{SessionName}}/{{SessionNameRaw}}/{{AccessKeyID}}/{{EC2PrivateDNSName}}/{{Other}}', context)).toBe(
      '444455556666/i-0123456789abcdef0/i-0123456789abcdef0/AKIA/ip-1.ec2.internal/{{Other}}',
    );
  });
});
