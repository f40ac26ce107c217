/**
 * The ownership record on aws-auth at scale: 10,000 mappings stay within Kubernetes' 256 KiB for
 * all annotations of an object, and merges of that many stay linear. Seconds each, so the mutation
 * runs leave them out (stryker.config.json).
 */
import {
  AwsAuthConfigMap, emptyAwsAuth, loadAwsAuth, mergeOwnedAwsAuth, recordedOwners, renderAwsAuthYaml,
} from '../../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION, DesiredAwsAuth } from '../../../lib/core/desired-state';

/** Kubernetes' limit on the total size of an object's annotations (keys and values). */
const ANNOTATIONS_LIMIT = 256 * 1024;

const none: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };
const role = (i: number) => ({ rolearn: `arn:aws:iam::111122223333:role/team-${i}`, username: `team-${i}`, groups: [`team-${i}`] });
const roles = (from: number, to: number): DesiredAwsAuth => ({ ...none, mapRoles: Array.from({ length: to - from }, (_, i) => role(from + i)) });
/** A merge, then the result read back from its YAML, as the next deploy would see it. */
const merge = (cm: AwsAuthConfigMap, owner: string, desired: DesiredAwsAuth) => {
  const result = mergeOwnedAwsAuth(cm, owner, desired);
  return { ...result, configMap: loadAwsAuth(renderAwsAuthYaml(result.configMap)) };
};
const annotationBytes = (cm: AwsAuthConfigMap) =>
  Object.entries(cm.metadata.annotations ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

describe('the owner record at scale', () => {
  test('10,000 mappings of one owner stay within the annotation limit; a replay is a no-op; withdrawing removes all', () => {
    const desired = roles(0, 10_000);
    const started = Date.now();
    const first = merge(emptyAwsAuth(), 'stack-a', desired);
    expect(first.configMap.mapRoles).toHaveLength(10_000);
    expect(annotationBytes(first.configMap)).toBeLessThan(ANNOTATIONS_LIMIT * 0.6);
    expect(mergeOwnedAwsAuth(first.configMap, 'stack-a', desired).changed).toBe(false);
    const changed = mergeOwnedAwsAuth(first.configMap, 'stack-a', { ...desired, mapRoles: desired.mapRoles.map((r, i) => (i === 5_000 ? { ...r, groups: ['moved'] } : r)) });
    expect(changed.configMap.mapRoles[5_000]).toEqual({ ...role(5_000), groups: ['moved'] });
    const gone = mergeOwnedAwsAuth(first.configMap, 'stack-a', none).configMap;
    expect(gone.mapRoles).toEqual([]);
    expect(gone.metadata.annotations).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(20_000); // linear: the same merges compared every pair of entries before
  });

  test('10,000 mappings of 20 owners stay within the limit; each owner removes only its own', () => {
    let cm = emptyAwsAuth();
    const owner = (o: number) => `platform-teams-${o}.access-batch-${o}-${o.toString(16).padStart(8, '0')}`;
    for (let o = 0; o < 20; o++) {
      cm = mergeOwnedAwsAuth(cm, owner(o), roles(o * 500, o * 500 + 500)).configMap;
    }
    expect(cm.mapRoles).toHaveLength(10_000);
    expect(recordedOwners(cm.metadata.annotations)).toHaveLength(20);
    expect(annotationBytes(cm)).toBeLessThan(ANNOTATIONS_LIMIT * 0.6);
    const without = mergeOwnedAwsAuth(cm, owner(7), none).configMap;
    expect(without.mapRoles).toHaveLength(9_500);
    expect(without.mapRoles.some((r) => r.rolearn === role(3_600).rolearn)).toBe(false);
    expect(without.mapRoles.some((r) => r.rolearn === role(4_000).rolearn)).toBe(true);
  });
});

describe('the earlier format (full copies of entries)', () => {
  const earlier = (records: object, base: AwsAuthConfigMap): AwsAuthConfigMap =>
    ({ ...base, metadata: { ...base.metadata, annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify(records) } } });

  test('3,000 mappings exceed the annotation limit in it, which is why version 2 replaces it', () => {
    const cm = earlier({ 'stack-a': { mapRoles: roles(0, 3_000).mapRoles } }, emptyAwsAuth());
    expect(annotationBytes(cm)).toBeGreaterThan(ANNOTATIONS_LIMIT);
    const migrated = merge({ ...merge(emptyAwsAuth(), 'x', roles(0, 3_000)).configMap, metadata: cm.metadata }, 'stack-a', roles(0, 3_000));
    expect(migrated.warnings).toEqual([]);
    expect(annotationBytes(migrated.configMap)).toBeLessThan(ANNOTATIONS_LIMIT / 5);
  });
});
