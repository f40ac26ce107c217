/**
 * The ownership record on aws-auth: readable in the earlier format clusters already have, and
 * refused with a clear message when malformed (its size at scale: owner-records-scale.test.ts).
 */
import { AccessConfigError } from '../../../lib/core/arn';
import {
  AWS_AUTH_OWNER_RECORDS_ANNOTATION, AwsAuthConfigMap, emptyAwsAuth, entryDigest, loadAwsAuth, mayRecordOwner, mergeOwnedAwsAuth, readOwnerRecords,
  recordedOwners, renderAwsAuthYaml,
} from '../../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION, DesiredAwsAuth } from '../../../lib/core/desired-state';

const none: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };
const role = (i: number) => ({ rolearn: `arn:aws:iam::111122223333:role/team-${i}`, username: `team-${i}`, groups: [`team-${i}`] });
const roles = (from: number, to: number): DesiredAwsAuth => ({ ...none, mapRoles: Array.from({ length: to - from }, (_, i) => role(from + i)) });
/** A merge, then the result read back from its YAML, as the next deploy would see it. */
const merge = (cm: AwsAuthConfigMap, owner: string, desired: DesiredAwsAuth) => {
  const result = mergeOwnedAwsAuth(cm, owner, desired);
  return { ...result, configMap: loadAwsAuth(renderAwsAuthYaml(result.configMap)) };
};
const withAnnotations = (annotations: Record<string, string>, base: AwsAuthConfigMap = emptyAwsAuth()): AwsAuthConfigMap =>
  ({ ...base, metadata: { ...base.metadata, annotations } });

describe('entry digests', () => {
  test('are stable: the canonical form (sorted fields, empty groups dropped) hashed with SHA-256, 11 base64url characters', () => {
    // Pinned: a changed digest would make every recorded entry unknown to its owner.
    expect(entryDigest('mapRoles', { rolearn: 'arn:aws:iam::111122223333:role/dev', username: 'dev', groups: ['g'] })).toBe('zdTP-DVN-5k');
    expect(entryDigest('mapRoles', { groups: ['g'], username: 'dev', rolearn: 'arn:aws:iam::111122223333:role/dev' })).toBe('zdTP-DVN-5k');
    expect(entryDigest('mapUsers', { userarn: 'arn:aws:iam::111122223333:user/alice', groups: [] })).toBe(entryDigest('mapUsers', { userarn: 'arn:aws:iam::111122223333:user/alice' }));
    expect(entryDigest('mapAccounts', '111122223333')).toBe('111122223333');
  });
});

