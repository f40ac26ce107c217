import { deepFreeze } from './arbitraries';
import { fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import {
  AWS_AUTH_OWNER_RECORDS_ANNOTATION, AwsAuthConfigMap, emptyAwsAuth, entryDigest, loadAwsAuth, mergeOwnedAwsAuth, nodeRoleMappings, ownedEntries,
  readOwnerRecords, releaseOwner, renderAwsAuthYaml,
} from '../../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION, DesiredAwsAuth } from '../../../lib/core/desired-state';

const DEV = 'arn:aws:iam::111122223333:role/dev';
const OPS = 'arn:aws:iam::111122223333:role/ops';
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const none: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };
const want = (x: Partial<DesiredAwsAuth>): DesiredAwsAuth => ({ ...none, ...x });
/** A merge, then the result read back from its YAML, as the next deploy would see it. */
const merge = (cm: AwsAuthConfigMap, owner: string, desired: DesiredAwsAuth) => {
  const result = mergeOwnedAwsAuth(cm, owner, desired);
  return { ...result, configMap: loadAwsAuth(renderAwsAuthYaml(result.configMap)) };
};

describe('mergeOwnedAwsAuth', () => {
  const foreign = loadAwsAuth(fixture('aws-auth-eksctl.yaml'));

  test('adds the owner entries after the foreign ones and records them in the annotation', () => {
    const { configMap, changed, warnings } = merge(foreign, 'stack-a', want({
      mapRoles: [{ rolearn: DEV, username: 'dev:{{SessionName}}', groups: ['developers'] }],
      mapUsers: [{ userarn: ALICE, username: 'alice', groups: [] }],
      mapAccounts: ['111122223333'],
    }));
    expect(changed).toBe(true);
    expect(warnings).toEqual([]);
    expect(configMap.mapRoles).toEqual([...foreign.mapRoles, { rolearn: DEV, username: 'dev:{{SessionName}}', groups: ['developers'] }]);
    expect(configMap.mapUsers).toEqual([{ userarn: ALICE, username: 'alice' }]);
    expect(configMap.mapAccounts).toEqual(['111122223333']);
    expect(configMap.metadata.annotations?.['team.example.com/contact']).toBe('platform');
    expect(JSON.parse(configMap.metadata.annotations![AWS_AUTH_OWNER_RECORDS_ANNOTATION])).toEqual({
      version: 2,
      digest: 'sha256-base64url-11',
      owners: {
        'stack-a': {
          mapRoles: [entryDigest('mapRoles', { rolearn: DEV, username: 'dev:{{SessionName}}', groups: ['developers'] })],
          mapUsers: [entryDigest('mapUsers', { userarn: ALICE, username: 'alice' })],
          mapAccounts: ['111122223333'],
        },
      },
    });
    expect(configMap.metadata.annotations![AWS_AUTH_OWNERS_ANNOTATION]).toBeUndefined();
    expect(configMap.metadata.resourceVersion).toBe(foreign.metadata.resourceVersion);
  });

  test('merging the same desired state again is a no-op', () => {
    const desired = want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: ['g'] }], mapAccounts: ['111122223333'] });
    const once = merge(foreign, 'stack-a', desired).configMap;
    const twice = merge(once, 'stack-a', desired);
    expect(twice.changed).toBe(false);
    expect(twice.configMap).toEqual(once);
  });

  test('an entry the owner no longer wants is removed; a changed one is updated in place', () => {
    const first = merge(foreign, 'stack-a', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: ['g'] }, { rolearn: OPS, username: 'ops', groups: ['o'] }] })).configMap;
    const second = merge(first, 'stack-a', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: ['g', 'h'] }] }));
    expect(second.changed).toBe(true);
    expect(second.configMap.mapRoles).toEqual([...foreign.mapRoles, { rolearn: DEV, username: 'dev', groups: ['g', 'h'] }]);
  });

  test('removing everything restores the foreign entries and drops the annotation key', () => {
    const first = merge(foreign, 'stack-a', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: [] }], mapAccounts: ['111122223333'] })).configMap;
    const gone = merge(first, 'stack-a', none).configMap;
    expect(gone).toEqual(foreign);
  });

  test('other owners entries are never touched, and an entry two owners wrote stays until neither wants it', () => {
    const a = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: ['g'] }] })).configMap;
    const ab = merge(a, 'stack-b', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: ['g'] }, { rolearn: OPS, username: 'ops', groups: [] }] }));
    expect(ab.warnings).toEqual([]);
    expect(ab.configMap.mapRoles.map((r) => r.rolearn)).toEqual([DEV, OPS]);
    const bOnly = merge(ab.configMap, 'stack-a', none).configMap;
    expect(bOnly.mapRoles.map((r) => r.rolearn)).toEqual([DEV, OPS]);
    expect(Object.keys(readOwnerRecords(bOnly))).toEqual(['stack-b']);
    const empty = merge(bOnly, 'stack-b', none).configMap;
    expect(empty.mapRoles).toEqual([]);
    expect(empty.metadata.annotations).toBeUndefined();
  });

  test('owner IDs named like Object.prototype keys are plain owners: an annotation with __proto__, an owner constructor', () => {
    const annotated: AwsAuthConfigMap = {
      ...emptyAwsAuth(),
      mapRoles: [{ rolearn: OPS, username: 'ops', groups: [] }],
      metadata: { ...emptyAwsAuth().metadata, annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: `{"__proto__":{"mapRoles":[{"rolearn":"${OPS}","username":"ops"}]}}` } },
    };
    expect(Object.keys(readOwnerRecords(annotated))).toEqual(['__proto__']);
    expect(readOwnerRecords(annotated).constructor).toBeUndefined();
    const withCtor = merge(annotated, 'constructor', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: [] }] }));
    expect(withCtor.warnings).toEqual([]);
    expect(withCtor.configMap.mapRoles.map((r) => r.rolearn)).toEqual([OPS, DEV]);
    // __proto__'s record stays in the earlier format it was found in; constructor's is written in version 2.
    expect(Object.keys(JSON.parse(withCtor.configMap.metadata.annotations![AWS_AUTH_OWNERS_ANNOTATION]))).toEqual(['__proto__']);
    expect(Object.keys(JSON.parse(withCtor.configMap.metadata.annotations![AWS_AUTH_OWNER_RECORDS_ANNOTATION]).owners)).toEqual(['constructor']);
    expect(Object.keys(readOwnerRecords(withCtor.configMap))).toEqual(['constructor', '__proto__']);
    expect(readOwnerRecords(withCtor.configMap).__proto__).toEqual({ mapRoles: [entryDigest('mapRoles', { rolearn: OPS, username: 'ops' })], mapUsers: [], mapAccounts: [], adopted: { mapRoles: [], mapUsers: [], mapAccounts: [] } });
    // constructor withdraws: only its entry goes; __proto__ withdraws: its entry goes too.
    const ctorGone = merge(withCtor.configMap, 'constructor', none).configMap;
    expect(ctorGone.mapRoles.map((r) => r.rolearn)).toEqual([OPS]);
    expect(Object.keys(readOwnerRecords(ctorGone))).toEqual(['__proto__']);
    const allGone = merge(ctorGone, '__proto__', none).configMap;
    expect(allGone.mapRoles).toEqual([]);
    expect(allGone.metadata.annotations).toBeUndefined();
  });

  test('an identical foreign entry is adopted, and left in place when no longer wanted', () => {
    const node = foreign.mapRoles[0];
    const desired = want({ mapRoles: [{ rolearn: node.rolearn!, username: node.username, groups: [...node.groups!] }] });
    const adopted = merge(foreign, 'stack-a', desired);
    expect(adopted.configMap.mapRoles).toEqual(foreign.mapRoles);
    expect(adopted.warnings).toEqual([expect.stringContaining('was already present; adopted as is')]);
    expect(readOwnerRecords(adopted.configMap)['stack-a'].adopted.mapRoles).toEqual([entryDigest('mapRoles', node)]);
    expect(merge(adopted.configMap, 'stack-a', desired).changed).toBe(false);
    const released = merge(adopted.configMap, 'stack-a', none).configMap;
    expect(released.mapRoles).toEqual(foreign.mapRoles);
    expect(released.metadata.annotations).toEqual(foreign.metadata.annotations);
  });

  test('a foreign entry with the same ARN but other content is left alone; the owner entry is appended with a warning', () => {
    const platform = foreign.mapRoles[1];
    const result = merge(foreign, 'stack-a', want({ mapRoles: [{ rolearn: platform.rolearn!.replace('platform-admin', 'Platform-Admin'), username: 'mine', groups: [] }] }));
    expect(result.configMap.mapRoles.slice(0, 2)).toEqual(foreign.mapRoles);
    expect(result.configMap.mapRoles).toHaveLength(3);
    expect(result.warnings).toEqual([expect.stringContaining('is already mapped by an entry this owner did not write')]);
    // Removing the owner's entry later leaves the foreign one.
    expect(merge(result.configMap, 'stack-a', none).configMap.mapRoles).toEqual(foreign.mapRoles);
  });

  test('an owned entry changed by someone else is forgotten with a warning, not deleted', () => {
    const mine = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [{ rolearn: DEV, username: 'dev', groups: [] }] })).configMap;
    const edited: AwsAuthConfigMap = { ...mine, mapRoles: [{ rolearn: DEV, username: 'hand-edited' }] };
    const result = merge(edited, 'stack-a', none);
    expect(result.configMap.mapRoles).toEqual([{ rolearn: DEV, username: 'hand-edited' }]);
    expect(result.warnings).toEqual([expect.stringContaining('no longer in aws-auth as written')]);
  });

  test('invalid desired entries and annotations are refused', () => {
    expect(() => mergeOwnedAwsAuth(emptyAwsAuth(), 's', want({ mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/p/dev', groups: [] }] }))).toThrow('must be a role ARN without a path');
    expect(() => mergeOwnedAwsAuth(emptyAwsAuth(), 's', want({ mapRoles: [{ rolearn: DEV, groups: [] }, { rolearn: DEV, groups: ['x'] }] }))).toThrow('is wanted twice');
    expect(() => mergeOwnedAwsAuth(emptyAwsAuth(), 's', want({ mapUsers: [{ userarn: DEV, groups: [] }] }))).toThrow('is not an IAM user ARN');
    expect(() => mergeOwnedAwsAuth(emptyAwsAuth(), 's', want({ mapAccounts: ['12'] }))).toThrow('"12" is not a 12-digit AWS account ID');
    expect(() => mergeOwnedAwsAuth(emptyAwsAuth(), '', none)).toThrow('owner ID is required');
    const broken = { ...emptyAwsAuth(), metadata: { ...emptyAwsAuth().metadata, annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: '{not json' } } };
    expect(() => mergeOwnedAwsAuth(broken, 's', none)).toThrow(AccessConfigError);
    expect(() => mergeOwnedAwsAuth(broken, 's', none)).toThrow(/is not valid JSON/);
  });

  test('an entry written earlier and still wanted is matched to its own earlier record: the other one, no longer wanted, goes', () => {
    const both = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [{ rolearn: DEV, groups: ['d'] }, { rolearn: OPS, groups: ['o'] }] })).configMap;
    const { configMap, changed, warnings } = merge(both, 'stack-a', want({ mapRoles: [{ rolearn: OPS, groups: ['o'] }] }));
    expect(changed).toBe(true);
    expect(warnings).toEqual([]);
    expect(configMap.mapRoles).toEqual([{ rolearn: OPS, groups: ['o'] }]);
    expect(readOwnerRecords(configMap)['stack-a'].mapRoles).toEqual([entryDigest('mapRoles', { rolearn: OPS, groups: ['o'] })]);
  });

  test('the annotation does not depend on the order in which owners merged', () => {
    const a = want({ mapRoles: [{ rolearn: DEV, groups: ['d'] }] });
    const b = want({ mapUsers: [{ userarn: ALICE, username: 'alice', groups: [] }] });
    const ab = merge(merge(emptyAwsAuth(), 'owner-b', b).configMap, 'owner-a', a).configMap;
    const ba = merge(merge(emptyAwsAuth(), 'owner-a', a).configMap, 'owner-b', b).configMap;
    expect(Object.keys(readOwnerRecords(ab))).toEqual(['owner-a', 'owner-b']);
    expect(ab.metadata.annotations?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION]).toBeDefined();
    expect(ab.metadata.annotations?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION]).toBe(ba.metadata.annotations?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION]);
  });

  test.each([
    ['an array', '[]', /must be a JSON object, got \[\]/],
    ['a string', '"x"', /must be a JSON object, got "x"/],
    ['null', 'null', /must be a JSON object, got null/],
    ['a section that is not a list', '{"s":{"mapRoles":{}}}', /mapRoles of owner "s" must be a list, got \{\}/],
    ['an adopted section that is not a list', '{"s":{"adopted":{"mapUsers":"x"}}}', /adopted.mapUsers of owner "s" must be a list, got "x"/],
  ])('a malformed owners annotation (%s) is refused, naming it, before anything is merged', (_what, raw, message) => {
    const broken = { ...emptyAwsAuth(), metadata: { ...emptyAwsAuth().metadata, annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: raw } } };
    expect(() => mergeOwnedAwsAuth(broken, 's', none)).toThrow(AccessConfigError);
    expect(() => mergeOwnedAwsAuth(broken, 's', none)).toThrow(message);
  });

  test('an absent or empty owners annotation is no owners', () => {
    expect(readOwnerRecords(emptyAwsAuth())).toEqual({});
    expect(readOwnerRecords({ ...emptyAwsAuth(), metadata: { ...emptyAwsAuth().metadata, annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: '' } } })).toEqual({});
  });

  test('nodeRoleMappings lists the entries carrying system:nodes', () => {
    expect(nodeRoleMappings(foreign)).toEqual([{ index: 0, entry: foreign.mapRoles[0] }]);
  });
});

