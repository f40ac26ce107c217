import { recordedOwners } from '../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION } from '../../lib/core/desired-state';
import { LockoutError } from '../../lib/core/lockout';
import { reconcileAwsAuth } from '../../lib/handler/aws-auth-reconcile';
import { AWS_AUTH_PATH, updateAwsAuth } from '../../lib/io/aws-auth-store';
import { Deadline } from '../../lib/io/deadline';
import { Logger } from '../../lib/io/log';
import { EMPTY_DESIRED_AWS_AUTH } from '../../lib/plan/aws-auth-change';
import { MemoryKube } from '../handler/memory-kube';

const quiet = () => new Logger({}, () => undefined);
const NODE = 'arn:aws:iam::111122223333:role/eks-node';
const FOREIGN_DATA = {
  mapRoles: `- rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`,
  mapUsers: '- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n  groups:\n  - system:masters\n',
};

function options() {
  return { deadline: Deadline.in(60_000), log: quiet(), random: () => 0 };
}

function role(n: number) {
  return { rolearn: `arn:aws:iam::111122223333:role/team-${n}`, username: `team-${n}`, groups: [`team-${n}`] };
}

describe('updateAwsAuth', () => {
  test('writes nothing when the mutation changes nothing', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth(FOREIGN_DATA);
    const result = await updateAwsAuth(kube, () => undefined, options());
    expect(result).toMatchObject({ written: false, attempts: 1 });
    expect(kube.writes()).toBe(0);
  });

  test('re-reads and re-computes after a conflicting write, carrying the resourceVersion', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapAccounts: '- "111122223333"\n' });
    let rounds = 0;
    const result = await updateAwsAuth(kube, (current) => {
      rounds++;
      if (rounds === 1) {
        // Someone else writes between our read and our write.
        kube.objects.set(AWS_AUTH_PATH, { ...current!, metadata: { ...current!.metadata, resourceVersion: '99' }, data: { ...(current!.data as object), other: 'x' } });
      }
      return { ...current!, data: { ...(current!.data as object), mine: String(rounds) } };
    }, options());
    expect(result).toMatchObject({ written: true, attempts: 2 });
    expect(kube.objects.get(AWS_AUTH_PATH)!.data).toEqual({ mapAccounts: '- "111122223333"\n', other: 'x', mine: '2' });
  });

  test('a failing mutation writes nothing', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth(FOREIGN_DATA);
    await expect(updateAwsAuth(kube, () => {
      throw new Error('refused');
    }, options())).rejects.toThrow('refused');
    expect(kube.writes()).toBe(0);
  });
});

