/**
 * `eks-access migrate apply` on the real kube-apiserver (EKS authentication emulated) with the EKS
 * and IAM fakes: a CONFIG_MAP cluster with a realistic aws-auth moves to API_AND_CONFIG_MAP (a
 * failure half-way, then a re-run that continues), is refused the step to API while entries are
 * blocked, and reaches API once they are fixed. After each step every migrated identity, with its
 * own token, is allowed exactly what it was before, and the nodes still authenticate.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { LIVE_FLAGS, storeFromFlags } from '../../lib/cli/stores';
import { loadAwsAuth } from '../../lib/core/aws-auth';
import { EKS_ENDPOINT_ENV, IAM_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { IamFake, startIamFake } from '../support/iam-fake';
import { eksFake, freshCredentialsOf, kubeHarness } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';
import { AccessProfile, accessProfiles, profileTable, sameAccess } from '../support/migration/access-checks';
import { applyRealisticRbac } from '../support/migration/rbac';
import { PARTNER_ACCOUNT, PRINCIPALS, REALISTIC_AWS_AUTH } from '../support/migration/realistic-aws-auth';

jest.setTimeout(300_000);
const cluster = useSharedCluster();

/** The test principals of the scenario (each has credentials, so a token of its own). */
const MIGRATED = ['node', 'admin', 'dev', 'viewer', 'sso-admin', 'ops', 'outsider'];
const EKS_MANAGED = ['ng-node'];
const EVERYONE = [...MIGRATED, ...EKS_MANAGED];
/** Where the run's plan and access tables are written, for review. */
const RECORD_DIR = join(__dirname, '..', '.tmp', 'migrate-live');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `eks-access <argv>` in-process, as the admin principal with fresh credentials; `migrate apply` runs are recorded. */
async function cli(argv: string[]): Promise<Run> {
  const r = await runCli(argv);
  if (argv[0] === 'migrate' && argv[1] === 'apply') {
    record.push(`### $ eks-access ${argv.filter((a) => !on().includes(a)).join(' ')} (exit ${r.code})`, '', '```', r.stdout.replace(/^[\s\S]*?\nSteps:/, 'Steps:').trimEnd(), ...(r.stderr ? ['--- standard error', r.stderr.trimEnd()] : []), '```', '');
  }
  return r;
}

async function runCli(argv: string[], answer?: string): Promise<Run> {
  const c = freshCredentialsOf('admin');
  process.env.AWS_ACCESS_KEY_ID = c.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = c.sessionToken;
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    readStdin: async () => '',
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    ...(answer !== undefined ? { prompt: async (question: string) => { stdout += question; return answer; } } : {}),
  };
  const code = await main(argv, io, { openStore: storeFromFlags(), extraFlags: LIVE_FLAGS });
  return { code, stdout, stderr };
}

const on = () => ['--cluster', kubeHarness().clusterName, '--region', kubeHarness().region];

const saved = { ...process.env };
let home: string;
let iam: IamFake;
const record: string[] = [];
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eks-access-migrate-'));
  iam = await startIamFake(Object.values(PRINCIPALS).filter((arn) => !arn.includes(PARTNER_ACCOUNT)));
  process.env[EKS_ENDPOINT_ENV] = kubeHarness().eksEndpoint;
  process.env[IAM_ENDPOINT_ENV] = iam.endpoint;
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  delete process.env.AWS_PROFILE;
  await eksFake().seedCluster({
    name: kubeHarness().clusterName,
    authenticationMode: 'CONFIG_MAP',
    nodegroups: [{ nodegroupName: 'managed-ng', nodeRole: PRINCIPALS.managedNodeGroup }],
  });
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { ...REALISTIC_AWS_AUTH } });
  await applyRealisticRbac(cluster.admin());
});
afterAll(async () => {
  for (const key of Object.keys(process.env)) {
    if (!(key in saved)) delete process.env[key];
  }
  Object.assign(process.env, saved);
  await iam.close();
  rmSync(home, { recursive: true, force: true });
  mkdirSync(RECORD_DIR, { recursive: true });
  writeFileSync(join(RECORD_DIR, 'record.md'), record.join('\n'));
});

/** Every migrated identity has exactly the access it had before; the nodes still authenticate as nodes. */
function expectSameAccess(before: Record<string, AccessProfile>, after: Record<string, AccessProfile>): void {
  for (const who of EVERYONE) {
    expect({ who, problems: sameAccess(before[who], after[who]) }).toEqual({ who, problems: [] });
  }
  for (const node of ['node', 'ng-node']) {
    expect(after[node]).toMatchObject({ authenticated: true, username: expect.stringMatching(/^system:node:ip-10-0-\d+-\d+\.us-west-2\.compute\.internal$/), groups: expect.arrayContaining(['system:nodes']) });
  }
}

async function mode(): Promise<string> {
  return (await eksFake().state()).clusters.find((c) => c.name === kubeHarness().clusterName)!.authenticationMode;
}