describe('the earlier format (full copies of entries)', () => {
  const earlier = (records: object, base: AwsAuthConfigMap) => withAnnotations({ [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify(records) }, base);

  test('is read: an owner that wrote entries in it updates and removes them, and its record moves to version 2', () => {
    const data = merge(emptyAwsAuth(), 'x', roles(0, 3)).configMap; // three entries in aws-auth
    const cm = earlier({ 'stack-a': { mapRoles: [role(0), role(1)] }, 'stack-b': { mapRoles: [role(2)], adopted: { mapAccounts: ['111122223333'] } } }, { ...data, metadata: emptyAwsAuth().metadata });
    expect(recordedOwners(cm.metadata.annotations)).toEqual(['stack-a', 'stack-b']);
    const result = merge(cm, 'stack-a', { ...none, mapRoles: [{ ...role(0), groups: ['changed'] }] });
    expect(result.warnings).toEqual([]);
    expect(result.configMap.mapRoles).toEqual([{ ...role(0), groups: ['changed'] }, role(2)]);
    // stack-a now in version 2; stack-b (maybe still deployed with an earlier version) keeps its record as it was.
    const annotations = result.configMap.metadata.annotations!;
    expect(JSON.parse(annotations[AWS_AUTH_OWNER_RECORDS_ANNOTATION]).owners).toEqual({ 'stack-a': { mapRoles: [entryDigest('mapRoles', { ...role(0), groups: ['changed'] })] } });
    expect(JSON.parse(annotations[AWS_AUTH_OWNERS_ANNOTATION])).toEqual({ 'stack-b': { mapRoles: [role(2)], adopted: { mapAccounts: ['111122223333'] } } });
    // stack-b removes its entry through the earlier record.
    const bGone = merge(result.configMap, 'stack-b', none).configMap;
    expect(bGone.mapRoles).toEqual([{ ...role(0), groups: ['changed'] }]);
    expect(bGone.metadata.annotations?.[AWS_AUTH_OWNERS_ANNOTATION]).toBeUndefined();
  });

  test('an entry of the earlier record that someone else removed is named in the warning', () => {
    const cm = earlier({ 'stack-a': { mapRoles: [role(7)] } }, emptyAwsAuth());
    expect(merge(cm, 'stack-a', none).warnings).toEqual([expect.stringContaining(`${JSON.stringify(role(7))}, written earlier by this owner, is no longer in aws-auth as written`)]);
  });
});

describe('a malformed record', () => {
  const refused = (annotations: Record<string, string>, message: RegExp) => {
    const cm = withAnnotations(annotations, merge(emptyAwsAuth(), 'x', roles(0, 1)).configMap);
    expect(() => mergeOwnedAwsAuth(cm, 'o', roles(0, 1))).toThrow(AccessConfigError);
    expect(() => mergeOwnedAwsAuth(cm, 'o', roles(0, 1))).toThrow(message);
    expect(() => readOwnerRecords(cm)).toThrow(message);
  };

  test('in the earlier format is refused with a message naming the owner and the value, not a TypeError', () => {
    const key = AWS_AUTH_OWNERS_ANNOTATION;
    refused({ [key]: '{"o":{"mapRoles":[1]}}' }, /annotation cdk-eks-access.dev\/owners on aws-auth mapRoles\[0\] of owner "o" is not a role mapping: 1; .*fix it by hand/);
    refused({ [key]: '{"o":{"mapRoles":[null]}}' }, /mapRoles\[0\] of owner "o" is not a role mapping: null/);
    refused({ [key]: '{"o":{"mapUsers":[{"rolearn":"arn:aws:iam::111122223333:role/a"}]}}' }, /mapUsers\[0\] of owner "o" is not a user mapping \(no string "userarn"\)/);
    refused({ [key]: '{"o":{"mapRoles":[{"rolearn":"arn:aws:iam::111122223333:role/a","groups":"admins"}]}}' }, /"groups" is not a list of strings/);
    refused({ [key]: '{"o":{"adopted":{"mapAccounts":[{}]}}}' }, /adopted.mapAccounts\[0\] of owner "o" is not an account ID: \{\}/);
    refused({ [key]: '{"o":{"mapRoles":"all"}}' }, /mapRoles of owner "o" must be a list, got "all"/);
    refused({ [key]: '{"o":7}' }, /the record of owner "o" must be a JSON object, got 7/);
    refused({ [key]: '{"o":{"adopted":[]}}' }, /"adopted" of owner "o" must be a JSON object/);
    refused({ [key]: '[1]' }, /must be a JSON object, got \[1\]/);
  });

  test('in version 2 is refused the same way', () => {
    const key = AWS_AUTH_OWNER_RECORDS_ANNOTATION;
    const v2 = (owners: unknown, extra: object = {}) => ({ [key]: JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners, ...extra }) });
    refused(v2({ o: { mapRoles: ['short'] } }), /mapRoles\[0\] of owner "o" is not an entry digest \(11 characters of \[A-Za-z0-9_-\]\): "short"/);
    refused(v2({ o: { mapRoles: [{ rolearn: 'x' }] } }), /is not an entry digest/);
    refused(v2([]), /"owners" must be a JSON object/);
    refused(v2({}, { version: 3 }), /has version 3; this version of cdk-eks-access reads version 2/);
    refused(v2({}, { digest: 'md5' }), /names entries by "md5"/);
    refused({ [key]: 'not json' }, /owners-v2 on aws-auth is not valid JSON/);
  });

  test('an empty account ID, a username that is not a string, or a record that is not an object is refused', () => {
    const v2 = (owners: unknown) => ({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners }) });
    refused(v2({ o: { mapAccounts: [''] } }), /mapAccounts\[0\] of owner "o" is not an account ID: ""/);
    refused(v2({ o: { mapUsers: ['zdTP-DVN-5k!'] } }), /mapUsers\[0\] of owner "o" is not an entry digest/);
    refused(v2({ o: null }), /the record of owner "o" must be a JSON object, got null/);
    refused(v2({ o: [] }), /the record of owner "o" must be a JSON object, got \[\]/);
    refused(v2(null), /"owners" must be a JSON object of owner ID to record, got null/);
    refused(v2('o'), /"owners" must be a JSON object of owner ID to record, got "o"/);
    refused({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"o":{"mapUsers":[{"userarn":"arn:aws:iam::111122223333:user/u","username":7}]}}' }, /mapUsers\[0\] of owner "o" is not a user mapping \("username" is not a string\): /);
    refused({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"o":{"mapRoles":[{"rolearn":"arn:aws:iam::111122223333:role/a","groups":["a",1]}]}}' }, /is not a role mapping \("groups" is not a list of strings\)/);
    refused({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"o":{"mapRoles":[[]]}}' }, /mapRoles\[0\] of owner "o" is not a role mapping: \[\]/);
  });

  test('a section or "adopted" recorded as null is read as empty, as when it is left out', () => {
    const v2 = JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners: { o: { mapRoles: null, adopted: null } } });
    expect(readOwnerRecords(withAnnotations({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2, [AWS_AUTH_OWNERS_ANNOTATION]: '{"p":{"adopted":{"mapUsers":null}}}' }))).toEqual({
      o: { mapRoles: [], mapUsers: [], mapAccounts: [], adopted: { mapRoles: [], mapUsers: [], mapAccounts: [] } },
      p: { mapRoles: [], mapUsers: [], mapAccounts: [], adopted: { mapRoles: [], mapUsers: [], mapAccounts: [] } },
    });
  });

  test('a long offending value is shown cut to 80 characters', () => {
    const long = 'x'.repeat(100);
    refused({ [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify({ o: { mapRoles: long } }) }, new RegExp(`must be a list, got "${'x'.repeat(76)}\\.\\.\\.;`));
    refused({ [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify({ o: { mapRoles: 'x'.repeat(78) } }) }, new RegExp(`must be a list, got "${'x'.repeat(78)}";`));
  });
});

