/**
 * `eks-access explain --cluster` agrees with the real API server: for callers let in by an access
 * entry (which wins over an aws-auth mapping of the same role), by aws-auth with a shadowing
 * duplicate in another letter case, by the account fallback, and one not mapped at all, its
 * verdict, username and groups are what the server makes of their EKS tokens (SelfSubjectReview),
 * and every `--can` answer is what the server answers them (SelfSubjectAccessReview, with their
 * own tokens, through RBAC and the emulated EKS access-policy authorizer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { EKS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubeObject } from '../../lib/io/kube/client';
import { accessPolicyArn } from '../support/eks-fake/access-policies';
import { clientAs, eksFake, freshCredentialsOf, kubeHarness, testPrincipal } from '../support/kube/env';
import { callerIdentityOf } from '../support/kube/principals';
import { resetCluster } from '../support/kube/reset';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(180_000);
const cluster = useSharedCluster();
const ACCOUNT = '111122223333';
const RBAC = 'rbac.authorization.k8s.io/v1';

/** The questions asked of every caller, by namespace (`''`: cluster-wide). */
const QUESTIONS: Record<string, string[]> = {
  'dev': ['get pods', 'list pods', 'create pods', 'get configmaps', 'get secrets', 'create deployments.apps', 'delete rolebindings.rbac.authorization.k8s.io'],
  'prod': ['list pods', 'get configmaps'],
  '': ['list namespaces', 'delete clusterroles.rbac.authorization.k8s.io', 'list pods'],
};

/** The callers: how each is let in on this cluster. */
const CALLERS = ['admin', 'viewer', 'dev', 'ops', 'outsider'];

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { readStdin: async () => '', stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const saved = { ...process.env };
let home: string;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eks-access-explain-'));
  process.env[EKS_ENDPOINT_ENV] = kubeHarness().eksEndpoint;
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  delete process.env.AWS_PROFILE;
  const c = freshCredentialsOf('admin'); // the CLI reads as the cluster admin
  process.env.AWS_ACCESS_KEY_ID = c.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = c.sessionToken;
  await resetCluster(cluster.admin());
  await eksFake().reset();
  await seed();
});
afterAll(() => {
  for (const key of Object.keys(process.env)) {
    if (!(key in saved)) delete process.env[key];
  }
  Object.assign(process.env, saved);
  rmSync(home, { recursive: true, force: true });
});

async function seed(): Promise<void> {
  await eksFake().seedCluster({
    name: kubeHarness().clusterName,
    authenticationMode: 'API_AND_CONFIG_MAP',
    bootstrapClusterCreatorAdminPermissions: false,
    accessEntries: [
      { principalArn: testPrincipal('admin').principalArn, accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] },
      { principalArn: testPrincipal('viewer').principalArn, kubernetesGroups: ['team:view'], accessPolicies: [{ policyArn: accessPolicyArn('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['dev'] } }] },
    ],
  });
  const admin = cluster.admin();
  for (const ns of ['dev', 'prod']) {
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  await admin.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system' },
    data: {
      mapRoles: [
        // The viewer's aws-auth mapping would make it a cluster admin, but its access entry wins.
        `- rolearn: arn:aws:iam::${ACCOUNT}:role/viewer\n  username: viewer-from-aws-auth\n  groups: [system:masters]`,
        // Shadowed by the next entry, the same ARN in another letter case.
        `- rolearn: arn:aws:iam::${ACCOUNT}:role/developer\n  username: dev:{{SessionName}}\n  groups: [developers]`,
        `- rolearn: arn:aws:iam::${ACCOUNT}:role/DEVELOPER\n  username: dev2:{{SessionName}}\n  groups: [dev-readers]`,
      ].join('\n') + '\n',
      mapAccounts: `- "${ACCOUNT}"\n`,
    },
  } as KubeObject);
  const role = (name: string, rules: object[]) => ({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: 'dev' }, rules });
  const binding = (name: string, roleName: string, subject: object) => ({
    apiVersion: RBAC, kind: 'RoleBinding', metadata: { name, namespace: 'dev' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: [subject],
  });
  for (const o of [
    role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]),
    role('pod-writer', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]),
    role('cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
    binding('readers', 'pod-reader', { kind: 'Group', name: 'dev-readers', apiGroup: 'rbac.authorization.k8s.io' }),
    binding('writers', 'pod-writer', { kind: 'Group', name: 'developers', apiGroup: 'rbac.authorization.k8s.io' }),
    binding('ops', 'cm-reader', { kind: 'User', name: `arn:aws:iam::${ACCOUNT}:user/ops/olga`, apiGroup: 'rbac.authorization.k8s.io' }),
  ]) {
    await admin.create(o as KubeObject);
  }
  // New bindings take effect after the API server's informers caught up.
  await eventually(async () => expect(await serverAnswer('ops', 'dev', 'get configmaps')).toBe(true));
}

