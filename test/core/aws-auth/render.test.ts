import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { configMap } from './arbitraries';
import { fixture } from './fixtures';
import { AwsAuthConfigMap, emptyAwsAuth, loadAwsAuth, parseAwsAuth, renderAwsAuthData, renderAwsAuthJson, renderAwsAuthYaml, scalar, toConfigMapObject } from '../../../lib/core/aws-auth';

describe('renderAwsAuthYaml', () => {
  test('writes tidy YAML: rolearn/userarn, username, groups; accounts quoted', () => {
    const cm = loadAwsAuth(fixture('aws-auth-eksctl.yaml'));
    expect(renderAwsAuthYaml(cm)).toBe([
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: aws-auth',
      '  namespace: kube-system',
      '  labels:',
      '    app.kubernetes.io/managed-by: eksctl',
      '  annotations:',
      '    team.example.com/contact: platform',
      '  resourceVersion: "12345"',
      '  creationTimestamp: "2025-01-02T03:04:05Z"',
      '  uid: 6f1c7d1e-0000-4000-8000-000000000001',
      'data:',
      '  mapRoles: |',
      '    - rolearn: arn:aws:iam::444455556666:role/eksctl-prod-nodegroup-ng-1-NodeInstanceRole-9Z8Y7X6W5V4U',
      '      username: system:node:{{EC2PrivateDNSName}}',
      '      groups:',
      '        - system:bootstrappers',
      '        - system:nodes',
      '    - rolearn: arn:aws:iam::444455556666:role/platform-admin',
      '      username: platform-admin:{{SessionName}}',
      '      groups:',
      '        - system:masters',
      '      note: "added by the platform team"',
      '',
    ].join('\n'));
  });

  test('keeps top-level fields it does not edit (binaryData, immutable): a rewrite never drops them', () => {
    const cm = loadAwsAuth({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapAccounts: '- "111122223333"\n' },
      binaryData: { 'notes.bin': 'aGVsbG8=' },
      immutable: false,
    });
    const expected = { binaryData: { 'notes.bin': 'aGVsbG8=' }, immutable: false };
    expect(yaml.load(renderAwsAuthYaml(cm))).toMatchObject(expected);
    expect(JSON.parse(renderAwsAuthJson(cm))).toMatchObject(expected);
  });

  test('a new ConfigMap has the right name and namespace and no data', () => {
    expect(yaml.load(renderAwsAuthYaml(emptyAwsAuth()))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: {} });
  });

  test('accounts are always quoted, so that a leading zero survives any YAML reader', () => {
    expect(renderAwsAuthData({ ...emptyAwsAuth(), mapAccounts: ['012345678901'] }).mapAccounts).toBe('- "012345678901"\n');
  });

  test.each([
    ['plain', 'system:masters', 'system:masters'],
    ['template', 'a:{{SessionName}}', 'a:{{SessionName}}'],
    ['YAML 1.1 boolean', 'yes', '"yes"'],
    ['number-like', '0123', '"0123"'],
    ['colon-space', 'a: b', '"a: b"'],
    ['trailing colon', 'a:', '"a:"'],
    ['comment', 'a #b', '"a #b"'],
    ['empty', '', '""'],
  ])('scalar quotes only what needs it (%s)', (_name, input, output) => {
    expect(scalar(input)).toBe(output);
  });

  test.each([
    ['YAML 1.1 null', '~', '"~"'], ['null in capitals', 'NULL', '"NULL"'], ['a one-letter boolean', 'N', '"N"'], ['off', 'Off', '"Off"'],
    ['a leading dash', '-x', '"-x"'], ['a leading digit', '1a', '"1a"'], ['a leading brace', '{{AccountID}}', '"{{AccountID}}"'],
    ['white space', 'a b', '"a b"'], ['a quote', "it's", '"it\'s"'], ['a leading underscore', '_x', '_x'], ['a leading slash', '/p', '/p'],
    ['a word with every safe character', 'A0_./@:=+,{}()$*-z', 'A0_./@:=+,{}()$*-z'], ['a word that starts like a boolean', 'yesterday', 'yesterday'],
  ])('scalar: %s', (_name, input, output) => {
    expect(scalar(input)).toBe(output);
  });

  test('every field shape, word for word: userid, sso with partition, empty groups, typed extra fields, an empty entry, kept documents, other data', () => {
    const cm: AwsAuthConfigMap = {
      ...emptyAwsAuth(),
      metadata: { name: '', namespace: '', labels: { b: '2', a: '1' }, annotations: { z: 'y', c: 'd' }, resourceVersion: '7', other: { uid: 'u-1' } },
      mapRoles: [
        { rolearn: 'arn:aws:iam::111122223333:role/a', userid: 'AROAEXAMPLE', username: 'a', groups: [], extra: { n: 1, b: true, o: { k: ['x'] }, nul: null } },
        { sso: { permissionSetName: 'Admin', accountID: '111122223333', partition: 'aws' }, username: 'yes', groups: ['system:masters', 'No'] },
        {},
      ],
      mapUsers: [{ userarn: 'arn:aws:iam::111122223333:user/u', userid: 'AIDAEXAMPLE' }],
      ignoredText: { mapUsers: '---\n- userarn: x\n', mapAccounts: '...\n' },
      otherData: { zeta: 'z', alpha: 'a' },
    };
    expect(renderAwsAuthData(cm)).toEqual({
      mapRoles: [
        '- rolearn: arn:aws:iam::111122223333:role/a', '  userid: AROAEXAMPLE', '  username: a', '  groups: []', '  "n": 1', '  b: true',
        '  o: {"k":["x"]}', '  nul: null',
        '- sso:', '    permissionSetName: Admin', '    accountID: "111122223333"', '    partition: aws', '  username: "yes"', '  groups:',
        '    - system:masters', '    - "No"',
        '- {}', '',
      ].join('\n'),
      mapUsers: '- userarn: arn:aws:iam::111122223333:user/u\n  userid: AIDAEXAMPLE\n---\n- userarn: x\n',
      mapAccounts: '[]\n...\n',
      alpha: 'a',
      zeta: 'z',
    });
    expect(Object.keys(renderAwsAuthData(cm))).toEqual(['mapRoles', 'mapUsers', 'mapAccounts', 'alpha', 'zeta']);
    expect(renderAwsAuthYaml(cm).split('\ndata:')[0]).toBe([
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: aws-auth', '  namespace: kube-system',
      '  labels:', '    a: "1"', '    b: "2"', '  annotations:', '    c: d', '    z: "y"', '  resourceVersion: "7"', '  uid: u-1',
    ].join('\n'));
  });

  test('fields that are not set are not written: an sso matcher without partition, a user entry with a username only', () => {
    const cm: AwsAuthConfigMap = {
      ...emptyAwsAuth(),
      mapRoles: [{ sso: { permissionSetName: 'Admin', accountID: '111122223333' }, username: 'a' }],
      mapUsers: [{ username: 'u' }],
    };
    expect(renderAwsAuthData(cm)).toStrictEqual({
      mapRoles: '- sso:\n    permissionSetName: Admin\n    accountID: "111122223333"\n  username: a\n',
      mapUsers: '- username: u\n',
    });
    expect(toConfigMapObject(cm)).toStrictEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: renderAwsAuthData(cm),
    });
  });

  test('lists in unknown fields that are not all strings are written as JSON', () => {
    const cm: AwsAuthConfigMap = { ...emptyAwsAuth(), mapRoles: [{ rolearn: 'r', extra: { mixed: ['a', 1], numbers: [1, 2], none: [] } }] };
    expect(renderAwsAuthData(cm).mapRoles).toBe('- rolearn: r\n  mixed: ["a",1]\n  numbers: [1,2]\n  none: []\n');
  });

  test('a value shared by two fields is written twice, never as a YAML anchor; JSON ends with a line end', () => {
    const shared = { a: ['x'] };
    const cm: AwsAuthConfigMap = { ...emptyAwsAuth(), otherFields: { one: shared, two: shared } };
    expect(renderAwsAuthYaml(cm)).not.toMatch(/[&*]ref/);
    expect(renderAwsAuthYaml(cm)).toContain('one:\n  a:\n    - x\ntwo:\n  a:\n    - x\n');
    expect(renderAwsAuthJson(cm).endsWith('}\n')).toBe(true);
  });

  test('an undefined extra value is written as null', () => {
    expect(renderAwsAuthData({ ...emptyAwsAuth(), mapRoles: [{ rolearn: 'r', extra: { x: undefined } }] }).mapRoles).toBe('- rolearn: r\n  x: null\n');
  });

  test('JSON form is stable and reads back the same', () => {
    const cm = loadAwsAuth(fixture('aws-auth.json'));
    const json = renderAwsAuthJson(cm);
    expect(renderAwsAuthJson(loadAwsAuth(json))).toBe(json);
    expect(loadAwsAuth(json)).toEqual(cm);
  });
});

describe('round trip (property)', () => {
  test('parse(render(x)) deep-equals x, without problems of any kind but ignored fields', () => {
    fc.assert(fc.property(configMap, (cm) => {
      const parsed = parseAwsAuth(renderAwsAuthYaml(cm));
      expect(parsed.problems.filter((p) => !p.message.startsWith('unknown field'))).toEqual([]);
      expect(parsed.configMap).toEqual(cm);
    }), { numRuns: 300 });
  });

  test('the JSON form round-trips too, and rendering is deterministic', () => {
    fc.assert(fc.property(configMap, (cm) => {
      expect(loadAwsAuth(renderAwsAuthJson(cm))).toEqual(cm);
      expect(renderAwsAuthYaml(loadAwsAuth(renderAwsAuthYaml(cm)))).toBe(renderAwsAuthYaml(cm));
    }), { numRuns: 200 });
  });
});
