/**
 * The migration scenario of `migrate-live.test.ts`, through the construct's handler
 * (`migrateFromAwsAuth`): a CONFIG_MAP cluster with the realistic aws-auth is moved to
 * API_AND_CONFIG_MAP by a Create, the step to API is refused while entries are blocked, and an
 * Update reaches API once they are fixed, pruning the migrated entries. After each step every
 * migrated identity, with its own token, is allowed exactly what it was before.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredState, invoke, useHandlerEnvironment } from './handler-support';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { loadAwsAuth } from '../../lib/core/aws-auth';
import { DesiredClusterAccess, MIGRATED_FROM_KEY, OWNER_KEY } from '../../lib/core/desired-state';
import { IAM_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { IamFake, startIamFake } from '../support/iam-fake';
import { eksFake, kubeHarness } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';
import { AccessProfile, accessProfiles, profileTable, sameAccess } from '../support/migration/access-checks';
import { applyRealisticRbac } from '../support/migration/rbac';
import { PARTNER_ACCOUNT, PRINCIPALS, REALISTIC_AWS_AUTH } from '../support/migration/realistic-aws-auth';

jest.setTimeout(300_000);
const cluster = useSharedCluster();
useHandlerEnvironment();

const EVERYONE = ['node', 'admin', 'dev', 'viewer', 'sso-admin', 'ops', 'outsider', 'ng-node'];
const HANDLER = 'arn:aws:iam::111122223333:role/cdk-eks-access-handler';
const RECORD_DIR = join(__dirname, '..', '.tmp', 'migrate-handler');
/** The node role is declared: the handler may pass only the node roles it maps (iam:PassRole). */
const NODE_ENTRY: AccessEntrySpec = { principalArn: PRINCIPALS.node, type: 'EC2_LINUX', kubernetesGroups: [], accessPolicies: [] };

function desired(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return desiredState({ mechanism: 'AUTO', handlerRoleArn: HANDLER, accessEntries: [NODE_ENTRY], migrateFromAwsAuth: true, ...overrides });
}

let iam: IamFake;
const record: string[] = [];
beforeAll(async () => {
  iam = await startIamFake(Object.values(PRINCIPALS).filter((arn) => !arn.includes(PARTNER_ACCOUNT)));
  process.env[IAM_ENDPOINT_ENV] = iam.endpoint;
  await eksFake().seedCluster({ name: kubeHarness().clusterName, authenticationMode: 'CONFIG_MAP', nodegroups: [{ nodegroupName: 'managed-ng', nodeRole: PRINCIPALS.managedNodeGroup }] });
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { ...REALISTIC_AWS_AUTH } });
  await applyRealisticRbac(cluster.admin());
});
afterAll(async () => {
  delete process.env[IAM_ENDPOINT_ENV];
  await iam.close();
  mkdirSync(RECORD_DIR, { recursive: true });
  writeFileSync(join(RECORD_DIR, 'record.md'), record.join('\n'));
});

function expectSameAccess(before: Record<string, AccessProfile>, after: Record<string, AccessProfile>): void {
  for (const who of EVERYONE) {
    expect({ who, problems: sameAccess(before[who], after[who]) }).toEqual({ who, problems: [] });
  }
}

async function entries() {
  return (await eksFake().state()).clusters.find((c) => c.name === kubeHarness().clusterName)!;
}

async function awsAuthArns(): Promise<string[]> {
  const cm = loadAwsAuth((await cluster.admin().get(AWS_AUTH_REF)) as object);
  return [...cm.mapRoles.map((r) => r.rolearn ?? ''), ...cm.mapUsers.map((u) => u.userarn ?? ''), ...cm.mapAccounts];
}

let before: Record<string, AccessProfile>;

test('Create: migrates aws-auth to access entries owned by this configuration, on the way to API_AND_CONFIG_MAP', async () => {
  before = await accessProfiles(EVERYONE);
  record.push(profileTable('Before: CONFIG_MAP, aws-auth only', before));
  const run = await invoke('Create', desired({ targetAuthenticationMode: 'API_AND_CONFIG_MAP' }));
  expect(run.error).toBeUndefined();
  expect(run.response!.Data).toMatchObject({ AuthenticationMode: 'API_AND_CONFIG_MAP', Mechanism: 'ACCESS_ENTRIES' });
  record.push(`Migration attribute after Create: \`${run.response!.Data!.Migration}\``, '');
  expect(run.response!.Data!.Migration).toBe('aws-auth: 6 migrated, 2 covered, 0 managed by EKS, 3 blocked '
    + '(mapRoles[3] shadowed, mapRoles[8] service-linked-role, mapAccounts[0] account); 0 removed from aws-auth; mode API not allowed yet');
  const cl = await entries();
  const migrated = cl.accessEntries.filter((e) => e.tags[MIGRATED_FROM_KEY] === 'aws-auth');
  const expected = [PRINCIPALS.admin, PRINCIPALS.dev, PRINCIPALS.viewer, PRINCIPALS.sso, PRINCIPALS.partner, PRINCIPALS.ops];
  expect(migrated.map((e) => e.principalArn).sort()).toEqual(expected.sort());
  expect(migrated.every((e) => e.tags[OWNER_KEY] === 'stack-a.access')).toBe(true);
  // The declared node role and the managed node group (EKS's own entry) are not migrated again.
  expect(cl.accessEntries.find((e) => e.principalArn === PRINCIPALS.node)!.tags).toEqual({ [OWNER_KEY]: 'stack-a.access' });
  expect(cl.accessEntries.find((e) => e.principalArn === PRINCIPALS.managedNodeGroup)!.tags).toEqual({});
  const after = await accessProfiles(EVERYONE);
  record.push(profileTable('After Create (API_AND_CONFIG_MAP)', after));
  expectSameAccess(before, after);
  expect(await awsAuthArns()).toHaveLength(11);
});

