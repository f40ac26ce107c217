/**
 * Example: a new EKS cluster and its teams, in one stack.
 *
 * - The cluster is created with `aws-cdk-lib/aws-eks` (`CfnCluster`: no kubectl layer, no Docker,
 *   so `cdk synth` runs offline) in authentication mode `API_AND_CONFIG_MAP`.
 * - Developers edit their namespaces (created for them) through RBAC.
 * - SREs are cluster admins through an EKS access policy, and must sign in with MFA.
 * - Auditors read everything but Secrets, through the built-in `view` ClusterRole.
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessPolicy, ClusterAccess, KubernetesClusterRole } from '../../lib';

export class NewClusterStack extends Stack {
  public readonly access: ClusterAccess;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const clusterRole = new iam.Role(this, 'ClusterRole', {
      assumedBy: new iam.ServicePrincipal('eks.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSClusterPolicy')],
    });
    const cluster = new eks.CfnCluster(this, 'Cluster', {
      version: '1.33',
      roleArn: clusterRole.roleArn,
      resourcesVpcConfig: {
        subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
      },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true },
      // The authenticator and audit logs are where access problems are debugged.
      logging: {
        clusterLogging: {
          enabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({ type })),
        },
      },
    });

    // Naming the cluster by its Ref orders access after the cluster (and its removal before).
    this.access = new ClusterAccess(this, 'Access', { clusterName: cluster.ref });

    const dev = this.access.addTeam('Developers', {
      teamName: 'dev',
      namespaces: ['dev', 'dev-tools'],
      createNamespaces: true,
      namespaceRole: KubernetesClusterRole.EDIT,
    });
    this.access.addTeam('Sre', {
      requireMfa: true,
      rolePath: '/platform/',
      accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY }],
    });
    this.access.addTeam('Auditors', { clusterRole: KubernetesClusterRole.VIEW });

    new CfnOutput(this, 'DevRoleArn', { value: dev.role!.roleArn, description: 'Developers: aws eks update-kubeconfig --role-arn <this>' });
  }
}

/** Builds the example app (used by `cdk synth` through main.ts, and by the tests). */
export function buildApp(app: App = new App()): { app: App; stack: NewClusterStack } {
  const stack = new NewClusterStack(app, 'EksAccessNewCluster', {
    description: 'cdk-eks-access example: a new cluster with developer, SRE and auditor teams',
  });
  return { app, stack };
}
