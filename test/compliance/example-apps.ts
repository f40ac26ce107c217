/**
 * The apps whose templates the compliance tests check: both examples, and a cluster access whose
 * teams spill into nested stacks (so nested templates are checked too).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp as buildImported } from '../../examples/imported-cluster/app';
import { buildApp as buildNew } from '../../examples/new-cluster/app';
import { AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';

/** An app with the settings of the examples' cdk.json. */
export function complianceApp(outdir?: string): App {
  return new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
}

/** Five teams spread over two batches: the main stack and two nested stacks of teams. */
export function buildNestedTeamsApp(app: App): { app: App; stack: Stack; access: ClusterAccess } {
  const stack = new Stack(app, 'EksAccessNestedTeams', {
    env: { account: '111122223333', region: 'eu-west-1' },
    description: 'cdk-eks-access compliance check: teams spread over nested stacks',
  });
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod-eu', teamBatches: 2 });
  access.mapNodeRole(iam.Role.fromRoleArn(stack, 'NodeRole', 'arn:aws:iam::111122223333:role/eks-prod-eu-nodes'));
  for (const [i, team] of ['payments', 'checkout', 'search', 'ledger', 'ops'].entries()) {
    access.addTeam(team, {
      namespaces: [team],
      createNamespaces: true,
      namespaceRole: i % 2 === 0 ? KubernetesClusterRole.EDIT : KubernetesClusterRole.ADMIN,
      accessPolicies: team === 'ops'
        ? [{ policy: AccessPolicy.AMAZON_EKS_VIEW_POLICY, scope: AccessScope.namespaces('payments', 'checkout') }]
        : undefined,
      requireMfa: team === 'ledger',
    });
  }
  return { app, stack, access };
}

export interface ComplianceApp {
  readonly name: string;
  readonly app: App;
  readonly stacks: Stack[];
}

/** Every app the compliance tests check, each built in a fresh App. */
export function complianceApps(outdirOf: (name: string) => string | undefined = () => undefined): ComplianceApp[] {
  const newCluster = buildNew(complianceApp(outdirOf('new-cluster')));
  const imported = buildImported(complianceApp(outdirOf('imported-cluster')));
  const nested = buildNestedTeamsApp(complianceApp(outdirOf('nested-teams')));
  return [
    { name: 'new-cluster', app: newCluster.app, stacks: [newCluster.stack] },
    { name: 'imported-cluster', app: imported.app, stacks: [imported.identity, imported.platform] },
    { name: 'nested-teams', app: nested.app, stacks: [nested.stack] },
  ];
}
