import { Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredState, desiredStates, newStack, skipCfnSchemaValidation } from './helpers';
import { AccessMechanism, AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';
import { OWNER_KEY } from '../../lib/core/desired-state';

skipCfnSchemaValidation();

function importedCluster(stack: Stack) {
  return eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'prod',
    kubectlRoleArn: 'arn:aws:iam::111122223333:role/eks-admin',
  });
}

describe('ClusterAccess on an imported cluster', () => {
  test('carries both forms of a role with a path: aws-auth without the path, access entry with it', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { cluster: importedCluster(stack) });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::111122223333:role/team/dev/deployer'), {
      username: 'deployer',
      groups: ['deployers'],
    });
    const state = desiredState(stack);
    expect(state.clusterName).toBe('prod');
    expect(state.mechanism).toBe('AUTO');
    expect(state.ownerId).toMatch(/^[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]$/);
    expect(state.kubernetesRoleArn).toBe('arn:aws:iam::111122223333:role/eks-admin');
    expect(state.awsAuth.mapRoles).toEqual([{ rolearn: 'arn:aws:iam::111122223333:role/deployer', username: 'deployer', groups: ['deployers'] }]);
    expect(state.accessEntries).toEqual([{
      principalArn: 'arn:aws:iam::111122223333:role/team/dev/deployer',
      type: 'STANDARD',
      username: 'deployer',
      kubernetesGroups: ['deployers'],
      accessPolicies: [],
    }]);
  });

  test('a role created in the app with a path: aws-auth ARN rebuilt from partition, account and name', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal(), path: '/ops/' });
    access.mapRole(role, { groups: ['ops'] });
    const state = desiredState(stack);
    const logicalId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    expect(state.accessEntries[0].principalArn).toBe(`\${${logicalId}.Arn}`);
    expect(state.awsAuth.mapRoles[0].rolearn).toMatch(new RegExp(`^arn:\\$\\{Select\\(1,.*\\}:iam::\\$\\{Select\\(4,.*\\}:role/\\$\\{${logicalId}\\}$`));
  });

  test('without a username, the aws-auth entry gets its own ARN as username (the authenticator has no default)', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Ci', 'arn:aws:iam::111122223333:role/build/ci'), { groups: ['ci'] });
    access.mapUser(iam.User.fromUserArn(stack, 'Bob', 'arn:aws:iam::111122223333:user/people/bob'), { groups: ['devs'] });
    access.grantAccessPolicy(iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111122223333:role/admin'), AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY);
    const state = desiredState(stack);
    expect(state.awsAuth.mapRoles).toEqual([
      { rolearn: 'arn:aws:iam::111122223333:role/ci', username: 'arn:aws:iam::111122223333:role/ci', groups: ['ci'] },
      { rolearn: 'arn:aws:iam::111122223333:role/admin', username: 'arn:aws:iam::111122223333:role/admin', groups: ['system:masters'] },
    ]);
    expect(state.awsAuth.mapUsers).toEqual([
      { userarn: 'arn:aws:iam::111122223333:user/people/bob', username: 'arn:aws:iam::111122223333:user/people/bob', groups: ['devs'] },
    ]);
    // Access entries keep EKS's own default (no username sent).
    expect(state.accessEntries.map((e) => e.username)).toEqual([undefined, undefined, undefined]);
  });

  test('node roles: fixed aws-auth username and groups, EC2 access entry types without groups', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Linux', 'arn:aws:iam::111122223333:role/nodes'));
    access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Win', 'arn:aws:iam::111122223333:role/win-nodes'), { windows: true });
    const state = desiredState(stack);
    expect(state.awsAuth.mapRoles).toEqual([
      { rolearn: 'arn:aws:iam::111122223333:role/nodes', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: 'arn:aws:iam::111122223333:role/win-nodes', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes', 'eks:kube-proxy-windows'] },
    ]);
    expect(state.accessEntries).toEqual([
      { principalArn: 'arn:aws:iam::111122223333:role/nodes', type: 'EC2_LINUX', kubernetesGroups: [], accessPolicies: [] },
      { principalArn: 'arn:aws:iam::111122223333:role/win-nodes', type: 'EC2_WINDOWS', kubernetesGroups: [], accessPolicies: [] },
    ]);
  });

  test('access policies: cluster and namespace scope; cluster admin becomes system:masters in aws-auth', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const sre = iam.Role.fromRoleArn(stack, 'Sre', 'arn:aws:iam::111122223333:role/sre');
    const dev = iam.Role.fromRoleArn(stack, 'Dev', 'arn:aws:iam::111122223333:role/dev');
    access.grantAccessPolicy(sre, AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY);
    access.grantAccessPolicy(dev, AccessPolicy.AMAZON_EKS_EDIT_POLICY, AccessScope.namespaces('dev', 'dev-*'));
    const state = desiredState(stack);
    expect(state.accessEntries.map((e) => e.accessPolicies)).toEqual([
      [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }],
      [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['dev', 'dev-*'] } }],
    ]);
    expect(state.awsAuth.mapRoles).toEqual([
      { rolearn: 'arn:aws:iam::111122223333:role/sre', username: 'arn:aws:iam::111122223333:role/sre', groups: ['system:masters'] },
      { rolearn: 'arn:aws:iam::111122223333:role/dev', username: 'arn:aws:iam::111122223333:role/dev', groups: [] },
    ]);
    Annotations.fromStack(stack).hasWarning('/Platform/Access/Default', Match.stringLikeRegexp('AmazonEKSEditPolicy .* has no aws-auth equivalent'));
  });

  test('AccessPolicy.of accepts names and ARNs and rejects anything else', () => {
    expect(AccessPolicy.of('AmazonEKSViewPolicy').policyName).toBe('AmazonEKSViewPolicy');
    expect(AccessPolicy.of('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy').policyName).toBe('AmazonEKSAdminPolicy');
    expect(() => AccessPolicy.of('arn:aws:iam::aws:policy/ReadOnlyAccess')).toThrow(/neither an access policy name/);
  });

  test('mapUser and mapAccount', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapUser(iam.User.fromUserArn(stack, 'Alice', 'arn:aws:iam::111122223333:user/people/alice'), { username: 'alice', groups: ['devs'] });
    access.mapAccount('444455556666');
    const state = desiredState(stack);
    expect(state.awsAuth.mapUsers).toEqual([{ userarn: 'arn:aws:iam::111122223333:user/people/alice', username: 'alice', groups: ['devs'] }]);
    expect(state.awsAuth.mapAccounts).toEqual(['444455556666']);
    expect(state.accessEntries).toEqual([{ principalArn: 'arn:aws:iam::111122223333:user/people/alice', type: 'STANDARD', username: 'alice', kubernetesGroups: ['devs'], accessPolicies: [] }]);
  });

  test('mechanism ACCESS_ENTRIES leaves aws-auth empty, AWS_AUTH leaves access entries empty', () => {
    for (const mechanism of [AccessMechanism.ACCESS_ENTRIES, AccessMechanism.AWS_AUTH]) {
      const { stack } = newStack();
      const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', mechanism });
      access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), { groups: ['g'] });
      const state = desiredState(stack);
      expect(state.mechanism).toBe(mechanism);
      expect(state.accessEntries.length).toBe(mechanism === AccessMechanism.ACCESS_ENTRIES ? 1 : 0);
      expect(state.awsAuth.mapRoles.length).toBe(mechanism === AccessMechanism.AWS_AUTH ? 1 : 0);
    }
  });
});

