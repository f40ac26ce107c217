import { loadAwsAuth, mergeOwnedAwsAuth } from '../../../lib/core/aws-auth';
import { MigrationFacts, MigrationInput, MigrationItem, isPrunable, planMigration, pruneMigrated } from '../../../lib/core/migration';

const A = '111122223333';
const ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** aws-auth from YAML sections. */
function awsAuth(sections: { mapRoles?: string[]; mapUsers?: string[]; mapAccounts?: string[] }) {
  return loadAwsAuth({
    ...(sections.mapRoles ? { mapRoles: sections.mapRoles.join('\n') + '\n' } : {}),
    ...(sections.mapUsers ? { mapUsers: sections.mapUsers.join('\n') + '\n' } : {}),
    ...(sections.mapAccounts ? { mapAccounts: sections.mapAccounts.join('\n') + '\n' } : {}),
  });
}

/** The plan of these role entries (each a YAML list item). */
function planRoles(mapRoles: string[], more: Partial<MigrationInput> = {}) {
  return planMigration({ awsAuth: awsAuth({ mapRoles }), mode: 'API_AND_CONFIG_MAP', ...more });
}

function only(mapRoles: string[], facts?: MigrationFacts, more: Partial<MigrationInput> = {}): MigrationItem {
  const plan = planRoles(mapRoles, { facts, ...more });
  expect(plan.items).toHaveLength(1);
  return plan.items[0];
}

const role = (name: string, username: string | undefined, groups: string[]) => [
  `- rolearn: arn:aws:iam::${A}:role/${name}`,
  ...(username !== undefined ? [`  username: "${username}"`] : []),
  ...(groups.length > 0 ? [`  groups: [${groups.map((g) => JSON.stringify(g)).join(', ')}]`] : []),
].join('\n');

describe('migrate: eksctl\'s rules where they are right', () => {
  test('a node role (system:node:{{EC2PrivateDNSName}}) becomes an EC2_LINUX entry without username or groups', () => {
    const item = only([role('nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes'])]);
    expect(item).toMatchObject({ verdict: 'migrate', rule: 'node-linux', effective: true });
    expect(item.entry).toEqual({ principalArn: `arn:aws:iam::${A}:role/nodes`, type: 'EC2_LINUX', kubernetesGroups: [], accessPolicies: [] });
  });

  test('a node role with eks:kube-proxy-windows becomes EC2_WINDOWS', () => {
    const item = only([role('win-nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes', 'eks:kube-proxy-windows'])]);
    expect(item).toMatchObject({ verdict: 'migrate', rule: 'node-windows', entry: { type: 'EC2_WINDOWS', kubernetesGroups: [] } });
  });

  test('system:masters becomes AmazonEKSClusterAdminPolicy at cluster scope, and (unlike eksctl) the other groups stay', () => {
    const item = only([role('admin', 'admin:{{SessionName}}', ['system:masters', 'platform-admins'])]);
    expect(item).toMatchObject({ verdict: 'migrate', rule: 'cluster-admin' });
    expect(item.entry).toEqual({
      principalArn: `arn:aws:iam::${A}:role/admin`,
      type: 'STANDARD',
      username: 'admin:{{SessionName}}',
      kubernetesGroups: ['platform-admins'],
      accessPolicies: [{ policyArn: ADMIN_POLICY, accessScope: { type: 'cluster' } }],
    });
    expect(item.reason).toMatch(/keeping platform-admins/);
  });

  test('the cluster-admin policy is in the principal\'s partition', () => {
    const plan = planMigration({ awsAuth: awsAuth({ mapRoles: ['- rolearn: arn:aws-cn:iam::111122223333:role/admin\n  username: admin\n  groups: [system:masters]'] }), mode: 'CONFIG_MAP' });
    expect(plan.items[0].entry?.accessPolicies).toEqual([{ policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }]);
  });

  test('anything else becomes a STANDARD entry with the same username and groups', () => {
    const item = only([role('dev', 'dev:{{SessionName}}', ['developers', 'readers'])]);
    expect(item).toMatchObject({ verdict: 'migrate', rule: 'standard' });
    expect(item.entry).toEqual({ principalArn: `arn:aws:iam::${A}:role/dev`, type: 'STANDARD', username: 'dev:{{SessionName}}', kubernetesGroups: ['developers', 'readers'], accessPolicies: [] });
  });

  test('an IAM user keeps its path, which aws-auth already has', () => {
    const plan = planMigration({ awsAuth: awsAuth({ mapUsers: [`- userarn: arn:aws:iam::${A}:user/ops/olga\n  username: olga\n  groups: [ops]`] }), mode: 'CONFIG_MAP' });
    expect(plan.items[0]).toMatchObject({ source: 'mapUsers[0]', verdict: 'migrate', principalSource: 'aws-auth', entry: { principalArn: `arn:aws:iam::${A}:user/ops/olga`, username: 'olga', kubernetesGroups: ['ops'] } });
  });

  test('{{AccountID}} is written out: it always stands for the principal\'s own account', () => {
    const item = only([role('ci', 'ci-{{AccountID}}', ['deployers-{{AccountID}}'])]);
    expect(item.entry).toMatchObject({ username: `ci-${A}`, kubernetesGroups: [`deployers-${A}`] });
  });

  test('{{SessionName}} and {{SessionNameRaw}} stay when a colon comes before them', () => {
    expect(only([role('a', 'a:{{SessionName}}', ['g'])]).verdict).toBe('migrate');
    expect(only([role('b', 'b:x-{{SessionNameRaw}}', ['g'])]).entry?.username).toBe('b:x-{{SessionNameRaw}}');
  });

  test('no username: EKS sets its default (aws-auth gave Kubernetes an empty one)', () => {
    const item = only([role('viewer', undefined, ['viewers'])]);
    expect(item).toMatchObject({ verdict: 'migrate', rule: 'standard', entry: { kubernetesGroups: ['viewers'] } });
    expect(item.entry).not.toHaveProperty('username');
    expect(item.reason).toMatch(/EKS sets its default/);
  });
});

