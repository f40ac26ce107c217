/**
 * A refusal with many problems, end to end: the handler against the test API server, behind
 * aws-cdk-lib's own Provider framework code. CloudFormation must get a response within its
 * 4,096 bytes that still says what is wrong; the handler's log has every problem.
 */
import { desiredState, useHandlerEnvironment } from './handler-support';
import { onEvent } from '../../lib/handler/index';
import { CREATE_FAILED_PHYSICAL_ID, MAX_RESPONSE_BYTES } from '../../lib/handler/response';
import { eksFake, freshCredentialsOf, kubeHarness, testPrincipal } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';
import { runThroughFramework } from '../support/provider-framework';

jest.setTimeout(120_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

test('an aws-auth with 40 problems: the FAILED response fits and names the first problems; the log names all', async () => {
  // The handler grants itself an access entry, then must read aws-auth (the mode reads both).
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API_AND_CONFIG_MAP' });
  const broken = Array.from({ length: 40 }, (_, i) => `- rolearn: arn:aws:iam::111122223333:role/team-${i}\n  username: team-${i}\n  groups: team-${i}-is-not-a-list\n`).join('');
  await cluster.admin().apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: broken } }, { fieldManager: 'test' });
  const fresh = freshCredentialsOf('handler');
  // New credentials, as a new Lambda session has (the API server caches a token's identity for 10 s).
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: fresh.accessKeyId, AWS_SECRET_ACCESS_KEY: fresh.secretAccessKey, AWS_SESSION_TOKEN: fresh.sessionToken,
  });
  const desired = desiredState({
    mechanism: 'AWS_AUTH',
    handlerRoleArn: testPrincipal('handler').principalArn,
    awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/viewer', username: 'viewer', groups: ['viewers'] }], mapUsers: [], mapAccounts: [] },
  });
  const logged: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logged.push(String(line));
  });
  let run;
  try {
    run = await runThroughFramework({
      RequestType: 'Create',
      StackId: `arn:aws:cloudformation:us-west-2:111122223333:stack/${'platform-access-'.repeat(8)}/0b6e0a60-8f1a-11ef-8e1b-0a1b2c3d4e5f`,
      RequestId: '6f1c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
      LogicalResourceId: 'AccessTeams10NestedStackResourceClusterAccessResourceC0FFEE42',
      ResourceType: 'Custom::EksClusterAccess',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:provider', inline: JSON.stringify(desired) },
    }, onEvent as never, { functionName: 'Platform-ClusterAccessProviderHandler1A2B3C4D-AbCdEfGhIjKl' });
  } finally {
    spy.mockRestore();
  }
  expect(run.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
  expect(run.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  expect(run.response.Reason).toMatch(/aws-auth ConfigMap in kube-system cannot be read safely/);
  expect(run.response.Reason).toContain('mapRoles[0]');
  expect(run.response.Reason).toMatch(/clipped: \d+ more line\(s\); the full message is in the handler's log/);
  const failed = logged.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'failed');
  expect(failed.error).toContain('mapRoles[39]');
  // eslint-disable-next-line no-console
  console.info(`FAILED response for a 40-problem aws-auth: ${run.bytes} bytes`);
});
