/**
 * Two writers of aws-auth: aws-eks's own `AwsAuth` (created for node groups, Fargate profiles,
 * Auto Scaling group capacity, mastersRole and `cluster.awsAuth` mappings) applies the whole
 * ConfigMap and erases what a ClusterAccess merges in. Found at synth time, whenever the mappings
 * are added: an error while it maps something, a warning while it maps nothing.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { awsEksCluster, existingRole, newStack, skipCfnSchemaValidation } from './helpers';
import { AccessMechanism, ClusterAccess } from '../../lib';

skipCfnSchemaValidation();

/** The validation errors of the app's synthesis, one per line as `[path] message`; none when it synthesizes. */
function synthErrors(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  }
}

/** What the error says after the mappings: the harm, and the two ways out (exact text). */
function harmAndWaysOut(access: string, mechanism: string, mode: string): string {
  return `; it applies the whole aws-auth ConfigMap each time its mappings change, erasing the entries ${access} merges into aws-auth (mechanism ${mechanism}, authentication mode ${mode}). `
    + `Two ways out: set mechanism: AccessMechanism.ACCESS_ENTRIES on ${access} (with the cluster in authentication mode API_AND_CONFIG_MAP: set authenticationMode on the cluster or on ${access}), `
    + `or map those roles through ${access} (mapRole, mapUser, mapAccount, mapNodeRole) instead of cluster.awsAuth, with addAutoScalingGroupCapacity(..., { mapRole: false }); `
    + 'managed node groups, Fargate profiles and mastersRole always use cluster.awsAuth outside mode API and leave only the first way. '
    + 'A deployed AwsAuth deletes the aws-auth ConfigMap when it is removed: retain it first (docs/clusters.md, "Two writers of aws-auth")';
}

describe('an aws-eks AwsAuth with mappings is a synth error naming both constructs and the two ways out', () => {
  test('a node group added after the ClusterAccess', () => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack);
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    cluster.addNodegroupCapacity('Workers');
    expect(synthErrors(app)).toEqual([
      "[Platform/Access] Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps Platform/Cluster/NodegroupWorkers/NodeGroupRole"
      + harmAndWaysOut('Platform/Access', 'AUTO', 'CONFIG_MAP'),
    ]);
  });

  test('cluster.awsAuth.addRoleMapping, addUserMapping and addAccount, after the ClusterAccess, with mechanism AWS_AUTH', () => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack, { authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP });
    new ClusterAccess(stack, 'Access', { cluster, mechanism: AccessMechanism.AWS_AUTH }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    cluster.awsAuth.addRoleMapping(existingRole(stack, 'ops'), { groups: ['ops'] });
    cluster.awsAuth.addUserMapping(iam.User.fromUserName(stack, 'alice', 'alice'), { groups: ['devs'] });
    cluster.awsAuth.addAccount('444455556666');
    expect(synthErrors(app)).toEqual([
      "[Platform/Access] Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps Platform/ops, Platform/alice, account 444455556666"
      + harmAndWaysOut('Platform/Access', 'AWS_AUTH', 'API_AND_CONFIG_MAP'),
    ]);
  });

  test.each([
    ['default capacity (a managed node group)', () => ({ defaultCapacity: 2 }), () => {}, 'Platform/Cluster/NodegroupDefaultCapacity/NodeGroupRole'],
    ['mastersRole in mode CONFIG_MAP', (s: Stack) => ({ mastersRole: existingRole(s, 'masters') }), () => {}, 'Platform/masters'],
    ['a Fargate profile', () => ({}), (c: eks.Cluster) => c.addFargateProfile('Pods', { selectors: [{ namespace: 'default' }] }), 'Platform/Cluster/fargate-profile-Pods/PodExecutionRole'],
    ['Auto Scaling group capacity', () => ({}), (c: eks.Cluster) => c.addAutoScalingGroupCapacity('Asg', { instanceType: new ec2.InstanceType('m5.large') }), 'Platform/Cluster/Asg/InstanceRole'],
  ])('%s', (_name, clusterProps, add, mapped) => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack, clusterProps(stack));
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    add(cluster);
    expect(synthErrors(app)).toEqual([
      `[Platform/Access] Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps ${mapped}` + harmAndWaysOut('Platform/Access', 'AUTO', 'CONFIG_MAP'),
    ]);
  });

  test('a cluster named by its name, or imported by its name, in another stack: the aws-eks Cluster of that name is found', () => {
    const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
    const env = { account: '111122223333', region: 'eu-west-1' };
    const platform = new Stack(app, 'Platform', { env });
    const cluster = awsEksCluster(platform, { clusterName: 'prod' });
    cluster.addNodegroupCapacity('Workers');
    const teams = new Stack(app, 'Teams', { env });
    new ClusterAccess(teams, 'ByName', { clusterName: 'prod', kubernetesAdminRole: existingRole(teams, 'eks-admin') }).mapRole(existingRole(teams, 'ci'));
    const imported = eks.Cluster.fromClusterAttributes(teams, 'Imported', { clusterName: 'prod', kubectlRoleArn: 'arn:aws:iam::111122223333:role/eks-admin' });
    new ClusterAccess(teams, 'ByImport', { cluster: imported, mechanism: AccessMechanism.AWS_AUTH }).mapRole(existingRole(teams, 'ci2'));
    expect(synthErrors(app)).toEqual([
      "[Teams/ByName] Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps Platform/Cluster/NodegroupWorkers/NodeGroupRole"
      + harmAndWaysOut('Teams/ByName', 'AUTO', 'CONFIG_MAP'),
      "[Teams/ByImport] Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps Platform/Cluster/NodegroupWorkers/NodeGroupRole"
      + harmAndWaysOut('Teams/ByImport', 'AWS_AUTH', 'CONFIG_MAP'),
    ]);
  });
});

