import * as yaml from 'js-yaml';
import { aliasTree } from './alias-tree';
import {
  aliasBombProblem, expandedSize, isSkippableSection, MAX_EXPANDED_NODES, plainScalarKind, readSection, splitFirstDocument, TypedScalar, yamlMessage,
} from '../../../lib/core/aws-auth/yaml-reader';

// The expectations follow go-yaml v2.4.0's resolve.go (resolveMap, the resolveTable hints, then
// strconv.ParseInt/ParseUint with base 0 and yamlStyleFloat after dropping `_`), as the
// authenticator's reader runs it; the oracle comparison checks the same against the Go code.
describe('plainScalarKind', () => {
  test.each([
    ['', 'null'], ['~', 'null'], ['null', 'null'], ['Null', 'null'], ['NULL', 'null'], ['nULL', 'string'],
    ['y', 'bool'], ['Y', 'bool'], ['yes', 'bool'], ['Yes', 'bool'], ['YES', 'bool'], ['yES', 'string'],
    ['n', 'bool'], ['N', 'bool'], ['no', 'bool'], ['No', 'bool'], ['NO', 'bool'],
    ['true', 'bool'], ['True', 'bool'], ['TRUE', 'bool'], ['false', 'bool'], ['False', 'bool'], ['FALSE', 'bool'],
    ['on', 'bool'], ['On', 'bool'], ['ON', 'bool'], ['off', 'bool'], ['Off', 'bool'], ['OFF', 'bool'], ['oN', 'string'],
    ['.inf', 'float'], ['.Inf', 'float'], ['.INF', 'float'], ['+.inf', 'float'], ['-.INF', 'float'], ['.iNF', 'string'],
    ['.nan', 'float'], ['.NaN', 'float'], ['.NAN', 'float'], ['+.nan', 'string'], ['-.nan', 'string'], ['.infinity', 'string'],
    ['42', 'int'], ['+12', 'int'], ['-0', 'int'], ['0', 'int'], ['1_000', 'int'], ['1__0', 'int'], ['1_', 'int'], ['_1', 'string'],
    ['0x1F', 'int'], ['0X1f', 'int'], ['0x_1F', 'int'], ['0x', 'string'], ['0xG', 'string'],
    ['017', 'int'], ['0o17', 'int'], ['0O17', 'int'], ['0_17', 'int'], ['0b101', 'int'], ['0B11', 'int'], ['-0b11', 'int'], ['+0b1', 'int'], ['0b2', 'string'],
    ['09', 'float'], ['018', 'float'],
    ['9223372036854775807', 'int'], ['-9223372036854775808', 'int'], ['18446744073709551615', 'int'],
    ['18446744073709551616', 'float'], ['-9223372036854775809', 'float'], ['0x10000000000000000', 'string'],
    [`0b${'1'.repeat(64)}`, 'int'], [`0b1${'0'.repeat(64)}`, 'string'], [`-0b1${'0'.repeat(63)}`, 'int'], [`-0b1${'0'.repeat(62)}1`, 'string'],
    ['1e3', 'float'], ['1E+3', 'float'], ['1.5e-3', 'float'], ['.5', 'float'], ['.5E3', 'float'], ['+.5', 'float'], ['1.', 'float'],
    ['0.1_5', 'float'], ['1_0.5', 'float'], ['.5_0', 'float'],
    ['.e3', 'string'], ['.', 'string'], ['+', 'string'], ['-', 'string'], ['1.5.6', 'string'], ['1e', 'string'], ['1e999', 'string'], ['-1e999', 'string'],
    ['2001-12-14', 'string'], ['111122223333', 'int'], ['012345678901', 'float'], ['arn:aws:iam::1:role/x', 'string'], ['a1', 'string'],
  ])('%j is %s', (text, kind) => {
    expect(plainScalarKind(text)).toBe(kind);
  });
});