async function eventually(fn: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** What the server answers the caller's own SelfSubjectAccessReview (false when it cannot authenticate). */
async function serverAnswer(name: string, namespace: string, question: string): Promise<boolean> {
  const [verb, typed] = question.split(' ');
  const [resource, ...group] = typed.split('.');
  const client = clientAs(name, { maxAttempts: 1 });
  try {
    const review = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, resource, group: group.join('.'), ...(namespace ? { namespace } : {}) } } },
    });
    return review.status?.allowed === true;
  } catch (e) {
    if ((e as { status?: number }).status === 401) {
      return false;
    }
    throw e;
  } finally {
    client.close();
  }
}

/** Who the server says the caller is, or undefined when it refuses the token. */
async function serverIdentity(name: string): Promise<{ username: string; groups: string[] } | undefined> {
  const client = clientAs(name, { maxAttempts: 1 });
  try {
    const me = await client.whoAmI();
    return { username: me.username, groups: me.groups.filter((g) => g !== 'system:authenticated').sort() };
  } catch (e) {
    if ((e as { status?: number }).status === 401) {
      return undefined;
    }
    throw e;
  } finally {
    client.close();
  }
}

interface ExplainJson {
  verdict: string;
  identity?: { username: string; groups: string[]; mechanism: string; source: string };
  steps: Array<{ step: string; outcome: string; details: string[] }>;
  can?: Array<{ question: string; allowed: boolean; reason: string }>;
}

async function explain(name: string, namespace: string): Promise<ExplainJson> {
  const arn = callerIdentityOf(testPrincipal(name)).arn;
  const can = QUESTIONS[namespace].flatMap((q) => ['--can', q]);
  const r = await cli(['explain', '--arn', arn, '--cluster', kubeHarness().clusterName, '--region', kubeHarness().region, '-o', 'json', ...can, ...(namespace ? ['-n', namespace] : [])]);
  expect(r.stderr).toBe('');
  expect([0, 3]).toContain(r.code);
  return JSON.parse(r.stdout) as ExplainJson;
}

describe.each(CALLERS)('caller %s', (name) => {
  test('the verdict, username and groups are what the server makes of its token', async () => {
    const e = await explain(name, '');
    const server = await serverIdentity(name);
    if (server === undefined) {
      expect(e.verdict).toBe('cannot-authenticate');
    } else {
      expect(e.verdict).not.toBe('cannot-authenticate');
      expect({ username: e.identity!.username, groups: [...e.identity!.groups].sort() }).toEqual(server);
    }
  });

  test.each(Object.keys(QUESTIONS))('every --can answer in namespace "%s" is the server\'s', async (namespace) => {
    const e = await explain(name, namespace);
    const answers = Object.fromEntries(e.can!.map((a, i) => [QUESTIONS[namespace][i], a.allowed]));
    const server: Record<string, boolean> = {};
    for (const q of QUESTIONS[namespace]) {
      server[q] = await serverAnswer(name, namespace, q);
    }
    expect(answers).toEqual(server);
  });
});

