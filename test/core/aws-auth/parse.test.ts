import { ADMIN_USER, NODE_ROLE, fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import { loadAwsAuth, parseAwsAuth } from '../../../lib/core/aws-auth';

const expectedRoles = [{ rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }];
const expectedUsers = [{ userarn: ADMIN_USER, username: 'ops-admin', groups: ['system:masters'] }];

describe('parseAwsAuth', () => {
  test('reads the whole ConfigMap as kubectl prints it', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth.yaml'));
    expect(problems).toEqual([]);
    expect(configMap).toEqual({
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      mapRoles: expectedRoles,
      mapUsers: expectedUsers,
      mapAccounts: ['444455556666'],
    });
  });

  test.each(['aws-auth-mixed-case-keys.yaml', 'aws-auth-camel-case-keys.yaml'])('matches entry keys case-insensitively (%s)', (name) => {
    const { configMap, problems } = parseAwsAuth(fixture(name));
    expect(problems).toEqual([]);
    expect(configMap?.mapRoles).toEqual(expectedRoles);
    expect(configMap?.mapUsers).toEqual(expectedUsers);
  });

  test('data keys are case-sensitive: MapRoles and mapusers are kept aside, not read', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth-wrong-case-data-keys.yaml'));
    expect(problems).toEqual([]);
    expect(configMap?.mapRoles).toEqual([]);
    expect(configMap?.mapUsers).toEqual([]);
    expect(Object.keys(configMap?.otherData ?? {}).sort()).toEqual(['MapRoles', 'mapusers']);
  });

  test('a section written as a list instead of a string (missing |) is an error naming it', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth-missing-bar.yaml'));
    expect(configMap).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'error', location: 'data.mapRoles' });
    expect(problems[0].message).toContain('mapRoles: |');
  });

  test('a mis-indented list item becomes one group with a dash in it, as the authenticator reads it', () => {
    const { configMap } = parseAwsAuth(fixture('aws-auth-misindented-group.yaml'));
    expect(configMap?.mapRoles[0].groups).toEqual(['system:bootstrappers - system:nodes']);
  });

  test('reads JSON as kubectl -o json prints it, with JSON-encoded sections', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth.json'));
    expect(problems).toEqual([]);
    expect(configMap).toEqual({
      metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '777' },
      mapRoles: [{ rolearn: 'arn:aws:iam::444455556666:role/ci-deployer', username: 'ci:{{SessionNameRaw}}', groups: ['deployers'] }],
      mapUsers: [],
      mapAccounts: ['012345678901'],
    });
  });

  test('keeps metadata (labels, annotations, resourceVersion, other fields) and unknown entry fields', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth-eksctl.yaml'));
    expect(configMap?.metadata).toEqual({
      name: 'aws-auth',
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/managed-by': 'eksctl' },
      annotations: { 'team.example.com/contact': 'platform' },
      resourceVersion: '12345',
      other: { creationTimestamp: '2025-01-02T03:04:05Z', uid: '6f1c7d1e-0000-4000-8000-000000000001' },
    });
    expect(configMap?.mapRoles[1]).toEqual({
      rolearn: 'arn:aws:iam::444455556666:role/platform-admin',
      username: 'platform-admin:{{SessionName}}',
      groups: ['system:masters'],
      extra: { note: 'added by the platform team' },
    });
    expect(configMap?.mapUsers).toEqual([]);
    expect(problems).toEqual([{ severity: 'warning', location: 'mapRoles[1]', message: 'unknown field "note" is ignored by the authenticator' }]);
  });

  test('accepts just the data map', () => {
    const { configMap } = parseAwsAuth({ mapAccounts: '- "111122223333"\n' });
    expect(configMap?.mapAccounts).toEqual(['111122223333']);
    expect(configMap?.metadata).toEqual({ name: 'aws-auth', namespace: 'kube-system' });
  });

  test('keeps an unquoted account ID as written, leading zero included', () => {
    const { configMap } = parseAwsAuth({ mapAccounts: '- 012345678901\n- 111122223333\n' });
    expect(configMap?.mapAccounts).toEqual(['012345678901', '111122223333']);
  });

  test('malformed YAML in a section drops that section, with the position', () => {
    const { configMap, problems } = parseAwsAuth(fixture('aws-auth-malformed.yaml'));
    expect(configMap?.mapRoles).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0].location).toBe('mapRoles');
    expect(problems[0].message).toMatch(/malformed YAML: .* at line \d+, column \d+/);
  });

  test('malformed YAML in the document is an error, no ConfigMap', () => {
    const { configMap, problems } = parseAwsAuth('apiVersion: v1\nkind: [ConfigMap\n');
    expect(configMap).toBeUndefined();
    expect(problems[0]).toMatchObject({ severity: 'error', location: 'document' });
  });

  test('another kind is refused', () => {
    expect(parseAwsAuth('kind: Secret\nmetadata: {name: aws-auth}\n').problems[0].message).toContain('expected kind ConfigMap, got "Secret"');
  });

  test.each([
    ['a number as username', '- rolearn: arn:aws:iam::111122223333:role/a\n  username: 42\n', 'username must be a string, got the number 42'],
    ['a YAML 1.1 boolean as username', '- rolearn: arn:aws:iam::111122223333:role/a\n  username: yes\n', 'username must be a string, got yes, a boolean'],
    ['groups as a string', '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: system:masters\n', 'groups must be a list of strings'],
    ['a number in groups', '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [1]\n', 'groups[0] must be a string'],
    ['an unquoted SSO account ID', '- sso: {permissionSetName: Admin, accountID: 111122223333}\n', 'accountID must be a string'],
  ])('%s is an error naming the entry', (_name, mapRoles, message) => {
    const { problems } = parseAwsAuth({ mapRoles });
    expect(problems).toHaveLength(1);
    expect(problems[0].severity).toBe('error');
    expect(problems[0].location).toMatch(/^mapRoles\[0\]/);
    expect(problems[0].message).toContain(message);
  });

  test('a section that is not a list is ignored as a whole', () => {
    const { problems } = parseAwsAuth({ mapUsers: 'userarn: arn:aws:iam::111122223333:user/a\n' });
    expect(problems[0]).toMatchObject({ severity: 'error', location: 'mapUsers' });
    expect(problems[0].message).toContain('expected a list of entries, got a mapping');
  });

  test('two spellings of one field: the authenticator keeps the last in sorted order', () => {
    const { configMap, problems } = parseAwsAuth({ mapRoles: '- RoleArn: arn:aws:iam::111122223333:role/upper\n  rolearn: arn:aws:iam::111122223333:role/lower\n' });
    expect(configMap?.mapRoles[0].rolearn).toBe('arn:aws:iam::111122223333:role/lower');
    expect(problems[0]).toMatchObject({ severity: 'warning', location: 'mapRoles[0]' });
  });

  test('an empty or blank section is no entries', () => {
    expect(parseAwsAuth({ mapRoles: '', mapUsers: '  \n', mapAccounts: '[]' }).configMap).toMatchObject({ mapRoles: [], mapUsers: [], mapAccounts: [] });
  });

  test('a section of just "" or two backticks is empty to the authenticator, not an error', () => {
    const parsed = parseAwsAuth({ mapRoles: '""', mapUsers: ' `` ', mapAccounts: '""\n' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.configMap).toMatchObject({ mapRoles: [], mapUsers: [], mapAccounts: [] });
  });

  test('an entry or account that is not a mapping or scalar is skipped alone: the others still apply', () => {
    const { problems } = parseAwsAuth({
      mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  username: a\n- just-a-string\n',
      mapAccounts: '- "111122223333"\n- {a: b}\n',
    });
    expect(problems.map((p) => p.location)).toEqual(['mapRoles[1]', 'mapAccounts[1]']);
    for (const p of problems) {
      expect(p.severity).toBe('error');
      expect(p.message).toMatch(/^the authenticator skips this (entry|item) \(the others still apply\)/);
    }
  });
});