describe('TypedScalar', () => {
  test.each([
    ['bool', 'yes', 'true'], ['bool', 'Y', 'true'], ['bool', 'On', 'true'], ['bool', 'TRUE', 'true'],
    ['bool', 'no', 'false'], ['bool', 'N', 'false'], ['bool', 'Off', 'false'], ['bool', 'False', 'false'],
    ['int', '42', '42'], ['int', '+12', '12'], ['int', '-7', '-7'], ['int', '1_000', '1000'], ['int', '0x1F', '31'], ['int', '0X1f', '31'],
    ['int', '017', '15'], ['int', '0o17', '15'], ['int', '0b101', '5'], ['int', '-0b11', '-3'], ['int', '0', '0'],
    ['int', '18446744073709551615', '18446744073709551615'], ['int', '-9223372036854775808', '-9223372036854775808'],
    ['float', '1e3', '1000'], ['float', '1.50', '1.5'], ['float', '1_0.5', '10.5'],
    ['float', '.inf', 'Infinity'], ['float', '+.Inf', 'Infinity'], ['float', '-.INF', '-Infinity'], ['float', '.nan', 'NaN'],
  ] as const)('%s %j is the key %j', (kind, text, key) => {
    const scalar = new TypedScalar(kind, text);
    expect(scalar.toString()).toBe(key);
    expect(scalar.text).toBe(text);
    expect(Object.prototype.toString.call(scalar)).toBe('[object TypedScalar]');
  });
});

describe('isSkippableSection', () => {
  test.each(['', '   ', '\n\t\n', '""', "''", '``', '  ""\n'])('%j is skipped, as isSkippable does', (text) => {
    expect(isSkippableSection(text)).toBe(true);
  });
  test.each(['"x"', "'", '`', '` `', '[]', '- a', '~', '"" ""'])('%j is read', (text) => {
    expect(isSkippableSection(text)).toBe(false);
  });
});

describe('splitFirstDocument', () => {
  test('text without a second document is all first', () => {
    expect(splitFirstDocument('- a\n- b\n')).toEqual({ first: '- a\n- b\n' });
  });

  test.each(['---', '...', '--- ', '...\t# end'])('a %j line after content starts what is ignored, with its line', (marker) => {
    expect(splitFirstDocument(`- a\n- b\n${marker}\n- c\n`)).toEqual({ first: '- a\n- b\n', rest: `${marker}\n- c\n`, restLine: 3 });
  });

  test('comments, blank lines, directives and one --- before the content belong to the first document', () => {
    const text = '# roles\n\n%YAML 1.1\n---\n- a\n---\n- b\n';
    expect(splitFirstDocument(text)).toEqual({ first: '# roles\n\n%YAML 1.1\n---\n- a\n', rest: '---\n- b\n', restLine: 6 });
  });

  test('a second --- before any content ends an empty first document', () => {
    expect(splitFirstDocument('---\n# nothing\n---\n- b\n')).toEqual({ first: '---\n# nothing\n', rest: '---\n- b\n', restLine: 3 });
  });

  test('a line of only spaces before the opening --- is no content', () => {
    expect(splitFirstDocument('  \n---\n- a\n')).toEqual({ first: '  \n---\n- a\n' });
  });

  test('a ... right after the opening --- ends it too', () => {
    expect(splitFirstDocument('---\n...\n- b\n')).toEqual({ first: '---\n', rest: '...\n- b\n', restLine: 2 });
  });

  test('what the opening --- line holds is returned; the next marker ends the document', () => {
    expect(splitFirstDocument('--- - a\n--- - b\n')).toEqual({ first: '--- - a\n', rest: '--- - b\n', restLine: 2, startContent: '- a' });
    expect(splitFirstDocument('--- # roles\n---\n- b\n')).toEqual({ first: '--- # roles\n', rest: '---\n- b\n', restLine: 2, startContent: '# roles' });
    expect(splitFirstDocument('--- ["a"]\n')).toEqual({ first: '--- ["a"]\n', startContent: '["a"]' });
    expect(splitFirstDocument('- a\n--- - b\n')).toEqual({ first: '- a\n', rest: '--- - b\n', restLine: 2 });
  });

  test('after the opening ---, a % line is content, not a directive', () => {
    expect(splitFirstDocument('---\n%x\n---\n')).toEqual({ first: '---\n%x\n', rest: '---\n', restLine: 3 });
  });

  test.each(['---x', ' ---', '----', '- ---', '.. .', '....'])('%j is not a document marker', (line) => {
    expect(splitFirstDocument(`- a\n${line}\n- b\n`)).toEqual({ first: `- a\n${line}\n- b\n` });
  });

  test('CRLF line ends', () => {
    expect(splitFirstDocument('- a\r\n---\r\n- b\r\n')).toEqual({ first: '- a\r\n', rest: '---\r\n- b\r\n', restLine: 2 });
  });

  test('a marker on the last line, without a line end', () => {
    expect(splitFirstDocument('- a\n...')).toEqual({ first: '- a\n', rest: '...', restLine: 2 });
  });
});