describe('what explain says about each path', () => {
  test('an access entry wins over the aws-auth mapping of the same role', async () => {
    const e = await explain('viewer', 'dev');
    expect(e.identity).toMatchObject({ mechanism: 'access-entry', username: `arn:aws:sts::${ACCOUNT}:assumed-role/viewer/bob`, groups: ['team:view'] });
    expect(e.steps.find((s) => s.step === 'access entry')!.details.join('\n')).toMatch(/aws-auth also maps it \(mapRoles\[0\] \(line 1 of mapRoles\)\), but EKS uses the access entry/);
    expect(e.can!.find((a) => a.question === 'get pods -n dev')).toMatchObject({ allowed: true, reason: 'access policy AmazonEKSViewPolicy (namespace dev)' });
  });

  test('the shadowed aws-auth entry is named with its line, the winner renders {{SessionName}} without "@"', async () => {
    const e = await explain('dev', 'dev');
    const step = e.steps.find((s) => s.step === 'aws-auth')!;
    expect(step.outcome).toBe(`mapRoles[2] (line 7 of mapRoles) matches arn:aws:iam::${ACCOUNT}:role/developer`);
    expect(step.details).toContain('mapRoles[1] (line 4 of mapRoles) also matches but is shadowed: the authenticator keeps the last entry for an ARN, mapRoles[2] (line 7 of mapRoles)');
    expect(e.identity).toMatchObject({ username: 'dev2:alice-example.com', groups: ['dev-readers'] });
    expect(e.can!.find((a) => a.question === 'create pods -n dev')).toMatchObject({ allowed: false });
  });

  test('the account fallback lets a user in as its ARN, without groups', async () => {
    const e = await explain('ops', 'dev');
    expect(e.identity).toMatchObject({ mechanism: 'aws-auth-account', username: `arn:aws:iam::${ACCOUNT}:user/ops/olga`, groups: [] });
    expect(e.can!.find((a) => a.question === 'get configmaps -n dev')).toMatchObject({ allowed: true, reason: `RoleBinding dev/ops → Role cm-reader (namespace dev) through User arn:aws:iam::${ACCOUNT}:user/ops/olga` });
  });

  test('a caller mapped nowhere cannot authenticate, and the exit code says no', async () => {
    const arn = callerIdentityOf(testPrincipal('outsider')).arn;
    const r = await cli(['explain', '--arn', arn, '--cluster', kubeHarness().clusterName, '--region', kubeHarness().region, '--can', 'get', 'pods', '-n', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('verdict: cannot authenticate: arn:aws:iam::444455556666:role/outsider is mapped neither by an access entry nor in aws-auth');
    expect(r.stdout).toContain('can get pods -n dev? no');
  });
});

describe('report on the live cluster', () => {
  test('one row per access entry and aws-auth entry, with statuses and problems', async () => {
    const r = await cli(['report', '--cluster', kubeHarness().clusterName, '--region', kubeHarness().region, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    type Row = { principal: string; mechanism: string; status: string; bindings: Array<{ role: string }> };
    const report = JSON.parse(r.stdout) as { rows: Row[]; problems: Array<{ kind: string; message: string }> };
    expect(report.rows.map((row) => `${row.principal} | ${row.mechanism} | ${row.status}`)).toEqual([
      `${testPrincipal('admin').principalArn} | access entry (STANDARD) | active`,
      `${testPrincipal('viewer').principalArn} | access entry (STANDARD) | active`,
      `arn:aws:iam::${ACCOUNT}:role/viewer | aws-auth mapRoles[0] (line 1 of mapRoles) | overridden`,
      `arn:aws:iam::${ACCOUNT}:role/developer | aws-auth mapRoles[1] (line 4 of mapRoles) | shadowed`,
      `arn:aws:iam::${ACCOUNT}:role/DEVELOPER | aws-auth mapRoles[2] (line 7 of mapRoles) | active`,
      `account ${ACCOUNT} | aws-auth mapAccounts[0] (line 1 of mapAccounts) | active`,
    ]);
    expect(report.rows[4].bindings.map((b) => b.role)).toEqual(['Role pod-reader']);
    expect(report.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['shadowed', 'ignored', 'unused-binding']));
    expect(report.problems.find((p) => p.kind === 'unused-binding')!.message).toBe('RoleBinding dev/writers binds Group developers, which no access entry or aws-auth mapping gives anyone');
  });
});