describe('merge rules', () => {
  const dev = { rolearn: DEV, username: 'dev', groups: ['d'] };
  const ops = { rolearn: OPS, username: 'ops', groups: ['o'] };
  const alice = { userarn: ALICE, username: 'alice', groups: ['a'] };
  const withRoles = (mapRoles: AwsAuthConfigMap['mapRoles'], base: AwsAuthConfigMap = emptyAwsAuth()): AwsAuthConfigMap => ({ ...base, mapRoles });

  test('adopting an identical foreign entry changes only the annotation, and that is a change to write', () => {
    const result = merge(withRoles([dev]), 'stack-a', want({ mapRoles: [dev] }));
    expect(result.configMap.mapRoles).toEqual([dev]);
    expect(result.changed).toBe(true);
    expect(readOwnerRecords(result.configMap)['stack-a']).toEqual({
      mapRoles: [], mapUsers: [], mapAccounts: [], adopted: { mapRoles: [entryDigest('mapRoles', dev)], mapUsers: [], mapAccounts: [] },
    });
  });

  test('an entry already adopted is not reported again on the next merge', () => {
    const adopted = merge(withRoles([dev]), 'stack-a', want({ mapRoles: [dev] })).configMap;
    expect(merge(adopted, 'stack-a', want({ mapRoles: [dev] })).warnings).toEqual([]);
  });

  test('an identical entry another owner wrote is co-owned, not adopted, and without a warning', () => {
    const a = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [dev] })).configMap;
    const ab = merge(a, 'stack-b', want({ mapRoles: [dev] }));
    expect(ab.warnings).toEqual([]);
    expect(readOwnerRecords(ab.configMap)['stack-b'].mapRoles).toEqual([entryDigest('mapRoles', dev)]);
    expect(readOwnerRecords(ab.configMap)['stack-b'].adopted.mapRoles).toEqual([]);
  });

  test('a co-owned entry one owner changes is not updated in place: the other owner keeps its entry, the new one is appended', () => {
    const a = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [dev] })).configMap;
    const ab = merge(a, 'stack-b', want({ mapRoles: [dev] })).configMap;
    const changedDev = { ...dev, groups: ['d', 'e'] };
    const result = merge(ab, 'stack-a', want({ mapRoles: [changedDev] }));
    expect(result.configMap.mapRoles).toEqual([dev, changedDev]);
    expect(result.warnings).toEqual([`mapRoles: ${DEV} is already mapped by an entry this owner did not write (${JSON.stringify(dev)}); appended this owner's entry, which the authenticator uses, and left the other untouched`]);
    // stack-b still holds its entry; stack-a's new one is its own.
    expect(merge(result.configMap, 'stack-a', none).configMap.mapRoles).toEqual([dev]);
  });

  test('an entry this owner wrote and another owner adopted stays when this owner no longer wants it', () => {
    // stack-b adopted a foreign entry; someone removed it; stack-a wrote it again.
    const adoptedByB = merge(withRoles([dev]), 'stack-b', want({ mapRoles: [dev] })).configMap;
    const removed = withRoles([], adoptedByB);
    const writtenByA = merge(removed, 'stack-a', want({ mapRoles: [dev] })).configMap;
    expect(readOwnerRecords(writtenByA)['stack-a'].mapRoles).toEqual([entryDigest('mapRoles', dev)]);
    const result = merge(writtenByA, 'stack-a', none);
    expect(result.configMap.mapRoles).toEqual([dev]);
    expect(result.warnings).toEqual([]);
  });

  test('an update in place keeps the entry where it was, among foreign entries, and the ARN matches case-insensitively', () => {
    const first = merge(withRoles([ops]), 'stack-a', want({ mapRoles: [dev] })).configMap;
    const around = withRoles([...first.mapRoles, { rolearn: 'arn:aws:iam::111122223333:role/last', groups: ['l'] }], first);
    const upper = { rolearn: DEV.replace('role/dev', 'role/DEV'), username: 'dev', groups: ['d2'] };
    const result = merge(around, 'stack-a', want({ mapRoles: [upper] }));
    expect(result.warnings).toEqual([]);
    expect(result.configMap.mapRoles).toEqual([ops, upper, { rolearn: 'arn:aws:iam::111122223333:role/last', groups: ['l'] }]);
    expect(readOwnerRecords(result.configMap)['stack-a'].mapRoles).toEqual([entryDigest('mapRoles', upper)]);
  });

  test('of two identical entries, the owner removes the last one, which is the one it wrote', () => {
    const mine = merge(withRoles([ops]), 'stack-a', want({ mapRoles: [dev] })).configMap;
    // Someone adds an identical copy of the owner's entry before the foreign one.
    const copied = withRoles([dev, ops, dev], mine);
    expect(merge(copied, 'stack-a', none).configMap.mapRoles).toEqual([dev, ops]);
  });

  test('an updated entry keeps its place after a foreign identical copy placed earlier', () => {
    const mine = merge(withRoles([ops]), 'stack-a', want({ mapRoles: [dev] })).configMap;
    const copied = withRoles([dev, ops, dev], mine);
    const changedDev = { ...dev, groups: ['changed'] };
    expect(merge(copied, 'stack-a', want({ mapRoles: [changedDev] })).configMap.mapRoles).toEqual([dev, ops, changedDev]);
  });

  test('an entry written earlier that is gone is named by its digest when the record does not spell it out', () => {
    const mine = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [dev] })).configMap;
    const result = merge(withRoles([], mine), 'stack-a', none);
    expect(result.warnings).toEqual([`mapRoles: the entry recorded as ${entryDigest('mapRoles', dev)}, written earlier by this owner, is no longer in aws-auth as written (removed or changed by someone else); leaving it as it is`]);
    expect(result.configMap.metadata.annotations).toBeUndefined();
  });

  test('users and accounts follow the same rules as roles: written, updated in place, removed', () => {
    const first = merge(emptyAwsAuth(), 'stack-a', want({ mapUsers: [alice], mapAccounts: ['111122223333', '444455556666'] })).configMap;
    expect([first.mapUsers, first.mapAccounts]).toEqual([[alice], ['111122223333', '444455556666']]);
    const second = merge(first, 'stack-a', want({ mapUsers: [{ ...alice, groups: ['b'] }], mapAccounts: ['444455556666'] }));
    expect(second.warnings).toEqual([]);
    expect([second.configMap.mapUsers, second.configMap.mapAccounts]).toEqual([[{ ...alice, groups: ['b'] }], ['444455556666']]);
    const gone = merge(second.configMap, 'stack-a', none).configMap;
    expect([gone.mapUsers, gone.mapAccounts, gone.metadata.annotations]).toEqual([[], [], undefined]);
  });

  test('a foreign account ID the owner wants is adopted, and a foreign user with the same ARN is shadowed with a warning', () => {
    const cm: AwsAuthConfigMap = { ...emptyAwsAuth(), mapUsers: [{ userarn: ALICE, username: 'someone' }], mapAccounts: ['111122223333'] };
    const result = merge(cm, 'stack-a', want({ mapUsers: [alice], mapAccounts: ['111122223333'] }));
    expect(result.configMap.mapUsers).toEqual([{ userarn: ALICE, username: 'someone' }, alice]);
    expect(result.configMap.mapAccounts).toEqual(['111122223333']);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^mapUsers: arn:aws:iam::111122223333:user\/alice is already mapped by an entry this owner did not write/),
      'mapAccounts: 111122223333 was already present; adopted as is (it is left in place when no longer wanted)',
    ]);
  });

  test('an earlier-format record whose entries are all gone is dropped, and dropping it is a change to write', () => {
    const annotations = { [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify({ o: { mapRoles: [dev] } }) };
    const cm = { ...emptyAwsAuth(), metadata: { ...emptyAwsAuth().metadata, annotations } };
    const result = merge(cm, 'o', none);
    expect(result.changed).toBe(true);
    expect(result.configMap.metadata.annotations).toBeUndefined();
  });

  test('every foreign entry an appended entry shadows is named in the warning', () => {
    const other = { rolearn: DEV, username: 'other' };
    const result = merge(withRoles([{ rolearn: DEV, username: 'first' }, other]), 'stack-a', want({ mapRoles: [dev] }));
    expect(result.warnings).toEqual([expect.stringContaining(`(${JSON.stringify({ rolearn: DEV, username: 'first' })}; ${JSON.stringify(other)})`)]);
  });

  test('an account ID is its own key: another account present or written earlier is neither shadowed nor updated in place', () => {
    const first = merge({ ...emptyAwsAuth(), mapAccounts: ['999988887777'] }, 'stack-a', want({ mapAccounts: ['111122223333'] }));
    expect(first.warnings).toEqual([]);
    const moved = merge({ ...first.configMap, mapAccounts: ['111122223333', '999988887777'] }, 'stack-a', want({ mapAccounts: ['444455556666'] }));
    expect(moved.warnings).toEqual([]);
    expect(moved.configMap.mapAccounts).toEqual(['999988887777', '444455556666']);
  });

  test('each invalid desired entry is named, all of them in one refusal', () => {
    const refusal = (d: Partial<DesiredAwsAuth>) => {
      try {
        mergeOwnedAwsAuth(emptyAwsAuth(), 's', want(d));
      } catch (e) {
        expect(e).toBeInstanceOf(AccessConfigError);
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal({ mapRoles: [{ rolearn: 'arn:aws:iam::1:role/dev', groups: [] }] })).toBe('invalid desired aws-auth entries:\nmapRoles: ARN "arn:aws:iam::1:role/dev" has invalid account ID "1" (expected 12 digits)');
    expect(refusal({ mapRoles: [{ rolearn: ALICE, groups: [] }] })).toBe(`invalid desired aws-auth entries:\nmapRoles: "${ALICE}" must be a role ARN without a path`);
    expect(refusal({ mapUsers: [{ userarn: 'user/alice', groups: [] }] })).toMatch(/^invalid desired aws-auth entries:\nmapUsers: "user\/alice" is not an ARN/);
    expect(refusal({ mapUsers: [alice, { ...alice, userarn: ALICE.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam') }] })).toMatch(/mapUsers: ".*ALICE" is wanted twice$/);
    expect(refusal({ mapAccounts: ['111122223333', '111122223333'] })).toBe('invalid desired aws-auth entries:\nmapAccounts: "111122223333" is wanted twice');
    expect(refusal({ mapRoles: [{ rolearn: OPS, groups: [] }, { rolearn: OPS, groups: [] }], mapAccounts: ['x'] })).toBe(
      `invalid desired aws-auth entries:\nmapRoles: "${OPS}" is wanted twice\nmapAccounts: "x" is not a 12-digit AWS account ID`);
    expect(refusal({ mapAccounts: ['1111222233334'] })).toMatch(/"1111222233334" is not a 12-digit/);
    expect(refusal({ mapAccounts: ['a111122223333'] })).toMatch(/"a111122223333" is not a 12-digit/);
  });

  test('the input ConfigMap is not mutated', () => {
    const cm = deepFreeze(merge(withRoles([ops]), 'stack-a', want({ mapRoles: [dev] })).configMap);
    expect(() => merge(cm, 'stack-a', want({ mapRoles: [{ ...dev, groups: ['x'] }] }))).not.toThrow();
    expect(() => merge(cm, 'stack-a', none)).not.toThrow();
  });
});

describe('ownedEntries', () => {
  test('lists the entries the owner wrote as they are in aws-auth: not adopted ones, not ones changed since, not other owners\'', () => {
    const dev = { rolearn: DEV, groups: ['d'] };
    const ops = { rolearn: OPS, groups: ['o'] };
    const adopted = merge({ ...emptyAwsAuth(), mapRoles: [ops] }, 'stack-a', want({ mapRoles: [ops, dev], mapUsers: [{ userarn: ALICE, groups: [] }], mapAccounts: ['111122223333'] })).configMap;
    const withB = merge(adopted, 'stack-b', want({ mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/b', groups: [] }] })).configMap;
    expect(ownedEntries(withB, 'stack-a')).toEqual({ mapRoles: [dev], mapUsers: [{ userarn: ALICE }], mapAccounts: ['111122223333'] });
    expect(ownedEntries({ ...withB, mapRoles: [ops, { ...dev, groups: ['edited'] }] }, 'stack-a').mapRoles).toEqual([]);
    expect(ownedEntries(withB, 'nobody')).toEqual({ mapRoles: [], mapUsers: [], mapAccounts: [] });
  });
});

describe('releaseOwner', () => {
  test('drops the owner\'s record and leaves its entries and the other owners\' records in place', () => {
    const a = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [{ rolearn: DEV, groups: ['d'] }] })).configMap;
    const ab = merge(a, 'stack-b', want({ mapRoles: [{ rolearn: OPS, groups: ['o'] }] })).configMap;
    const released = releaseOwner(ab, 'stack-a');
    expect(released.mapRoles).toEqual(ab.mapRoles);
    expect(Object.keys(readOwnerRecords(released))).toEqual(['stack-b']);
    // Its entry is now foreign: stack-b withdrawing leaves it.
    expect(merge(released, 'stack-b', none).configMap.mapRoles).toEqual([{ rolearn: DEV, groups: ['d'] }]);
  });

  test('releasing the last owner leaves no annotations behind, and keeps unrelated ones', () => {
    const a = merge(emptyAwsAuth(), 'stack-a', want({ mapRoles: [{ rolearn: DEV, groups: ['d'] }] })).configMap;
    expect(releaseOwner(a, 'stack-a').metadata.annotations).toBeUndefined();
    const annotated = { ...a, metadata: { ...a.metadata, annotations: { ...a.metadata.annotations, 'team.example.com/contact': 'platform' } } };
    expect(releaseOwner(annotated, 'stack-a').metadata.annotations).toEqual({ 'team.example.com/contact': 'platform' });
  });
});

describe('nodeRoleMappings', () => {
  test('lists role entries carrying system:nodes with their index; entries without groups carry none', () => {
    const node = { rolearn: OPS, groups: ['system:bootstrappers', 'system:nodes'] };
    expect(nodeRoleMappings({ ...emptyAwsAuth(), mapRoles: [{ rolearn: DEV }, node, { rolearn: DEV, groups: ['system:node'] }] })).toEqual([{ index: 1, entry: node }]);
  });
});