describe('the principal\'s full ARN', () => {
  test('a role\'s path comes from IAM (facts), as eksctl does with iam:GetRole', () => {
    const item = only([role('developer', 'dev', ['developers'])], { principals: [`arn:aws:iam::${A}:role/teams/dev/Developer`] });
    expect(item).toMatchObject({ principalArn: `arn:aws:iam::${A}:role/teams/dev/Developer`, principalSource: 'iam', entry: { principalArn: `arn:aws:iam::${A}:role/teams/dev/Developer` } });
  });

  test('without IAM, a role is taken to have no path, and the plan says so', () => {
    const plan = planRoles([role('developer', 'dev', ['developers'])]);
    expect(plan.items[0]).toMatchObject({ principalArn: `arn:aws:iam::${A}:role/developer`, principalSource: 'assumed' });
    expect(plan.notes.join('\n')).toMatch(/IAM was not consulted for arn:aws:iam::111122223333:role\/developer/);
  });

  test('an IAM Identity Center role needs its path (/aws-reserved/sso.amazonaws.com/...): blocked until IAM tells it', () => {
    const sso = role('AWSReservedSSO_PlatformAdmin_0123456789abcdef', 'sso:{{SessionName}}', ['system:masters']);
    const blocked = only([sso]);
    expect(blocked).toMatchObject({ verdict: 'blocked', rule: 'path-unknown', effective: true });
    expect(blocked.reason).toMatch(/\/aws-reserved\/sso\.amazonaws\.com\//);
    expect(blocked.fix).toMatch(/--principal-arn/);
    const full = `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef`;
    expect(only([sso], { principals: [full] })).toMatchObject({ verdict: 'migrate', rule: 'cluster-admin', entry: { principalArn: full } });
  });

  test('an sso matcher is migrated as the role IAM Identity Center made for the permission set', () => {
    const matcher = `- sso: {permissionSetName: ReadOnly, accountID: "${A}"}\n  username: ro:{{SessionName}}\n  groups: [readers]`;
    expect(only([matcher])).toMatchObject({ verdict: 'blocked', rule: 'path-unknown' });
    const full = `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_a1b2c3d4e5f6a7b8`;
    const other = `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_a1b2c3d4e5f6a7b8`;
    expect(only([matcher], { principals: [full, other] })).toMatchObject({ verdict: 'migrate', entry: { principalArn: full, username: 'ro:{{SessionName}}' } });
  });

  test('a principal IAM does not know is blocked (eksctl stops the whole migration instead)', () => {
    const item = only([role('gone', 'gone', ['g'])], { missingPrincipals: [`arn:aws:iam::${A}:role/gone`] });
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'principal-missing' });
  });

  test('a role of the consulted account that IAM did not report is not guessed at', () => {
    const item = only([role('dev', 'dev', ['g'])], { iamConsulted: true, accountId: A });
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'path-unknown' });
    // Another account's roles cannot be looked up: taken to have no path.
    const other = planRoles(['- rolearn: arn:aws:iam::444455556666:role/partner\n  username: partner:{{SessionName}}\n  groups: [partners]'], { facts: { iamConsulted: true, accountId: A } });
    expect(other.items[0]).toMatchObject({ verdict: 'migrate', principalSource: 'assumed' });
  });

  test('a role ID (userid) alone is blocked: the authenticator drops such an entry, so it never matches', () => {
    expect(only(['- userid: AROAEXAMPLEID1234\n  username: by-id\n  groups: [g]'])).toMatchObject({ verdict: 'blocked', rule: 'never-matches', arn: 'userid:AROAEXAMPLEID1234' }); // the authenticator drops an entry with only a userid
  });
});

