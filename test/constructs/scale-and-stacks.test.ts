import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredState, desiredStates, flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess, KubernetesClusterRole } from '../../lib';
import { INLINE_LIMIT_BYTES } from '../../lib/access-payload';

skipCfnSchemaValidation();

describe('1,000 teams', () => {
  let stack: Stack;
  let app: App;

  beforeAll(() => {
    ({ app, stack } = newStack());
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 10 });
    for (let i = 0; i < 1000; i++) {
      access.addTeam(`Team${i}`, { namespaces: [`team-${i}`], createNamespaces: i % 10 === 0, clusterRole: i % 2 === 0 ? KubernetesClusterRole.VIEW : undefined });
    }
  });

  test('synthesize, with every template within 500 resources and every payload within the inline limit', () => {
    const assembly = app.synth();
    const templates = assembly.stacks.flatMap((s) => [s.template]);
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    expect(nested).toHaveLength(10);
    const all = [stack, ...nested].map((s) => Template.fromStack(s).toJSON());
    expect(templates).toHaveLength(1);
    let teamsMapped = 0;
    for (const t of all) {
      const resources = Object.values(t.Resources as Record<string, any>);
      expect(resources.length).toBeLessThanOrEqual(500);
      for (const r of resources.filter((x) => x.Type === 'Custom::EksClusterAccess')) {
        const inline = flatten(r.Properties.inline);
        expect(Buffer.byteLength(inline)).toBeLessThan(INLINE_LIMIT_BYTES);
        teamsMapped += JSON.parse(inline).accessEntries.length;
      }
    }
    expect(teamsMapped).toBe(1000);
    // 1,000 roles and 1,000 groups in all, and nothing else per team.
    const count = (type: string) => all.reduce(
      (n, t) => n + Object.values(t.Resources as Record<string, any>).filter((r) => r.Type === type).length, 0);
    expect(count('AWS::IAM::Role')).toBe(1000 + 2); // + the handler's and the provider framework's
    expect(count('AWS::IAM::Group')).toBe(1000);
    expect(count('Custom::EksClusterAccess')).toBe(11); // the main resource and one per batch
  });

  test('owner IDs are distinct per batch and namespaces are created once, by the main resource', () => {
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    const states = [stack, ...nested].flatMap((s) => desiredStates(s));
    expect(new Set(states.map((s) => s.ownerId)).size).toBe(11);
    const namespaces = states.flatMap((s) => s.manifests.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
    expect(namespaces).toHaveLength(100);
    expect(states[0].manifests.filter((m) => m.kind === 'Namespace')).toHaveLength(100);
  });
});