describe('readSection', () => {
  const entries = { jsonPrefix: true };
  const accounts = { jsonPrefix: false };

  test('a skippable section is skipped', () => {
    expect(readSection("''", entries)).toEqual({ skipped: true });
  });

  test('a list, with go-yaml v2\'s types for plain scalars and nulls as null', () => {
    const reading = readSection('- rolearn: r\n  username: ~\n  groups: [a, yes, 0x1F, 1.5, "yes", null]\n', entries);
    expect(reading).toEqual({
      value: [{
        rolearn: 'r',
        username: null,
        groups: ['a', new TypedScalar('bool', 'yes'), new TypedScalar('int', '0x1F'), new TypedScalar('float', '1.5'), 'yes', null],
      }],
    });
  });

  test('a whole section that is null reads as null', () => {
    expect(readSection('~\n', entries)).toEqual({ value: null });
    expect(readSection('# only a comment\n', entries)).toEqual({ value: null });
  });

  test('aliases, merge keys and unknown tags read as go-yaml v2 reads them', () => {
    const reading = readSection('- &base {username: u, groups: [g]}\n- <<: *base\n  rolearn: !custom r\n- *base\n', entries);
    expect(reading.value).toEqual([
      { username: 'u', groups: ['g'] },
      { username: 'u', groups: ['g'], rolearn: 'r' },
      { username: 'u', groups: ['g'] },
    ]);
  });

  test('an alias of a mapping holding a null is read with the null at each use', () => {
    expect(readSection('- &x {username: ~}\n- *x\n', entries).value).toEqual([{ username: null }, { username: null }]);
  });

  test('text starting with { is JSON to the authenticator for entries, and an object is no list', () => {
    expect(readSection('  {"rolearn": "r"}', entries)).toEqual({ error: expect.stringContaining('starts with "{"') });
    expect(readSection('{a: b}', accounts)).toStrictEqual({ value: { a: 'b' } });
  });

  test('malformed YAML: the reason with line and column, the ignored rest still named', () => {
    expect(readSection('- a\n- [b\n', entries)).toEqual({ error: expect.stringMatching(/^malformed YAML: .+ at line 3, column 1$/) });
    const reading = readSection('- [b\n---\n- c\n', entries);
    expect(reading.error).toMatch(/^malformed YAML: /);
    expect(reading.ignored).toEqual({ text: '---\n- c\n', line: 2 });
  });

  test.each(['--- - "111122223333"\n', '--- -\n', '--- \t- x\n', '# c\n--- - x\n', '--- &x - y\n', '--- !!seq - y\n'])(
    'a list entry on the --- line (%j) is refused, as go-yaml\'s scanner refuses it', (text) => {
      expect(readSection(text, accounts)).toEqual({
        error: 'a list entry starts on the "---" line, which the authenticator\'s YAML reader refuses (block sequence entries are not allowed in this context): start the list on the next line',
      });
    });

  test('a flow list, a scalar or a comment on the --- line is read; a refused start line still names the ignored rest', () => {
    expect(readSection('--- ["111122223333"]\n', accounts)).toEqual({ value: ['111122223333'] });
    expect(readSection('--- -a\n', accounts)).toEqual({ value: '-a' });
    expect(readSection('--- # c\n- a\n', accounts)).toEqual({ value: ['a'] });
    expect(readSection('--- - a\n...\n- b\n', accounts).ignored).toEqual({ text: '...\n- b\n', line: 2 });
  });

  test('text after the first document is ignored, and returned with its line', () => {
    expect(readSection('- a\n...\n- b\n', accounts)).toEqual({ value: ['a'], ignored: { text: '...\n- b\n', line: 2 } });
  });

  test('an alias bomb is refused, the ignored rest still named', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 7; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const reading = readSection(`- {${levels.join(', ')}}\n---\nrest\n`, entries);
    expect(reading.error).toBe('its aliases (*name) expand it to more than 500,000 values: refused as an alias bomb');
    expect(reading.ignored).toEqual({ text: '---\nrest\n', line: 2 });
  });

  test.each([
    ['~: x', 'a mapping key is null'],
    ['null: x', 'a mapping key is null'],
    ['{a: b}: x', 'a mapping key is itself a mapping'],
    ['rolearn: {{AccountID}}', 'a mapping key is itself a mapping'],
    ['username: .inf', '.inf is an infinite or not-a-number float'],
    ['groups: [-.Inf]', '-.Inf is an infinite or not-a-number float'],
  ])('for entries, %j fails the JSON conversion: the section is unreadable', (entry, message) => {
    const reading = readSection(`- rolearn: r\n- ${entry}\n---\nrest\n`, entries);
    expect(reading.error).toContain(message);
    expect(reading.value).toBeUndefined();
    expect(reading.ignored).toEqual({ text: '---\nrest\n', line: 3 });
  });

  test('a null key found deep in an entry fails it too', () => {
    expect(readSection('- rolearn: r\n  x: [{y: {~: z}}]\n', entries).error).toContain('a mapping key is null');
  });

  test('for accounts (read by go-yaml directly), a null key is the key "null", and floats stay values', () => {
    expect(readSection('- {~: x}\n- .inf\n- yes\n', accounts)).toEqual({
      value: [{ null: 'x' }, new TypedScalar('float', '.inf'), new TypedScalar('bool', 'yes')],
    });
  });

  test('a list item that is null, or an inf float, is fine where nothing converts it to JSON', () => {
    expect(readSection('- ~\n- 0123\n', accounts)).toEqual({ value: [null, new TypedScalar('int', '0123')] });
  });
});

