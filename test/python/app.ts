/**
 * The team-model app the Python binding test builds in both languages: this file in TypeScript,
 * app.py beside it in Python, with the same construct IDs and values. Their templates must match.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';

/** Builds the app into `outdir`; version reporting is off so the templates do not name the language. */
export function buildTeamsApp(outdir: string): App {
  const app = new App({ outdir, analyticsReporting: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
  const stack = new Stack(app, 'EksAccessTeams', {
    env: { account: '111122223333', region: 'eu-west-1' },
    description: 'cdk-eks-access: the team model, from any jsii language',
  });
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod-eu' });

  access.addTeam('Developers', {
    teamName: 'dev',
    namespaces: ['dev', 'dev-tools'],
    createNamespaces: true,
    namespaceRole: KubernetesClusterRole.EDIT,
    maxSessionDuration: Duration.hours(4),
  });
  access.addTeam('Sre', {
    requireMfa: true,
    rolePath: '/platform/',
    accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY }],
  });
  access.addTeam('Readers', {
    clusterRole: KubernetesClusterRole.fromRules('node-reader', [
      { apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    ]),
    accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_VIEW_POLICY, scope: AccessScope.namespaces('dev', 'dev-tools') }],
  });
  access.mapRole(iam.Role.fromRoleArn(stack, 'CiRole', 'arn:aws:iam::111122223333:role/ci/deployer'), { groups: ['deployers'] });
  access.mapNodeRole(iam.Role.fromRoleArn(stack, 'NodeRole', 'arn:aws:iam::111122223333:role/eks-prod-eu-nodes'));
  return app;
}