describe('across stacks', () => {
  test('a role defined in another stack of the app is mapped through a cross-stack reference', () => {
    const app = new App();
    const env = { account: '111122223333', region: 'eu-west-1' };
    const identity = new Stack(app, 'Identity', { env });
    const role = new iam.Role(identity, 'Deployer', { assumedBy: new iam.AccountRootPrincipal(), path: '/ci/' });
    const platform = new Stack(app, 'Platform', { env });
    const access = new ClusterAccess(platform, 'Access', { clusterName: 'prod' });
    access.mapRole(role, { groups: ['deployers'] });
    const state = desiredState(platform);
    expect(state.accessEntries[0].principalArn).toMatch(/^\$\{Import\(Identity:ExportsOutputFnGetAttDeployer.*Arn/);
    expect(state.awsAuth.mapRoles[0].rolearn).toMatch(/:role\/\$\{Import\(Identity:ExportsOutputRefDeployer/);
    expect(() => app.synth()).not.toThrow();
  });

  test('two ClusterAccess constructs for one cluster in two stacks have distinct owners', () => {
    const app = new App();
    const a = new Stack(app, 'TeamA');
    const b = new Stack(app, 'TeamB');
    new ClusterAccess(a, 'Access', { clusterName: 'shared' }).addTeam('A');
    new ClusterAccess(b, 'Access', { clusterName: 'shared' }).addTeam('B');
    const [sa, sb] = [desiredState(a), desiredState(b)];
    expect(sa.clusterName).toBe(sb.clusterName);
    expect(sa.ownerId).not.toBe(sb.ownerId);
    expect(sa.ownerId).toMatch(/^teama-access-default-[0-9a-f]{8}$/);
  });
});

describe('team batches', () => {
  test('a team role mapped again by the main resource is refused: one principal, one owner', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 1 });
    const team = access.addTeam('Second');
    access.mapRole(team.role!, { groups: ['extra'] });
    expect(() => app.synth()).toThrow(/a role is mapped by Platform\/Access\.mapRole\(Platform\/Access\/Teams1\/Second\/Role\) and by team Platform\/Access\/Teams1\/Second, which are applied by different custom resources/);
  });

  test('teamBatches is bounded', () => {
    const { stack } = newStack();
    expect(() => new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 0 })).toThrow(/teamBatches must be an integer from 1 to 100, got 0/);
    expect(() => new ClusterAccess(stack, 'Other', { clusterName: 'prod', teamBatches: 2.5 })).toThrow(/teamBatches must be an integer/);
  });

  /** The nested stack (batch) of every team, by team ID, in an app with `teams` teams. */
  function batches(teams: string[], teamBatches: number): Map<string, string> {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches });
    const where = new Map<string, string>();
    for (const id of teams) {
      const team = access.addTeam(id);
      where.set(id, Stack.of(team).node.id);
    }
    return where;
  }

  test('removing the first of 250 teams moves no other team to another batch (nor do adding or reordering)', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
    const before = batches(ids, 4);
    const after = batches(ids.slice(1), 4);
    const moved = ids.slice(1).filter((id) => before.get(id) !== after.get(id));
    expect(moved).toEqual([]);
    expect(new Set(before.values())).toEqual(new Set(['Teams1', 'Teams2', 'Teams3', 'Teams4']));
    const reordered = batches([...ids].reverse(), 4);
    expect(ids.filter((id) => before.get(id) !== reordered.get(id))).toEqual([]);
    const grown = batches([...ids, 'team-new'], 4);
    expect(ids.filter((id) => before.get(id) !== grown.get(id))).toEqual([]);
  });

  test('the same teams with the same batches give the same nested stacks and the same owner IDs', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const states = () => {
      const { stack } = newStack();
      const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 3 });
      ids.slice(ids.length % 2).forEach((id) => access.addTeam(id));
      return desiredStates(stack).map((s) => s.ownerId).sort();
    };
    expect(states()).toEqual(states());
  });

  test('too many teams for one stack, or for one batch, is refused with the way out', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 201; i++) {
      access.addTeam(`t${i}`);
    }
    expect(() => app.synth()).toThrow(/201 teams are more than one stack holds \(200\); set teamBatches \(for example 6, room to grow included\)/);
    const crowded = newStack();
    const few = new ClusterAccess(crowded.stack, 'Access', { clusterName: 'prod', teamBatches: 1 });
    for (let i = 0; i < 241; i++) {
      few.addTeam(`t${i}`);
    }
    expect(() => crowded.app.synth()).toThrow(/team batch 1 \(nested stack Teams1\) holds 241 teams, more than a stack holds \(240\); raise teamBatches \(today 1\)/);
  });
});

describe('IAM quotas', () => {
  test('more IAM roles and groups in one account than IAM allows by default: one warning each, with the ceiling and the ways out', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 4 });
    for (let i = 0; i < 320; i++) access.addTeam(`Team${i}`, { clusterRole: KubernetesClusterRole.VIEW });
    new ClusterAccess(stack, 'Second', { clusterName: 'test' }).mapRole(iam.Role.fromRoleArn(stack, 'Ci', 'arn:aws:iam::111122223333:role/ci'), { groups: ['ci'] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('IAM allows per account'));
    expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([
      ['/Platform/Access', 'this app creates 320 IAM groups in account 111122223333, more than the 300 IAM allows per account by default (and the account may hold others already); request an increase through Service Quotas (up to 500) before deploying. '
        + 'Teams need none of their own with an IAM Identity Center permission set (permissionSet), an existing role (role), an existing group (group) or no group (createGroup: false). See docs/quotas-and-batching.md [ack: cdk-eks-access:iam-quota]'],
    ]);
  });

  test('beyond what Service Quotas grants, the warning says the deployment will fail; within the default quota, no warning', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 6 });
    for (let i = 0; i < 501; i++) access.addTeam(`Team${i}`, { clusterRole: KubernetesClusterRole.VIEW });
    const texts = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('IAM allows per account')).map((w) => w.entry.data as string);
    expect(texts).toEqual([expect.stringMatching(/^this app creates 501 IAM groups in account 111122223333, more than the 300 IAM allows per account by default \(.*\); more than even the 500 Service Quotas grants at most: the deployment will fail\./)]);

    const small = newStack();
    const few = new ClusterAccess(small.stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 10; i++) few.addTeam(`Team${i}`, { clusterRole: KubernetesClusterRole.VIEW });
    expect(Annotations.fromStack(small.stack).findWarning('*', Match.stringLikeRegexp('IAM allows per account'))).toEqual([]);
  });
});
