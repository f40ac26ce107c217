/**
 * The reconciler against EKS answers that only a real deploy meets: a refused principal, a mode
 * update that fails or is cancelled, a quota, a cluster that stays UPDATING, a cluster that
 * reports no access config. Real SDK, the EKS fake over HTTP, an in-memory Kubernetes.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { DEV_ROLE, entry, NODE_ROLE, policy, request, run, state } from './fixtures';
import { MemoryKube } from './memory-kube';
import { AWS_AUTH_PATH } from '../../lib/io/aws-auth-store';
import { EksFake, faults, startEksFake } from '../support/eks-fake';

let fake: EksFake;
let eksClient: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ region: 'us-east-1' });
  eksClient = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eksClient.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.configure({ updateCompletesAfterDescribes: 0, updatesStayInProgress: false, accessEntryLimit: 0 });
});

const devEntry = entry(DEV_ROLE, { kubernetesGroups: ['dev'], accessPolicies: [{ policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' } }] });
const creates = (principalArn: string) => fake.calls.calls({ operation: 'CreateAccessEntry', principalArn });

describe('a refused principal', () => {
  test.each([
    ['a malformed ARN', 'The principalArn parameter format is not valid'],
    ['a service-linked role', 'The caller is not allowed to modify access entries with a principalArn value of a Service Linked Role'],
  ])('%s fails at once with EKS\'s reason, without retrying', async (_what, message) => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.injectFault({ operation: 'CreateAccessEntry', principalArn: DEV_ROLE, errorName: 'InvalidParameterException', message, count: 100 });
    const started = Date.now();
    await expect(run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube(), timeoutMs: 30_000 }))
      .rejects.toThrow(`EKS refused the STANDARD access entry for ${DEV_ROLE}: ${message}`);
    expect(creates(DEV_ROLE)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a principal IAM has not propagated yet is retried until it appears', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.state.setPrincipalMissing(DEV_ROLE);
    const kube = new MemoryKube();
    const running = run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube, timeoutMs: 60_000 });
    while (creates(DEV_ROLE).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    fake.state.setPrincipalMissing(DEV_ROLE, false);
    await running;
    expect(creates(DEV_ROLE).map((c) => c.errorName ?? 'ok').slice(-1)).toEqual(['ok']);
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)).toBeDefined();
  });
});

describe('an authentication-mode update that does not succeed', () => {
  test.each(['Failed', 'Cancelled'] as const)('ending %s: the run fails naming the update and its errors, and writes nothing after it', async (status) => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    fake.configure({ updateCompletesAfterDescribes: 2 });
    fake.state.setNextUpdateOutcome({ status, errors: [{ errorCode: 'AccessDenied', errorMessage: 'the cluster role may not do this', resourceIds: ['dev-cluster'] }] });
    const kube = new MemoryKube();
    await expect(run(request('Create', state({ targetAuthenticationMode: 'API_AND_CONFIG_MAP', accessEntries: [devEntry] })), { eksClient, kube }))
      .rejects.toThrow(new RegExp(`to API_AND_CONFIG_MAP ended ${status} \\(update [0-9a-f-]+\\): AccessDenied: the cluster role may not do this`));
    expect(fake.state.authenticationMode('dev-cluster')).toBe('CONFIG_MAP');
    expect(fake.calls.calls({ write: true }).map((c) => c.operation)).toEqual(['UpdateClusterConfig']);
    expect(kube.writes()).toBe(0);
  });

  test('a cluster that stays UPDATING: the handler polls DescribeUpdate, then stops before the time limit with a clear error', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    fake.configure({ updatesStayInProgress: true });
    const kube = new MemoryKube();
    await expect(run(request('Create', state({ targetAuthenticationMode: 'API_AND_CONFIG_MAP', accessEntries: [devEntry] })), { eksClient, kube, timeoutMs: 1_500 }))
      .rejects.toThrow(/ran out of time while waiting for the authentication mode of "dev-cluster" to become API_AND_CONFIG_MAP \(update [0-9a-f-]+ is InProgress\)/);
    expect(fake.calls.count({ operation: 'DescribeUpdate' })).toBeGreaterThan(3);
    expect(fake.state.cluster('dev-cluster')!.status).toBe('UPDATING');
    expect(fake.calls.calls({ write: true }).map((c) => c.operation)).toEqual(['UpdateClusterConfig']);
    expect(kube.writes()).toBe(0);
  });
});

describe('quotas', () => {
  test('ResourceLimitExceededException on create is not retried and fails naming the entry', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.injectFault({ ...faults.resourceLimitExceeded(), principalArn: DEV_ROLE, count: 10 });
    await expect(run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube() }))
      .rejects.toThrow(/ResourceLimitExceededException|maximum number of resources/);
    expect(creates(DEV_ROLE)).toHaveLength(1);
  });

  test('past the fake\'s entry limit the run fails; what it created stays owned, and a re-run after the limit is lifted completes', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
    fake.configure({ accessEntryLimit: 2 }); // the handler's own entry and one more
    const desired = state({ accessEntries: [devEntry, entry(NODE_ROLE, { type: 'EC2_LINUX' })] });
    await expect(run(request('Create', desired), { eksClient, kube: new MemoryKube() })).rejects.toThrow(/limit of 2 access entries/);
    fake.configure({ accessEntryLimit: 0 });
    await run(request('Create', desired), { eksClient, kube: new MemoryKube() });
    expect(fake.state.accessEntries('dev-cluster')).toHaveLength(3);
  });
});

describe('a cluster that reports no access config', () => {
  test('is treated as CONFIG_MAP: AUTO writes aws-auth, ACCESS_ENTRIES is refused before any write', async () => {
    fake.seedCluster({ name: 'dev-cluster', reportAccessConfig: false });
    const kube = new MemoryKube();
    const desired = state({
      kubernetesRoleArn: 'arn:aws:iam::111122223333:role/k8s-admin',
      awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/developer', username: 'dev', groups: ['dev'] }], mapUsers: [], mapAccounts: [] },
      accessEntries: [devEntry],
    });
    const outcome = await run(request('Create', desired), { eksClient, kube });
    expect(outcome.mechanism).toBe('AWS_AUTH');
    expect(outcome.authenticationMode).toBe('CONFIG_MAP');
    expect(kube.objects.get(AWS_AUTH_PATH)).toBeDefined();
    expect(fake.calls.calls({ write: true })).toEqual([]);
    await expect(run(request('Update', { ...desired, mechanism: 'ACCESS_ENTRIES' }), { eksClient, kube })).rejects.toThrow(/CONFIG_MAP, which has no access entries/);
    expect(fake.calls.calls({ write: true })).toEqual([]);
  });
});
