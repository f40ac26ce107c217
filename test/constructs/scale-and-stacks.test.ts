import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 1000; i++) {
      access.addTeam(`Team${i}`, { namespaces: [`team-${i}`], createNamespaces: i % 10 === 0, clusterRole: i % 2 === 0 ? KubernetesClusterRole.VIEW : undefined });
    }
  });

  test('synthesize, with every template within 500 resources and every payload within the inline limit', () => {
    const assembly = app.synth();
    const templates = assembly.stacks.flatMap((s) => [s.template]);
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    expect(nested).toHaveLength(9);
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
    expect(count('Custom::EksClusterAccess')).toBe(10);
  });

  test('owner IDs are distinct per batch and namespaces are created once, by the main resource', () => {
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    const states = [stack, ...nested].flatMap((s) => desiredStates(s));
    expect(new Set(states.map((s) => s.ownerId)).size).toBe(10);
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
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamsPerStack: 1 });
    access.addTeam('First');
    const second = access.addTeam('Second');
    access.mapRole(second.role, { groups: ['extra'] });
    expect(() => app.synth()).toThrow(/a role is mapped by Platform\/Access\.mapRole\(Platform\/Access\/Teams2\/Second\/Role\) and by team Platform\/Access\/Teams2\/Second, which are applied by different custom resources/);
  });

  test('teamsPerStack is bounded by the resource limit', () => {
    const { stack } = newStack();
    expect(() => new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamsPerStack: 300 })).toThrow(/teamsPerStack must be an integer from 1 to 240/);
  });
});
