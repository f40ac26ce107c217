/**
 * The clusters people have: aws-eks and aws-eks-v2 clusters, CfnCluster, a name (and region), an
 * ARN; clusters of other environments refused with the way out. aws-eks's own aws-auth, which
 * would erase what this library merges into aws-auth: two-writers.test.ts.
 */
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { awsEksCluster, desiredState, existingRole, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess } from '../../lib';

skipCfnSchemaValidation();

describe('aws-eks-v2 clusters', () => {
  test('are accepted as they are, with their name and ARN', () => {
    const { stack } = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_33, vpc: new ec2.Vpc(stack, 'Vpc') });
    const access = new ClusterAccess(stack, 'Access', { cluster });
    access.mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(access.clusterName).toBe(cluster.clusterName);
    expect(access.clusterArn).toBe(cluster.clusterArn);
    expect(desiredState(stack).accessEntries.map((e) => e.principalArn)).toEqual(['arn:aws:iam::111122223333:role/ci']);
    // The custom resource waits for the cluster.
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::EksClusterAccess'))[0];
    expect(resource.DependsOn.some((id: string) => id.startsWith('Cluster'))).toBe(true);
  });

  test('imported aws-eks-v2 clusters too', () => {
    const { stack } = newStack();
    const cluster = eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'prod' });
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(desiredState(stack).clusterName).toBe('prod');
  });
});

describe('clusters by name, ARN or CfnCluster', () => {
  test('a CfnCluster, through its IClusterRef', () => {
    const { stack } = newStack();
    const cluster = new eks.CfnCluster(stack, 'Cluster', { roleArn: 'arn:aws:iam::111122223333:role/eks', resourcesVpcConfig: { subnetIds: ['subnet-1'] } });
    new ClusterAccess(stack, 'Access', { cluster }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(desiredState(stack).clusterName).toBe('${Cluster}');
  });

  test('an ARN gives the name and the region', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterArn: 'arn:aws:eks:us-east-2:111122223333:cluster/prod' });
    access.mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    const state = desiredState(stack);
    expect([state.clusterName, state.region]).toEqual(['prod', 'us-east-2']);
    expect(access.clusterArn).toBe('arn:aws:eks:us-east-2:111122223333:cluster/prod');
  });

  test('an ARN known at deploy time, with the name, an admin role and a VPC', () => {
    const { stack } = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
    const access = new ClusterAccess(stack, 'Access', {
      clusterName: 'prod',
      clusterArn: Fn.importValue('ProdClusterArn'),
      kubernetesAdminRole: existingRole(stack, 'eks-admin'),
      vpc,
    });
    access.mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(desiredState(stack).kubernetesRoleArn).toBe('arn:aws:iam::111122223333:role/eks-admin');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: ['subnet-1'] } });
  });

  test.each([
    [{ clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', clusterName: 'test' }, /clusterName "test" and clusterArn "arn:aws:eks:eu-west-1:111122223333:cluster\/prod" name different clusters/],
    [{ clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', region: 'us-east-1' }, /region "us-east-1" and clusterArn .* name different regions/],
    [{ clusterArn: 'arn:aws:eks:eu-west-1:444455556666:cluster/prod' }, /Platform\/Access: the cluster arn:aws:eks:eu-west-1:444455556666:cluster\/prod is in account 444455556666, this ClusterAccess's stack Platform in 111122223333; its handler manages clusters of its own account only/],
    [{ clusterArn: 'arn:aws:iam::111122223333:role/prod' }, /"arn:aws:iam::111122223333:role\/prod" is not an EKS cluster ARN/],
    [{ clusterArn: Fn.importValue('Arn') }, /Platform\/Access: the clusterArn is only known at deploy time; give clusterName as well/],
    [{}, /give exactly one of "cluster", "clusterName" \(with "region" for another region\) and "clusterArn"/],
  ])('misuse %#: %j', (props, message) => {
    const { stack } = newStack();
    expect(() => new ClusterAccess(stack, 'Access', props)).toThrow(message);
  });
});

describe('clusters of another environment', () => {
  test('another region: our own error, naming the cluster and suggesting clusterName and region', () => {
    const app = new App();
    const here = new Stack(app, 'Here', { env: { account: '111122223333', region: 'eu-west-1' } });
    const there = new Stack(app, 'There', { env: { account: '111122223333', region: 'us-east-1' } });
    const cluster = awsEksCluster(there);
    expect(() => new ClusterAccess(here, 'Access', { cluster }))
      .toThrow("Here/Access: the cluster There/Cluster is in region us-east-1, this ClusterAccess's stack Here in eu-west-1; a stack cannot reference a resource of another region. Name the cluster instead: clusterName: <its name>, region: 'us-east-1' (or create the ClusterAccess in a stack of us-east-1)");
  });

  test('another region, imported by name: the name is shown as it is', () => {
    const app = new App();
    const here = new Stack(app, 'Here', { env: { account: '111122223333', region: 'eu-west-1' } });
    const there = new Stack(app, 'There', { env: { account: '111122223333', region: 'us-east-1' } });
    const cluster = eks.Cluster.fromClusterAttributes(there, 'Cluster', { clusterName: 'prod' });
    expect(() => new ClusterAccess(here, 'Access', { cluster })).toThrow(/Name the cluster instead: clusterName: 'prod', region: 'us-east-1'/);
  });

  test('another account: refused, with the way out', () => {
    const app = new App();
    const here = new Stack(app, 'Here', { env: { account: '111122223333', region: 'eu-west-1' } });
    const there = new Stack(app, 'There', { env: { account: '444455556666', region: 'eu-west-1' } });
    const cluster = awsEksCluster(there);
    expect(() => new ClusterAccess(here, 'Access', { cluster }))
      .toThrow(/Here\/Access: the cluster There\/Cluster is in account 444455556666, this ClusterAccess's stack Here in 111122223333; its handler manages clusters of its own account only. Create the ClusterAccess in a stack of account 444455556666/);
  });

  test('a misspelt region is a warning naming the value', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod', region: 'eu-wset-1' }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    Annotations.fromStack(stack).hasWarning('/Platform/Access', 'region: "eu-wset-1" is not a region aws-cdk-lib knows (such as eu-west-1 or us-east-1); check its spelling. A region newer than this aws-cdk-lib version works, but nothing about it can be checked at synth time [ack: cdk-eks-access:region]');
  });

  test('a known region is no warning', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod', region: 'ap-southeast-7' }).mapRole(existingRole(stack, 'ci'), { groups: ['ci'] });
    expect(Annotations.fromStack(stack).findWarning('*', /region/)).toEqual([]);
  });
});