describe('reconcileAwsAuth', () => {
  test('creates aws-auth when the cluster has none', async () => {
    const kube = new MemoryKube();
    const result = await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: { mapRoles: [role(1)], mapUsers: [], mapAccounts: [] }, identities: [], ...options() });
    expect(result).toMatchObject({ written: true, created: true });
    const cm = kube.objects.get(AWS_AUTH_PATH)!;
    expect((cm.data as Record<string, string>).mapRoles).toContain('team-1');
    expect(recordedOwners(cm.metadata.annotations)).toEqual(['owner-a']);
    expect(cm.metadata.annotations![AWS_AUTH_OWNERS_ANNOTATION]).toBeUndefined(); // the earlier format is only read
  });

  test('creates nothing when there is no aws-auth and nothing is wanted', async () => {
    const kube = new MemoryKube();
    const result = await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    expect(result.written).toBe(false);
    expect(kube.writes()).toBe(0);
  });

  test('keeps foreign entries, writes nothing on a replay, removes only its own entries', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth(FOREIGN_DATA);
    const desired = { mapRoles: [role(1), role(2)], mapUsers: [], mapAccounts: [] };
    await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired, identities: [], ...options() });
    const writesAfterFirst = kube.writes();
    const replay = await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired, identities: [], ...options() });
    expect(replay.written).toBe(false);
    expect(kube.writes()).toBe(writesAfterFirst);
    await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    const data = kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>;
    expect(data.mapRoles).toContain(NODE);
    expect(data.mapRoles).not.toContain('team-');
    expect(data.mapUsers).toContain('alice');
    expect(kube.objects.get(AWS_AUTH_PATH)!.metadata.annotations).toBeUndefined();
  });

  test('refuses (and writes nothing) when the ConfigMap cannot be parsed', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapRoles: '- rolearn: [unclosed\n' });
    await expect(reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: { mapRoles: [role(1)], mapUsers: [], mapAccounts: [] }, identities: [], ...options() }))
      .rejects.toThrow(/cannot be read safely.*nothing was written.*mapRoles/s);
    expect(kube.writes()).toBe(0);
  });

  test('refuses removing the node role mapping it owns', async () => {
    const kube = new MemoryKube();
    const nodes = { mapRoles: [{ rolearn: NODE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }], mapUsers: [], mapAccounts: [] };
    await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: nodes, identities: [], ...options() });
    const before = JSON.stringify(kube.objects.get(AWS_AUTH_PATH));
    await expect(reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() })).rejects.toThrow(LockoutError);
    expect(JSON.stringify(kube.objects.get(AWS_AUTH_PATH))).toBe(before);
  });

  test('judges lockout on the entry the authenticator uses: an appended entry that shadows the admin role is refused', async () => {
    const ADMIN = 'arn:aws:iam::111122223333:role/cluster-admin';
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapRoles: `${FOREIGN_DATA.mapRoles}- rolearn: ${ADMIN}\n  username: admin\n  groups:\n  - system:masters\n` });
    const before = JSON.stringify(kube.objects.get(AWS_AUTH_PATH));
    // A second entry for the handler's admin role, with other groups: the last entry wins, so the role loses system:masters.
    const shadowing = { mapRoles: [{ rolearn: ADMIN, username: 'ops', groups: ['ops'] }], mapUsers: [], mapAccounts: [] };
    await expect(reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: shadowing, identities: [{ arn: ADMIN, field: 'kubernetesRoleArn' }], ...options() }))
      .rejects.toThrow(/would take cluster-admin access away from arn:aws:iam::111122223333:role\/cluster-admin in aws-auth/);
    expect(JSON.stringify(kube.objects.get(AWS_AUTH_PATH))).toBe(before);
  });

  test('judges lockout on the entry the authenticator uses: the node role in another letter case, without system:nodes, is refused', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth(FOREIGN_DATA);
    const before = JSON.stringify(kube.objects.get(AWS_AUTH_PATH));
    // The authenticator compares ARNs without case: this entry replaces the node mapping for its role.
    const shadowing = { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/EKS-Node', username: 'node', groups: ['viewers'] }], mapUsers: [], mapAccounts: [] };
    await expect(reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: shadowing, identities: [], ...options() }))
      .rejects.toThrow(/would remove the last node mapping from aws-auth/);
    expect(JSON.stringify(kube.objects.get(AWS_AUTH_PATH))).toBe(before);
  });

  test('on a CONFIG_MAP cluster, never leaves aws-auth without any mapping', async () => {
    const kube = new MemoryKube();
    await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: { mapRoles: [role(1)], mapUsers: [], mapAccounts: [] }, identities: [], ...options() });
    const before = JSON.stringify(kube.objects.get(AWS_AUTH_PATH));
    await expect(reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], refuseEmpty: true, ...options() }))
      .rejects.toThrow(/leave aws-auth without any mapping/);
    expect(JSON.stringify(kube.objects.get(AWS_AUTH_PATH))).toBe(before);
    // Where access entries exist (refuseEmpty off), its own last entry may go; the ConfigMap stays.
    await reconcileAwsAuth(kube, { ownerId: 'owner-a', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    expect(kube.objects.get(AWS_AUTH_PATH)!.data).toEqual({});
    expect(kube.calls.some((c) => c.method === 'DELETE')).toBe(false);
  });

  test('owner IDs named like Object.prototype keys (__proto__, constructor) are owners like any other', async () => {
    const kube = new MemoryKube();
    const owners = () => recordedOwners(kube.objects.get(AWS_AUTH_PATH)!.metadata.annotations);
    const mapRoles = () => (kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>).mapRoles ?? '';
    await reconcileAwsAuth(kube, { ownerId: '__proto__', desired: { mapRoles: [role(1)], mapUsers: [], mapAccounts: [] }, identities: [], ...options() });
    expect(owners()).toEqual(['__proto__']);
    const both = await reconcileAwsAuth(kube, { ownerId: 'constructor', desired: { mapRoles: [role(2)], mapUsers: [], mapAccounts: [] }, identities: [], ...options() });
    expect(both.owners).toEqual(['__proto__', 'constructor']);
    expect(owners()).toEqual(['__proto__', 'constructor']);
    expect(mapRoles()).toMatch(/team-1[\s\S]*team-2/);
    // Each removes only its own entry.
    await reconcileAwsAuth(kube, { ownerId: 'constructor', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    expect(owners()).toEqual(['__proto__']);
    expect(mapRoles()).toContain('team-1');
    expect(mapRoles()).not.toContain('team-2');
    await reconcileAwsAuth(kube, { ownerId: '__proto__', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    expect(owners()).toEqual([]);
    expect(mapRoles()).not.toContain('team-1');
  });

  test('an owner named constructor that never wrote to aws-auth leaves it alone, even when it cannot be parsed', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapRoles: '- rolearn: [unclosed\n' }, { [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify({ 'owner-a': { mapRoles: [] } }) });
    const result = await reconcileAwsAuth(kube, { ownerId: 'constructor', desired: EMPTY_DESIRED_AWS_AUTH, identities: [], ...options() });
    expect(result.written).toBe(false);
    expect(result.owners).toEqual(['owner-a']);
    expect(kube.writes()).toBe(0);
  });

  test('20 concurrent owners: every entry lands, none lost', async () => {
    const kube = new MemoryKube();
    kube.seedAwsAuth(FOREIGN_DATA);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => reconcileAwsAuth(kube, {
      ownerId: `owner-${i}`,
      desired: { mapRoles: [role(i)], mapUsers: [], mapAccounts: [] },
      identities: [],
      deadline: Deadline.in(60_000),
      log: quiet(),
    })));
    const data = kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>;
    for (let i = 0; i < 20; i++) {
      expect(data.mapRoles).toContain(`role/team-${i}\n`);
    }
    expect(data.mapRoles).toContain(NODE);
    expect(recordedOwners(kube.objects.get(AWS_AUTH_PATH)!.metadata.annotations)).toHaveLength(20);
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1); // they did collide
  });
});
