/**
 * A failed Create, through aws-cdk-lib's own Provider framework code (the `onEvent` CloudFormation
 * invokes and its response path): the framework answers FAILED with its CREATE_FAILED marker and
 * later acknowledges the rollback's Delete without calling the handler, so the handler must have
 * undone the failed Create before answering. Only the two edges of the framework are replaced: the
 * Lambda invoke (which runs the handler in this process, answering as the Lambda runtime does) and
 * the HTTPS PUT of the response to CloudFormation (captured).
 */
import { dirname, join } from 'node:path';
import { desiredState, useHandlerEnvironment } from './handler-support';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { DesiredClusterAccess, KubernetesManifest, OWNER_KEY } from '../../lib/core/desired-state';
import { OWNER_RECORD_LABEL } from '../../lib/core/owner-record';
import { onEvent } from '../../lib/handler/index';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../lib/io/cluster-lease';
import { eksFake, freshCredentialsOf, kubeHarness } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

/* eslint-disable @typescript-eslint/no-require-imports */
// The runtime the Provider framework ships in its Lambda asset (not an exported module path).
const RUNTIME = join(dirname(require.resolve('aws-cdk-lib')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
const framework = require(`${RUNTIME}/framework`) as { onEvent: (event: unknown) => Promise<void> };
const outbound = require(`${RUNTIME}/outbound`) as Record<string, unknown>;
const { CREATE_FAILED_PHYSICAL_ID_MARKER } = require(`${RUNTIME}/cfn-response`) as { CREATE_FAILED_PHYSICAL_ID_MARKER: string };
/* eslint-enable @typescript-eslint/no-require-imports */

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const ACCOUNT = '111122223333';
const HANDLER = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
const DEV = `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`;
const VIEWER = `arn:aws:iam::${ACCOUNT}:role/viewer`;
const ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** What CloudFormation received, and how often the handler ran. */
const responses: Record<string, unknown>[] = [];
let handlerRuns = 0;
const saved = { invokeFunction: outbound.invokeFunction, httpRequest: outbound.httpRequest, arn: process.env.USER_ON_EVENT_FUNCTION_ARN };

beforeAll(() => {
  process.env.USER_ON_EVENT_FUNCTION_ARN = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:cdk-eks-access-handler`;
  // The Lambda invoke of the handler, answered as the Node.js runtime answers (errors as FunctionError).
  outbound.invokeFunction = async (request: { Payload: string }) => {
    handlerRuns++;
    const { accessKeyId, secretAccessKey, sessionToken } = freshCredentialsOf('handler');
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken });
    const deadline = Date.now() + 120_000;
    try {
      const result = await onEvent(JSON.parse(request.Payload), { getRemainingTimeInMillis: () => deadline - Date.now() });
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(result)) };
    } catch (e) {
      const error = e as Error;
      const payload = { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify(payload)) };
    }
  };
  outbound.httpRequest = async (_options: unknown, body: string) => {
    responses.push(JSON.parse(body) as Record<string, unknown>);
  };
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(() => {
  outbound.invokeFunction = saved.invokeFunction;
  outbound.httpRequest = saved.httpRequest;
  if (saved.arn === undefined) delete process.env.USER_ON_EVENT_FUNCTION_ARN;
  else process.env.USER_ON_EVENT_FUNCTION_ARN = saved.arn;
});

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
  responses.length = 0;
  handlerRuns = 0;
});

function cfnEvent(requestType: 'Create' | 'Delete', desired: DesiredClusterAccess, physicalResourceId?: string) {
  return {
    RequestType: requestType,
    RequestId: `req-${requestType}`,
    StackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/platform/0a1b2c3d`,
    LogicalResourceId: 'AccessDefault1234',
    ResourceType: 'Custom::EksClusterAccess',
    ResponseURL: 'https://127.0.0.1/response',
    ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:framework', inline: JSON.stringify(desired) },
  };
}

function entry(principalArn: string, overrides: Partial<AccessEntrySpec> = {}): AccessEntrySpec {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides };
}

const manifests: KubernetesManifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'dev-read', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev-read', namespace: 'dev' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dev-read' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev' }] },
];

test('a Create that fails after writing is undone before the framework answers FAILED with its marker; the rollback Delete never reaches the handler', async () => {
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API_AND_CONFIG_MAP' });
  // The last step, to mode API, fails: by then the entries, their cluster-admin policy, the RBAC
  // objects, the owner record and the handler's own entry are all written.
  await eksFake().injectFault({ operation: 'UpdateClusterConfig', errorName: 'AccessDeniedException', status: 403, message: 'User is not authorized to perform: eks:UpdateClusterConfig' });
  const desired = desiredState({
    handlerRoleArn: HANDLER,
    targetAuthenticationMode: 'API',
    accessEntries: [entry(DEV, { kubernetesGroups: ['dev'], accessPolicies: [{ policyArn: ADMIN_POLICY, accessScope: { type: 'cluster' } }] }), entry(VIEWER)],
    manifests,
  });

  await framework.onEvent(cfnEvent('Create', desired));
  expect(handlerRuns).toBe(1);
  expect(responses).toHaveLength(1);
  const [failed] = responses;
  expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
  expect(String(failed.Reason)).toMatch(/AccessDeniedException[\s\S]*What this run had written was removed again \(nothing is left behind\)/);

  // Nothing of the failed Create is left, not even the handler's own entry.
  const state = await eksFake().state();
  expect(state.clusters[0].accessEntries.filter((e) => [DEV, VIEWER, HANDLER].includes(e.principalArn))).toEqual([]);
  // The namespace it created is deleted, with its Role and RoleBinding (a namespace's content goes
  // with it; this API server runs no namespace controller, so here they linger in it).
  const dev = await cluster.admin().get({ kind: 'Namespace', name: 'dev' });
  expect(dev === undefined || dev.metadata?.deletionTimestamp !== undefined).toBe(true);
  const labelled = await Promise.all(['ClusterRole', 'ClusterRoleBinding'].map((kind) => cluster.admin().list({ kind }, { labelSelector: `${OWNER_KEY}=stack-a.access` })));
  expect(labelled.flat()).toEqual([]);
  expect(await cluster.admin().list({ kind: 'ConfigMap', namespace: 'kube-system' }, { labelSelector: OWNER_RECORD_LABEL })).toEqual([]);
  expect(await cluster.admin().get({ kind: 'Lease', namespace: LEASE_NAMESPACE, name: LEASE_NAME })).toBeUndefined();

  // CloudFormation's rollback: a Delete of the marker, which the framework acknowledges by itself.
  await framework.onEvent(cfnEvent('Delete', desired, CREATE_FAILED_PHYSICAL_ID_MARKER));
  expect(handlerRuns).toBe(1);
  expect(responses[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
});

test('a Create refused before any write answers FAILED without an undo run', async () => {
  // The handler already has its access (an entry made by hand): the refusal comes before any write.
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'API', accessEntries: [{ principalArn: HANDLER, accessPolicies: [{ policyArn: ADMIN_POLICY, accessScope: { type: 'cluster' } }] }] });
  const bad = desiredState({ handlerRoleArn: HANDLER, manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Not_A_Name' } }] });
  await framework.onEvent(cfnEvent('Create', bad));
  expect(responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
  expect(String(responses[0].Reason)).not.toMatch(/removed again|Undoing/);
  expect((await eksFake().calls({ write: true })).calls).toEqual([]);
});