describe('blocked, with the fix', () => {
  test('mapAccounts has no equivalent: the account is named, and what to do', () => {
    const plan = planMigration({ awsAuth: awsAuth({ mapAccounts: ['- "444455556666"', '- "777788889999"'] }), mode: 'CONFIG_MAP' });
    expect(plan.items.map((i) => [i.source, i.verdict, i.rule, i.account])).toEqual([
      ['mapAccounts[0]', 'blocked', 'account', '444455556666'],
      ['mapAccounts[1]', 'blocked', 'account', '777788889999'],
    ]);
    expect(plan.items[0].reason).toMatch(/every IAM role and user of account 444455556666/);
    expect(plan.items[0].fix).toMatch(/map each one .* then remove the account from mapAccounts/);
  });

  test('a service-linked role (eksctl\'s emr-containers mapping) is blocked: access entries refuse them', () => {
    const item = only([role('AWSServiceRoleForAmazonEMRContainers', 'emr-containers', [])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'service-linked-role' });
    const resolved = only([role('AWSServiceRoleForAmazonEMRContainers', 'emr-containers', [])], {
      principals: [`arn:aws:iam::${A}:role/aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers`],
    });
    expect(resolved).toMatchObject({ verdict: 'blocked', rule: 'service-linked-role' });
  });

  test.each(['system:bootstrappers', 'system:authenticated'])('another system: group (%s) is blocked', (group) => {
    const item = only([role('odd', 'odd', ['devs', group])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'system-group' });
    expect(item.reason).toContain(group);
  });

  test.each(['eks:admin', 'aws:ops', 'amazon:x', 'iam:dev', 'system:admin'])('a reserved username prefix (%s) is blocked before any call', (username) => {
    const item = only([role('r', username, ['g'])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'reserved-username' });
    expect(item.fix).toMatch(/update the RBAC bindings/);
  });

  test.each([
    ['dev-{{SessionName}}', 'dev:{{SessionName}}'],
    ['{{SessionName}}', ':{{SessionName}}'],
    ['john{{SessionNameRaw}}', 'john:{{SessionNameRaw}}'],
  ])('%s has no colon before {{SessionName}}: blocked, with a corrected form', (username, suggested) => {
    const item = only([role('r', username, ['g'])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'session-name-colon' });
    expect(item.fix).toContain(`"${suggested}"`);
  });

  test.each(['ci:{{AccessKeyID}}', 'node:{{EC2PrivateDNSName}}'])('a template access entries do not take (%s) is blocked', (username) => {
    expect(only([role('r', username, ['g'])])).toMatchObject({ verdict: 'blocked', rule: 'template' });
  });

  test('a group template other than {{AccountID}} is blocked', () => {
    expect(only([role('r', 'r', ['team-{{SessionName}}'])])).toMatchObject({ verdict: 'blocked', rule: 'template' });
  });

  test('a node mapping with more than the node groups is blocked (a node entry takes no groups)', () => {
    const item = only([role('nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes', 'monitoring'])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'node-groups' });
    expect(item.reason).toMatch(/also has monitoring/);
  });

  test('a node role of another account than the cluster\'s is blocked', () => {
    const item = only(['- rolearn: arn:aws:iam::444455556666:role/nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]'], { accountId: A });
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'node-account' });
  });
});