describe('the handler and its permissions', () => {
  test('one provider per stack, least-privilege statements for each cluster', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'A', { cluster: importedCluster(stack) });
    new ClusterAccess(stack, 'B', { clusterName: 'staging', authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::EksClusterAccess', 2);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs22.x' }, 1);
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const handlerStatements = all.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('eks:') || a === 'sts:AssumeRole'));
    const text = JSON.stringify(handlerStatements);
    // Everything is scoped to the two clusters and their access entries; no wildcard resource.
    for (const s of handlerStatements) {
      expect(s.Resource).not.toBe('*');
      expect(JSON.stringify(s.Resource)).toMatch(/cluster\/prod|cluster\/staging|access-entry\/prod\/\*|access-entry\/staging\/\*|eks-admin/);
    }
    // UpdateClusterConfig only for the cluster whose mode is moved.
    const modeMove = handlerStatements.filter((s: any) => [s.Action].flat().includes('eks:UpdateClusterConfig'));
    expect(modeMove).toHaveLength(1);
    expect(JSON.stringify(modeMove[0].Resource)).toContain('cluster/staging');
    // AssumeRole only on the imported cluster's kubectl role.
    const assume = handlerStatements.filter((s: any) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume).toEqual([expect.objectContaining({ Resource: 'arn:aws:iam::111122223333:role/eks-admin' })]);
    expect(text).toContain('eks:AssociateAccessPolicy');
    const states = desiredStates(stack);
    expect(states.map((s) => s.targetAuthenticationMode)).toEqual([undefined, 'API_AND_CONFIG_MAP']);
    expect(new Set(states.map((s) => s.ownerId)).size).toBe(2);
    expect(states[0].handlerRoleArn).toMatch(/^\$\{ClusterAccessProviderHandlerServiceRole[0-9A-F]+\.Arn\}$/);
  });
});

