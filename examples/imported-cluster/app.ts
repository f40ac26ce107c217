/**
 * Example: access to an existing cluster, managed from a platform repository.
 *
 * The cluster was created elsewhere (console, eksctl, Terraform). The platform team imports it by
 * name, keeps the node roles and the SSO roles mapped, moves the cluster from `CONFIG_MAP` to
 * `API_AND_CONFIG_MAP`, and gives the application teams their namespaces. A role defined in a
 * separate identity stack is mapped too (a cross-stack reference, which aws-cdk's own aws-auth
 * support refuses).
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessMechanism, AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';

/** Where the existing cluster is, and who administers it today. */
export interface ExistingClusterSettings {
  readonly clusterName: string;
  /** A role in the cluster's aws-auth as system:masters (needed while it is in CONFIG_MAP mode). */
  readonly adminRoleArn: string;
  readonly nodeRoleArn: string;
  /** IAM Identity Center role of the platform engineers (it has a path). */
  readonly ssoAdminRoleArn: string;
  readonly ssoReadOnlyRoleArn: string;
}

export const DEFAULT_SETTINGS: ExistingClusterSettings = {
  clusterName: 'prod-eu',
  adminRoleArn: 'arn:aws:iam::111122223333:role/eks-prod-eu-admin',
  nodeRoleArn: 'arn:aws:iam::111122223333:role/eks-prod-eu-nodes',
  ssoAdminRoleArn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef',
  ssoReadOnlyRoleArn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnly_fedcba9876543210',
};

/** CI/CD identities, owned by another team's stack. */
export class IdentityStack extends Stack {
  public readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      path: '/ci/',
      description: 'Deploys applications to the prod-eu cluster',
    });
  }
}

export interface PlatformAccessStackProps extends StackProps {
  readonly settings: ExistingClusterSettings;
  readonly deployRole: iam.IRole;
}

export class PlatformAccessStack extends Stack {
  public readonly access: ClusterAccess;

  constructor(scope: Construct, id: string, props: PlatformAccessStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const cluster = eks.Cluster.fromClusterAttributes(this, 'Cluster', {
      clusterName: s.clusterName,
      kubectlRoleArn: s.adminRoleArn,
    });
    this.access = new ClusterAccess(this, 'Access', {
      cluster,
      mechanism: AccessMechanism.AUTO,
      authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP,
    });

    this.access.mapNodeRole(iam.Role.fromRoleArn(this, 'NodeRole', s.nodeRoleArn));
    this.access.grantAccessPolicy(iam.Role.fromRoleArn(this, 'SsoAdmin', s.ssoAdminRoleArn), AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY);
    this.access.mapRole(iam.Role.fromRoleArn(this, 'SsoReadOnly', s.ssoReadOnlyRoleArn), { username: 'sso-readonly:{{SessionName}}', groups: ['readers'] });
    this.access.addManifest({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'readers-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'readers' }],
    });

    // The CI role of another stack deploys into the application namespaces only.
    this.access.mapRole(props.deployRole, {
      groups: ['deployers'],
      accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_EDIT_POLICY, scope: AccessScope.namespaces('payments', 'checkout') }],
    });

    for (const team of ['payments', 'checkout']) {
      this.access.addTeam(team, {
        namespaces: [team],
        createNamespaces: true,
        namespaceRole: KubernetesClusterRole.ADMIN,
        clusterRole: KubernetesClusterRole.fromRules(`${team}-node-reader`, [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]),
      });
    }
  }
}

/** Builds the example app (both stacks). */
export function buildApp(app: App = new App(), settings: ExistingClusterSettings = DEFAULT_SETTINGS) {
  const env = { account: '111122223333', region: 'eu-west-1' };
  const identity = new IdentityStack(app, 'EksAccessIdentity', { env });
  const platform = new PlatformAccessStack(app, 'EksAccessPlatform', { env, settings, deployRole: identity.deployRole });
  return { app, identity, platform };
}
