/**
 * From construct to cluster: the desired state a `ClusterAccess` synthesizes, deployed by the
 * handler onto the test API server, gives the team what the construct promised and nothing more.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { invoke, statusAs, useHandlerEnvironment } from './handler-support';
import { ClusterAccess, KubernetesClusterRole } from '../../lib';
import { DesiredClusterAccess } from '../../lib/core/desired-state';
import { desiredState, newStack, skipCfnSchemaValidation } from '../constructs/helpers';
import { synthesizedHandlerStatements } from '../support/handler-policy';
import { eksFake, kubeHarness, testPrincipal } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
skipCfnSchemaValidation();
useSharedCluster();
useHandlerEnvironment();

/** The synthesized state, with the deploy-time values CloudFormation would fill in. */
function synthesized(build: (access: ClusterAccess, stack: ReturnType<typeof newStack>['stack']) => void): DesiredClusterAccess {
  const { stack } = newStack();
  const access = new ClusterAccess(stack, 'Access', { clusterName: kubeHarness().clusterName, region: kubeHarness().region });
  build(access, stack);
  const state = desiredState(stack);
  const handler = testPrincipal('handler').principalArn;
  // The only deploy-time value left is the handler role's ARN (a GetAtt of the provider's role).
  const text = JSON.stringify(state).replace(/"\$\{[^"}]*\.Arn\}"/g, JSON.stringify(handler));
  return JSON.parse(text) as DesiredClusterAccess;
}


test('a team from addTeam: its role can edit in its namespaces only; removing the team takes that away', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API' });
  // Rules of their own: the test API server runs no controller manager, so the built-in
  // aggregated roles (view, edit, admin) have no rules there.
  const read = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }];
  const write = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }];
  const build = (withTeam: boolean) => synthesized((access, stack) => {
    access.addTeam('Viewers', { role: iam.Role.fromRoleArn(stack, 'ViewerRole', testPrincipal('viewer').principalArn), clusterRole: KubernetesClusterRole.fromRules('configmap-reader', read) });
    if (withTeam) {
      access.addTeam('Dev', { role: iam.Role.fromRoleArn(stack, 'DevRole', testPrincipal('dev').principalArn), namespaces: ['dev'], createNamespaces: true, namespaceRules: write });
    }
  });
  const withDev = build(true);
  expect(withDev.clusterName).toBe(kubeHarness().clusterName);
  expect(JSON.stringify(withDev)).not.toMatch(/\$\{/);

  const create = await invoke('Create', withDev);
  expect(create.error).toBeUndefined();
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-dev' } };
  expect(await statusAs('dev', 'POST', '/api/v1/namespaces/dev/configmaps', cm)).toBe(200);
  expect(await statusAs('dev', 'POST', '/api/v1/namespaces/default/configmaps', cm)).toBe(403);
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/dev/configmaps')).toBe(200);
  expect(await statusAs('viewer', 'POST', '/api/v1/namespaces/dev/configmaps', { ...cm, metadata: { name: 'from-viewer' } })).toBe(403);

  const replay = await invoke('Update', withDev, withDev);
  expect(replay.error).toBeUndefined();
  expect(replay.kubeWrites).toEqual([]);
  expect(replay.eksWrites).toEqual([]);

  const withoutDev = build(false);
  const update = await invoke('Update', withoutDev, withDev);
  expect(update.error).toBeUndefined();
  expect([401, 403]).toContain(await statusAs('dev', 'GET', '/api/v1/namespaces/dev/configmaps'));
  expect(await statusAs('viewer', 'GET', '/api/v1/namespaces/default/configmaps')).toBe(200);
});

test('a node role from mapNodeRole: the handler, with only the IAM permissions the constructs synthesize for it, creates its EC2_LINUX entry', async () => {
  const nodeRole = 'arn:aws:iam::111122223333:role/integ-nodes';
  const { stack } = newStack();
  const access = new ClusterAccess(stack, 'Access', { clusterName: kubeHarness().clusterName, region: kubeHarness().region });
  access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Nodes', nodeRole));
  const handler = testPrincipal('handler').principalArn;
  const statements = synthesizedHandlerStatements(stack, access.handlerRole, { region: kubeHarness().region, accountId: '111122223333', handlerRoleArn: handler });
  const state = JSON.parse(JSON.stringify(desiredState(stack)).replace(/"\$\{[^"}]*\.Arn\}"/g, JSON.stringify(handler))) as DesiredClusterAccess;
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API' });
  await eksFake().setCallerPolicy({ statements, callerArn: handler });

  const create = await invoke('Create', state);
  expect(create.error).toBeUndefined();
  expect(create.eksWrites.filter((w) => w.principalArn === nodeRole)).toEqual([{ operation: 'CreateAccessEntry', principalArn: nodeRole, errorName: undefined }]);
  const entry = (await eksFake().state()).clusters[0].accessEntries.find((e) => e.principalArn === nodeRole);
  expect(entry?.type).toBe('EC2_LINUX');
});
