/**
 * fast-check generators of aws-auth `data` maps written the odd ways people and tools write them:
 * flow and block style, keys in any case and given twice, block scalars, unknown keys, SSO
 * matchers, values of the wrong type, YAML 1.1 words, several documents, accounts quoted or not.
 * Each map comes with callers worth resolving against it.
 */
import * as fc from 'fast-check';

export const ACCOUNTS = ['111122223333', '444455556666', '012345678901'];
const NAMES = ['dev', 'Dev', 'ops', 'Admin', 'ci-deployer', 'nodes', 'a.b@c', 'x'.repeat(64), 'y'.repeat(65)];
const PERMISSION_SETS = ['Admin', 'ReadOnly', 'has space', 'p'.repeat(33)];

/** A YAML scalar for `text`: plain where safe, else one of the quoted forms. */
const quoted = (text: string) => fc.constantFrom(JSON.stringify(text), `'${text.replace(/'/g, "''")}'`);
const scalar = (text: string): fc.Arbitrary<string> =>
  /^[A-Za-z_/][A-Za-z0-9_./@:=+,{}()$*-]*$/.test(text) && !text.includes(': ') && !text.endsWith(':') && !text.startsWith('{')
    ? fc.oneof(fc.constant(text), quoted(text))
    : quoted(text);

/** Values of no string type to the authenticator's YAML 1.1 reader, written plain. */
const TYPED = ['yes', 'No', 'on', 'OFF', 'y', 'true', '0123', '0x1F', '1e3', '42', '~', 'null', '111122223333', '012345678901', '.5_0', '-.inf', '.NaN', '+.nan'];

const roleArn = fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...NAMES), fc.constantFrom('', 'team/'), fc.constantFrom('arn:aws', 'arn:aws', 'ARN:AWS', 'arn:aws-cn', 'arn:mars'))
  .map(([account, name, path, prefix]) => `${prefix}:iam::${account}:role/${path}${name}`);
const userArn = fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...NAMES), fc.constantFrom('', 'team/'))
  .map(([account, name, path]) => `arn:aws:iam::${account}:user/${path}${name}`);
const otherArn = fc.constantFrom(
  'arn:aws:iam::111122223333:root', 'arn:aws:sts::111122223333:assumed-role/dev/alice', 'arn:aws:sts::111122223333:federated-user/bob',
  'arn:aws:iam::1111:role/short', ' arn:aws:iam::111122223333:role/dev', 'arn:aws:iam::111122223333:role/dev ', 'not-an-arn', '',
);
const anyArn = fc.oneof({ weight: 4, arbitrary: roleArn }, { weight: 3, arbitrary: userArn }, { weight: 1, arbitrary: otherArn });

const templated = fc.constantFrom('dev:{{SessionName}}', 'system:node:{{EC2PrivateDNSName}}', '{{AccountID}}-{{SessionNameRaw}}', 'key:{{AccessKeyID}}', 'x:{{Unknown}}', 'alice', 'system:masters', 'a b', '');
const group = fc.oneof(templated.chain(scalar), fc.constantFrom(...TYPED));

type Field = [string, string];

/** A field's value written as YAML (flow-safe). */
function groupsValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(group, { maxLength: 3 }).map((gs) => `[${gs.join(', ')}]`) },
    { weight: 1, arbitrary: fc.constantFrom('null', '~', 'system:masters', '{a: b}', '[]') },
  );
}

const stringValue = (text: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 6, arbitrary: text.chain(scalar) }, { weight: 1, arbitrary: fc.constantFrom(...TYPED) });

/** A spelling of a key as the authenticator matches it: case-insensitively. */
function spelling(key: string): fc.Arbitrary<string> {
  const other = fc.constantFrom(key.toUpperCase(), key[0].toUpperCase() + key.slice(1));
  return fc.oneof({ weight: 5, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: other });
}

const ssoValue = fc.tuple(fc.constantFrom(...PERMISSION_SETS), fc.constantFrom(...ACCOUNTS, '1111'), fc.boolean(), fc.option(fc.constantFrom('aws', 'aws-cn', 'mars', ''), { nil: undefined }))
  .map(([set, account, quote, partition]) => `{permissionSetName: ${JSON.stringify(set)}, accountID: ${quote ? JSON.stringify(account) : account}${partition === undefined ? '' : `, partition: ${JSON.stringify(partition)}`}}`);

