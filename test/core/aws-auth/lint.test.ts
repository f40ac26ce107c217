import { fixture } from './fixtures';
import { AwsAuthProblem, lintAwsAuth } from '../../../lib/core/aws-auth';

/** The problems at `location`, as `severity: message` lines. */
function at(problems: AwsAuthProblem[], location: string): string[] {
  return problems.filter((p) => p.location === location).map((p) => `${p.severity}: ${p.message}`);
}

describe('lintAwsAuth', () => {
  test('a clean ConfigMap has no problems', () => {
    expect(lintAwsAuth(fixture('aws-auth.yaml'))).toEqual([]);
  });

  describe('every problem of the problems fixture, by entry', () => {
    // Linted inside each test (not when the file is loaded), so that each test is seen to run the linter.
    let problems: AwsAuthProblem[] = [];
    beforeEach(() => {
      problems = lintAwsAuth(fixture('aws-auth-problems.yaml'));
    });

    test('entry without an ARN', () => {
      expect(at(problems, 'mapRoles[0]')).toEqual(['error: entry has neither rolearn nor sso: the authenticator drops it']);
      expect(at(problems, 'mapUsers[0]')).toEqual(['error: entry has no userarn: the authenticator drops it']);
    });

    test('role ARN with a path, with the canonical form', () => {
      expect(at(problems, 'mapRoles[1]')).toEqual([
        'error: rolearn "arn:aws:iam::444455556666:role/teams/dev/developer" has the path "/teams/dev/": EKS matches roles by name only, so this entry never matches; write "arn:aws:iam::444455556666:role/developer"',
      ]);
    });

    test('invalid account ID in an ARN and in mapAccounts', () => {
      expect(at(problems, 'mapRoles[2]')).toEqual(['error: rolearn never matches: ARN "arn:aws:iam::4444:role/short-account" has invalid account ID "4444" (expected 12 digits)']);
      expect(at(problems, 'mapAccounts[0]')).toEqual(['error: "44445555666" is not a 12-digit AWS account ID']);
    });

    test('an assumed-role session ARN instead of the role ARN', () => {
      expect(at(problems, 'mapRoles[3]')[0]).toContain('is an assumed-role session, not a role: the authenticator compares the session\'s role ARN, so use arn:aws:iam::444455556666:role/developer');
    });

    test('unknown username template variable', () => {
      expect(at(problems, 'mapRoles[4]')).toEqual([
        expect.stringMatching(/^error: username "viewer:\{\{SessionID\}\}" uses \{\{SessionID\}\}, which the authenticator does not expand/),
      ]);
    });

    test('duplicate ARNs and accounts', () => {
      expect(at(problems, 'mapRoles[5]')).toEqual(['warning: duplicate: "arn:aws:iam::444455556666:role/viewer" is mapped again: the authenticator uses only the last such entry, mapRoles[5] shadows mapRoles[4]']);
      expect(at(problems, 'mapAccounts[2]')).toEqual(['warning: duplicate: account "444455556666" is listed again']);
    });

    test('a user ARN under mapRoles matches all the same: a warning, not an error', () => {
      expect(at(problems, 'mapRoles[6]')).toEqual(['warning: rolearn "arn:aws:iam::444455556666:user/bob" is an IAM user ARN: the authenticator matches it all the same (it compares the caller\'s ARN with every entry), but it belongs under mapUsers as userarn']);
    });

    test('a session-only template on an IAM user', () => {
      expect(at(problems, 'mapUsers[1]')).toEqual(['error: username "carol:{{EC2PrivateDNSName}}" uses {{EC2PrivateDNSName}}, but an IAM user caller has no session: the user is always denied']);
    });

  });

  test('missing username is a warning', () => {
    expect(lintAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [g]\n' })).toEqual([
      { severity: 'warning', location: 'mapRoles[0]', message: 'no username: the authenticator hands Kubernetes an empty username, which it rejects' },
    ]);
  });

  test('all known template variables pass', () => {
    const mapRoles = '- rolearn: arn:aws:iam::111122223333:role/a\n  username: "{{AccountID}}-{{SessionName}}-{{SessionNameRaw}}-{{AccessKeyID}}-{{EC2PrivateDNSName}}"\n  groups: ["g-{{AccountID}}"]\n';
    expect(lintAwsAuth({ mapRoles })).toEqual([]);
  });

  test('an unknown template variable in a group is an error too', () => {
    const problems = lintAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n  groups: ["team-{{Team}}"]\n' });
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', location: 'mapRoles[0]', message: expect.stringContaining('groups[0] "team-{{Team}}" uses {{Team}}') })]);
  });

  test('a mis-indented group is a warning', () => {
    expect(lintAwsAuth(fixture('aws-auth-misindented-group.yaml'))).toEqual([
      expect.objectContaining({ severity: 'warning', location: 'mapRoles[0]', message: expect.stringContaining('"system:bootstrappers - system:nodes" contains white space') }),
    ]);
  });

  test('wrong-case data keys are errors naming the right key', () => {
    expect(lintAwsAuth(fixture('aws-auth-wrong-case-data-keys.yaml'))).toEqual([
      { severity: 'error', location: 'data.MapRoles', message: 'the authenticator ignores "MapRoles": data keys are case-sensitive, write "mapRoles"' },
      { severity: 'error', location: 'data.mapusers', message: 'the authenticator ignores "mapusers": data keys are case-sensitive, write "mapUsers"' },
    ]);
  });

  test('malformed YAML is reported', () => {
    expect(lintAwsAuth(fixture('aws-auth-malformed.yaml'))).toEqual([expect.objectContaining({ severity: 'error', location: 'mapRoles' })]);
  });

  test('a ConfigMap with another name or namespace', () => {
    expect(lintAwsAuth('kind: ConfigMap\nmetadata: {name: aws-auth-backup, namespace: kube-system}\n')).toEqual([
      { severity: 'error', location: 'metadata', message: 'ConfigMap is kube-system/aws-auth-backup; the authenticator reads only kube-system/aws-auth' },
    ]);
  });

  test('SSO matchers: both rolearn and sso, invalid fields', () => {
    const mapRoles = [
      '- rolearn: arn:aws:iam::111122223333:role/a',
      '  sso: {permissionSetName: Admin, accountID: "111122223333"}',
      '  username: a',
      '- sso: {permissionSetName: "has space", accountID: "111122223333"}',
      '  username: b',
      '- sso: {permissionSetName: Admin, accountID: "1111"}',
      '  username: c',
      '- sso: {permissionSetName: Admin, accountID: "111122223333", partition: mars}',
      '  username: d',
      '- sso: {permissionSetName: Admin, accountID: "111122223333", partition: aws-cn}',
      '  username: e',
      '',
    ].join('\n');
    const problems = lintAwsAuth({ mapRoles });
    expect(problems.map((p) => `${p.location} ${p.severity} ${p.message.split(':')[0]}`)).toEqual([
      'mapRoles[0] error entry has both rolearn and sso',
      'mapRoles[1] error sso.permissionSetName "has space" is not a valid permission set name (1 to 32 of letters, digits and +=,.@_-)',
      'mapRoles[2] error sso.accountID "1111" is not a 12-digit AWS account ID',
      'mapRoles[3] error sso.partition "mars" is not one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc',
      'mapRoles[4] error sso.partition "aws-cn" is set',
    ]);
  });

  test('every message, word for word: one ConfigMap with a case of each finding', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'default' },
      data: {
        MAPACCOUNTS: '- "111122223333"\n',
        mapRoles: [
          '- rolearn: arn:aws:iam::111122223333:root',
          '  username: root',
          '- rolearn: ""',
          '  sso: {permissionSetName: Admin, accountID: "111122223333", partition: aws}',
          '  username: sso',
          '  groups: ["", " ", "a b"]',
          '- rolearn: arn:aws:iam::111122223333:role/Dev',
          '  username: dev-{{SessionName}}',
          '- rolearn: arn:aws:iam::111122223333:role/dev',
          '  username: dev',
          '- rolearn: arn:aws:iam::111122223333:user/alice',
          '  username: alice',
          '',
        ].join('\n'),
        mapUsers: [
          '- userarn: arn:aws:iam::111122223333:user/alice',
          '  username: "{{SessionName}}-{{SessionNameRaw}}"',
          '  groups: ["{{EC2PrivateDNSName}}"]',
          '- userarn: arn:aws:iam::111122223333:user/Bob',
          '  username: bob',
          '- userarn: arn:aws:iam::111122223333:user/bob',
          '  username: bob',
          '- userarn: arn:aws:iam::111122223333:role/ops',
          '  username: ops',
          '- userarn: arn:aws:iam::111122223333:root',
          '  username: "{{SessionName}}"',
          '',
        ].join('\n'),
        mapAccounts: '- "111122223333"\n- "111122223333"\n- abc\n',
      },
    };
    expect(lintAwsAuth(cm)).toEqual([
      { severity: 'error', location: 'metadata', message: 'ConfigMap is default/aws-auth; the authenticator reads only kube-system/aws-auth' },
      { severity: 'error', location: 'data.MAPACCOUNTS', message: 'the authenticator ignores "MAPACCOUNTS": data keys are case-sensitive, write "mapAccounts"' },
      { severity: 'warning', location: 'mapRoles[0]', message: 'rolearn "arn:aws:iam::111122223333:root" is an account\'s root user ARN: the authenticator matches it all the same (it compares the caller\'s ARN with every entry), but it belongs under mapUsers as userarn' },
      { severity: 'error', location: 'mapRoles[1]', message: 'sso.partition "aws" is set: the authenticator then builds the pattern "arn::iam::111122223333:role/awsreservedsso_admin_*" with an empty partition, so this entry never matches; leave partition out (the aws partition is assumed)' },
      { severity: 'error', location: 'mapRoles[1]', message: 'groups[0] is empty' },
      { severity: 'error', location: 'mapRoles[1]', message: 'groups[1] is empty' },
      { severity: 'warning', location: 'mapRoles[1]', message: 'group "a b" contains white space: is a list item mis-indented (" - a\\n  - b" reads as one group "a - b")?' },
      { severity: 'warning', location: 'mapRoles[4]', message: 'rolearn "arn:aws:iam::111122223333:user/alice" is an IAM user ARN: the authenticator matches it all the same (it compares the caller\'s ARN with every entry), but it belongs under mapUsers as userarn' },
      { severity: 'warning', location: 'mapUsers[0]', message: 'username "{{SessionName}}-{{SessionNameRaw}}" uses {{SessionName}}, but an IAM user caller has no session: it expands to an empty string' },
      { severity: 'warning', location: 'mapUsers[0]', message: 'username "{{SessionName}}-{{SessionNameRaw}}" uses {{SessionNameRaw}}, but an IAM user caller has no session: it expands to an empty string' },
      { severity: 'error', location: 'mapUsers[0]', message: 'groups[0] "{{EC2PrivateDNSName}}" uses {{EC2PrivateDNSName}}, but an IAM user caller has no session: the user is always denied' },
      { severity: 'warning', location: 'mapUsers[3]', message: 'userarn "arn:aws:iam::111122223333:role/ops" is an IAM role ARN: the authenticator matches it all the same (it searches mapUsers for role callers too), but it belongs under mapRoles as rolearn' },
      { severity: 'warning', location: 'mapUsers[4]', message: 'username "{{SessionName}}" uses {{SessionName}}, but an account\'s root user caller has no session: it expands to an empty string' },
      { severity: 'error', location: 'mapAccounts[2]', message: '"abc" is not a 12-digit AWS account ID' },
      { severity: 'warning', location: 'mapRoles[3]', message: 'duplicate: "arn:aws:iam::111122223333:role/dev" is mapped again: the authenticator uses only the last such entry, mapRoles[3] shadows mapRoles[2]' },
      { severity: 'warning', location: 'mapUsers[2]', message: 'duplicate: "arn:aws:iam::111122223333:user/bob" and "arn:aws:iam::111122223333:user/Bob" (mapUsers[1]) differ only in case: the authenticator keeps both and either may decide for that user' },
      { severity: 'warning', location: 'mapAccounts[1]', message: 'duplicate: account "111122223333" is listed again' },
      { severity: 'warning', location: 'mapUsers[0]', message: 'duplicate: "arn:aws:iam::111122223333:user/alice" is mapped by mapRoles[4] too, which the authenticator searches first: this entry is never used' },
      { severity: 'warning', location: 'mapUsers[4]', message: 'duplicate: "arn:aws:iam::111122223333:root" is mapped by mapRoles[0] too, which the authenticator searches first: this entry is never used' },
    ]);
  });

  test('a document that cannot be read: only the reader\'s problem', () => {
    expect(lintAwsAuth('- a\n')).toEqual([{ severity: 'error', location: 'document', message: 'expected a ConfigMap object or its data map, got a list' }]);
  });

  test('other data keys, SSO matchers (partition left out or empty), sso entries and dropped entries with session variables', () => {
    const mapRoles = [
      '- sso: {permissionSetName: Admin, accountID: "111122223333"}',
      '  username: "admin:{{SessionName}}"',
      '- rolearn: ""',
      '  sso: {permissionSetName: View, accountID: "111122223333", partition: ""}',
      '  username: view',
      '- rolearn: arn:aws:iam::111122223333:role/both',
      '  sso: {permissionSetName: Both, accountID: "111122223333"}',
      '  username: both',
      '',
    ].join('\n');
    const mapUsers = [
      '- username: "{{SessionName}}"',
      '- userarn: arn:aws:iam::1111:user/short',
      '  username: short',
      '- userarn: arn:aws:iam::111122223333:user/dup',
      '  username: ""',
      '- userarn: arn:aws:iam::111122223333:user/dup',
      '  username: dup',
      '- userarn: arn:aws:iam::111122223333:role/both',
      '  username: both',
      '',
    ].join('\n');
    expect(lintAwsAuth({ data: { notes: 'x', mapRoles, mapUsers, mapAccounts: '- abc\n- ABC\n' } })).toEqual([
      { severity: 'error', location: 'mapRoles[2]', message: 'entry has both rolearn and sso: the authenticator drops it (set only one)' },
      { severity: 'error', location: 'mapUsers[0]', message: 'entry has no userarn: the authenticator drops it' },
      { severity: 'warning', location: 'mapUsers[0]', message: 'username "{{SessionName}}" uses {{SessionName}}, but an IAM user caller has no session: it expands to an empty string' },
      { severity: 'error', location: 'mapUsers[1]', message: 'userarn never matches: ARN "arn:aws:iam::1111:user/short" has invalid account ID "1111" (expected 12 digits)' },
      { severity: 'warning', location: 'mapUsers[2]', message: 'no username: the authenticator hands Kubernetes an empty username, which it rejects' },
      { severity: 'warning', location: 'mapUsers[4]', message: 'userarn "arn:aws:iam::111122223333:role/both" is an IAM role ARN: the authenticator matches it all the same (it searches mapUsers for role callers too), but it belongs under mapRoles as rolearn' },
      { severity: 'error', location: 'mapAccounts[0]', message: '"abc" is not a 12-digit AWS account ID' },
      { severity: 'error', location: 'mapAccounts[1]', message: '"ABC" is not a 12-digit AWS account ID' },
      { severity: 'warning', location: 'mapUsers[3]', message: 'duplicate: "arn:aws:iam::111122223333:user/dup" is mapped again: the authenticator uses only the last such entry, mapUsers[3] shadows mapUsers[2]' },
    ]);
  });
});