describe('an owner recorded in both formats', () => {
  test('has the union of both records, and what it wrote outranks what it adopted', () => {
    const v2 = JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners: { 'stack-a': { mapRoles: [entryDigest('mapRoles', role(0))], adopted: { mapAccounts: ['111122223333'] } } } });
    const v1 = JSON.stringify({ 'stack-a': { mapRoles: [role(1)], mapAccounts: ['111122223333'], adopted: { mapRoles: [role(0)], mapUsers: [{ userarn: 'arn:aws:iam::111122223333:user/u' }] } } });
    const cm = withAnnotations({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2, [AWS_AUTH_OWNERS_ANNOTATION]: v1 });
    expect(readOwnerRecords(cm)['stack-a']).toEqual({
      mapRoles: [entryDigest('mapRoles', role(0)), entryDigest('mapRoles', role(1))],
      mapUsers: [],
      mapAccounts: ['111122223333'],
      adopted: { mapRoles: [], mapUsers: [entryDigest('mapUsers', { userarn: 'arn:aws:iam::111122223333:user/u' })], mapAccounts: [] },
    });
  });

  test('an account ID recorded as a number in the earlier format is the same account as its digits', () => {
    const cm = withAnnotations({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"o":{"mapAccounts":[111122223333]}}' }, { ...emptyAwsAuth(), mapAccounts: ['111122223333'] });
    expect(readOwnerRecords(cm).o.mapAccounts).toEqual(['111122223333']);
    expect(merge(cm, 'o', none).configMap.mapAccounts).toEqual([]);
  });
});