describe('entries the authenticator drops or shadows are reported, not migrated', () => {
  test('of two entries for one ARN (in any letter case), the last one applies; the first is shadowed', () => {
    const plan = planRoles([
      role('Dev', 'old', ['old-group']),
      role('admin', 'admin', ['admins']),
      role('dev', 'dev:{{SessionName}}', ['developers']),
    ]);
    expect(plan.items.map((i) => [i.source, i.verdict, i.rule, i.effective])).toEqual([
      ['mapRoles[0]', 'blocked', 'shadowed', false],
      ['mapRoles[1]', 'migrate', 'standard', true],
      ['mapRoles[2]', 'migrate', 'standard', true],
    ]);
    expect(plan.items[0].reason).toMatch(/mapRoles\[2\] maps the same principal/);
    expect(plan.entries.map((e) => e.username)).toEqual(['admin', 'dev:{{SessionName}}']);
  });

  test('an entry the authenticator drops does not shadow the one before it', () => {
    const plan = planRoles([
      role('dev', 'dev', ['developers']),
      `- rolearn: arn:aws:iam::${A}:role/dev\n  sso: {permissionSetName: X, accountID: "${A}"}\n  username: broken`,
    ]);
    expect(plan.items.map((i) => [i.verdict, i.rule, i.effective])).toEqual([['migrate', 'standard', true], ['blocked', 'never-matches', false]]);
    expect(plan.items[1].reason).toMatch(/both rolearn and sso/);
  });

  test('a role ARN with a path never matches in aws-auth: reported, not migrated', () => {
    const item = only([role('teams/dev/developer', 'dev', ['g'])]);
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'never-matches', effective: false });
    expect(item.reason).toMatch(/path/);
  });
});

describe('already covered', () => {
  const existing = (groups: string[], more: object = {}) => ({
    principalArn: `arn:aws:iam::${A}:role/teams/dev/developer`, type: 'STANDARD', username: 'dev:{{SessionName}}', kubernetesGroups: groups, policies: [], ...more,
  });

  test('an access entry for the principal (found by name, whatever its path) that grants the same', () => {
    const item = only([role('developer', 'dev:{{SessionName}}', ['developers'])], undefined, { accessEntries: [existing(['developers'])] });
    expect(item).toMatchObject({ verdict: 'covered', rule: 'existing-same', principalArn: `arn:aws:iam::${A}:role/teams/dev/developer`, differences: [] });
    expect(item.reason).toMatch(/it grants the same/);
  });

  test('an access entry that differs says how', () => {
    const item = only([role('developer', 'dev:{{SessionName}}', ['developers', 'readers'])], undefined, {
      accessEntries: [existing(['developers', 'ops'], { policies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['dev'] } }] })],
    });
    expect(item).toMatchObject({ verdict: 'covered', rule: 'existing-differs' });
    expect(item.differences).toEqual([
      'groups only aws-auth gives: readers',
      'groups only the access entry gives: ops',
      'access policy only the access entry gives: AmazonEKSViewPolicy (namespaces dev)',
    ]);
  });

  test('system:masters is covered by an entry with the cluster-admin policy', () => {
    const item = only([role('developer', 'dev:{{SessionName}}', ['system:masters'])], undefined, {
      accessEntries: [existing([], { policies: [{ policyArn: ADMIN_POLICY, accessScope: { type: 'cluster' } }] })],
    });
    expect(item).toMatchObject({ verdict: 'covered', rule: 'existing-same' });
  });

  test('a principal this configuration declares is never planned twice', () => {
    const declared = [{ principalArn: `arn:aws:iam::${A}:role/teams/dev/developer`, type: 'STANDARD' as const, username: 'dev:{{SessionName}}', kubernetesGroups: ['developers'], accessPolicies: [] }];
    const plan = planRoles([role('developer', 'dev:{{SessionName}}', ['developers'])], { declared });
    expect(plan.items[0]).toMatchObject({ verdict: 'covered', rule: 'declared' });
    expect(plan.entries).toEqual([]);
  });
});

