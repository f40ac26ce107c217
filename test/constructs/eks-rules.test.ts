/**
 * EKS rules the constructs enforce at synth time or grant for (see lib/core/access-entry.ts for the
 * documents they come from): iam:PassRole for node entries, session-name usernames, policies for
 * service-linked roles only, node roles of the cluster's account.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { newStack, skipCfnSchemaValidation } from './helpers';
import { AccessMechanism, AccessPolicy, ClusterAccess } from '../../lib';
import { ACCESS_POLICIES } from '../support/eks-fake';

skipCfnSchemaValidation();
// Synthesis takes seconds on a busy machine.
jest.setTimeout(60_000);

const ACCOUNT = '111122223333';
const role = (stack: Stack, id: string, arn: string) => iam.Role.fromRoleArn(stack, id, arn);
const synth = (stack: Stack) => Template.fromStack(stack);

/** Every statement of every policy attached to the handler role. */
function handlerStatements(stack: Stack): { Action: string | string[]; Resource: unknown }[] {
  const roleId = stack.getLogicalId(stack.node.findAll().find((c) => c.node.path.endsWith('ClusterAccessProvider/Handler/ServiceRole'))!.node.defaultChild as iam.CfnRole);
  const policies = Object.values(synth(stack).findResources('AWS::IAM::Policy')).filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId));
  return policies.flatMap((p) => (p as any).Properties.PolicyDocument.Statement);
}

const passRoleResources = (stack: Stack) => handlerStatements(stack)
  .filter((s) => [s.Action].flat().includes('iam:PassRole'))
  .flatMap((s) => [s.Resource].flat());

