/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver on 127.0.0.1, free ports,
 * a temporary data directory, fresh TLS certificates, a static admin token, RBAC authorization,
 * and bearer tokens it does not know sent to a token webhook (the emulated EKS authenticator).
 *
 * There is no controller manager: the `admin`/`edit`/`view` ClusterRoles stay empty (aggregation is
 * a controller), nothing follows ownerReferences, and a deleted namespace stays Terminating until
 * it is finalized by hand (see `reset.ts`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeClusterCertificates } from './certs';

export interface ClusterOptions {
  /** Directory holding `etcd` and `kube-apiserver` (what scripts/build-kube.sh prints). */
  readonly binDir: string;
  /** An empty directory for data, certificates and logs. */
  readonly workDir: string;
  /** Base URL of the auth webhooks (`http://127.0.0.1:<port>`): `/authenticate` and `/authorize`. */
  readonly tokenWebhookUrl: string;
  /** How long to wait for the API server to become ready; default 90 s. */
  readonly readyTimeoutMs?: number;
}

export interface RunningCluster {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Base64 of the CA PEM, as DescribeCluster returns `certificateAuthority.data`. */
  readonly certificateAuthorityData: string;
  /** Bearer token of `harness-admin` (group `system:masters`), for test code only. */
  readonly adminToken: string;
  /** Process IDs of etcd and kube-apiserver. */
  readonly pids: number[];
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const dir = options.workDir;
  const certDir = join(dir, 'pki');
  mkdirSync(certDir, { recursive: true });
  const certs = makeClusterCertificates(certDir);
  const adminToken = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'static-tokens.csv');
  writeFileSync(tokenFile, `${adminToken},harness-admin,harness-admin,"system:masters"\n`, { mode: 0o600 });
  const webhookConfig = join(dir, 'token-webhook.kubeconfig');
  const authzConfig = join(dir, 'authz-webhook.kubeconfig');
  writeFileSync(authzConfig, webhookKubeconfig(`${options.tokenWebhookUrl}/authorize`));
  writeFileSync(webhookConfig, webhookKubeconfig(`${options.tokenWebhookUrl}/authenticate`));

  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) {
      await stopProcess(p);
    }
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiPort] = await distinctFreePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    processes.push(launch(join(options.binDir, 'etcd'), [
      '--name=harness',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=harness=${peerUrl}`,
      '--unsafe-no-fsync', // throwaway data: durability is not worth the disk waits
      '--log-level=warn',
    ], join(dir, 'etcd.log')));

    processes.push(launch(join(options.binDir, 'kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${certs.servingCertFile}`,
      `--tls-private-key-file=${certs.servingKeyFile}`,
      `--token-auth-file=${tokenFile}`,
      `--authentication-token-webhook-config-file=${webhookConfig}`,
      '--authentication-token-webhook-version=v1',
      // Every request reaches the webhook: tests change aws-auth and access entries between calls.
      '--authentication-token-webhook-cache-ttl=0s',
      // RBAC first; then the emulated EKS access policies (EKS authorizes them outside RBAC).
      '--authorization-mode=RBAC,Webhook',
      `--authorization-webhook-config-file=${authzConfig}`,
      '--authorization-webhook-version=v1',
      '--authorization-webhook-cache-authorized-ttl=0s',
      '--authorization-webhook-cache-unauthorized-ttl=0s',
      `--service-account-key-file=${certs.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${certs.serviceAccountKeyFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--enable-priority-and-fairness=false',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=1',
    ], join(dir, 'kube-apiserver.log')));

    const endpoint = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(certs.caCertFile, 'utf8');
    await waitForReady(endpoint, ca, adminToken, processes, options.readyTimeoutMs ?? 90_000, dir);
    return {
      endpoint,
      certificateAuthorityData: Buffer.from(ca).toString('base64'),
      adminToken,
      pids: processes.map((p) => p.pid!),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function webhookKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: webhook',
    '  cluster:',
    `    server: ${server}`,
    'users:',
    '- name: kube-apiserver',
    '  user: {}',
    'contexts:',
    '- name: webhook',
    '  context: {cluster: webhook, user: kube-apiserver}',
    'current-context: webhook',
    '',
  ].join('\n');
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    ports.add(await freePort());
  }
  return [...ports];
}

function launch(binary: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined); // reported through waitForReady (exitCode / log)
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) {
    return;
  }
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls `/readyz` (all post-start hooks, RBAC bootstrap roles included) and kube-system. */
async function waitForReady(endpoint: string, ca: string, token: string, processes: ChildProcess[], timeoutMs: number, dir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = processes.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead) {
      const name = dead.spawnfile.split('/').pop();
      throw new Error(`${name} exited (${dead.exitCode ?? dead.signalCode}) while starting; last lines of its log:\n${tail(join(dir, `${name}.log`))}`);
    }
    const ready = await probe(`${endpoint}/readyz`, ca, token);
    const kubeSystem = ready.status === 200 ? await probe(`${endpoint}/api/v1/namespaces/kube-system`, ca, token) : ready;
    if (kubeSystem.status === 200) {
      return;
    }
    last = `${kubeSystem.status}: ${kubeSystem.body.slice(0, 300)}`;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`kube-apiserver at ${endpoint} not ready within ${timeoutMs} ms (last: ${last}); log:\n${tail(join(dir, 'kube-apiserver.log'))}`);
}

function probe(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
