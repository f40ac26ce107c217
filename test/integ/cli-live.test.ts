/**
 * `eks-access --cluster`: the CLI's live mode against the real kube-apiserver (with the emulated
 * EKS authenticator) and the EKS fake, in-process through `main` and as the real `bin/eks-access`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../lib/cli/io';
import { LiveSession, liveStore } from '../../lib/cli/live-store';
import { main } from '../../lib/cli/main';
import { LIVE_FLAGS, storeFromFlags } from '../../lib/cli/stores';
import { loadAwsAuth, parseAwsAuth } from '../../lib/core/aws-auth';
import { EKS_ENDPOINT_ENV, STS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubeObject } from '../../lib/io/kube/client';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { openCluster, OpenClusterOptions } from '../../lib/io/kubernetes-connection';
import { accessPolicyArn } from '../support/eks-fake/access-policies';
import { eksFake, freshCredentialsOf, kubeHarness } from '../support/kube/env';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(120_000);
const cluster = useSharedCluster();

const ROOT = join(__dirname, '..', '..');
const ACCOUNT = '111122223333';
/** The `admin` test principal, as aws-auth names it (role path dropped). */
const ADMIN_AWS_AUTH = `arn:aws:iam::${ACCOUNT}:role/cluster-admin`;
const ADMIN_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/platform/cluster-admin`;
const DEV = `arn:aws:iam::${ACCOUNT}:role/dev`;
const NODE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;

/** Foreign entries as real clusters have them: node role, odd spellings, fields the authenticator ignores. */
const FOREIGN = {
  mapRoles: [
    `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}`,
    `- rolearn: ${ADMIN_AWS_AUTH}\n  username: admin\n  groups:\n  - system:masters`,
    `- RoleArn: arn:aws:iam::${ACCOUNT}:role/legacy-admin\n  Username: legacy\n  Groups: [system:masters]\n  note: kept by hand`,
  ].join('\n') + '\n',
  mapUsers: `- userarn: arn:aws:iam::${ACCOUNT}:user/ops/olga\n  username: olga\n  groups:\n  - ops\n`,
  mapAccounts: `- "${ACCOUNT}"\n`,
};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `eks-access <argv>` in-process, as the admin principal (fresh credentials: no cached token). */
async function cli(argv: string[], deps: Parameters<typeof storeFromFlags>[0] = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { readStdin: async () => '', stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
  const code = await main(argv, io, { openStore: storeFromFlags(deps), extraFlags: LIVE_FLAGS });
  return { code, stdout, stderr };
}

const on = () => ['--cluster', kubeHarness().clusterName, '--region', kubeHarness().region];

/** The credentials the in-process runs find in the environment. */
function useCredentialsOf(name: string): void {
  const c = freshCredentialsOf(name);
  process.env.AWS_ACCESS_KEY_ID = c.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = c.sessionToken;
}

const saved = { ...process.env };
let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'eks-access-live-'));
  process.env[EKS_ENDPOINT_ENV] = kubeHarness().eksEndpoint;
  // No shared config or profile of the machine may leak in.
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
});
afterAll(() => {
  for (const key of Object.keys(process.env)) {
    if (!(key in saved)) delete process.env[key];
  }
  Object.assign(process.env, saved);
  rmSync(home, { recursive: true, force: true });
});

/** A cluster where the admin principal has AmazonEKSClusterAdminPolicy through an access entry. */
async function seedCluster(authenticationMode: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API'): Promise<void> {
  await eksFake().seedCluster({
    name: kubeHarness().clusterName,
    authenticationMode,
    bootstrapClusterCreatorAdminPermissions: false,
    accessEntries: authenticationMode === 'CONFIG_MAP' ? [] : [{ principalArn: ADMIN_PRINCIPAL, accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] }],
  });
}

async function seedAwsAuth(data: Record<string, string>): Promise<void> {
  await cluster.admin().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system', labels: { team: 'platform' } }, data });
}

async function liveAwsAuth(): Promise<KubeObject | undefined> {
  return cluster.admin().get(AWS_AUTH_REF);
}

beforeEach(async () => {
  await resetCluster(cluster.admin());
  await eksFake().reset();
  useCredentialsOf('admin');
});

describe('a cluster without aws-auth', () => {
  test('get lists nothing, with a note naming the cluster', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    const r = await cli(['mapping', 'get', ...on(), '-o', 'json']);
    expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: `note: kube-system/aws-auth on EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region} does not exist: no aws-auth, so no mappings\n` });
    expect(await liveAwsAuth()).toBeUndefined();
  });

  test('create makes kube-system/aws-auth with the entry; get shows it; the region may come from AWS_REGION', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    const r = await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev:{{SessionName}}', '--group', 'devs,viewers']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: `created kube-system/aws-auth on EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region}\n` });
    const cm = (await liveAwsAuth())!;
    expect(cm.metadata).toMatchObject({ name: 'aws-auth', namespace: 'kube-system' });
    expect(cm.metadata!.resourceVersion).toMatch(/^\d+$/);
    expect(loadAwsAuth(cm as object).mapRoles).toEqual([{ rolearn: DEV, username: 'dev:{{SessionName}}', groups: ['devs', 'viewers'] }]);

    process.env.AWS_REGION = kubeHarness().region;
    try {
      const got = await cli(['mapping', 'get', '--cluster', kubeHarness().clusterName, '--arn', DEV, '-o', 'json']);
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toEqual([{ rolearn: DEV, username: 'dev:{{SessionName}}', groups: ['devs', 'viewers'] }]);
    } finally {
      delete process.env.AWS_REGION;
    }
  });
});

describe('editing an aws-auth full of foreign entries', () => {
  beforeEach(async () => {
    await seedCluster('CONFIG_MAP'); // the admin is mapped through aws-auth itself
    await seedAwsAuth(FOREIGN);
  });

  test('create appends; --no-duplicate-arns refuses with nothing written; an identical mapping writes nothing', async () => {
    expect((await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev', '--group', 'devs'])).code).toBe(0);
    const before = (await liveAwsAuth())!;

    const refused = await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'other', '--no-duplicate-arns']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^eks-access: .*arn:aws:iam::111122223333:role\/dev.*already mapped/);
    const identical = await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev', '--group', 'devs', '--no-duplicate-arns']);
    expect(identical.code).toBe(0);
    expect(identical.stderr).toContain('unchanged: nothing to write');
    expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(before.metadata!.resourceVersion);
  });

  test('delete removes the first mapping of an ARN; --all removes every one; foreign entries, fields and labels stay', async () => {
    const foreignBefore = loadAwsAuth((await liveAwsAuth()) as object);
    for (const username of ['first', 'second', 'third']) {
      expect((await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', username])).code).toBe(0);
    }
    const once = await cli(['mapping', 'delete', ...on(), '--arn', DEV]);
    expect(once.code).toBe(0);
    expect(once.stderr).toContain('warning: ');
    let now = loadAwsAuth((await liveAwsAuth()) as object);
    expect(now.mapRoles.filter((r) => r.rolearn === DEV).map((r) => r.username)).toEqual(['second', 'third']);

    expect((await cli(['mapping', 'delete', ...on(), '--arn', DEV, '--all'])).code).toBe(0);
    const cm = (await liveAwsAuth())!;
    now = loadAwsAuth(cm as object);
    expect(now.mapRoles).toEqual(foreignBefore.mapRoles);
    expect(now.mapUsers).toEqual(foreignBefore.mapUsers);
    expect(now.mapAccounts).toEqual(foreignBefore.mapAccounts);
    expect((cm.data as Record<string, string>).mapRoles).toMatch(/note: "?kept by hand/);
    expect(cm.metadata!.labels).toEqual({ team: 'platform' });

    const none = await cli(['mapping', 'delete', ...on(), '--arn', DEV]);
    expect(none).toMatchObject({ code: 1, stderr: `eks-access: no mapping for "${DEV}" in aws-auth\n` });
  });

  test('a writer that changes aws-auth between the read and the write loses nothing: the edit is redone on its version', async () => {
    let interfered = 0;
    const racingOpen = async (options: OpenClusterOptions): Promise<LiveSession> => {
      const session = await openCluster(options);
      const kube = session.kube;
      const racing = Object.create(kube) as typeof kube;
      racing.replace = async (path, body) => {
        if (interfered === 0) {
          interfered++;
          // Someone else adds a user mapping after the CLI read aws-auth and before it writes.
          const current = (await liveAwsAuth())!;
          const data = current.data as Record<string, string>;
          await cluster.admin().replace({ ...current, data: { ...data, mapUsers: `${data.mapUsers}- userarn: arn:aws:iam::${ACCOUNT}:user/racer\n  username: racer\n` } });
        }
        return kube.replace(path, body);
      };
      return { cluster: session.cluster, kube: racing, close: () => session.close() };
    };
    const r = await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev', '--verbose'], { openCluster: racingOpen });
    expect(r.code).toBe(0);
    expect(interfered).toBe(1);
    expect(r.stderr).toContain('409 Conflict');
    expect(r.stderr).toContain('in 2 rounds: another writer changed it meanwhile');
    const now = loadAwsAuth((await liveAwsAuth()) as object);
    expect(now.mapRoles.map((m) => m.rolearn)).toContain(DEV);
    expect(now.mapUsers.map((m) => m.userarn)).toEqual([`arn:aws:iam::${ACCOUNT}:user/ops/olga`, `arn:aws:iam::${ACCOUNT}:user/racer`]);
  });

  test('a writer that never stops changing aws-auth: the command gives up at its time limit with nothing of its own written', async () => {
    let races = 0;
    const alwaysRacing = async (options: OpenClusterOptions): Promise<LiveSession> => {
      const session = await openCluster(options);
      const kube = session.kube;
      const racing = Object.create(kube) as typeof kube;
      racing.replace = async (path, body) => {
        const current = (await liveAwsAuth())!;
        const data = current.data as Record<string, string>;
        races++;
        await cluster.admin().replace({ ...current, data: { ...data, mapAccounts: `${data.mapAccounts}- "${String(races).padStart(12, '0')}"\n` } });
        return kube.replace(path, body);
      };
      return { cluster: session.cluster, kube: racing, close: () => session.close() };
    };
    const io: CliIo = { readStdin: async () => '', stdout: () => undefined, stderr: () => undefined };
    const options = { clusterName: kubeHarness().clusterName, region: kubeHarness().region, timeoutMs: 2_000 };
    const store = liveStore(options, io, { openCluster: alwaysRacing });
    const started = Date.now();
    try {
      const mark = (text: string | undefined) => {
        const cm = JSON.parse(text!);
        return JSON.stringify({ ...cm, data: { ...cm.data, 'written-by': 'cli' } });
      };
      await expect(store.update!(mark)).rejects.toThrow(
        `kube-system/aws-auth on EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region} kept changing under other writers until the time limit (2 s): gave up with nothing written; run the command again`);
    } finally {
      await store.close!();
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(races).toBeGreaterThan(1);
    const now = (await liveAwsAuth())!;
    expect(loadAwsAuth(now as object).mapAccounts).toHaveLength(1 + races);
    expect(now.data).not.toHaveProperty('written-by');
  });

  test('a plain save is conditional: it writes the version it was loaded from, and a stale one is refused (409)', async () => {
    const io: CliIo = { readStdin: async () => '', stdout: () => undefined, stderr: () => undefined };
    const store = storeFromFlags()({ cluster: kubeHarness().clusterName, region: kubeHarness().region }, io);
    try {
      const text = (await store.load())!;
      const edited = JSON.stringify({ ...JSON.parse(text), data: { ...JSON.parse(text).data, mapAccounts: '- "444455556666"\n' } });
      await store.save(edited);
      expect(loadAwsAuth((await liveAwsAuth()) as object).mapAccounts).toEqual(['444455556666']);
      await expect(store.save(edited)).rejects.toThrow(/could not write kube-system\/aws-auth on EKS cluster .*409 Conflict/);
    } finally {
      await store.close!();
    }
  });

  test('six concurrent creates all land', async () => {
    const arns = [1, 2, 3, 4, 5, 6].map((i) => `arn:aws:iam::${ACCOUNT}:role/team-${i}`);
    const runs = await Promise.all(arns.map((arn) => cli(['mapping', 'create', ...on(), '--arn', arn, '--username', 'u', '--group', 'g'])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    const now = loadAwsAuth((await liveAwsAuth()) as object);
    expect(now.mapRoles.map((m) => m.rolearn)).toEqual(expect.arrayContaining([NODE, ADMIN_AWS_AUTH, ...arns]));
    expect(now.mapRoles).toHaveLength(3 + arns.length);
  });

  test('lint reads the live ConfigMap', async () => {
    const r = await cli(['lint', ...on()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning'); // unknown field "note"
    expect(parseAwsAuth((await liveAwsAuth()) as object).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  test('an emr-containers mapping also applies its Role and RoleBinding to the cluster', async () => {
    await cluster.admin().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'jobs' } });
    const r = await cli(['mapping', 'create', ...on(), '--service-name', 'emr-containers', '--namespace', 'jobs']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('applied the service\'s RBAC: Role jobs/emr-containers, RoleBinding jobs/emr-containers');
    expect(await cluster.admin().get({ kind: 'Role', namespace: 'jobs', name: 'emr-containers' })).toBeDefined();
    expect(await cluster.admin().get({ kind: 'RoleBinding', namespace: 'jobs', name: 'emr-containers' })).toBeDefined();
    expect(loadAwsAuth((await liveAwsAuth()) as object).mapRoles.map((m) => m.rolearn)).toContain(`arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonEMRContainers`);
  });
});

describe('--role-arn', () => {
  /** A stand-in for STS AssumeRole (query protocol) that hands out the admin principal's credentials. */
  async function fakeSts() {
    const requests: { form: URLSearchParams; authorization: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests.push({ form: new URLSearchParams(body), authorization: String(req.headers.authorization) });
        const c = freshCredentialsOf('admin');
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey><SessionToken>${c.sessionToken}</SessionToken>
<Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/cluster-admin/eks-access-cli</Arn><AssumedRoleId>AROAEXAMPLE:eks-access-cli</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { requests, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  test('the Kubernetes API is reached as the assumed role, assumed with the caller\'s own credentials', async () => {
    await seedCluster('CONFIG_MAP');
    await seedAwsAuth(FOREIGN);
    const sts = await fakeSts();
    process.env[STS_ENDPOINT_ENV] = sts.endpoint;
    try {
      useCredentialsOf('viewer'); // known through mapAccounts, but may not touch aws-auth
      expect((await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev'])).stderr).toContain('403 Forbidden');
      const viewerKey = process.env.AWS_ACCESS_KEY_ID!;
      const r = await cli(['mapping', 'create', ...on(), '--arn', DEV, '--username', 'dev', '--role-arn', ADMIN_PRINCIPAL]);
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(loadAwsAuth((await liveAwsAuth()) as object).mapRoles.map((m) => m.rolearn)).toContain(DEV);
      expect(sts.requests).toHaveLength(1);
      expect(Object.fromEntries(sts.requests[0].form)).toMatchObject({ Action: 'AssumeRole', RoleArn: ADMIN_PRINCIPAL, RoleSessionName: 'eks-access-cli' });
      expect(sts.requests[0].authorization).toContain(`Credential=${viewerKey}/`);
    } finally {
      delete process.env[STS_ENDPOINT_ENV];
      await sts.close();
    }
  });
});

describe('refusals and errors name the cluster', () => {
  test('API mode: writes are refused with nothing written, reads warn that EKS ignores aws-auth', async () => {
    await seedCluster('API');
    await seedAwsAuth(FOREIGN);
    const before = (await liveAwsAuth())!.metadata!.resourceVersion;
    for (const argv of [['create', '--arn', DEV], ['delete', '--account', ACCOUNT]]) {
      const r = await cli(['mapping', argv[0], ...on(), ...argv.slice(1)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region} uses authentication mode API`);
      expect(r.stderr).toContain('access entry');
      expect(r.stderr).toContain('nothing was written');
    }
    expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(before);
    const got = await cli(['mapping', 'get', ...on()]);
    expect(got.code).toBe(0);
    expect(got.stderr).toContain('uses authentication mode API: EKS ignores aws-auth there');
    expect(got.stdout).toContain(NODE);
  });

  test('an aws-auth the authenticator cannot read cleanly is not rewritten', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    await seedAwsAuth({ mapRoles: `- rolearn: ${NODE}\n  groups: [system:nodes\n` });
    const before = (await liveAwsAuth())!.metadata!.resourceVersion;
    const r = await cli(['mapping', 'create', ...on(), '--arn', DEV]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^eks-access: cannot read kube-system/aws-auth on EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region}:\nerror: mapRoles: the whole section is ignored by the authenticator: malformed YAML`));
    expect((await liveAwsAuth())!.metadata!.resourceVersion).toBe(before);
  });

  test('an unknown cluster name is ResourceNotFoundException, naming cluster and region', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    const r = await cli(['mapping', 'get', '--cluster', 'no-such-cluster', '--region', 'eu-west-1']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'eks-access: EKS cluster "no-such-cluster" not found in eu-west-1 (ResourceNotFoundException): check --cluster and --region (or AWS_REGION), and that your credentials may call eks:DescribeCluster on it\n' });
  });

  test('an identity the cluster does not know is told so (401); one without rights is told what it lacks (403); nothing is written', async () => {
    await seedCluster('CONFIG_MAP');
    await seedAwsAuth(FOREIGN);
    const where = `EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region}`;
    useCredentialsOf('outsider'); // another account: not mapped at all
    const unknown = await cli(['mapping', 'create', ...on(), '--arn', DEV]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`eks-access: the Kubernetes API of ${where} did not accept your AWS identity (401 Unauthorized`);
    useCredentialsOf('viewer'); // authenticated through mapAccounts, but without RBAC rights
    const forbidden = await cli(['mapping', 'create', ...on(), '--arn', DEV]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain(`eks-access: your AWS identity may not write kube-system/aws-auth on ${where} (403 Forbidden: configmaps "aws-auth" is forbidden: User "arn:aws:iam::${ACCOUNT}:role/viewer" cannot get resource`);
    expect(forbidden.stderr).toContain('it needs write access to ConfigMaps in kube-system, e.g. through system:masters or AmazonEKSClusterAdminPolicy\n');
    expect(loadAwsAuth((await liveAwsAuth()) as object).mapRoles.map((m) => m.rolearn)).not.toContain(DEV);
  });

  test('no region anywhere is a usage error', async () => {
    const r = await cli(['mapping', 'get', '--cluster', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS region for EKS cluster "prod": give --region, or set AWS_REGION');
  });
});

describe('the bundled CLI, in a child process', () => {
  // A build of the shipped bundle with the test endpoint overrides live (they are compiled out of
  // assets/cli, which bin/eks-access loads; test/cli/bin.test.ts runs that one on files).
  const TEST_BUILD = join(ROOT, 'test', '.tmp', 'bundles');
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--test-endpoints', TEST_BUILD], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  /** Runs the CLI with only the environment given (plus PATH). */
  function bin(args: string[], env: Record<string, string | undefined>): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(TEST_BUILD, 'cli', 'eks-access.js'), ...args], { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  test('credentials and region from the environment: create, then get', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    const c = freshCredentialsOf('admin');
    const env = {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken,
      AWS_DEFAULT_REGION: kubeHarness().region,
      [EKS_ENDPOINT_ENV]: kubeHarness().eksEndpoint,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    };
    const created = await bin(['mapping', 'create', '--cluster', kubeHarness().clusterName, '--arn', DEV, '--username', 'dev', '--group', 'devs'], env);
    expect(created).toEqual({ code: 0, stdout: '', stderr: `created kube-system/aws-auth on EKS cluster "${kubeHarness().clusterName}" in ${kubeHarness().region}\n` });
    const got = await bin(['mapping', 'get', '--cluster', kubeHarness().clusterName, '-o', 'json'], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual([{ rolearn: DEV, username: 'dev', groups: ['devs'] }]);
  });

  test('three processes editing at once: every mapping lands', async () => {
    await seedCluster('API_AND_CONFIG_MAP');
    await seedAwsAuth(FOREIGN);
    const c = freshCredentialsOf('admin');
    const env = {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken,
      AWS_REGION: kubeHarness().region,
      [EKS_ENDPOINT_ENV]: kubeHarness().eksEndpoint,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    };
    const arns = ['a', 'b', 'c'].map((n) => `arn:aws:iam::${ACCOUNT}:role/racer-${n}`);
    const runs = await Promise.all(arns.map((arn) => bin(['mapping', 'create', '--cluster', kubeHarness().clusterName, '--arn', arn, '--username', 'racer'], env)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const now = loadAwsAuth((await liveAwsAuth()) as object);
    expect(now.mapRoles).toHaveLength(3 + arns.length);
    expect(now.mapRoles.slice(0, 2).map((m) => m.rolearn)).toEqual([NODE, ADMIN_AWS_AUTH]);
    expect(new Set(now.mapRoles.slice(3).map((m) => m.rolearn))).toEqual(new Set(arns));
    expect(now.mapUsers).toHaveLength(1);
  });

  test('--profile takes the credentials of a named profile, not the environment\'s', async () => {
    await seedCluster('CONFIG_MAP');
    await seedAwsAuth(FOREIGN);
    const admin = freshCredentialsOf('admin');
    const outsider = freshCredentialsOf('outsider');
    const credentialsFile = join(home, 'profile-credentials');
    writeFileSync(credentialsFile, `[platform]\naws_access_key_id = ${admin.accessKeyId}\naws_secret_access_key = ${admin.secretAccessKey}\naws_session_token = ${admin.sessionToken}\n`);
    const env = {
      AWS_ACCESS_KEY_ID: outsider.accessKeyId,
      AWS_SECRET_ACCESS_KEY: outsider.secretAccessKey,
      AWS_SESSION_TOKEN: outsider.sessionToken,
      [EKS_ENDPOINT_ENV]: kubeHarness().eksEndpoint,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    };
    const asOutsider = await bin(['mapping', 'delete', ...on(), '--account', ACCOUNT], env);
    expect(asOutsider.code).toBe(1);
    expect(asOutsider.stderr).toContain('401 Unauthorized');
    const asProfile = await bin(['mapping', 'delete', ...on(), '--account', ACCOUNT, '--profile', 'platform'], env);
    expect(asProfile).toMatchObject({ code: 0, stdout: '' });
    expect(loadAwsAuth((await liveAwsAuth()) as object).mapAccounts).toEqual([]);
  });
});
