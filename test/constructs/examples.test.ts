import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { desiredState, flatten } from './helpers';
import { buildApp as buildImported } from '../../examples/imported-cluster/app';
import { buildApp as buildNew } from '../../examples/new-cluster/app';

/** The template with asset hashes (which change with the handler bundle) masked. */
function stableTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

function testApp(): App {
  return new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
}

describe('example: new cluster', () => {
  const { stack } = buildNew(testApp());
  const template = Template.fromStack(stack);

  test('template snapshot', () => {
    expect(stableTemplate(template)).toMatchSnapshot();
  });

  test('three teams of two resources each, one custom resource, one handler', () => {
    template.resourceCountIs('AWS::IAM::Group', 3);
    template.resourceCountIs('Custom::EksClusterAccess', 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onEvent' }, 1);
    template.hasResourceProperties('AWS::IAM::Role', { Path: '/platform/' });
  });

  test('the payload maps the teams, creates the namespaces and binds the roles', () => {
    const state = desiredState(stack);
    expect(state.clusterName).toMatch(/^\$\{Cluster/);
    expect(state.accessEntries).toHaveLength(3);
    const sre = state.accessEntries.find((e) => e.kubernetesGroups.includes('team:sre'))!;
    expect(sre.accessPolicies).toEqual([{ policyArn: 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }]);
    expect(state.manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? '-'}/${m.metadata.name}`)).toEqual([
      'Namespace/-/dev',
      'Namespace/-/dev-tools',
      'ClusterRoleBinding/-/auditors-view',
      'RoleBinding/dev/dev-edit',
      'RoleBinding/dev-tools/dev-edit',
    ]);
  });

  test('the access resource waits for the cluster and for its handler\'s policies (its cluster\'s, and its role\'s default)', () => {
    const resources = template.toJSON().Resources as Record<string, any>;
    const [id, access] = Object.entries(resources).find(([, r]) => r.Type === 'Custom::EksClusterAccess')!;
    const clusterId = stack.getLogicalId(stack.node.findChild('Cluster') as any);
    // The payload names the cluster by Ref, which orders the custom resource after the cluster.
    expect(JSON.stringify(access.Properties)).toContain(JSON.stringify({ Ref: clusterId }));
    const policyIds = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy').map(([key]) => key);
    expect(access.DependsOn.filter((d: string) => policyIds.includes(d))).toHaveLength(2);
    expect(id).toMatch(/^Access/);
  });
});

describe('example: imported cluster managed from a platform repository', () => {
  const { platform, identity } = buildImported(testApp());
  const template = Template.fromStack(platform);

  test('template snapshots', () => {
    expect(stableTemplate(template)).toMatchSnapshot();
    expect(stableTemplate(Template.fromStack(identity))).toMatchSnapshot();
  });

  test('SSO roles with paths: path-less in aws-auth, full in access entries', () => {
    const state = desiredState(platform);
    expect(state.awsAuth.mapRoles.map((r) => r.rolearn)).toContain('arn:aws:iam::111122223333:role/AWSReservedSSO_PlatformAdmin_0123456789abcdef');
    expect(state.accessEntries.map((e) => e.principalArn)).toContain('arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef');
    expect(state.targetAuthenticationMode).toBe('API_AND_CONFIG_MAP');
  });

  test('the handler may move the mode, assume the admin role and pass the node role, and nothing else outside the cluster', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['eks:UpdateClusterConfig', 'eks:DescribeUpdate', 'sts:AssumeRole', 'iam:PassRole']));
    const assume = statements.filter((s: any) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume.map((s: any) => s.Resource)).toEqual(['arn:aws:iam::111122223333:role/eks-prod-eu-admin']);
    // iam:PassRole, which EKS requires to create an EC2_LINUX entry, on the mapped node role only.
    const passRole = statements.filter((s: any) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.map((s: any) => [s.Action, s.Resource])).toEqual([['iam:PassRole', 'arn:aws:iam::111122223333:role/eks-prod-eu-nodes']]);
    // Every other statement of the handler names this cluster or its access entries, nothing else.
    // One policy of the handler's, the cluster's own; the role's default policy only reads its own stack.
    const handlerPolicies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('AccessHandlerPolicy'));
    expect(handlerPolicies).toHaveLength(1);
    const defaults = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('ClusterAccessProviderHandler'));
    expect(defaults.flatMap(([, p]) => (p as any).Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat())).sort())
      .toEqual(['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks']);
    const resources = (handlerPolicies[0][1] as any).Properties.PolicyDocument.Statement
      .filter((s: any) => ![s.Action].flat().some((a: string) => a === 'sts:AssumeRole' || a === 'iam:PassRole'))
      .flatMap((s: any) => [s.Resource].flat().map(flatten));
    expect(new Set(resources)).toEqual(new Set([
      'arn:${AWS::Partition}:eks:eu-west-1:111122223333:cluster/prod-eu',
      'arn:${AWS::Partition}:eks:eu-west-1:111122223333:access-entry/prod-eu/*',
    ]));
  });
});