describe('an aws-eks AwsAuth without mappings is a warning', () => {
  test('cluster.awsAuth read, nothing mapped', () => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack);
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(cluster.awsAuth.node.path).toBe('Platform/Cluster/AwsAuth');
    expect(synthErrors(app)).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Platform/Access', "Platform/Cluster/AwsAuth (aws-eks's aws-auth of cluster Platform/Cluster) maps nothing yet, but it writes aws-auth too: "
      + 'it applies an aws-auth with empty mapRoles, mapUsers and mapAccounts when it is created, erasing the entries Platform/Access merges into aws-auth (mechanism AUTO, authentication mode CONFIG_MAP), '
      + 'and deletes the aws-auth ConfigMap when it is removed; its first mapping makes this an error. '
      + 'Set mechanism: AccessMechanism.ACCESS_ENTRIES on Platform/Access (with the cluster in authentication mode API_AND_CONFIG_MAP), '
      + 'or stop reading cluster.awsAuth (retain a deployed AwsAuth first: docs/clusters.md, "Two writers of aws-auth") [ack: cdk-eks-access:aws-auth-writer]');
  });
});

describe('no finding when this library writes no aws-auth, or aws-eks does not', () => {
  test.each([
    ['mechanism ACCESS_ENTRIES', {}, { mechanism: AccessMechanism.ACCESS_ENTRIES }],
    ['AUTO on a cluster in mode API_AND_CONFIG_MAP (access entries)', { authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP }, {}],
    ['AUTO with this ClusterAccess moving the cluster to API_AND_CONFIG_MAP', {}, { authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP }],
  ])('%s', (_name, clusterProps, accessProps) => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack, clusterProps);
    new ClusterAccess(stack, 'Access', { cluster, ...accessProps }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    cluster.addNodegroupCapacity('Workers');
    cluster.awsAuth.addRoleMapping(existingRole(stack, 'ops'), { groups: ['ops'] });
    expect(synthErrors(app)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', /aws-auth-writer/)).toEqual([]);
  });

  test('no aws-eks mapping: capacity mapped through this library, no AwsAuth in the app', () => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack);
    const capacity = cluster.addAutoScalingGroupCapacity('Workers', { instanceType: new ec2.InstanceType('m5.large'), mapRole: false });
    const access = new ClusterAccess(stack, 'Access', { cluster });
    access.mapNodeRole(capacity.role);
    expect(cluster.node.tryFindChild('AwsAuth')).toBeUndefined();
    expect(synthErrors(app)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', /aws-auth-writer/)).toEqual([]);
  });

  test('a cluster in mode API: aws-eks maps its node groups and Fargate profiles with access entries', () => {
    const { app, stack } = newStack();
    const cluster = awsEksCluster(stack, { authenticationMode: eks.AuthenticationMode.API });
    cluster.addNodegroupCapacity('Workers');
    cluster.addFargateProfile('Pods', { selectors: [{ namespace: 'default' }] });
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(cluster.node.tryFindChild('AwsAuth')).toBeUndefined();
    expect(synthErrors(app)).toEqual([]);
  });

  test('an imported aws-eks cluster (it has no AwsAuth), even with an AwsAuth of another cluster in the app', () => {
    const { app, stack } = newStack();
    const other = awsEksCluster(stack, { clusterName: 'test' });
    other.addNodegroupCapacity('Workers');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Prod', { clusterName: 'prod', kubectlRoleArn: 'arn:aws:iam::111122223333:role/eks-admin' });
    expect(() => (cluster as eks.Cluster).awsAuth).toThrow(/"awsAuth" is not supported on imported clusters/);
    new ClusterAccess(stack, 'Access', { cluster, mechanism: AccessMechanism.AWS_AUTH }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(synthErrors(app)).toEqual([]);
  });

  test('an aws-eks-v2 cluster with node groups and Fargate profiles (access entries only)', () => {
    const { app, stack } = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_33, vpc: new ec2.Vpc(stack, 'Vpc') });
    cluster.addNodegroupCapacity('Workers');
    cluster.addFargateProfile('Pods', { selectors: [{ namespace: 'default' }] });
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(app.node.findAll().filter((c) => c instanceof eks.AwsAuth)).toEqual([]);
    expect(synthErrors(app)).toEqual([]);
  });
});
