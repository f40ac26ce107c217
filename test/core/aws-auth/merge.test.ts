import { fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import {
  AWS_AUTH_OWNER_RECORDS_ANNOTATION, AwsAuthConfigMap, emptyAwsAuth, entryDigest, loadAwsAuth, mergeOwnedAwsAuth, nodeRoleMappings, readOwnerRecords,
  renderAwsAuthYaml,
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
