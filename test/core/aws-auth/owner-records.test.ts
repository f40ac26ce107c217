/**
 * The ownership record on aws-auth: readable in the earlier format clusters already have, and
 * refused with a clear message when malformed (its size at scale: owner-records-scale.test.ts).
 */
import { AccessConfigError } from '../../../lib/core/arn';
import {
  AWS_AUTH_OWNER_RECORDS_ANNOTATION, AwsAuthConfigMap, emptyAwsAuth, entryDigest, loadAwsAuth, mergeOwnedAwsAuth, readOwnerRecords, recordedOwners,
  renderAwsAuthYaml,
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
});
