/**
 * The states the constructs write must pass the deploy-time handler's own input check, once
 * CloudFormation has resolved the deploy-time values (simulated here with plausible values).
 */
import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredState, newStack, skipCfnSchemaValidation } from './helpers';
import { buildApp as buildImported } from '../../examples/imported-cluster/app';
import { buildApp as buildNew } from '../../examples/new-cluster/app';
import { AccessPolicy, AccessScope, ClusterAccess, KubernetesClusterRole } from '../../lib';
import { DesiredClusterAccess } from '../../lib/core/desired-state';
import { desiredStateProblems } from '../../lib/core/desired-state-check';

skipCfnSchemaValidation();

/** Replaces the readable placeholders of `desiredState` with values CloudFormation could produce. */
function deployed(state: DesiredClusterAccess): DesiredClusterAccess {
  const text = JSON.stringify(state)
    .replace(/\$\{Select\(1,Split\)\}/g, 'aws')
    .replace(/\$\{Select\(4,Split\)\}/g, '111122223333')
    .replace(/\$\{AWS::Partition\}/g, 'aws')
    .replace(/\$\{AWS::AccountId\}/g, '111122223333')
    .replace(/\$\{AWS::Region\}/g, 'eu-west-1')
    .replace(/\$\{(?:Import\()?([A-Za-z0-9:]+?)(?:\))?\.Arn\}/g, (_m, id) => `arn:aws:iam::111122223333:role/${id.replace(/[^A-Za-z0-9]/g, '').slice(0, 60)}`)
    .replace(/\$\{Import\(([A-Za-z0-9:]+)\)\}/g, (_m, id: string) => {
      const name = id.replace(/[^A-Za-z0-9]/g, '').slice(0, 60);
      return /FnGetAtt.*Arn/.test(id) ? `arn:aws:iam::111122223333:role/ci/${name}` : name;
    })
    .replace(/\$\{([A-Za-z0-9]+)\}/g, (_m, id) => id.slice(0, 60));
  return JSON.parse(text);
}

describe('constructs → handler contract', () => {
  test('the example apps', () => {
    const { platform } = buildImported(new App());
    const { stack } = buildNew(new App());
    for (const s of [platform, stack]) {
      const state = deployed(desiredState(s));
      expect(desiredStateProblems(state)).toEqual([]);
    }
  });

  test('every kind of mapping at once', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Nodes', 'arn:aws:iam::111122223333:role/nodes'));
    access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Win', 'arn:aws:iam::111122223333:role/win'), { windows: true });
    access.mapUser(iam.User.fromUserArn(stack, 'U', 'arn:aws:iam::111122223333:user/ops/alice'), { username: 'alice', groups: ['ops'] });
    access.mapAccount('444455556666');
    access.mapRole(iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111122223333:role/x/admin'), { groups: ['system:masters'], allowSystemMasters: true });
    access.grantAccessPolicy(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal(), path: '/a/b/' }), AccessPolicy.AMAZON_EKS_EDIT_POLICY, AccessScope.namespaces('dev-*'));
    access.addTeam('Dev', { namespaces: ['dev'], createNamespaces: true, clusterRole: KubernetesClusterRole.fromRules('reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]) });
    access.addTeam('Data', { namespaces: ['etl'], namespaceRules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['*'] }] });
    const state = deployed(desiredState(stack));
    expect(desiredStateProblems(state)).toEqual([]);
  });

  test('a migration from aws-auth', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: true });
    access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Nodes', 'arn:aws:iam::111122223333:role/nodes'));
    const state = deployed(desiredState(stack));
    expect(state).toMatchObject({ migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: true });
    expect(desiredStateProblems(state)).toEqual([]);
  });
});