describe('skip, managed by EKS', () => {
  const nodeEntry = role('ng-role', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes']);
  const fargateEntry = role('fargate-pods', 'system:node:{{SessionName}}', ['system:bootstrappers', 'system:nodes', 'system:node-proxier']);

  test('the node role of a managed node group (DescribeNodegroup)', () => {
    const item = only([nodeEntry], { managedNodeRoles: [`arn:aws:iam::${A}:role/ng-role`] });
    expect(item).toMatchObject({ verdict: 'skip', rule: 'eks-managed-node-group' });
  });

  test('a Fargate profile\'s pod execution role, recognised by its username and system:node-proxier', () => {
    expect(only([fargateEntry])).toMatchObject({ verdict: 'skip', rule: 'eks-managed-fargate' });
    expect(only([fargateEntry]).reason).toMatch(/recognised by the username system:node:\{\{SessionName\}\}/);
    // Known profiles: a role that is not one of theirs is migrated as a FARGATE_LINUX entry.
    expect(only([fargateEntry], { fargateRoles: [`arn:aws:iam::${A}:role/other`] })).toMatchObject({ verdict: 'migrate', rule: 'fargate', entry: { type: 'FARGATE_LINUX' } });
  });

  test('the step to API waits for EKS to create them', () => {
    const facts = { managedNodeRoles: [`arn:aws:iam::${A}:role/ng-role`] };
    expect(planRoles([nodeEntry], { facts, mode: 'CONFIG_MAP' }).api.allowed).toBe(true);
    const pending = planRoles([nodeEntry], { facts });
    expect(pending.api.allowed).toBe(false);
    expect(pending.api.reasons).toEqual([`mapRoles[0] (arn:aws:iam::${A}:role/ng-role) is managed by EKS, which has not created its access entry yet`]);
    const created = planRoles([nodeEntry], { facts, accessEntries: [{ principalArn: `arn:aws:iam::${A}:role/ng-role`, type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] }] });
    expect(created.items[0]).toMatchObject({ verdict: 'covered', rule: 'existing-same', managedByEks: true });
    expect(created.api.allowed).toBe(true);
    // Covered now, and still EKS's: never removed from aws-auth.
    expect(isPrunable(created.items[0])).toBe(false);
    expect(() => pruneMigrated(awsAuth({ mapRoles: [nodeEntry] }), awsAuth({ mapRoles: [nodeEntry] }), created.items))
      .toThrow(/refusing to remove mapRoles\[0\] \(managed by EKS\)/);
  });
});

