import { loadAwsAuth } from '../../../lib/core/aws-auth';
import { planMigration, pruneMigrated, verifyMigrated } from '../../../lib/core/migration';

const A = '111122223333';
const cm = loadAwsAuth({
  mapRoles: [
    `- rolearn: arn:aws:iam::${A}:role/nodes`,
    '  username: system:node:{{EC2PrivateDNSName}}',
    '  groups: [system:bootstrappers, system:nodes]',
    `- rolearn: arn:aws:iam::${A}:role/admin`,
    '  username: admin:{{SessionName}}',
    '  groups: [system:masters, ops]',
    '  note: kept by hand',
    `- rolearn: arn:aws:iam::${A}:role/AWSServiceRoleForAmazonEMRContainers`,
    '  username: emr-containers',
    '',
  ].join('\n'),
  mapUsers: `- userarn: arn:aws:iam::${A}:user/olga\n  username: olga\n  groups: [ops]\n`,
});
const plan = planMigration({ awsAuth: cm, mode: 'API_AND_CONFIG_MAP' });
const migrated = plan.items.filter((i) => i.verdict === 'migrate');

describe('verifyMigrated', () => {
  test('each principal resolves through its entry as through aws-auth', () => {
    const entries = plan.entries.map((e) => ({ ...e, policies: e.accessPolicies, username: e.username ?? (e.type === 'EC2_LINUX' ? 'system:node:{{EC2PrivateDNSName}}' : undefined) }));
    expect(verifyMigrated(migrated, entries)).toEqual({ verified: migrated, failures: [] });
  });

  test('a missing entry, or one that differs, is named', () => {
    const admin = plan.entries.find((e) => e.principalArn.endsWith('role/admin'))!;
    const result = verifyMigrated(migrated, [{ ...admin, policies: [] }]);
    expect(result.verified).toEqual([]);
    expect(result.failures).toEqual([
      `mapRoles[0] (arn:aws:iam::${A}:role/nodes): no access entry for arn:aws:iam::${A}:role/nodes`,
      `mapRoles[1] (arn:aws:iam::${A}:role/admin): the access entry for arn:aws:iam::${A}:role/admin differs: groups only aws-auth gives: system:masters`,
      `mapUsers[0] (arn:aws:iam::${A}:user/olga): no access entry for arn:aws:iam::${A}:user/olga`,
    ]);
  });
});

describe('pruneMigrated', () => {
  test('removes exactly the migrated entries, matched by content; everything else stays', () => {
    const pruned = pruneMigrated(cm, cm, migrated);
    expect(pruned.removed.map((i) => i.source)).toEqual(['mapRoles[0]', 'mapRoles[1]', 'mapUsers[0]']);
    expect(pruned.configMap.mapRoles).toEqual([cm.mapRoles[2]]);
    expect(pruned.configMap.mapUsers).toEqual([]);
    expect(pruned.configMap.metadata).toEqual(cm.metadata);
  });

  test('an entry changed or moved since the plan is matched by content: a changed one stays, a moved one goes', () => {
    const now = loadAwsAuth({
      mapRoles: [
        `- rolearn: arn:aws:iam::${A}:role/added-meanwhile\n  username: x`,
        `- rolearn: arn:aws:iam::${A}:role/admin\n  username: admin:{{SessionName}}\n  groups: [system:masters, ops]\n  note: kept by hand`,
        `- rolearn: arn:aws:iam::${A}:role/nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:nodes]`,
      ].join('\n') + '\n',
    });
    const pruned = pruneMigrated(now, cm, migrated);
    expect(pruned.removed.map((i) => i.source)).toEqual(['mapRoles[1]']);
    expect(pruned.configMap.mapRoles.map((r) => r.rolearn)).toEqual([`arn:aws:iam::${A}:role/added-meanwhile`, `arn:aws:iam::${A}:role/nodes`]);
  });

  test('never a blocked or skipped entry', () => {
    const emr = plan.items.find((i) => i.verdict === 'blocked')!;
    expect(() => pruneMigrated(cm, cm, [emr])).toThrow(/refusing to remove mapRoles\[2\] \(blocked\) from aws-auth/);
  });
});
