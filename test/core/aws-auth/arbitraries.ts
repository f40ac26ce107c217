/** fast-check generators of aws-auth ConfigMaps, shaped exactly as the parser returns them. */
import * as fc from 'fast-check';
import { AwsAuthConfigMap, RoleMapping, UserMapping } from '../../../lib/core/aws-auth';

const KNOWN = ['rolearn', 'userarn', 'sso', 'userid', 'username', 'groups'];

export const accountId = fc.stringMatching(/^\d{12}$/);
const iamName = fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/);

/** Strings that stress YAML quoting: templates, YAML 1.1 booleans, numbers, colons, quotes, newlines. */
export const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('system:node:{{EC2PrivateDNSName}}', 'dev:{{SessionName}}', 'yes', 'No', 'on', 'null', '~', '0123', '1e3', 'a: b', '#x', '- x',
    '{{AccountID}}', 'x:', '"quoted"', "it's", 'line\nbreak', ' padded ', '*alias', '&anchor', '!tag', '@at', '%pct', '[x]', '{y}'),
);

export const roleArn = fc.tuple(accountId, iamName).map(([a, n]) => `arn:aws:iam::${a}:role/${n}`);
export const userArn = fc.tuple(accountId, iamName).map(([a, n]) => `arn:aws:iam::${a}:user/${n}`);

const extraKey = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !KNOWN.includes(k.toLowerCase()) && k !== '__proto__' && k !== '<<');
const extraValue = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }).filter((k) => k !== '__proto__'), fc.string({ maxLength: 5 }), { maxKeys: 2 }));
const extra = fc.dictionary(extraKey, extraValue, { minKeys: 1, maxKeys: 2 });

const identity = { username: text, groups: fc.array(text, { maxLength: 3 }), extra };

export const roleMapping: fc.Arbitrary<RoleMapping> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ rolearn: roleArn, ...identity }, { requiredKeys: ['rolearn'] }) },
  {
    weight: 1,
    arbitrary: fc.record({
      sso: fc.record({ permissionSetName: iamName, accountID: accountId, partition: fc.constantFrom('aws', 'aws-cn') }, { requiredKeys: ['permissionSetName', 'accountID'] }),
      ...identity,
    }, { requiredKeys: ['sso'] }),
  },
);

export const userMapping: fc.Arbitrary<UserMapping> = fc.record({ userarn: userArn, ...identity }, { requiredKeys: ['userarn'] });

const labelMap = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.\/-]{0,15}$/), fc.string({ maxLength: 10 }), { minKeys: 1, maxKeys: 3 });

export const configMap: fc.Arbitrary<AwsAuthConfigMap> = fc.record({
  metadata: fc.record({
    name: fc.constant('aws-auth'),
    namespace: fc.constant('kube-system'),
    labels: labelMap,
    annotations: labelMap,
    resourceVersion: fc.stringMatching(/^[1-9]\d{0,6}$/),
  }, { requiredKeys: ['name', 'namespace'] }),
  mapRoles: fc.array(roleMapping, { maxLength: 5 }),
  mapUsers: fc.array(userMapping, { maxLength: 4 }),
  mapAccounts: fc.array(accountId, { maxLength: 3 }),
  otherData: fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z0-9._-]{0,10}$/).filter((k) => !['mapRoles', 'mapUsers', 'mapAccounts'].includes(k)), fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 2 }),
}, { requiredKeys: ['metadata', 'mapRoles', 'mapUsers', 'mapAccounts'] });

/** Freezes `value` deeply, so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
