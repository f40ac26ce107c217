/** `ClusterAccess` with `migrateFromAwsAuth`: what it asks the handler for, and what it refuses at synth time. */
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { desiredStates, flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { AccessMechanism, ClusterAccess } from '../../lib';

skipCfnSchemaValidation();

/** Every action the handler's policies allow, with the resources of each statement. */
function handlerGrants(stack: ReturnType<typeof newStack>['stack']): Array<{ actions: string[]; resource: unknown }> {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement.map((s: any) => ({
    actions: ([] as string[]).concat(s.Action), resource: flatten(s.Resource),
  })));
}

describe('migrateFromAwsAuth', () => {
  test('the main resource asks the handler to migrate (and prune); team batches do not', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', {
      clusterName: 'prod', authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP, migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: true, teamBatches: 1,
    });
    access.addTeam('A');
    access.addTeam('B');
    const [main] = desiredStates(stack);
    expect(main).toMatchObject({ migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: true, targetAuthenticationMode: 'API_AND_CONFIG_MAP' });
    const nested = stack.node.findAll().filter((c) => c.node.id === 'Teams1');
    expect(nested).toHaveLength(1);
    const batch = desiredStates(nested[0] as never);
    expect(batch[0]).not.toHaveProperty('migrateFromAwsAuth');
    expect(stack.resolve(access.migrationSummary)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Access/), 'Migration'] });
  });

  test('without it, nothing changes: no migration field, no summary, no migration permissions', () => {
    const { stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.mapRole(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r'));
    expect(desiredStates(stack)[0]).not.toHaveProperty('migrateFromAwsAuth');
    expect(access.migrationSummary).toBeUndefined();
    expect(handlerGrants(stack).flatMap((g) => g.actions).filter((a) => a.startsWith('iam:') || a.includes('Nodegroup'))).toEqual([]);
  });

  test('the handler may read the cluster\'s node groups and Fargate profiles and the account\'s roles and users, nothing more', () => {
    const { stack } = newStack();
    new ClusterAccess(stack, 'Access', { clusterName: 'prod', migrateFromAwsAuth: true });
    const grants = handlerGrants(stack).filter((g) => g.actions.some((a) => a.startsWith('iam:') || /Nodegroup|FargateProfile/.test(a)));
    expect(grants).toEqual([
      { actions: ['eks:ListNodegroups', 'eks:ListFargateProfiles'], resource: 'arn:${AWS::Partition}:eks:eu-west-1:111122223333:cluster/prod' },
      { actions: ['eks:DescribeNodegroup'], resource: 'arn:${AWS::Partition}:eks:eu-west-1:111122223333:nodegroup/prod/*' },
      { actions: ['eks:DescribeFargateProfile'], resource: 'arn:${AWS::Partition}:eks:eu-west-1:111122223333:fargateprofile/prod/*' },
      { actions: ['iam:GetRole'], resource: 'arn:${AWS::Partition}:iam::111122223333:role/*' },
      { actions: ['iam:GetUser'], resource: 'arn:${AWS::Partition}:iam::111122223333:user/*' },
      { actions: ['iam:ListRoles'], resource: '*' },
    ]);
  });

  test.each([
    [{ mechanism: AccessMechanism.AWS_AUTH, migrateFromAwsAuth: true }, 'Platform/Access: migrateFromAwsAuth moves aws-auth to access entries, which AccessMechanism.AWS_AUTH does not write; use AUTO or ACCESS_ENTRIES'],
    [{ authenticationMode: eks.AuthenticationMode.CONFIG_MAP, migrateFromAwsAuth: true }, 'Platform/Access: migrateFromAwsAuth needs access entries, which authentication mode CONFIG_MAP does not have; use API_AND_CONFIG_MAP (or API)'],
    [{ pruneMigratedAwsAuthEntries: true }, 'Platform/Access: pruneMigratedAwsAuthEntries removes the entries migrateFromAwsAuth migrated; set migrateFromAwsAuth: true as well'],
  ])('refused at synth time: %j', (props, message) => {
    const { stack } = newStack();
    expect(() => new ClusterAccess(stack, 'Access', { clusterName: 'prod', ...props })).toThrow(message);
  });
});