describe('expandedSize', () => {
  test('counts every node, aliases expanded', () => {
    expect(expandedSize('x', 10)).toBe(1);
    expect(expandedSize(null, 10)).toBe(1);
    expect(expandedSize([], 10)).toBe(1);
    expect(expandedSize(['a', 'b'], 10)).toBe(3);
    expect(expandedSize({ a: ['x', { b: 'y' }] }, 10)).toBe(5);
    expect(expandedSize([new TypedScalar('int', '1'), new TypedScalar('bool', 'y')], 10)).toBe(3);
    const shared = ['x', 'y'];
    expect(expandedSize([shared, shared, shared], 100)).toBe(10);
  });

  test('stops just past the cap', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i);
    expect(expandedSize(big, 10)).toBe(11);
    expect(expandedSize(big, 1000)).toBe(1001);
    expect(expandedSize(big, 2000)).toBe(1001);
    expect(MAX_EXPANDED_NODES).toBe(500_000);
  });
});

describe('aliasBombProblem', () => {
  test('exactly 500,000 values is still fine; one more is an alias bomb', () => {
    expect(aliasBombProblem(yaml.load(aliasTree(500_000)))).toBeUndefined();
    expect(aliasBombProblem(yaml.load(aliasTree(500_001)))).toBe('its aliases (*name) expand it to more than 500,000 values: refused as an alias bomb');
  });
});

describe('yamlMessage', () => {
  test('js-yaml\'s reason and 1-based position', () => {
    expect(yamlMessage({ reason: 'bad indentation', mark: { line: 2, column: 0 }, message: 'long' })).toBe('bad indentation at line 3, column 1');
  });

  test('else the message, else the value as text', () => {
    expect(yamlMessage(new Error('plain'))).toBe('plain');
    expect(yamlMessage({ reason: 'no mark', message: 'the message' })).toBe('the message');
    expect(yamlMessage('thrown text')).toBe('thrown text');
  });
});