describe('synth-time validation', () => {
  function synthErrors(build: (stack: Stack, access: ClusterAccess) => void, mechanism?: AccessMechanism): string {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', mechanism });
    build(stack, access);
    try {
      app.synth();
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  }

  test('a malformed ARN is rejected at once, naming the call and the value', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    expect(() => access.mapRole(iam.Role.fromRoleArn(stack, 'X', 'arn:aws:iam::1234:role/x'))).toThrow(/Platform\/Access\.mapRole.*invalid account ID "1234"/);
  });

  test('system: groups and reserved usernames in access entries', () => {
    const message = synthErrors((stack, access) => {
      access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), { username: 'eks:me', groups: ['system:authenticated'] });
    }, AccessMechanism.ACCESS_ENTRIES);
    expect(message).toMatch(/username "eks:me" starts with the reserved prefix "eks:"/);
    expect(message).toMatch(/Kubernetes group "system:authenticated" is reserved/);
  });

  test('a username or group template the authenticator does not know is refused, naming it', () => {
    const message = synthErrors((stack, access) => {
      access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), { username: 'ci:{{sessionName}}', groups: ['ci-{{Account}}'] });
      access.addTeam('Dev', { username: 'dev:{{SessionName}}' });
    });
    expect(message).toMatch(/mapRole\(Platform\/R\): "ci:\{\{sessionName\}\}" uses \{\{sessionName\}\}, which aws-auth does not expand/);
    expect(message).toMatch(/"ci-\{\{Account\}\}" uses \{\{Account\}\}/);
    expect(message).not.toMatch(/dev:/);
  });

  test('system:masters needs an explicit opt-in; with it, access entries get the cluster-admin policy', () => {
    expect(synthErrors((stack, access) => {
      access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), { groups: ['system:masters'] });
    })).toMatch(/mapped to system:masters .* set allowSystemMasters: true/);

    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), { groups: ['system:masters'], allowSystemMasters: true });
    const state = desiredState(stack);
    expect(state.awsAuth.mapRoles[0].groups).toEqual(['system:masters']);
    expect(state.accessEntries[0].kubernetesGroups).toEqual([]);
    expect(state.accessEntries[0].accessPolicies[0].policyArn).toMatch(/AmazonEKSClusterAdminPolicy$/);
  });

  test('the same principal mapped twice with different groups', () => {
    expect(synthErrors((stack, access) => {
      const r = iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r');
      access.mapRole(r, { groups: ['a'] });
      access.mapRole(r, { groups: ['b'] });
    })).toMatch(/arn:aws:iam::111122223333:role\/r is mapped twice with different settings \(groups \[a\] vs \[b\]\)/);
  });

  test('two paths of one role name collide in aws-auth', () => {
    expect(synthErrors((stack, access) => {
      access.mapRole(iam.Role.fromRoleArn(stack, 'A', 'arn:aws:iam::111122223333:role/a/r'), { groups: ['a'] });
      access.mapRole(iam.Role.fromRoleArn(stack, 'B', 'arn:aws:iam::111122223333:role/b/r'), { groups: ['b'] });
    })).toMatch(/are the same role for aws-auth, which ignores role paths/);
  });

  test('an unknown ClusterRole reference, and a namespace that is not a DNS-1123 label', () => {
    const message = synthErrors((_stack, access) => {
      access.addTeam('Dev', { clusterRole: KubernetesClusterRole.named('deployer'), namespaces: ['Dev_NS'] });
    });
    expect(message).toMatch(/ClusterRole "deployer" is neither built-in/);
    expect(message).toMatch(/namespace "Dev_NS" is not a DNS-1123 label/);
  });

  test('a ClusterRole named by reference resolves to one defined by another team', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.addTeam('Ops', { clusterRole: KubernetesClusterRole.fromRules('deployer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }]) });
    access.addTeam('Ci', { clusterRole: KubernetesClusterRole.named('deployer') });
    expect(() => app.synth()).not.toThrow();
  });

  test('account mappings cannot be carried by access entries', () => {
    expect(synthErrors((_s, access) => access.mapAccount('444455556666'), AccessMechanism.ACCESS_ENTRIES)).toMatch(/account 444455556666 cannot be mapped with AccessMechanism.ACCESS_ENTRIES/);
    expect(synthErrors((_s, access) => access.mapAccount('4444'))).toMatch(/"4444" is not an AWS account ID/);
  });

  test('access policies other than cluster admin cannot be applied through aws-auth only', () => {
    expect(synthErrors((stack, access) => {
      access.grantAccessPolicy(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'), AccessPolicy.AMAZON_EKS_VIEW_POLICY);
    }, AccessMechanism.AWS_AUTH)).toMatch(/AmazonEKSViewPolicy .* cannot be applied with AccessMechanism.AWS_AUTH/);
  });

  test('exactly one of cluster and clusterName', () => {
    const { stack } = newStack();
    expect(() => new ClusterAccess(stack, 'A', {})).toThrow('give exactly one of "cluster", "clusterName" (with "region" for another region) and "clusterArn"');
  });
});

describe('RBAC objects', () => {
  test('are labelled with the owner and rendered as YAML', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.addTeam('Dev', { namespaces: ['dev'], createNamespaces: true });
    const state = desiredState(stack);
    expect(state.manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`)).toEqual([
      'Namespace//dev',
      'RoleBinding/dev/dev-edit',
    ]);
    for (const m of state.manifests) {
      expect(m.metadata.labels?.[OWNER_KEY]).toBe(state.ownerId);
    }
    expect(access.toYaml()).toContain('kind: RoleBinding');
  });
});

describe('the kubernetesAdminRole in aws-auth', () => {
  function admin(mechanism: AccessMechanism) {
    const { app, stack } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111122223333:role/platform/cluster-admin');
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', mechanism, kubernetesAdminRole: role });
    return { app, stack, access, role };
  }

  test('mapping it without system:masters is refused: its last aws-auth entry would take the handler\'s admin access away', () => {
    for (const mechanism of [AccessMechanism.AWS_AUTH, AccessMechanism.AUTO]) {
      const { app, access, role } = admin(mechanism);
      access.mapRole(role, { groups: ['ops'] });
      expect(() => app.synth()).toThrow(/Access\.mapRole\(Platform\/Admin\): arn:aws:iam::111122223333:role\/platform\/cluster-admin is the kubernetesAdminRole.*without system:masters.*Do not map that role, or map it with groups \['system:masters'\] and allowSystemMasters: true/);
    }
    // The same role imported again under another name, or in another letter case, is the same role to aws-auth.
    const { app, stack, access } = admin(AccessMechanism.AWS_AUTH);
    access.mapRole(iam.Role.fromRoleArn(stack, 'Again', 'arn:aws:iam::111122223333:role/Cluster-Admin'), { groups: ['ops'] });
    expect(() => app.synth()).toThrow(/is the kubernetesAdminRole/);
  });

  test('mapping it with system:masters (confirmed), or with the cluster-admin access policy, is accepted', () => {
    const confirmed = admin(AccessMechanism.AWS_AUTH);
    confirmed.access.mapRole(confirmed.role, { groups: ['system:masters'], allowSystemMasters: true });
    expect(() => confirmed.app.synth()).not.toThrow();
    const policy = admin(AccessMechanism.AUTO);
    policy.access.grantAccessPolicy(policy.role, AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY);
    expect(() => policy.app.synth()).not.toThrow();
  });
});

describe('the handler knows its stack', () => {
  test('its environment names its stack, and it may describe only that stack and the ones nested in it', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Environment: { Variables: { CDK_EKS_ACCESS_STACK_ID: { Ref: 'AWS::StackId' } } },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const describe = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('cloudformation:')));
    expect(describe).toHaveLength(1);
    expect([describe[0].Action].flat().sort()).toEqual(['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks']);
    expect(describe[0].Resource.map((r: unknown) => JSON.stringify(stack.resolve(r)))).toEqual([
      expect.stringMatching(/:cloudformation:eu-west-1:111122223333:stack\/Platform\/\*"/),
      expect.stringMatching(/:cloudformation:eu-west-1:111122223333:stack\/Platform-\*\/\*"/),
    ]);
  });
});

describe('least privilege by mechanism', () => {
  test('aws-auth through an admin role: no access-entry permission at all', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', {
      clusterName: 'prod',
      mechanism: AccessMechanism.AWS_AUTH,
      kubernetesAdminRole: iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111122223333:role/admin'),
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat()).filter((a: string) => a.startsWith('eks:') || a.startsWith('sts:'));
    expect(actions.sort()).toEqual(['eks:DescribeCluster', 'sts:AssumeRole']);
  });

  test('grantAccessPolicy before or after mapRole of the same role merges into one entry', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const a = iam.Role.fromRoleArn(stack, 'A', 'arn:aws:iam::111122223333:role/a');
    const b = iam.Role.fromRoleArn(stack, 'B', 'arn:aws:iam::111122223333:role/b');
    access.grantAccessPolicy(a, AccessPolicy.AMAZON_EKS_VIEW_POLICY);
    access.mapRole(a, { groups: ['readers'] });
    access.mapRole(b, { groups: ['writers'] });
    access.grantAccessPolicy(b, AccessPolicy.AMAZON_EKS_EDIT_POLICY, AccessScope.namespaces('apps'));
    const entries = desiredState(stack).accessEntries;
    expect(entries.map((e) => [e.kubernetesGroups, e.accessPolicies.map((p) => p.policyArn.split('/')[1])])).toEqual([
      [['readers'], ['AmazonEKSViewPolicy']],
      [['writers'], ['AmazonEKSEditPolicy']],
    ]);
  });
});

describe('private clusters', () => {
  test('the handler runs in the cluster VPC when the cluster has kubectl private subnets; one provider per placement', () => {
    const { stack } = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1234',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-a', 'subnet-b'],
    });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Private', {
      clusterName: 'private',
      vpc,
      kubectlPrivateSubnetIds: ['subnet-a', 'subnet-b'],
      kubectlSecurityGroupId: 'sg-1234',
      kubectlRoleArn: 'arn:aws:iam::111122223333:role/admin',
    });
    new ClusterAccess(stack, 'PrivateAccess', { cluster });
    new ClusterAccess(stack, 'PrivateAccess2', { cluster });
    new ClusterAccess(stack, 'PublicAccess', { clusterName: 'public' });
    const template = Template.fromStack(stack);
    const handlers = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } });
    expect(Object.keys(handlers)).toHaveLength(2);
    const inVpc = Object.values(handlers).filter((h: any) => h.Properties.VpcConfig);
    expect(inVpc.map((h: any) => h.Properties.VpcConfig)).toEqual([{ SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-1234'] }]);
  });
});

describe('deploy-time values', () => {
  test('a role imported from a deploy-time ARN is mapped as is, with a warning that a path would not match', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'Imported', Fn.importValue('SharedDeployerRoleArn')), { groups: ['deployers'] });
    access.mapAccount(Fn.importValue('PartnerAccount'));
    const state = desiredState(stack);
    expect(state.awsAuth.mapRoles[0].rolearn).toBe('${Import(SharedDeployerRoleArn)}');
    expect(state.accessEntries[0].principalArn).toBe('${Import(SharedDeployerRoleArn)}');
    expect(state.awsAuth.mapAccounts).toEqual(['${Import(PartnerAccount)}']);
    Annotations.fromStack(stack).hasWarning('/Platform/Access/Default', Match.stringLikeRegexp('only known at deploy time, so its aws-auth entry uses it as is; if it has a path, the handler refuses the entry'));
  });
});

test('a mechanism that contradicts the requested authentication mode is refused', () => {
  const { stack } = newStack();
  expect(() => new ClusterAccess(stack, 'A', { clusterName: 'p', mechanism: AccessMechanism.ACCESS_ENTRIES, authenticationMode: eks.AuthenticationMode.CONFIG_MAP }))
    .toThrow(/ACCESS_ENTRIES needs the access-entry API, which authentication mode CONFIG_MAP does not have/);
  expect(() => new ClusterAccess(stack, 'B', { clusterName: 'p', mechanism: AccessMechanism.AWS_AUTH, authenticationMode: eks.AuthenticationMode.API }))
    .toThrow(/AWS_AUTH writes aws-auth, which a cluster in authentication mode API ignores/);
});
