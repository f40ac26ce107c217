import { fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import {
  canonicalizeCallerArn, equalFold, expandTemplate, loadAwsAuth, matchCaller, pickCandidate, resolveIdentities, resolveIdentity, roleCandidates,
  ssoArnPattern, userCandidates,
} from '../../../lib/core/aws-auth';

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

describe('the authenticator\'s rules, one by one', () => {
  const A = '111122223333';

  test.each([
    ['an assumed-role session', `arn:aws:sts::${A}:assumed-role/dev/jane`, undefined, { canonicalArn: `arn:aws:iam::${A}:role/dev`, accountId: A, sessionName: 'jane' }],
    ['a session whose user ID names the session', `arn:aws:sts::${A}:assumed-role/dev/jane`, 'AROAEXAMPLE:other', { canonicalArn: `arn:aws:iam::${A}:role/dev`, accountId: A, sessionName: 'other' }],
    ['a session whose user ID has no session', `arn:aws:sts::${A}:assumed-role/dev/jane`, 'AROAEXAMPLE', { canonicalArn: `arn:aws:iam::${A}:role/dev`, accountId: A, sessionName: 'jane' }],
    ['a session of a role name with slashes', `arn:aws:sts::${A}:assumed-role/a/b/s`, undefined, { canonicalArn: `arn:aws:iam::${A}:role/a/b`, accountId: A, sessionName: 's' }],
    ['a role', `arn:aws:iam::${A}:role/dev`, 'AROAEXAMPLE:s', { canonicalArn: `arn:aws:iam::${A}:role/dev`, accountId: A, sessionName: 's' }],
    ['a role without a user ID', `arn:aws:iam::${A}:role/dev`, undefined, { canonicalArn: `arn:aws:iam::${A}:role/dev`, accountId: A, sessionName: '' }],
    ['a user', `arn:aws:iam::${A}:user/alice`, 'AIDAEXAMPLE:x', { canonicalArn: `arn:aws:iam::${A}:user/alice`, accountId: A, sessionName: '' }],
    ['the root user', `arn:aws:iam::${A}:root`, undefined, { canonicalArn: `arn:aws:iam::${A}:root`, accountId: A, sessionName: '' }],
    ['a federated user', `arn:aws:sts::${A}:federated-user/bob`, undefined, { canonicalArn: `arn:aws:sts::${A}:federated-user/bob`, accountId: A, sessionName: '' }],
    ['a resource holding a colon', `arn:aws:iam::${A}:user/a:b`, undefined, { canonicalArn: `arn:aws:iam::${A}:user/a:b`, accountId: A, sessionName: '' }],
    ['another partition', `arn:aws-cn:iam::${A}:user/a`, undefined, { canonicalArn: `arn:aws-cn:iam::${A}:user/a`, accountId: A, sessionName: '' }],
  ])('canonical form of %s', (_what, arn, userId, expected) => {
    expect(canonicalizeCallerArn(arn, userId)).toStrictEqual(expected);
  });

  test.each([
    ['xrn:aws:iam::111122223333:user/a', '"xrn:aws:iam::111122223333:user/a" is not an ARN'],
    ['arn:aws:iam::111122223333', '"arn:aws:iam::111122223333" is not an ARN'],
    ['arn:mars:iam::111122223333:user/a', '"arn:mars:iam::111122223333:user/a" does not have a partition the authenticator recognizes'],
    ['arn:aws:sts::111122223333:assumed-role/dev', 'assumed-role ARN "arn:aws:sts::111122223333:assumed-role/dev" names no role'],
    ['arn:aws:iam::111122223333:assumed-role/dev/s', '"arn:aws:iam::111122223333:assumed-role/dev/s" is not an IAM user, role, root, federated user or assumed-role session ARN'],
    ['arn:aws:sts::111122223333:user/a', '"arn:aws:sts::111122223333:user/a" is not an IAM user, role, root, federated user or assumed-role session ARN'],
    ['arn:aws:iam::111122223333:federated-user/a', '"arn:aws:iam::111122223333:federated-user/a" is not an IAM user, role, root, federated user or assumed-role session ARN'],
    ['arn:aws:iam::111122223333:group/a', '"arn:aws:iam::111122223333:group/a" is not an IAM user, role, root, federated user or assumed-role session ARN'],
  ])('%s is refused', (arn, message) => {
    expect(() => canonicalizeCallerArn(arn)).toThrow(new AccessConfigError(message));
  });

  test('a template that cannot be expanded in a group denies the caller, naming the entry', () => {
    const users = loadAwsAuth({ mapUsers: `- userarn: arn:aws:iam::${A}:user/u\n  username: u\n  groups: ["{{EC2PrivateDNSName}}"]\n` });
    expect(resolveIdentities(users, { arn: `arn:aws:iam::${A}:user/u` })).toStrictEqual([{ source: 'mapUsers[0]' }]);
    expect(resolveIdentity(users, { arn: `arn:aws:iam::${A}:user/u` })).toBeUndefined();
  });

  test('when either of two entries may decide and the first denies, the caller is denied', () => {
    const users = loadAwsAuth({ mapUsers: `- userarn: arn:aws:iam::${A}:user/U\n  username: "{{EC2PrivateDNSName}}"\n- userarn: arn:aws:iam::${A}:user/u\n  username: u\n` });
    expect(resolveIdentities(users, { arn: `arn:aws:iam::${A}:user/u` }).map((o) => o.identity?.username)).toEqual([undefined, 'u']);
    expect(resolveIdentity(users, { arn: `arn:aws:iam::${A}:user/u` })).toBeUndefined();
  });

  test('stored entries are returned in entry order, each key at its last entry', () => {
    const sso = `  sso: {permissionSetName: Admin, accountID: "${A}"}`;
    const roles = loadAwsAuth({ mapRoles: `-\n${sso}\n  username: first\n- rolearn: arn:aws:iam::${A}:role/AWSReservedSSO_Admin_abc\n  username: arn\n-\n${sso}\n  username: last\n` });
    const caller = { arn: `arn:aws:sts::${A}:assumed-role/AWSReservedSSO_Admin_abc/jane` };
    expect(resolveIdentities(roles, caller).map((o) => o.source)).toEqual(['mapRoles[1]', 'mapRoles[2]']);
  });

  test('an SSO pattern: special characters of the permission set name are literal; a subject that is not an ARN never matches', () => {
    const sso = { permissionSetName: 'A.B', accountID: A };
    const roles = [{ sso, username: 'x' }];
    expect(roleCandidates(roles, `arn:aws:iam::${A}:role/awsreservedsso_a.b_123`)).toStrictEqual([{ entry: roles[0], source: 'mapRoles[0]', index: 0, by: 'sso' }]);
    expect(roleCandidates(roles, `arn:aws:iam::${A}:role/awsreservedsso_axb_123`)).toEqual([]);
    expect(roleCandidates(roles, `arn:aws:iam::${A}:role/awsreservedsso_a.b_`)).toHaveLength(1);
    expect(roleCandidates(roles, `xrn:aws:iam::${A}:role/awsreservedsso_a.b_123`)).toEqual([]);
    expect(roleCandidates(roles, `arn:aws:iam::${A}`)).toEqual([]);
    expect(ssoArnPattern(sso)).toBe(`arn:aws:iam::${A}:role/awsreservedsso_a.b_*`);
    expect(ssoArnPattern({ ...sso, partition: 'aws' })).toBe(`arn::iam::${A}:role/awsreservedsso_a.b_*`);
  });

  test('candidates: only entries the authenticator keeps, with how they matched; the pick prefers roles, then the first stored', () => {
    const role = `arn:aws:iam::${A}:role/dev`;
    const roles = [{ rolearn: role, sso: { permissionSetName: 'X', accountID: A } }, { rolearn: role.toUpperCase() }, { rolearn: role }];
    const users = [{ userarn: role }, { username: 'no-arn' }, { userarn: role.replace('dev', 'DEV') }];
    const roleFound = roleCandidates(roles, role);
    const userFound = userCandidates(users, role);
    expect(roleFound).toStrictEqual([
      { entry: roles[1], source: 'mapRoles[1]', index: 1, by: 'arn' },
      { entry: roles[2], source: 'mapRoles[2]', index: 2, by: 'arn' },
    ]);
    expect(userFound).toStrictEqual([
      { entry: users[0], source: 'mapUsers[0]', index: 0, by: 'userarn' },
      { entry: users[2], source: 'mapUsers[2]', index: 2, by: 'userarn' },
    ]);
    expect(pickCandidate([...userFound, ...roleFound])).toBe(roleFound[1]);
    expect(pickCandidate(userFound)).toBe(userFound[0]);
    expect(pickCandidate([userFound[0], { ...userFound[0], index: 5, source: 'mapUsers[5]' }])?.index).toBe(5);
    expect(pickCandidate([])).toBeUndefined();
    const other = { entry: { rolearn: `arn:aws:iam::${A}:role/other` }, source: 'mapRoles[7]', index: 7, by: 'arn' as const };
    expect(pickCandidate([roleFound[1], other])).toBe(roleFound[1]);
  });

  test('equalFold is Go\'s simple case folding: ſ is s, K (Kelvin) is k, ß is not ss', () => {
    expect(equalFold('ſ', 'S')).toBe(true);
    expect(equalFold('\u212a', 'k')).toBe(true);
    expect(equalFold('ß', 'ss')).toBe(false);
    expect(equalFold('Straße', 'STRASSE')).toBe(false);
    expect(equalFold('ARN:AWS', 'arn:aws')).toBe(true);
    expect(equalFold('a', 'b')).toBe(false);
  });
});