async function awsAuthSources(): Promise<string[]> {
  const cm = loadAwsAuth((await cluster.admin().get(AWS_AUTH_REF)) as object);
  return [...cm.mapRoles.map((r) => r.rolearn ?? ''), ...cm.mapUsers.map((u) => u.userarn ?? ''), ...cm.mapAccounts];
}

let before: Record<string, AccessProfile>;

test('before: every identity reaches the cluster through aws-auth, with the access its groups and username give', async () => {
  before = await accessProfiles(EVERYONE);
  record.push('## Access checks', '', profileTable('Before: CONFIG_MAP, aws-auth only', before));
  expect(before.admin).toMatchObject({ authenticated: true, username: 'admin:admin-session', groups: ['platform-admins', 'system:masters'] });
  expect((before.admin as { allowed: string[] }).allowed).toHaveLength(10);
  expect(before.dev).toMatchObject({ username: 'dev:alice-example.com', allowed: ['get pods -n dev', 'create configmaps -n dev', 'get secrets -n dev'] });
  expect(before.viewer).toMatchObject({ username: 'viewer:bob', groups: ['viewers'], allowed: ['get pods -n dev', 'list pods -A', 'get configmaps -n partner'] });
  expect(before.ops).toMatchObject({ username: 'olga', allowed: ['get secrets -n kube-system', 'list namespaces'] });
  expect(before.outsider).toMatchObject({ username: 'partner:mallory', allowed: ['get configmaps -n partner'] });
  expect(before.node).toMatchObject({ username: 'system:node:ip-10-0-1-23.us-west-2.compute.internal', groups: ['system:bootstrappers', 'system:nodes'], allowed: ['list nodes'] });
  expect((before['sso-admin'] as { allowed: string[] }).allowed).toHaveLength(10);
});

test('plan: the verdicts of the realistic aws-auth, read from the cluster, IAM and EKS', async () => {
  const r = await cli(['migrate', 'plan', ...on()]);
  record.unshift('## migrate plan (the cluster in CONFIG_MAP)', '', '```', r.stdout.trimEnd(), '```', '');
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const json = JSON.parse((await cli(['migrate', 'plan', ...on(), '-o', 'json'])).stdout);
  expect(json.items.map((i: { source: string; verdict: string; rule: string }) => `${i.source} ${i.verdict} ${i.rule}`)).toEqual([
    'mapRoles[0] migrate node-linux',
    'mapRoles[1] skip eks-managed-node-group',
    'mapRoles[2] migrate cluster-admin',
    'mapRoles[3] blocked shadowed',
    'mapRoles[4] migrate standard',
    'mapRoles[5] migrate standard',
    'mapRoles[6] migrate cluster-admin',
    'mapRoles[7] migrate standard',
    'mapRoles[8] blocked service-linked-role',
    'mapUsers[0] migrate standard',
    'mapAccounts[0] blocked account',
  ]);
  // Paths from IAM (GetRole): the admin's, the developer's, the IAM Identity Center role's.
  expect(json.entries.map((e: { principalArn: string }) => e.principalArn)).toEqual([
    PRINCIPALS.node, PRINCIPALS.admin, PRINCIPALS.dev, PRINCIPALS.viewer, PRINCIPALS.sso, PRINCIPALS.partner, PRINCIPALS.ops,
  ]);
  expect(json.notes).toEqual([
    expect.stringMatching(/^IAM was not consulted for arn:aws:iam::444455556666:role\/outsider: it is taken to have no path/),
    expect.stringMatching(/^EKS creates the access entries of managed node groups and Fargate profiles when the mode moves to API_AND_CONFIG_MAP/),
  ]);
  expect(await mode()).toBe('CONFIG_MAP');
});

test('apply asks first: without a terminal it wants --yes, and "no" changes nothing', async () => {
  expect(await runCli(['migrate', 'apply', ...on()])).toMatchObject({ code: 2, stderr: expect.stringContaining('there is no terminal to ask on: give --yes') });
  const declined = await runCli(['migrate', 'apply', ...on()], 'n');
  expect(declined).toMatchObject({ code: 1, stderr: 'eks-access: nothing was changed\n' });
  expect(declined.stdout).toContain('Apply these steps to EKS cluster "integ-cluster"? [y/N] ');
  expect((await eksFake().calls({ write: true })).calls).toEqual([]);
  expect(await mode()).toBe('CONFIG_MAP');
});

