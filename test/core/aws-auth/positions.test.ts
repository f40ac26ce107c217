import { AwsAuthProblem, awsAuthPositions, describePosition, parseAwsAuth } from '../../../lib/core/aws-auth';

const ROLE_A = 'arn:aws:iam::111122223333:role/a';
const ROLE_B = 'arn:aws:iam::111122223333:role/b';
const ROLE_C = 'arn:aws:iam::111122223333:role/c';

/** A ConfigMap file with `mapRoles` as a block scalar starting on file line 6. */
const CONFIG_MAP_FILE = [
  'apiVersion: v1', // 1
  'kind: ConfigMap', // 2
  'metadata:', // 3
  '  name: aws-auth', // 4
  '  namespace: kube-system', // 5
  'data:', // 6
  '  mapRoles: |', // 7
  `    - rolearn: ${ROLE_A}`, // 8
  '      username: a', // 9
  '      groups: [a]', // 10
  `    - rolearn: ${ROLE_B}`, // 11
  '      username: b', // 12
  `    - rolearn: ${ROLE_C}`, // 13
  '      username: c', // 14
  '',
].join('\n');

const error = (location: string): AwsAuthProblem => ({ severity: 'error', location, message: 'dropped' });
const warning = (location: string): AwsAuthProblem => ({ severity: 'warning', location, message: 'odd' });

describe('awsAuthPositions', () => {
  test('a block section of a ConfigMap file: each entry\'s line in the section and in the file', () => {
    expect(awsAuthPositions(CONFIG_MAP_FILE, [])).toEqual({
      mapRoles: [
        { location: 'mapRoles[0]', sectionLine: 1, fileLine: 8 },
        { location: 'mapRoles[1]', sectionLine: 4, fileLine: 11 },
        { location: 'mapRoles[2]', sectionLine: 6, fileLine: 13 },
      ],
      mapUsers: [],
      mapAccounts: [],
    });
  });

  test('entries the parser dropped (an error at their index) are skipped; the others keep the index as written', () => {
    const positions = awsAuthPositions(CONFIG_MAP_FILE, [error('mapRoles[1]'), error('mapUsers[0]'), warning('mapRoles[0]')]);
    expect(positions.mapRoles).toEqual([
      { location: 'mapRoles[0]', sectionLine: 1, fileLine: 8 },
      { location: 'mapRoles[2]', sectionLine: 6, fileLine: 13 },
    ]);
  });

  test('the skipped entries follow the parser: the parsed list and the positions line up', () => {
    const text = CONFIG_MAP_FILE.replace(`    - rolearn: ${ROLE_B}\n      username: b`, '    - not a mapping');
    const parsed = parseAwsAuth(text);
    const positions = awsAuthPositions(text, parsed.problems);
    expect(parsed.configMap!.mapRoles.map((r) => r.rolearn)).toEqual([ROLE_A, ROLE_C]);
    expect(positions.mapRoles).toEqual([
      { location: 'mapRoles[0]', sectionLine: 1, fileLine: 8 },
      { location: 'mapRoles[2]', sectionLine: 5, fileLine: 12 },
    ]);
  });

  test('an error located at a whole section, or at a nested path of another section, drops nothing', () => {
    const positions = awsAuthPositions(CONFIG_MAP_FILE, [error('mapRoles'), error('data.mapRoles[0]'), error('document')]);
    expect(positions.mapRoles.map((p) => p.location)).toEqual(['mapRoles[0]', 'mapRoles[1]', 'mapRoles[2]']);
  });

  test('the data object alone, with the section at the file\'s first line', () => {
    const text = 'mapUsers: |\n  - userarn: arn:aws:iam::111122223333:user/u\n    username: u\nmapAccounts: |\n  - "111122223333"\n';
    expect(awsAuthPositions(text, [])).toEqual({
      mapRoles: [],
      mapUsers: [{ location: 'mapUsers[0]', sectionLine: 1, fileLine: 2 }],
      mapAccounts: [{ location: 'mapAccounts[0]', sectionLine: 1, fileLine: 5 }],
    });
  });

  test.each([
    ['a quoted header', 'data:\n  "mapRoles": |-\n    - rolearn: r\n', 3],
    ['a header with a comment', 'data:\n  mapRoles: |+ # roles\n    - rolearn: r\n', 3],
    ['CRLF line ends', 'data:\r\n  mapRoles: |\r\n    - rolearn: r\r\n', 3],
  ])('the block header is found with %s', (_what, text, fileLine) => {
    expect(awsAuthPositions(text, []).mapRoles).toEqual([{ location: 'mapRoles[0]', sectionLine: 1, fileLine }]);
  });

  test('a section written as a quoted string has lines in the section, none in the file', () => {
    const text = JSON.stringify({ data: { mapRoles: `- rolearn: ${ROLE_A}\n- rolearn: ${ROLE_B}\n` } });
    expect(awsAuthPositions(text, []).mapRoles).toEqual([
      { location: 'mapRoles[0]', sectionLine: 1 },
      { location: 'mapRoles[1]', sectionLine: 2 },
    ]);
  });

  test.each(['kind: ConfigMap', 'apiVersion: v1', 'metadata: {name: aws-auth}'])(
    'a document with %s is a ConfigMap: sections outside its data are not read', (field) => {
      const text = `${field}\nmapRoles: |\n  - rolearn: ${ROLE_A}\n`;
      expect(awsAuthPositions(text, []).mapRoles).toEqual([]);
    });

  test('a document with only data is a ConfigMap too', () => {
    const text = `data:\n  mapRoles: |\n    - rolearn: ${ROLE_A}\n`;
    expect(awsAuthPositions(text, []).mapRoles).toEqual([{ location: 'mapRoles[0]', sectionLine: 1, fileLine: 3 }]);
  });

  test.each([
    ['no text', undefined],
    ['text that is not YAML', 'data: [unclosed'],
    ['a scalar document', 'just text'],
    ['data that is a scalar', 'data: 5'],
    ['a section that is not a string', '{"data": {"mapRoles": [{"rolearn": "r"}]}}'],
    ['a section that is not a list', 'data:\n  mapRoles: |\n    rolearn: r\n    username: u\n'],
    ['a section that is not YAML', 'data:\n  mapRoles: |\n    - rolearn: [unclosed\n'],
  ])('%s: no positions', (_what, text) => {
    expect(awsAuthPositions(text, [])).toEqual({ mapRoles: [], mapUsers: [], mapAccounts: [] });
  });
});

describe('describePosition', () => {
  test('the file line when known', () => {
    expect(describePosition({ location: 'mapRoles[3]', sectionLine: 4, fileLine: 9 }, 'x')).toBe('mapRoles[3] (line 9)');
  });

  test('else the line within the section, named', () => {
    expect(describePosition({ location: 'mapUsers[12]', sectionLine: 4 }, 'x')).toBe('mapUsers[12] (line 4 of mapUsers)');
  });

  test('else the location alone', () => {
    expect(describePosition({ location: 'mapAccounts[0]' }, 'x')).toBe('mapAccounts[0]');
  });

  test('the fallback without a position', () => {
    expect(describePosition(undefined, 'mapRoles[7]')).toBe('mapRoles[7]');
  });
});