describe('may the cluster go to API?', () => {
  const realistic = awsAuth({
    mapRoles: [
      role('nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes']),
      role('admin', 'admin:{{SessionName}}', ['system:masters']),
      role('AWSServiceRoleForAmazonEMRContainers', 'emr-containers', []),
    ],
    mapAccounts: ['- "444455556666"'],
  });

  test('not while anything is blocked; it names who would lose access, now and after the migration', () => {
    const plan = planMigration({ awsAuth: realistic, mode: 'CONFIG_MAP' });
    expect(plan.api.allowed).toBe(false);
    expect(plan.api.reasons).toHaveLength(2);
    expect(plan.api.loseAccessNow.map((l) => l.source)).toEqual(['mapRoles[0]', 'mapRoles[1]', 'mapRoles[2]', 'mapAccounts[0]']);
    expect(plan.api.loseAccessAfterMigration.map((l) => l.arn)).toEqual([`arn:aws:iam::${A}:role/AWSServiceRoleForAmazonEMRContainers`, '444455556666']);
  });

  test('a shadowed entry grants nothing, but still blocks until it is removed', () => {
    const plan = planRoles([role('dev', 'a', ['x']), role('dev', 'b', ['y'])]);
    expect(plan.api.allowed).toBe(false);
    expect(plan.api.loseAccessAfterMigration).toEqual([]);
  });

  test('yes once nothing is blocked: every identity has its entry', () => {
    const plan = planRoles([role('nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes']), role('admin', 'admin', ['system:masters'])]);
    expect(plan.api).toMatchObject({ allowed: true, reasons: [], loseAccessAfterMigration: [] });
    expect(plan.api.loseAccessNow).toHaveLength(2);
  });

  test('a cluster already in API: aws-auth grants nothing, and the plan says so', () => {
    const plan = planMigration({ awsAuth: realistic, mode: 'API' });
    expect(plan.api).toEqual({ allowed: true, reasons: [], loseAccessNow: [], loseAccessAfterMigration: [] });
    expect(plan.notes).toContain('the cluster is in authentication mode API: aws-auth is ignored and grants nothing');
  });
});

describe('node roles in a deployment', () => {
  const nodes = role('nodes', 'system:node:{{EC2PrivateDNSName}}', ['system:bootstrappers', 'system:nodes']);

  test('are migrated only when declared: the handler may pass only the node roles it maps', () => {
    const item = only([nodes], undefined, { nodeRolesMustBeDeclared: true });
    expect(item).toMatchObject({ verdict: 'blocked', rule: 'node-role-undeclared' });
    expect(item.fix).toMatch(/ClusterAccess\.mapNodeRole\(role\)/);
    const declared = [{ principalArn: `arn:aws:iam::${A}:role/nodes`, type: 'EC2_LINUX' as const, kubernetesGroups: [], accessPolicies: [] }];
    expect(only([nodes], undefined, { nodeRolesMustBeDeclared: true, declared })).toMatchObject({ verdict: 'covered', rule: 'declared', differences: [] });
  });
});

describe('entries a ClusterAccess wrote (the owners annotation)', () => {
  const owned = () => mergeOwnedAwsAuth(awsAuth({ mapRoles: [role('foreign', 'f', ['g'])] }), 'stack-b.access', {
    mapRoles: [{ rolearn: `arn:aws:iam::${A}:role/team`, username: 'team:{{SessionName}}', groups: ['team'] }], mapUsers: [], mapAccounts: [],
  }).configMap;

  test('are that owner\'s to move: covered when a deployment plans', () => {
    const plan = planMigration({ awsAuth: owned(), mode: 'API_AND_CONFIG_MAP', ownerId: 'stack-a.access' });
    expect(plan.items.map((i) => [i.arn, i.verdict, i.rule])).toEqual([
      [`arn:aws:iam::${A}:role/foreign`, 'migrate', 'standard'],
      [`arn:aws:iam::${A}:role/team`, 'covered', 'declared'],
    ]);
    expect(plan.items[1].reason).toMatch(/written by cdk-eks-access owner stack-b\.access/);
  });

  test('block the step to API when the CLI plans, until that owner is deployed', () => {
    const plan = planMigration({ awsAuth: owned(), mode: 'API_AND_CONFIG_MAP' });
    expect(plan.items[1]).toMatchObject({ verdict: 'blocked', rule: 'library-owned' });
    expect(plan.entries.map((e) => e.principalArn)).toEqual([`arn:aws:iam::${A}:role/foreign`]);
  });
});