test('apply to API_AND_CONFIG_MAP: a failure half-way leaves everyone their access; running it again continues', async () => {
  await eksFake().injectFault({ operation: 'CreateAccessEntry', errorName: 'AccessDeniedException', principalArn: PRINCIPALS.viewer, count: 1 });
  const failed = await cli(['migrate', 'apply', ...on(), '--yes']);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('+ UpdateClusterConfig integ-cluster: authentication mode CONFIG_MAP -> API_AND_CONFIG_MAP');
  expect(failed.stdout).toContain(`+ CreateAccessEntry EC2_LINUX ${PRINCIPALS.node}`);
  expect(failed.stderr).toMatch(/AccessDeniedException.*\(written before this failure: the authentication mode moved to API_AND_CONFIG_MAP; the access entry of arn:aws:iam::111122223333:role\/eks-node-role; .*run the command again to continue\)/);
  expect(await mode()).toBe('API_AND_CONFIG_MAP');
  const halfway = await accessProfiles(EVERYONE);
  record.push(profileTable('After a failed first run (API_AND_CONFIG_MAP; 3 of 7 entries created, aws-auth untouched)', halfway));
  expectSameAccess(before, halfway);

  // This time the answer to one create is lost (the entry is made, the caller sees a failure): its retry finds the entry and adopts it.
  await eksFake().injectFault({ operation: 'CreateAccessEntry', errorName: 'InternalFailure', afterApply: true, principalArn: PRINCIPALS.sso, count: 1 });
  const again = await cli(['migrate', 'apply', ...on(), '--yes']);
  expect(again).toMatchObject({ code: 0, stderr: '' });
  expect(again.stdout).toContain(`+ CreateAccessEntry STANDARD ${PRINCIPALS.sso}; username sso-admin:{{SessionName}}; AmazonEKSClusterAdminPolicy (cluster)\n  it existed already: adopted`);
  expect(again.stdout).not.toContain('UpdateClusterConfig');
  expect(again.stdout.match(/\+ CreateAccessEntry/g)).toHaveLength(4);
  for (const source of ['mapRoles[0]', 'mapRoles[2]', 'mapRoles[4]', 'mapRoles[5]', 'mapRoles[6]', 'mapRoles[7]', 'mapUsers[0]']) {
    expect(again.stdout).toContain(`  verified ${source} `);
  }
  expect(again.stdout).toContain('Done: EKS cluster "integ-cluster" is in authentication mode API_AND_CONFIG_MAP');
  const after = await accessProfiles(EVERYONE);
  record.push(profileTable('After apply (API_AND_CONFIG_MAP; migrated identities through access entries, aws-auth kept)', after));
  expectSameAccess(before, after);
  // The access entries decide now: the admin's system:masters became the cluster-admin policy.
  expect(after.admin).toMatchObject({ groups: ['platform-admins'] });
  expect(await awsAuthSources()).toHaveLength(11);

  expect((await cli(['migrate', 'apply', ...on(), '--yes'])).stdout).toContain('Nothing to do.');
});

test('apply --target-mode API is refused while entries are blocked; the cluster stays as it was', async () => {
  const writesBefore = (await eksFake().calls({ write: true })).calls.length;
  const r = await cli(['migrate', 'apply', ...on(), '--target-mode', 'API', '--yes']);
  expect(r.code).toBe(1);
  expect((await eksFake().calls({ write: true })).calls.length).toBe(writesBefore);
  expect(r.stderr).toContain('stopped before authentication mode API (the cluster stays in API_AND_CONFIG_MAP, where aws-auth still works)');
  expect(r.stderr).toContain('mapRoles[3] (arn:aws:iam::111122223333:role/Viewer) is blocked');
  expect(r.stderr).toContain('mapRoles[8] (arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers) is blocked');
  expect(r.stderr).toContain(`mapAccounts[0] (${PARTNER_ACCOUNT}) is blocked`);
  expect(r.stderr).toContain(`These would lose access: arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers, ${PARTNER_ACCOUNT}`);
  expect(await mode()).toBe('API_AND_CONFIG_MAP');
  const refused = await accessProfiles(EVERYONE);
  record.push(profileTable('After the refused step to API (unchanged)', refused));
  expectSameAccess(before, refused);
});

test('once the blocked entries are fixed, apply removes the migrated entries from aws-auth and moves the cluster to API', async () => {
  // The fixes the plan names: drop the shadowed entry, let EMR manage its own access, map the partner's principals one by one.
  for (const args of [['--arn', 'arn:aws:iam::111122223333:role/Viewer'], ['--arn', 'arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers'], ['--account', PARTNER_ACCOUNT]]) {
    expect((await cli(['mapping', 'delete', ...on(), ...args])).code).toBe(0);
  }
  const r = await cli(['migrate', 'apply', ...on(), '--target-mode', 'API', '--remove-migrated', '--yes']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toContain('+ UpdateClusterConfig integ-cluster: authentication mode API_AND_CONFIG_MAP -> API');
  expect(r.stdout.match(/^- aws-auth /gm)).toHaveLength(7);
  expect(r.stdout).toContain('Done: EKS cluster "integ-cluster" is in authentication mode API');
  expect(await mode()).toBe('API');
  // Only the managed node group's entry stays: EKS manages it.
  expect(await awsAuthSources()).toEqual([PRINCIPALS.managedNodeGroup]);
  const after = await accessProfiles(EVERYONE);
  record.push(profileTable('After apply --target-mode API --remove-migrated (API: access entries only; aws-auth keeps only the managed node group\'s entry)', after));
  expectSameAccess(before, after);
});