test('Update to API is refused while the plan blocks it, before the mode changes', async () => {
  const run = await invoke('Update', desired({ targetAuthenticationMode: 'API' }), desired({ targetAuthenticationMode: 'API_AND_CONFIG_MAP' }));
  expect(run.error?.message).toMatch(/^LockoutError: refusing the change, which was not written: moving the cluster to authentication mode API, which ignores aws-auth, while the migration from aws-auth is blocked: mapRoles\[3\]/);
  expect(run.error?.message).toContain(`These would lose access: arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers, ${PARTNER_ACCOUNT}.`);
  expect(run.eksWrites).toEqual([]);
  expect(run.kubeWrites).toEqual([]);
  expect((await entries()).authenticationMode).toBe('API_AND_CONFIG_MAP');
  expectSameAccess(before, await accessProfiles(EVERYONE));
});

test('once the blocked entries are fixed, Update reaches API and prunes the migrated entries; a later Update keeps them', async () => {
  const cm = loadAwsAuth((await cluster.admin().get(AWS_AUTH_REF)) as object);
  const fixed = {
    mapRoles: REALISTIC_AWS_AUTH.mapRoles.split(/\n(?=- )/).filter((e) => !/role\/(Viewer|AWSServiceRoleForAmazonEMRContainers)\n/.test(e)).join('\n'),
    mapUsers: REALISTIC_AWS_AUTH.mapUsers,
  };
  expect(cm.mapRoles).toHaveLength(9);
  await cluster.admin().replace({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: fixed } as never);
  expect(await awsAuthArns()).toHaveLength(8);

  const run = await invoke('Update', desired({ targetAuthenticationMode: 'API', pruneMigratedAwsAuthEntries: true }), desired({ targetAuthenticationMode: 'API_AND_CONFIG_MAP' }));
  expect(run.error).toBeUndefined();
  expect(run.response!.Data).toMatchObject({ AuthenticationMode: 'API' });
  record.push(`Migration attribute after the Update to API: \`${run.response!.Data!.Migration}\``, '');
  expect(run.response!.Data!.Migration).toMatch(/^aws-auth: 0 migrated, 8 covered, 0 managed by EKS, 0 blocked; 6 removed from aws-auth; mode API allowed$/);
  // Only the migrated (and verified) entries left aws-auth: the declared node role and the managed node group stayed.
  expect(await awsAuthArns()).toEqual([PRINCIPALS.node, PRINCIPALS.managedNodeGroup]);
  const after = await accessProfiles(EVERYONE);
  record.push(profileTable('After the Update to API with pruning', after));
  expectSameAccess(before, after);

  // aws-auth no longer holds the migrated principals: the entries stay desired all the same.
  const again = await invoke('Update', desired({ targetAuthenticationMode: 'API', pruneMigratedAwsAuthEntries: true }), desired({ targetAuthenticationMode: 'API' }));
  expect(again.error).toBeUndefined();
  expect(again.eksWrites).toEqual([]);
  expectSameAccess(before, await accessProfiles(EVERYONE));
});

test('Delete removes exactly what this configuration owns: the migrated and declared entries, not EKS\'s', async () => {
  const run = await invoke('Delete', desired({ targetAuthenticationMode: 'API', pruneMigratedAwsAuthEntries: true }));
  expect(run.error).toBeUndefined();
  const left = (await entries()).accessEntries.map((e) => e.principalArn);
  expect(left).toContain(PRINCIPALS.managedNodeGroup);
  for (const gone of [PRINCIPALS.node, PRINCIPALS.admin, PRINCIPALS.dev, PRINCIPALS.viewer, PRINCIPALS.sso, PRINCIPALS.partner, PRINCIPALS.ops]) {
    expect(left).not.toContain(gone);
  }
});