describe('the version 2 record written', () => {
  test('lists owners sorted, leaves out empty sections, and keeps other owners\' records as they were', () => {
    const a = merge(emptyAwsAuth(), 'stack-b', roles(0, 1)).configMap;
    const ab = merge(a, 'stack-a', { ...none, mapUsers: [{ userarn: 'arn:aws:iam::111122223333:user/u', groups: [] }] }).configMap;
    expect(ab.metadata.annotations![AWS_AUTH_OWNER_RECORDS_ANNOTATION]).toBe(JSON.stringify({
      version: 2,
      digest: 'sha256-base64url-11',
      owners: {
        'stack-a': { mapUsers: [entryDigest('mapUsers', { userarn: 'arn:aws:iam::111122223333:user/u' })] },
        'stack-b': { mapRoles: [entryDigest('mapRoles', role(0))] },
      },
    }));
  });

  test('an owner that only adopted has a record with only "adopted"', () => {
    const cm = merge({ ...emptyAwsAuth(), mapAccounts: ['111122223333'] }, 'stack-a', { ...none, mapAccounts: ['111122223333'] }).configMap;
    expect(JSON.parse(cm.metadata.annotations![AWS_AUTH_OWNER_RECORDS_ANNOTATION]).owners).toEqual({ 'stack-a': { adopted: { mapAccounts: ['111122223333'] } } });
  });
});

describe('recordedOwners', () => {
  test('lists the owners of both formats once, sorted; none when the annotations are absent or unreadable', () => {
    const v2 = JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners: { zed: {}, both: {} } });
    expect(recordedOwners({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2, [AWS_AUTH_OWNERS_ANNOTATION]: '{"both":{},"alpha":{}}' })).toEqual(['alpha', 'both', 'zed']);
    expect(recordedOwners(undefined)).toEqual([]);
    expect(recordedOwners({ [AWS_AUTH_OWNERS_ANNOTATION]: 'not json' })).toEqual([]);
    expect(recordedOwners({ [AWS_AUTH_OWNERS_ANNOTATION]: '["a"]', [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: '{"owners":"a"}' })).toEqual([]);
    expect(recordedOwners({ [AWS_AUTH_OWNERS_ANNOTATION]: 'null' })).toEqual([]);
  });
});

describe('mayRecordOwner', () => {
  const v2 = (owners: unknown) => JSON.stringify({ version: 2, digest: 'sha256-base64url-11', owners });
  test('is false when neither annotation is there or neither names the owner', () => {
    expect(mayRecordOwner(undefined, 'o')).toBe(false);
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '', [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: '' }, 'o')).toBe(false);
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"p":{}}', [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2({ q: {} }) }, 'o')).toBe(false);
  });

  test('is true when either annotation names the owner', () => {
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"o":{}}' }, 'o')).toBe(true);
    expect(mayRecordOwner({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2({ o: {} }) }, 'o')).toBe(true);
  });

  test('is true when an annotation cannot be read: the merge then reports it', () => {
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '{not json' }, 'o')).toBe(true);
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '["o"]' }, 'o')).toBe(true);
    expect(mayRecordOwner({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: '{"owners":null}' }, 'o')).toBe(true);
  });

  test('an owner named like an Object.prototype key is recorded only by its own key', () => {
    expect(mayRecordOwner({ [AWS_AUTH_OWNERS_ANNOTATION]: '{"p":{}}' }, 'constructor')).toBe(false);
    expect(mayRecordOwner({ [AWS_AUTH_OWNER_RECORDS_ANNOTATION]: v2({ p: {} }) }, 'toString')).toBe(false);
  });
});
