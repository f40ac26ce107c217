/**
 * The harness's own logic that runs without a cluster: when the global setup starts it, the lock
 * between workers, identity mapping and the access-policy authorizer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accessPolicyDecision, AccessReviewSpec } from './kube/access-policy-authorizer';
import { harnessWanted } from './kube/global-setup';
import { AccessEntryIdentity, EksAccessView, mapCaller } from './kube/identity';
import { acquireLock } from './kube/lock';
import { callerIdentityOf, makeTestPrincipals } from './kube/principals';

const root = resolve(__dirname, '../..');

describe('harnessWanted', () => {
  const saved = process.env.KUBE_HARNESS;
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.KUBE_HARNESS;
    } else {
      process.env.KUBE_HARNESS = saved;
    }
  });
  const wanted = (patterns: string[], extra: object = {}) => harnessWanted({ rootDir: root, testPathPatterns: { patterns }, ...extra });

  test('a full run starts it; a run limited to unit tests does not', () => {
    delete process.env.KUBE_HARNESS;
    expect(wanted([])).toBe(true);
    expect(wanted(['test/io/eks-token.test.ts'])).toBe(false);
    expect(wanted(['eks-token'])).toBe(false);
    expect(wanted(['test/integ'])).toBe(true);
    expect(wanted(['kube-client'])).toBe(true); // matches test/integ/kube-client.test.ts
    expect(wanted(['test/handler', 'integ/eks-auth'])).toBe(true);
    expect(wanted(['eks-token'], { listTests: true })).toBe(false);
  });

  test('KUBE_HARNESS=on|off overrides', () => {
    process.env.KUBE_HARNESS = 'off';
    expect(wanted([])).toBe(false);
    process.env.KUBE_HARNESS = 'on';
    expect(wanted(['eks-token'])).toBe(true);
  });
});

describe('acquireLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('admits one holder at a time, in turn', async () => {
    const order: string[] = [];
    const releaseA = await acquireLock(dir);
    const b = acquireLock(dir, 'cluster', { pollMs: 5 }).then((release) => {
      order.push('b acquired');
      release();
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('a releasing');
    releaseA();
    await b;
    expect(order).toEqual(['a releasing', 'b acquired']);
    expect(existsSync(join(dir, 'cluster.lock'))).toBe(false);
  });

  test('takes over a lock whose owner died, and times out on a live one', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
    mkdirSync(join(dir, 'cluster.lock'));
    writeFileSync(join(dir, 'cluster.lock', 'owner'), String(deadPid));
    const release = await acquireLock(dir, 'cluster', { timeoutMs: 2000, pollMs: 5 });
    expect(readFileSync(join(dir, 'cluster.lock', 'owner'), 'utf8')).toBe(String(process.pid));
    writeFileSync(join(dir, 'cluster.lock', 'owner'), String(process.ppid)); // a live process
    await expect(acquireLock(dir, 'cluster', { timeoutMs: 100, pollMs: 5 })).rejects.toThrow(/waited 100 ms for the shared cluster lock \(held by PID \d+\)/);
    release();
  });
});

describe('mapCaller', () => {
  const principals = makeTestPrincipals();
  const dev = callerIdentityOf(principals.find((p) => p.name === 'dev')!);
  const awsAuth = {
    data: { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/developer\n  username: dev:{{SessionName}}\n  groups: [devs]\n' },
  };
  const eks = (mode: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API', entry?: AccessEntryIdentity): EksAccessView => ({
    authenticationMode: (name) => (name === 'c' ? mode : undefined),
    accessEntry: (name, arn) => (name === 'c' && entry && entry.principalArn === arn ? entry : undefined),
  });
  const entry: AccessEntryIdentity = { principalArn: 'arn:aws:iam::111122223333:role/teams/dev/developer', type: 'STANDARD', username: 'e:{{SessionName}}', kubernetesGroups: ['from-entry'] };

  test('aws-auth decides on CONFIG_MAP clusters and clusters EKS does not know', async () => {
    for (const view of [undefined, eks('CONFIG_MAP', entry)]) {
      const user = await mapCaller(dev, { clusterName: 'c', eks: view, readAwsAuth: async () => awsAuth });
      expect(user).toMatchObject({ username: 'dev:alice-example.com', groups: ['devs'] });
    }
  });

  test('an entry wins in API_AND_CONFIG_MAP and is marked for the authorizer; API ignores aws-auth', async () => {
    const read = jest.fn(async () => awsAuth);
    expect(await mapCaller(dev, { clusterName: 'c', eks: eks('API_AND_CONFIG_MAP', entry), readAwsAuth: read })).toMatchObject({
      username: 'e:alice-example.com', groups: ['from-entry'], extra: { accessEntryPrincipalArn: [entry.principalArn] },
    });
    expect(read).not.toHaveBeenCalled();
    expect(await mapCaller(dev, { clusterName: 'c', eks: eks('API'), readAwsAuth: read })).toEqual({ denied: expect.stringMatching(/no access entry for .*developer on cluster c \(authentication mode API\)/) });
  });

  test('denies when nothing maps the caller', async () => {
    expect(await mapCaller(dev, { clusterName: 'c', readAwsAuth: async () => undefined })).toEqual({ denied: expect.stringMatching(/no aws-auth ConfigMap/) });
    expect(await mapCaller(dev, { clusterName: 'c', readAwsAuth: async () => ({ data: { mapRoles: '[]' } }) })).toEqual({ denied: expect.stringMatching(/is not mapped in aws-auth/) });
  });
});

describe('accessPolicyDecision', () => {
  const policy = (name: string, namespaces?: string[]) => ({
    policyArn: `arn:aws:eks::aws:cluster-access-policy/${name}`,
    accessScope: namespaces ? { type: 'namespace', namespaces } : { type: 'cluster' },
  });
  const entryWith = (...accessPolicies: ReturnType<typeof policy>[]): AccessEntryIdentity => ({ principalArn: 'p', type: 'STANDARD', kubernetesGroups: [], accessPolicies });
  const review = (verb: string, resource: string, namespace?: string, group = ''): AccessReviewSpec => ({ resourceAttributes: { verb, resource, namespace, group } });

  test.each([
    ['AmazonEKSClusterAdminPolicy', undefined, review('create', 'clusterroles', undefined, 'rbac.authorization.k8s.io'), true],
    ['AmazonEKSClusterAdminPolicy', ['a'], review('create', 'clusterroles', undefined, 'rbac.authorization.k8s.io'), false],
    ['AmazonEKSClusterAdminPolicy', ['a'], review('delete', 'secrets', 'a'), true],
    ['AmazonEKSAdminPolicy', ['a'], review('create', 'rolebindings', 'a', 'rbac.authorization.k8s.io'), true],
    ['AmazonEKSAdminPolicy', ['a'], review('list', 'namespaces'), true],
    ['AmazonEKSAdminPolicy', ['a'], review('create', 'namespaces'), false],
    ['AmazonEKSEditPolicy', ['a'], review('create', 'configmaps', 'a'), true],
    ['AmazonEKSEditPolicy', ['a'], review('create', 'roles', 'a', 'rbac.authorization.k8s.io'), false],
    ['AmazonEKSViewPolicy', ['dev-*'], review('list', 'configmaps', 'dev-1'), true],
    ['AmazonEKSViewPolicy', ['dev-*'], review('list', 'configmaps', 'prod'), false],
    ['AmazonEKSViewPolicy', ['dev-*'], review('get', 'secrets', 'dev-1'), false],
    ['AmazonEKSViewPolicy', ['dev-*'], review('delete', 'configmaps', 'dev-1'), false],
    ['AmazonEKSAdminViewPolicy', undefined, review('get', 'secrets', 'any'), true],
    ['AmazonEKSAdminViewPolicy', undefined, review('update', 'configmaps', 'any'), false],
    ['SomethingElse', undefined, review('get', 'configmaps', 'a'), false],
  ])('%s scoped %j: %j -> %s', (name, namespaces, spec, allowed) => {
    expect(accessPolicyDecision(spec, entryWith(policy(name, namespaces))) !== undefined).toBe(allowed);
  });

  test('no entry or no policies: no opinion', () => {
    expect(accessPolicyDecision(review('get', 'configmaps', 'a'), undefined)).toBeUndefined();
    expect(accessPolicyDecision(review('get', 'configmaps', 'a'), entryWith())).toBeUndefined();
  });
});
