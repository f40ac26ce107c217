import { ADMIN_USER, NODE_ROLE, fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import { loadAwsAuth, parseAwsAuth, renderAwsAuthData } from '../../../lib/core/aws-auth';

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
    ['a number as username', '- rolearn: arn:aws:iam::111122223333:role/a\n  username: 42\n', { rolearn: 'arn:aws:iam::111122223333:role/a' }, 'username is 42, an integer'],
    ['a YAML 1.1 boolean as username', '- rolearn: arn:aws:iam::111122223333:role/a\n  username: yes\n', { rolearn: 'arn:aws:iam::111122223333:role/a' }, 'username is yes, a boolean'],
    ['an octal-looking username', '- rolearn: arn:aws:iam::111122223333:role/a\n  username: 0123\n', { rolearn: 'arn:aws:iam::111122223333:role/a' }, 'username is 0123, an integer'],
    ['groups as a string', '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: system:masters\n', { rolearn: 'arn:aws:iam::111122223333:role/a' }, 'groups is the string "system:masters", not a list of strings'],
    ['a number in groups', '- rolearn: arn:aws:iam::111122223333:role/a\n  groups: [1, x]\n', { rolearn: 'arn:aws:iam::111122223333:role/a', groups: ['', 'x'] }, 'groups has items that are not strings'],
    ['an unquoted SSO account ID', '- sso: {permissionSetName: Admin, accountID: 111122223333}\n', { sso: { permissionSetName: 'Admin', accountID: '' } }, 'accountID is 111122223333, an integer'],
    ['sso that is not a mapping', '- rolearn: arn:aws:iam::111122223333:role/a\n  sso: x\n', { rolearn: 'arn:aws:iam::111122223333:role/a', sso: { permissionSetName: '', accountID: '' } }, 'an sso matcher with no fields'],
  ])('%s: Go\'s JSON decoder skips the value, the rest of the entry stays; edits refuse', (_name, mapRoles, entry, message) => {
    const { configMap, problems, rewriteBlockers } = parseAwsAuth({ mapRoles });
    expect(configMap?.mapRoles).toEqual([entry]);
    expect(problems).toHaveLength(1);
    expect(problems[0].severity).toBe('warning');
    expect(problems[0].location).toMatch(/^mapRoles\[0\]/);
    expect(problems[0].message).toContain(message);
    expect(rewriteBlockers).toEqual(problems);
    expect(() => loadAwsAuth({ mapRoles })).toThrow(/cannot read aws-auth/);
  });

  test('null leaves a field as an earlier spelling set it; sorted order decides', () => {
    const { configMap } = parseAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  Username: first\n  username: null\n  groups: [a]\n  Groups: [b]\n' });
    expect(configMap?.mapRoles[0]).toEqual({ rolearn: 'arn:aws:iam::111122223333:role/a', username: 'first', groups: ['a'] });
  });

  test('userid of a user entry is read (and shown), like a role\'s', () => {
    expect(parseAwsAuth({ mapUsers: '- userarn: arn:aws:iam::111122223333:user/a\n  userid: AIDAEXAMPLE\n  username: a\n' }).configMap?.mapUsers)
      .toEqual([{ userarn: 'arn:aws:iam::111122223333:user/a', userid: 'AIDAEXAMPLE', username: 'a' }]);
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

  test('a section of just "", \'\' or two backticks is empty to the authenticator, not an error', () => {
    const parsed = parseAwsAuth({ mapRoles: '""', mapUsers: ' `` ', mapAccounts: "''\n" });
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
      expect(p.message).toMatch(/^the authenticator (drops|skips) this (entry|item) \(the others still apply\)/);
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

  test('a key given twice in an entry keeps its last value, without a problem (go-yaml v2 is not strict)', () => {
    const parsed = parseAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  username: first\n  username: second\n  rolearn: arn:aws:iam::111122223333:role/b\n' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.configMap?.mapRoles).toEqual([{ rolearn: 'arn:aws:iam::111122223333:role/b', username: 'second' }]);
    expect(() => loadAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/a\n  rolearn: arn:aws:iam::111122223333:role/b\n' })).not.toThrow();
  });

  test.each(['---', '...'])('text after the first document (%s) is ignored, reported with its line, and kept byte for byte by a render', (marker) => {
    const rest = `${marker}\n- rolearn: arn:aws:iam::111122223333:role/later\n  groups:   [ system:masters ]   # kept as written\n`;
    const mapRoles = `---\n- rolearn: arn:aws:iam::111122223333:role/first\n  username: first\n${rest}`;
    const parsed = parseAwsAuth({ mapRoles });
    expect(parsed.configMap?.mapRoles).toEqual([{ rolearn: 'arn:aws:iam::111122223333:role/first', username: 'first' }]);
    expect(parsed.problems).toEqual([{ severity: 'error', location: 'mapRoles', message: expect.stringContaining('entries after line 4 are ignored by the authenticator') }]);
    expect(parsed.rewriteBlockers).toEqual([]);
    const rendered = renderAwsAuthData(parsed.configMap!).mapRoles;
    expect(rendered).toBe(`- rolearn: arn:aws:iam::111122223333:role/first\n  username: first\n${rest}`);
    expect(parseAwsAuth({ mapRoles: rendered }).configMap?.mapRoles).toEqual(parsed.configMap?.mapRoles);
  });

  test('a first document emptied by an edit keeps the ignored documents after an empty list', () => {
    const parsed = parseAwsAuth({ mapUsers: '- userarn: arn:aws:iam::111122223333:user/a\n---\n- userarn: arn:aws:iam::111122223333:user/b\n' });
    const emptied = { ...parsed.configMap!, mapUsers: [] };
    expect(renderAwsAuthData(emptied).mapUsers).toBe('[]\n---\n- userarn: arn:aws:iam::111122223333:user/b\n');
    expect(parseAwsAuth(renderAwsAuthData(emptied)).configMap?.mapUsers).toEqual([]);
  });

  test('an alias bomb is refused with a clear error, quickly', () => {
    const levels = ['a: &a0 ["x","x"]'];
    for (let i = 1; i <= 30; i++) levels.push(`b${i}: &a${i} [*a${i - 1},*a${i - 1}]`);
    const mapRoles = `- rolearn: arn:aws:iam::111122223333:role/a\n  extra: {${levels.join(', ')}}\n`;
    const started = Date.now();
    const parsed = parseAwsAuth({ mapRoles });
    expect(Date.now() - started).toBeLessThan(5_000); // about 0.1 s; the bound is for a busy machine
    expect(parsed.problems[0]).toMatchObject({ severity: 'error', location: 'mapRoles', message: expect.stringContaining('alias bomb') });
    expect(() => loadAwsAuth({ mapRoles })).toThrow(/alias bomb/);
  });

  test('an alias bomb in the ConfigMap document itself (a --file) is refused too, before any render', () => {
    const levels = ['a0: &a0 ["x","x"]'];
    for (let i = 1; i <= 30; i++) levels.push(`a${i}: &a${i} [*a${i - 1},*a${i - 1}]`);
    const document = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\nbinaryData: {${levels.join(', ')}}\n`;
    const started = Date.now();
    expect(() => loadAwsAuth(document)).toThrow('cannot read aws-auth:\nerror: document: its aliases (*name) expand it to more than 500,000 values: refused as an alias bomb');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('parseAwsAuth: every refusal and edge, word for word', () => {
  const error = (location: string, message: string) => ({ severity: 'error', location, message });
  const warning = (location: string, message: string) => ({ severity: 'warning', location, message });
  const refused = (problem: object) => ({ problems: [problem], rewriteBlockers: [problem] });
  const empty = { metadata: { name: 'aws-auth', namespace: 'kube-system' }, mapRoles: [], mapUsers: [], mapAccounts: [] };

  test.each([
    ['a list', '- a\n- b\n', 'expected a ConfigMap object or its data map, got a list'],
    ['a string', 'just text\n', 'expected a ConfigMap object or its data map, got the string "just text"'],
    ['another kind', 'kind: Secret\n', 'expected kind ConfigMap, got "Secret"'],
    ['empty', '', 'expected a ConfigMap object or its data map, got nothing'],
  ])('a document that is %s is refused', (_what, text, message) => {
    expect(parseAwsAuth(text)).toStrictEqual(refused(error('document', message)));
  });

  test('malformed YAML in the document: the reason and position', () => {
    expect(parseAwsAuth('kind: [ConfigMap\n')).toStrictEqual(refused(error('document', expect.stringMatching(/^malformed YAML: .+ at line \d+, column \d+$/))));
  });

  test('data that is not a mapping', () => {
    expect(parseAwsAuth('kind: ConfigMap\ndata: [a]\n')).toStrictEqual(refused(error('data', 'data must be a mapping of strings, got a list')));
  });

  test('data values that are not strings: each named, with the fix for a section', () => {
    const problems = [
      error('data.other', 'ConfigMap data values must be strings, got the number 5; the API server rejects this object'),
      error('data.flag', 'ConfigMap data values must be strings, got the boolean true; the API server rejects this object'),
      error('data.mapRoles', 'ConfigMap data values must be strings, got a list (write `mapRoles: |` and indent the YAML under it); the API server rejects this object'),
    ];
    expect(parseAwsAuth({ data: { other: 5, flag: true, mapRoles: ['x'] } })).toStrictEqual({ problems, rewriteBlockers: problems });
  });

  test('metadata that is not a mapping: the defaults, and an error that blocks a rewrite', () => {
    const problem = error('metadata', 'metadata must be a mapping, got a list');
    expect(parseAwsAuth({ metadata: ['a'], data: {} })).toStrictEqual({ configMap: empty, problems: [problem], rewriteBlockers: [problem] });
    expect(() => loadAwsAuth({ metadata: ['a'], data: {} })).toThrow('cannot read aws-auth:\nerror: metadata: metadata must be a mapping, got a list');
  });

  test('labels and annotations must map strings to strings; a name that is not a string is the default; the namespace is kept', () => {
    const problems = [
      error('metadata.labels', 'metadata.labels must map strings to strings'),
      error('metadata.annotations', 'metadata.annotations must map strings to strings'),
    ];
    expect(parseAwsAuth({ metadata: { name: 5, namespace: 'default', labels: { a: 1 }, annotations: ['x'] } })).toStrictEqual({
      configMap: { ...empty, metadata: { name: 'aws-auth', namespace: 'default' } }, problems, rewriteBlockers: problems,
    });
  });

  test('labels with one value that is not a string are refused; every problem is listed when an edit is refused', () => {
    const doc = { metadata: { name: 'aws-auth', labels: { a: 'x', b: 2 } }, data: { mapRoles: '- [x]\n' } };
    expect(parseAwsAuth(doc).problems).toStrictEqual([
      error('metadata.labels', 'metadata.labels must map strings to strings'),
      error('mapRoles[0]', 'the authenticator drops this entry (the others still apply): it is a list, not a mapping'),
    ]);
    expect(() => loadAwsAuth(doc)).toThrow(new AccessConfigError([
      'cannot read aws-auth:',
      'error: metadata.labels: metadata.labels must map strings to strings',
      'error: mapRoles[0]: the authenticator drops this entry (the others still apply): it is a list, not a mapping',
    ].join('\n')));
  });

  test('null metadata, labels and annotations are absent ones; a missing namespace is kube-system', () => {
    expect(parseAwsAuth({ metadata: null, data: {} })).toStrictEqual({ configMap: empty, problems: [], rewriteBlockers: [] });
    expect(parseAwsAuth({ metadata: { name: 'aws-auth', labels: null, annotations: null } })).toStrictEqual({ configMap: empty, problems: [], rewriteBlockers: [] });
    expect(parseAwsAuth({ metadata: { name: 'other' } }).configMap?.metadata).toStrictEqual({ name: 'other', namespace: 'kube-system' });
  });

  test('the document is read with the core schema: an unquoted timestamp stays text', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  creationTimestamp: 2025-01-02T03:04:05Z\n';
    expect(parseAwsAuth(text).configMap?.metadata.other).toStrictEqual({ creationTimestamp: '2025-01-02T03:04:05Z' });
  });

  test.each([
    ['kind', { kind: 'ConfigMap', mapRoles: '- rolearn: r\n' }],
    ['apiVersion', { apiVersion: 'v1', mapRoles: '- rolearn: r\n' }],
    ['metadata', { metadata: { name: 'aws-auth' }, mapRoles: '- rolearn: r\n' }],
    ['data', { data: {}, mapRoles: '- rolearn: r\n' }],
  ])('a document with %s is a whole ConfigMap: sections beside data are other fields, not read', (_key, doc) => {
    const { configMap } = parseAwsAuth(doc);
    expect(configMap?.mapRoles).toEqual([]);
    expect(configMap?.otherFields).toStrictEqual({ mapRoles: '- rolearn: r\n' });
  });

  test('entry text starting with { is JSON to the authenticator; accounts are read by YAML', () => {
    const problems = [
      error('mapRoles', 'the whole section is ignored by the authenticator: the text starts with "{", so the authenticator reads it as JSON, and a JSON object is not a list of entries'),
      error('mapAccounts', 'the whole section is ignored by the authenticator: expected a list of entries, got a mapping'),
    ];
    expect(parseAwsAuth({ mapRoles: '{"rolearn": "x"}', mapAccounts: '{a: b}' })).toStrictEqual({ configMap: empty, problems, rewriteBlockers: problems });
  });

  test('a section that is null or only a comment is no entries, without a problem', () => {
    expect(parseAwsAuth({ mapRoles: '~\n', mapUsers: 'null', mapAccounts: '# nothing\n' })).toStrictEqual({ configMap: empty, problems: [], rewriteBlockers: [] });
  });

  test('a section that is not a list: one problem, no entries', () => {
    const problem = error('mapUsers', 'the whole section is ignored by the authenticator: expected a list of entries, got a mapping');
    expect(parseAwsAuth({ mapUsers: 'userarn: x\n' })).toStrictEqual({ configMap: empty, problems: [problem], rewriteBlockers: [problem] });
  });

  test('ignored text of only markers, comments and blank lines is kept without a problem', () => {
    const ignored = '---\n\n  # c\n...\n--- # x\n';
    expect(parseAwsAuth({ mapRoles: `- rolearn: arn:aws:iam::111122223333:role/a\n${ignored}` })).toStrictEqual({
      configMap: { ...empty, mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/a' }], ignoredText: { mapRoles: ignored } },
      problems: [],
      rewriteBlockers: [],
    });
  });

  test('ignored accounts: the message names the marker line (CRLF dropped); an edit keeps the text, so nothing blocks it', () => {
    const ignored = '---\r\n- "444455556666"\r\n';
    expect(parseAwsAuth({ mapAccounts: `- "111122223333"\r\n${ignored}` })).toStrictEqual({
      configMap: { ...empty, mapAccounts: ['111122223333'], ignoredText: { mapAccounts: ignored } },
      problems: [error('mapAccounts', 'entries after line 2 are ignored by the authenticator: it reads only the first YAML document of the section, which ends with "---" on line 2; edits keep the rest as it is')],
      rewriteBlockers: [],
    });
  });

  test('spellings of one field are read in byte order, ſ folding to s; each repeated field is named', () => {
    const mapRoles = '- RoleArn: arn:aws:iam::111122223333:role/upper\n  rolearn: arn:aws:iam::111122223333:role/lower\n  usErname: b\n  uSername: a\n  groupſ: [g]\n';
    expect(parseAwsAuth({ mapRoles })).toStrictEqual({
      configMap: { ...empty, mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/lower', username: 'b', groups: ['g'] }] },
      problems: [
        warning('mapRoles[0]', '"RoleArn" and "rolearn" all set rolearn; the authenticator reads them in that order, and the last value that is not null wins'),
        warning('mapRoles[0]', '"uSername" and "usErname" all set username; the authenticator reads them in that order, and the last value that is not null wins'),
      ],
      rewriteBlockers: [],
    });
  });

  test('null leaves a string field as it was, and unsets groups and sso; no type warning', () => {
    const mapRoles = '- rolearn: r\n  Username: first\n  username: null\n  Groups: [a]\n  groups: ~\n  SSO: {permissionSetName: A, accountID: "111122223333"}\n  sso: ~\n';
    const { configMap, problems } = parseAwsAuth({ mapRoles });
    expect(configMap?.mapRoles).toStrictEqual([{ rolearn: 'r', username: 'first' }]);
    expect(problems.map((p) => p.message.split(';')[0])).toEqual([
      '"Groups" and "groups" all set groups', '"SSO" and "sso" all set sso', '"Username" and "username" all set username',
    ]);
  });

  test('a later sso mapping fills the matcher an earlier spelling made, as Go decodes into the same struct', () => {
    const mapRoles = '- SSO: {permissionSetName: A, accountID: "111122223333"}\n  sso: {partition: aws}\n';
    expect(parseAwsAuth({ mapRoles }).configMap?.mapRoles).toStrictEqual([{ sso: { permissionSetName: 'A', accountID: '111122223333', partition: 'aws' } }]);
    expect(parseAwsAuth({ mapRoles: '- sso: {permissionSetName: A, accountID: "111122223333"}\n' }).configMap?.mapRoles)
      .toStrictEqual([{ sso: { permissionSetName: 'A', accountID: '111122223333' } }]);
  });

  test('a mistyped later spelling of groups keeps the earlier list, with only the type warning', () => {
    const { configMap, problems } = parseAwsAuth({ mapRoles: '- rolearn: r\n  Groups: [a]\n  groups: x\n' });
    expect(configMap?.mapRoles).toStrictEqual([{ rolearn: 'r', groups: ['a'] }]);
    expect(problems).toStrictEqual([
      warning('mapRoles[0]', 'groups is the string "x", not a list of strings: the authenticator ignores the value (quote it)'),
      warning('mapRoles[0]', '"Groups" and "groups" all set groups; the authenticator reads them in that order, and the last value that is not null wins'),
    ]);
  });

  test('a user entry\'s groups that are not strings are read as empty groups, with a warning', () => {
    const problem = warning('mapUsers[0]', 'groups has items that are not strings: the authenticator reads each as an empty group (quote them)');
    expect(parseAwsAuth({ mapUsers: '- userarn: u\n  groups: [1, x]\n' })).toStrictEqual({
      configMap: { ...empty, mapUsers: [{ userarn: 'u', groups: ['', 'x'] }] }, problems: [problem], rewriteBlockers: [problem],
    });
  });

  test('a user entry holds only the fields written', () => {
    expect(parseAwsAuth({ mapUsers: '- username: x\n' }).configMap?.mapUsers).toStrictEqual([{ username: 'x' }]);
  });

  test('entries that are not mappings, and a float where a string belongs, each described', () => {
    const { configMap, problems } = parseAwsAuth({ mapRoles: '- ~\n- [a]\n- just-a-string\n- rolearn: r\n  username: 1.5\n' });
    expect(configMap?.mapRoles).toStrictEqual([{ rolearn: 'r' }]);
    expect(problems).toStrictEqual([
      error('mapRoles[0]', 'the authenticator drops this entry (the others still apply): it is nothing, not a mapping'),
      error('mapRoles[1]', 'the authenticator drops this entry (the others still apply): it is a list, not a mapping'),
      error('mapRoles[2]', 'the authenticator drops this entry (the others still apply): it is the string "just-a-string", not a mapping'),
      warning('mapRoles[3]', 'username is 1.5, a number to the authenticator\'s YAML 1.1 reader, not a string: the authenticator ignores the value (quote it)'),
    ]);
  });

  test('unknown fields keep the values the authenticator\'s JSON conversion gives them; a null account is ""', () => {
    const mapRoles = '- rolearn: r\n  n: 1_000\n  o: 017\n  f: 1e3\n  g: 1.5\n  big: 18446744073709551615\n  b: [yes, Off]\n  m: {k: 0x1F}\n';
    expect(parseAwsAuth({ mapRoles, mapAccounts: '- ~\n' }).configMap).toStrictEqual({
      ...empty,
      // The key n is a YAML 1.1 boolean, which the conversion writes as "false".
      mapRoles: [{ rolearn: 'r', extra: { false: 1000, o: 15, f: 1000, g: 1.5, big: '18446744073709551615', b: [true, false], m: { k: 31 } } }],
      mapAccounts: [''],
    });
  });
});