describe('iam:PassRole for node entries', () => {
  test('mapNodeRole grants the handler iam:PassRole on exactly the node roles mapped, once each', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapNodeRole(role(stack, 'Linux', `arn:aws:iam::${ACCOUNT}:role/nodes/linux`));
    access.mapNodeRole(role(stack, 'Win', `arn:aws:iam::${ACCOUNT}:role/win`), { windows: true });
    access.mapNodeRole(role(stack, 'Again', `arn:aws:iam::${ACCOUNT}:role/nodes/linux`));
    access.mapRole(role(stack, 'Dev', `arn:aws:iam::${ACCOUNT}:role/dev`), { groups: ['dev'] });
    expect(passRoleResources(stack).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:role/nodes/linux`, `arn:aws:iam::${ACCOUNT}:role/win`]);
    // Scoped by resource; EKS documents no iam:PassedToService value for access entries.
    for (const s of handlerStatements(stack).filter((x) => [x.Action].flat().includes('iam:PassRole'))) {
      expect(s).not.toHaveProperty('Condition');
      expect([s.Action].flat()).toEqual(['iam:PassRole']);
    }
  });

  test('a node role created in the app is granted by its deploy-time ARN', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const nodes = new iam.Role(stack, 'Nodes', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    access.mapNodeRole(nodes);
    expect(passRoleResources(stack)).toEqual([{ 'Fn::GetAtt': [stack.getLogicalId(nodes.node.defaultChild as iam.CfnRole), 'Arn'] }]);
  });

  test('no node role, or aws-auth only: no iam:PassRole', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).mapRole(role(stack, 'Dev', `arn:aws:iam::${ACCOUNT}:role/dev`));
    const awsAuth = new ClusterAccess(stack, 'AwsAuth', { clusterName: 'legacy', mechanism: AccessMechanism.AWS_AUTH });
    awsAuth.mapNodeRole(role(stack, 'Nodes', `arn:aws:iam::${ACCOUNT}:role/nodes`));
    expect(passRoleResources(stack)).toEqual([]);
  });
});

describe('{{SessionName}} usernames on access entries', () => {
  test.each([
    ['john{{SessionName}}', '"john:{{SessionName}}"'],
    ['{{SessionName}}', '"user:{{SessionName}}"'],
    ['dev-{{SessionNameRaw}}', '"dev-:{{SessionNameRaw}}"'],
  ])('%s is refused at synth with the fix', (username, fix) => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(role(stack, 'Dev', `arn:aws:iam::${ACCOUNT}:role/dev`), { username });
    expect(() => app.synth()).toThrow(new RegExp(`Access.mapRole\\(Platform/Dev\\).*without a colon before it.*put a colon before it, e\\.g\\. ${fix.replace(/[{}]/g, '\\$&')}`));
  });

  test('a team username is checked the same way', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.addTeam('Dev', { role: role(stack, 'DevRole', `arn:aws:iam::${ACCOUNT}:role/dev`), username: 'dev{{SessionName}}' });
    expect(() => app.synth()).toThrow(/without a colon before it/);
  });

  test('a colon anywhere before it is enough; aws-auth alone takes any template', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(role(stack, 'A', `arn:aws:iam::${ACCOUNT}:role/a`), { username: ':john{{SessionName}}' });
    access.mapRole(role(stack, 'B', `arn:aws:iam::${ACCOUNT}:role/b`), { username: 'jo:hn{{SessionName}}' });
    const awsAuth = new ClusterAccess(stack, 'Legacy', { clusterName: 'legacy', mechanism: AccessMechanism.AWS_AUTH });
    awsAuth.mapRole(role(stack, 'C', `arn:aws:iam::${ACCOUNT}:role/c`), { username: 'john{{SessionName}}' });
    expect(() => app.synth()).not.toThrow();
  });

  test('the default team username (an aws-auth template) never reaches an access entry', () => {
    const { app, stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).addTeam('Dev', { role: role(stack, 'DevRole', `arn:aws:iam::${ACCOUNT}:role/dev`) });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('access policies for service-linked roles only', () => {
  const reserved = ACCESS_POLICIES.filter((p) => p.serviceLinkedRolesOnly).map((p) => p.name);

  test.each(reserved)('%s is refused at synth, by constant or by name', (name) => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.grantAccessPolicy(role(stack, 'Ops', `arn:aws:iam::${ACCOUNT}:role/ops`), AccessPolicy.of(name));
    expect(() => app.synth()).toThrow(new RegExp(`access policy ${name} is designated for AWS service-linked roles only`));
  });

  test('every AccessPolicy constant is an access policy EKS documents; the reserved ones are deprecated', () => {
    const constants = Object.entries(AccessPolicy).filter(([, v]) => v instanceof AccessPolicy) as [string, AccessPolicy][];
    expect(constants.length).toBeGreaterThan(10);
    for (const [key, policy] of constants) {
      const documented = ACCESS_POLICIES.find((p) => p.name === policy.policyName);
      expect({ key, documented: documented !== undefined }).toEqual({ key, documented: true });
    }
    const source = readFileSync(join(__dirname, '..', '..', 'lib', 'access-policy.ts'), 'utf8');
    for (const name of reserved.filter((n) => constants.some(([, p]) => p.policyName === n))) {
      expect(source).toMatch(new RegExp(`@deprecated[^\\n]*\\n\\s*\\*/\\n\\s*public static readonly \\w+ = new AccessPolicy\\('${name}'\\)`));
    }
  });

  test('the Auto Mode load balancing and networking policies stay grantable', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.grantAccessPolicy(role(stack, 'Lb', `arn:aws:iam::${ACCOUNT}:role/lb`), AccessPolicy.AMAZON_EKS_LOAD_BALANCING_POLICY);
    access.grantAccessPolicy(role(stack, 'Net', `arn:aws:iam::${ACCOUNT}:role/net`), AccessPolicy.AMAZON_EKS_NETWORKING_POLICY);
    access.grantAccessPolicy(role(stack, 'Sec', `arn:aws:iam::${ACCOUNT}:role/sec`), AccessPolicy.AMAZON_EKS_SECRET_READER_POLICY);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('node roles of the cluster\'s account', () => {
  test('a node role of another account is refused at synth when both accounts are known', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapNodeRole(role(stack, 'Nodes', 'arn:aws:iam::444455556666:role/nodes'));
    expect(() => app.synth()).toThrow(/mapNodeRole\(Platform\/Nodes\).*type EC2_LINUX needs a role in the cluster's account 111122223333, but the role is in account 444455556666/);
  });

  test('a STANDARD entry may name another account; an environment-agnostic stack cannot tell, so EKS decides', () => {
    const { app, stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod' }).mapRole(role(stack, 'Auditor', 'arn:aws:iam::444455556666:role/auditor'));
    expect(() => app.synth()).not.toThrow();
    const agnosticApp = new App();
    const agnostic = new Stack(agnosticApp, 'Agnostic');
    new ClusterAccess(agnostic, 'Access', { clusterName: 'prod' }).mapNodeRole(role(agnostic, 'Nodes', 'arn:aws:iam::444455556666:role/nodes'));
    expect(() => agnosticApp.synth()).not.toThrow();
  });
});
