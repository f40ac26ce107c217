/**
 * IAM Identity Center permission sets in the handler: resolved through the real IAM client against
 * the IAM fake, then reconciled against the EKS fake like any role: the access entry names the
 * role's full ARN, aws-auth the ARN without its path. A set without its role refuses the request
 * before any write.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { ACCOUNT, request, state } from './fixtures';
import { MemoryKube } from './memory-kube';
import { loadAwsAuth } from '../../lib/core/aws-auth';
import { DesiredClusterAccess, OWNER_KEY } from '../../lib/core/desired-state';
import { DesiredPermissionSetMapping } from '../../lib/core/permission-sets';
import { DecodedRequest } from '../../lib/handler/event';
import { reconcile } from '../../lib/handler/reconcile';
import { AWS_AUTH_PATH } from '../../lib/io/aws-auth-store';
import { Deadline } from '../../lib/io/deadline';
import { EksApi } from '../../lib/io/eks-api';
import { IAM_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { createIamClient } from '../../lib/io/iam-principals';
import { Logger } from '../../lib/io/log';
import { EksFake, startEksFake } from '../support/eks-fake';
import { IamFake, startIamFake } from '../support/iam-fake';

const READONLY = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnly_0123456789abcdef`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnlyPlus_fedcba9876543210`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-admin`;

let eks: EksFake;
let eksClient: EKSClient;
let iam: IamFake;
let iamClient: IAMClient;

beforeAll(async () => {
  eks = await startEksFake({ region: 'us-east-1' });
  eksClient = new EKSClient({ ...eks.clientConfig(), maxAttempts: 1 });
  iam = await startIamFake([READONLY, OTHER, `arn:aws:iam::${ACCOUNT}:role/unrelated`]);
  process.env[IAM_ENDPOINT_ENV] = iam.endpoint;
  iamClient = createIamClient('us-east-1', { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
});
afterAll(async () => {
  delete process.env[IAM_ENDPOINT_ENV];
  eksClient.destroy();
  iamClient.destroy();
  await eks.close();
  await iam.close();
});
beforeEach(() => {
  eks.reset();
  iam.calls.length = 0;
});

const readOnly: DesiredPermissionSetMapping = {
  permissionSetName: 'ReadOnly',
  awsAuth: { username: 'ro:{{SessionName}}', groups: ['readers'] },
  accessEntry: { type: 'STANDARD', kubernetesGroups: ['readers'], accessPolicies: [] },
};

async function run(req: DecodedRequest, kube: MemoryKube) {
  const log = new Logger({}, () => undefined);
  const deadline = Deadline.in(60_000);
  return reconcile(req, {
    eks: new EksApi(eksClient, deadline, log, () => 0),
    iam: new EksApi(iamClient, deadline, log, () => 0, 'iam'),
    connectKubernetes: async () => kube,
    deadline,
    log,
    random: () => 0,
    pollMs: 5,
  });
}

test('access entries: the permission set\'s access entry names its role\'s full ARN, found by listing Identity Center roles', async () => {
  eks.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  const desired = state({ account: ACCOUNT, permissionSets: [readOnly] });
  await run(request('Create', desired), new MemoryKube());
  const entry = eks.state.accessEntry('dev-cluster', READONLY)!;
  expect(entry.kubernetesGroups).toEqual(['readers']);
  expect(entry.tags[OWNER_KEY]).toBe('stack-a.access');
  expect(iam.calls.map((c) => [c.action, c.params.PathPrefix])).toEqual([['ListRoles', '/aws-reserved/sso.amazonaws.com/'], ['ListRoles', '/aws-reserved/sso.amazonaws.com/']]);

  // Delete removes it, from the owner's record; it needs no IAM.
  iam.calls.length = 0;
  await run(request('Delete', desired), new MemoryKube());
  expect(eks.state.accessEntry('dev-cluster', READONLY)).toBeUndefined();
  expect(iam.calls).toEqual([]);
});

test('aws-auth: the entry names the role without its path', async () => {
  eks.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
  const kube = new MemoryKube();
  kube.seedAwsAuth({ mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: admin\n  groups: [system:masters]\n` });
  const desired: DesiredClusterAccess = state({ account: ACCOUNT, mechanism: 'AWS_AUTH', kubernetesRoleArn: ADMIN_ROLE, permissionSets: [readOnly] });
  await run(request('Create', desired), kube);
  const awsAuth = loadAwsAuth(JSON.stringify(kube.objects.get(AWS_AUTH_PATH)));
  expect(awsAuth.mapRoles).toContainEqual({ rolearn: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_ReadOnly_0123456789abcdef`, username: 'ro:{{SessionName}}', groups: ['readers'] });
});

test('a permission set IAM Identity Center has no role for refuses the request, naming it, before any write', async () => {
  eks.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  const desired = state({ account: ACCOUNT, permissionSets: [{ ...readOnly, permissionSetName: 'Auditors' }] });
  await expect(run(request('Create', desired), new MemoryKube())).rejects.toThrow(
    `cannot resolve the IAM Identity Center permission sets; nothing was written:\n- permission set Auditors: IAM Identity Center has no role for it in account ${ACCOUNT} (AWSReservedSSO_Auditors_<suffix> under /aws-reserved/sso.amazonaws.com/)`);
  expect(eks.calls.calls({ write: true })).toEqual([]);
});