describe('loadAwsAuth', () => {
  test('returns the ConfigMap when it reads cleanly (warnings allowed)', () => {
    expect(loadAwsAuth(fixture('aws-auth-eksctl.yaml')).mapRoles).toHaveLength(2);
  });

  test('throws, listing the problems, when anything would be lost', () => {
    expect(() => loadAwsAuth(fixture('aws-auth-malformed.yaml'))).toThrow(AccessConfigError);
    expect(() => loadAwsAuth(fixture('aws-auth-malformed.yaml'))).toThrow(/cannot read aws-auth:\nerror: mapRoles: /);
  });
});

describe('YAML features the authenticator reader supports', () => {
  test('anchors, aliases and merge keys', () => {
    const mapRoles = [
      '- &node',
      '  rolearn: arn:aws:iam::111122223333:role/nodes-a',
      '  username: system:node:{{EC2PrivateDNSName}}',
      '  groups: &groups [system:bootstrappers, system:nodes]',
      '- <<: *node',
      '  rolearn: arn:aws:iam::111122223333:role/nodes-b',
      '- rolearn: arn:aws:iam::111122223333:role/nodes-c',
      '  groups: *groups',
      '',
    ].join('\n');
    const { configMap, problems } = parseAwsAuth({ mapRoles });
    expect(problems).toEqual([]);
    expect(configMap?.mapRoles).toEqual([
      { rolearn: 'arn:aws:iam::111122223333:role/nodes-a', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: 'arn:aws:iam::111122223333:role/nodes-b', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: 'arn:aws:iam::111122223333:role/nodes-c', groups: ['system:bootstrappers', 'system:nodes'] },
    ]);
  });

  test('duplicate keys in an entry are malformed YAML', () => {
    const { problems } = parseAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  rolearn: arn:aws:iam::111122223333:role/b\n' });
    expect(problems[0]).toMatchObject({ severity: 'error', location: 'mapRoles' });
    expect(problems[0].message).toContain('duplicated mapping key');
  });
});
