import { accessEntrySnapshot, entriesAfter, ObservedAccessEntry, planAccessEntries, planPolicies, sameScope } from '../../lib/core/access-entries-plan';
import { AccessEntrySpec, AccessScopeSpec } from '../../lib/core/access-entry';
import { OWNER_KEY } from '../../lib/core/desired-state';

const OWNER = 'stack-a.team-access';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const EDIT = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
const ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const DEV = 'arn:aws:iam::111122223333:role/teams/dev/developer';
const OPS = 'arn:aws:iam::111122223333:user/ops/olga';
const NODE = 'arn:aws:iam::111122223333:role/node-role';

function spec(principalArn: string, overrides: Partial<AccessEntrySpec> = {}): AccessEntrySpec {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides };
}

function observed(principalArn: string, overrides: Partial<ObservedAccessEntry> = {}): ObservedAccessEntry {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], tags: {}, policies: [], ...overrides };
}

const owned = { [OWNER_KEY]: OWNER };

describe('planAccessEntries', () => {
  test('creates a missing entry and associates its policies', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { kubernetesGroups: ['dev'], accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev'] } }] })],
      observed: [],
    });
    expect(plan.problems).toEqual([]);
    expect(plan.actions).toEqual([
      { action: 'create', entry: expect.objectContaining({ principalArn: DEV }) },
      { action: 'associate', principalArn: DEV, policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev'] } },
    ]);
  });

  test('plans nothing when everything already matches (groups and namespaces in any order)', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { kubernetesGroups: ['a', 'b'], username: 'dev', accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['x', 'y'] } }] })],
      observed: [observed(DEV, { kubernetesGroups: ['b', 'a'], username: 'dev', tags: owned, policies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['y', 'x'] } }] })],
    });
    expect(plan.actions).toEqual([]);
  });

  test('updates groups and username in place', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { kubernetesGroups: ['dev', 'oncall'], username: 'developer' })],
      observed: [observed(DEV, { kubernetesGroups: ['dev'], username: 'arn:aws:sts::111122223333:assumed-role/developer/{{SessionName}}', tags: owned })],
    });
    expect(plan.actions).toEqual([{ action: 'update', principalArn: DEV, username: 'developer', kubernetesGroups: ['dev', 'oncall'] }]);
  });

  test('leaves the username EKS chose when none is desired', () => {
    const plan = planAccessEntries({ ownerId: OWNER, desired: [spec(DEV)], observed: [observed(DEV, { username: 'eks-default', tags: owned })] });
    expect(plan.actions).toEqual([]);
  });

  test('a changed policy scope is one associate call (it upserts), a removed policy one disassociate', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster' } }] })],
      observed: [observed(DEV, { tags: owned, policies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev'] } }, { policyArn: EDIT, accessScope: { type: 'cluster' } }] })],
    });
    expect(plan.actions).toEqual([
      { action: 'associate', principalArn: DEV, policyArn: VIEW, accessScope: { type: 'cluster' } },
      { action: 'disassociate', principalArn: DEV, policyArn: EDIT },
    ]);
  });

  test('deletes owned entries no longer desired, never foreign ones or kept ones', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [],
      observed: [
        observed(DEV, { tags: owned }),
        observed(OPS, { tags: { [OWNER_KEY]: 'someone-else' } }),
        observed(NODE, { type: 'EC2_LINUX' }),
        observed('arn:aws:iam::111122223333:role/handler', { tags: owned }),
      ],
      keep: new Set(['arn:aws:iam::111122223333:role/handler']),
    });
    expect(plan.actions).toEqual([{ action: 'delete', principalArn: DEV }]);
  });

  test('adopts an existing entry it did not create: adds the missing groups, records it as adopted', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { kubernetesGroups: ['dev'] })],
      observed: [observed(DEV, { kubernetesGroups: [] })],
    });
    expect(plan.adopted).toEqual([DEV]);
    expect(plan.warnings).toEqual([]);
    expect(plan.actions).toEqual([{ action: 'update', principalArn: DEV, kubernetesGroups: ['dev'] }]);
    // ...and a later plan without it does not delete it.
    expect(planAccessEntries({ ownerId: OWNER, desired: [], observed: [observed(DEV, { kubernetesGroups: ['dev'] })] }).actions).toEqual([]);
  });

  test('an adopted entry never loses a policy: undesired ones stay, with a warning naming entry and policy', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster' } }] })],
      observed: [observed(DEV, { policies: [{ policyArn: ADMIN, accessScope: { type: 'cluster' } }] })],
    });
    expect(plan.actions).toEqual([{ action: 'associate', principalArn: DEV, policyArn: VIEW, accessScope: { type: 'cluster' } }]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^adopted access entry arn:aws:iam::111122223333:role\/teams\/dev\/developer: policy .*AmazonEKSClusterAdminPolicy \(cluster scope\) is not desired but stays associated/)]);
    // The creator keeps cluster-admin access once the plan has run.
    const after = accessEntrySnapshot(entriesAfter([observed(DEV, { policies: [{ policyArn: ADMIN, accessScope: { type: 'cluster' } }] })], plan));
    expect([...after.admins]).toEqual([DEV]);
  });

  test('an adopted entry keeps the scope of an existing association (narrower or wider desired), with a warning', () => {
    for (const [have, want, text] of [
      [{ type: 'cluster' }, { type: 'namespace', namespaces: ['dev'] }, 'stays associated with cluster scope; the desired namespace scope \\(dev\\) is not applied'],
      [{ type: 'namespace', namespaces: ['b', 'a'] }, { type: 'namespace', namespaces: ['a', 'b', 'c'] }, 'stays associated with namespace scope \\(a, b\\); the desired namespace scope \\(a, b, c\\) is not applied'],
    ] as Array<[AccessScopeSpec, AccessScopeSpec, string]>) {
      const plan = planAccessEntries({
        ownerId: OWNER,
        desired: [spec(DEV, { accessPolicies: [{ policyArn: ADMIN, accessScope: want }] })],
        observed: [observed(DEV, { policies: [{ policyArn: ADMIN, accessScope: have }] })],
      });
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([expect.stringMatching(new RegExp(`role/teams/dev/developer: policy .*AmazonEKSClusterAdminPolicy ${text}`))]);
    }
  });

  test('an adopted entry keeps its groups and its username; only missing groups are added', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { kubernetesGroups: ['dev', 'oncall'], username: 'developer' })],
      observed: [observed(DEV, { kubernetesGroups: ['admins', 'dev'], username: 'arn:aws:sts::111122223333:assumed-role/developer/{{SessionName}}' })],
    });
    expect(plan.actions).toEqual([{ action: 'update', principalArn: DEV, kubernetesGroups: ['admins', 'dev', 'oncall'] }]);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/developer: username stays "arn:aws:sts::111122223333:assumed-role\/developer\/\{\{SessionName\}\}"; the desired "developer" is not applied/),
      expect.stringMatching(/developer: Kubernetes groups admins are not desired but stay/),
    ]);
    // Nothing to add: no call, only the warnings.
    const same = planAccessEntries({ ownerId: OWNER, desired: [spec(DEV, { kubernetesGroups: ['dev'] })], observed: [observed(DEV, { kubernetesGroups: ['dev', 'admins'] })] });
    expect(same.actions).toEqual([]);
    expect(same.warnings).toHaveLength(1);
  });

  test('an entry of the former owner (taken over) is fully reconciled like an owned one', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      formerOwnerId: 'old-owner',
      desired: [spec(DEV, { kubernetesGroups: ['dev'] })],
      observed: [observed(DEV, { kubernetesGroups: ['admins'], accessEntryArn: 'arn:entry', tags: { [OWNER_KEY]: 'old-owner' }, policies: [{ policyArn: ADMIN, accessScope: { type: 'cluster' } }] })],
    });
    expect(plan.warnings).toEqual([]);
    expect(plan.actions).toEqual([
      { action: 'retag', principalArn: DEV, accessEntryArn: 'arn:entry', ownerId: OWNER },
      { action: 'update', principalArn: DEV, kubernetesGroups: ['dev'] },
      { action: 'disassociate', principalArn: DEV, policyArn: ADMIN },
    ]);
  });

  test('a type change re-creates an owned entry and refuses a foreign one', () => {
    const ownedPlan = planAccessEntries({ ownerId: OWNER, desired: [spec(NODE, { type: 'EC2_LINUX' })], observed: [observed(NODE, { tags: owned })] });
    expect(ownedPlan.actions).toEqual([{ action: 'recreate', entry: expect.objectContaining({ type: 'EC2_LINUX' }), fromType: 'STANDARD' }]);
    const foreign = planAccessEntries({ ownerId: OWNER, desired: [spec(NODE, { type: 'EC2_LINUX' })], observed: [observed(NODE)] });
    expect(foreign.actions).toEqual([]);
    expect(foreign.problems).toEqual([expect.stringMatching(/exists with type STANDARD.*not created by this configuration \(stack-a\.team-access\)/)]);
  });

  test('node entries get no update call (EKS sets their username and groups)', () => {
    const plan = planAccessEntries({ ownerId: OWNER, desired: [spec(NODE, { type: 'EC2_LINUX' })], observed: [observed(NODE, { type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', tags: owned })] });
    expect(plan.actions).toEqual([]);
  });

  test('orders creates and updates, then policy changes, then deletions', () => {
    const plan = planAccessEntries({
      ownerId: OWNER,
      desired: [spec(DEV, { accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster' } }] }), spec(OPS, { kubernetesGroups: ['ops'] })],
      observed: [observed(OPS, { tags: owned }), observed(NODE, { tags: owned })],
    });
    expect(plan.actions.map((a) => a.action)).toEqual(['create', 'update', 'associate', 'delete']);
  });
});

describe('planPolicies and scopes', () => {
  test('namespace order does not matter, type does', () => {
    expect(sameScope({ type: 'namespace', namespaces: ['a', 'b'] }, { type: 'namespace', namespaces: ['b', 'a'] })).toBe(true);
    expect(sameScope({ type: 'namespace', namespaces: ['a'] }, { type: 'namespace', namespaces: ['a', 'b'] })).toBe(false);
    expect(sameScope({ type: 'cluster' }, { type: 'namespace', namespaces: [] })).toBe(false);
  });

  test('diffs by policy ARN', () => {
    expect(planPolicies(DEV, [{ policyArn: VIEW, accessScope: { type: 'cluster' } }], [{ policyArn: VIEW, accessScope: { type: 'cluster' } }])).toEqual([]);
    expect(planPolicies(DEV, [], [{ policyArn: ADMIN, accessScope: { type: 'cluster' } }])).toEqual([{ action: 'disassociate', principalArn: DEV, policyArn: ADMIN }]);
  });
});

describe('snapshots for the lockout check', () => {
  test('entriesAfter applies the plan: nodes, admins and principals', () => {
    const before = [observed(NODE, { type: 'EC2_LINUX', tags: owned }), observed(DEV, { tags: owned, policies: [{ policyArn: ADMIN, accessScope: { type: 'cluster' } }] })];
    const plan = planAccessEntries({ ownerId: OWNER, desired: [spec(DEV, { accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster' } }] })], observed: before });
    const snapBefore = accessEntrySnapshot(before);
    const snapAfter = accessEntrySnapshot(entriesAfter(before, plan));
    expect([...snapBefore.nodePrincipals]).toEqual([NODE]);
    expect([...snapAfter.nodePrincipals]).toEqual([]);
    expect([...snapBefore.admins]).toEqual([DEV]);
    expect([...snapAfter.admins]).toEqual([]);
    expect([...snapAfter.principals]).toEqual([DEV]);
  });
});