function entryFields(arnKey: 'rolearn' | 'userarn'): fc.Arbitrary<Field[]> {
  return fc.record({
    arn: fc.option(anyArn.chain(scalar), { freq: 8, nil: undefined }),
    sso: arnKey === 'rolearn' ? fc.option(ssoValue, { freq: 4, nil: undefined }) : fc.constant(undefined),
    userid: fc.option(fc.constantFrom('AROAEXAMPLE', 'AIDAEXAMPLE'), { freq: 6, nil: undefined }),
    username: fc.option(stringValue(templated), { freq: 1, nil: undefined }),
    groups: fc.option(groupsValue(), { freq: 1, nil: undefined }),
    extra: fc.option(fc.constantFrom<Field>(['note', '"hello"'], ['expires', '2030-01-01'], ['n', '1']), { freq: 5, nil: undefined }),
    duplicate: fc.option(fc.constantFrom('username', 'groups', arnKey), { freq: 5, nil: undefined }),
  }).chain((f) => {
    const fields: Array<fc.Arbitrary<Field>> = [];
    const add = (key: string, value: string | undefined) => {
      if (value !== undefined) fields.push(spelling(key).map((k): Field => [k, value]));
    };
    add(arnKey, f.arn);
    add('sso', f.sso);
    add('userid', f.userid);
    add('username', f.username);
    add('groups', f.groups);
    if (f.extra) fields.push(fc.constant(f.extra));
    if (f.duplicate) {
      const value = f.duplicate === 'groups' ? groupsValue() : f.duplicate === 'username' ? stringValue(templated) : anyArn.chain(scalar);
      fields.push(value.map((v): Field => [f.duplicate!, v]));
    }
    if (fields.length === 0) return fc.constant([]);
    return fc.tuple(...fields).chain((fs) => fc.shuffledSubarray(fs, { minLength: fs.length, maxLength: fs.length }));
  });
}

/** One list item: block mapping, flow mapping, or with a block-scalar username. */
function entryText(arnKey: 'rolearn' | 'userarn'): fc.Arbitrary<string> {
  return fc.tuple(entryFields(arnKey), fc.constantFrom('block', 'block', 'flow', 'literal')).map(([fields, style]) => {
    if (fields.length === 0) return '- {}\n';
    if (style === 'flow') return `- {${fields.map(([k, v]) => `${k}: ${v}`).join(', ')}}\n`;
    return fields.map(([k, v], i) => {
      const lead = i === 0 ? '- ' : '  ';
      if (style === 'literal' && k.toLowerCase() === 'username' && /^"[^"\\]*"$/.test(v)) {
        return `${lead}${k}: |-\n    ${JSON.parse(v) || 'x'}\n`;
      }
      return `${lead}${k}: ${v}\n`;
    }).join('');
  });
}

/** A whole section: empty forms, a list (maybe after `---`), maybe more documents after it. */
function sectionText(item: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  const list = fc.array(item, { maxLength: 4 }).map((items) => items.join(''));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', "''", '""', '``', '  \n', '[]') },
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom('', '', '---\n', '# comment\n', '--- '), list, fc.option(fc.tuple(fc.constantFrom('---\n', '...\n', '--- # next\n'), list), { freq: 4, nil: undefined }))
        .map(([head, body, more]) => `${head}${body}${more ? more[0] + more[1] : ''}`),
    },
  );
}

const accountItem = fc.oneof(
  fc.constantFrom(...ACCOUNTS).map((a) => `- ${a}\n`),
  fc.constantFrom(...ACCOUNTS).map((a) => `- "${a}"\n`),
  fc.constantFrom('- 4444\n', '- ~\n', '- yes\n', "- '555566667777'\n"),
);

/** A `data` map (only the keys that are set). */
export const oddData: fc.Arbitrary<Record<string, string>> = fc.record({
  mapRoles: sectionText(entryText('rolearn')),
  mapUsers: sectionText(entryText('userarn')),
  mapAccounts: sectionText(accountItem),
}).map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** Callers worth trying: sessions of the roles, users, root, SSO roles, strangers, in any case. */
export const callers = fc.array(fc.oneof(
  fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...NAMES.slice(0, 7), 'DEV', 'stranger'), fc.constantFrom('alice', 'i-0123456789abcdef0', 'bob@example.com'))
    .map(([a, n, s]) => ({ arn: `arn:aws:sts::${a}:assumed-role/${n}/${s}`, userId: `AROAEXAMPLE:${s}` })),
  fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...NAMES.slice(0, 7), 'DEV'), fc.constantFrom('', 'team/')).map(([a, n, p]) => ({ arn: `arn:aws:iam::${a}:user/${p}${n}`, userId: 'AIDAEXAMPLE' })),
  fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom('Admin', 'ReadOnly')).map(([a, set]) => ({ arn: `arn:aws:sts::${a}:assumed-role/AWSReservedSSO_${set}_0123456789abcdef/alice`, userId: 'AROAEXAMPLE:alice' })),
  fc.constantFrom(...ACCOUNTS).map((a) => ({ arn: `arn:aws:iam::${a}:root`, userId: a })),
  fc.constantFrom(...ACCOUNTS).map((a) => ({ arn: `arn:aws:sts::${a}:federated-user/bob`, userId: `${a}:bob` })),
).map((c) => ({ ...c, accessKeyId: 'ASIAEXAMPLE', ec2PrivateDnsName: 'ip-10-0-0-1.ec2.internal' })), { minLength: 1, maxLength: 6 });
