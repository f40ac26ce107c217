/**
 * Every single attempt ends by the deadline: an AWS or Kubernetes endpoint that accepts the
 * connection and never answers must not keep the handler past the Lambda's time limit (a request
 * timeout of 20 s, retried, did), so that the handler still reports to CloudFormation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvent } from '../../lib/handler/event';
import { onEvent } from '../../lib/handler/index';
import { Deadline, DEFAULT_RESERVE_MS, DeadlineExceededError } from '../../lib/io/deadline';
import { EKS_ENDPOINT_ENV, S3_ENDPOINT_ENV, STS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubernetesClient } from '../../lib/io/kube/client';
import { assumeRole, connectKubernetes } from '../../lib/io/kubernetes-connection';
import { Logger } from '../../lib/io/log';
import { state } from '../handler/fixtures';
import { makeClusterCertificates } from '../support/kube/certs';

jest.setTimeout(90_000);
const quiet = () => new Logger({}, () => undefined);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A TCP endpoint that accepts connections and never answers (no HTTP, no TLS handshake). */
let silent: Server;
let sockets: Socket[] = [];
let silentUrl: string;
let certDir: string;
let caData: string;
let certs: ReturnType<typeof makeClusterCertificates>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  certDir = mkdtempSync(join(tmpdir(), 'deadline-bounds-'));
  certs = makeClusterCertificates(certDir);
  caData = readFileSync(certs.caCertFile).toString('base64');
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  sockets.forEach((s) => s.destroy());
  sockets = [];
});

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => silent.close(resolve));
  rmSync(certDir, { recursive: true, force: true });
});

async function elapsed(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await run();
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

test('an attempt may run until the deadline and 1 s past it, never longer', () => {
  let now = 0;
  const deadline = new Deadline(10_000, () => now);
  expect(deadline.attemptMs()).toBe(11_000);
  now = 10_500;
  expect([deadline.remainingMs(), deadline.attemptMs()]).toEqual([0, 500]);
  now = 12_000;
  expect(deadline.attemptMs()).toBe(0);
});

test('onEvent reports before the Lambda time limit while EKS never answers', async () => {
  process.env[EKS_ENDPOINT_ENV] = silentUrl;
  try {
    // 17 s left in the Lambda: 15 s are kept to report, 2 s to work.
    const lambdaMs = DEFAULT_RESERVE_MS + 2_000;
    const end = Date.now() + lambdaMs;
    const run = await elapsed(() => onEvent({ RequestType: 'Create', ResourceProperties: { inline: JSON.stringify(state()) } }, { getRemainingTimeInMillis: () => end - Date.now() }));
    expect(String(run.error)).toMatch(/DeadlineExceededError: ran out of time while calling EKS DescribeCluster/);
    expect(run.ms).toBeLessThan(4_500);
    expect(run.ms).toBeLessThan(lambdaMs);
  } finally {
    delete process.env[EKS_ENDPOINT_ENV];
  }
});

test('a Kubernetes call made late in the run ends by the deadline, with no retry past it', async () => {
  const deadline = Deadline.in(3_000);
  const kube = await connectKubernetes({
    cluster: { name: 'dev-cluster', endpoint: silentUrl.replace('http:', 'https:'), certificateAuthorityData: caData } as never,
    region: 'us-east-1',
    deadline,
    log: quiet(),
    credentials,
    authGraceMs: 0,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const started = Date.now();
    const run = await elapsed(() => kube.get('/api/v1/namespaces/dev'));
    expect(String(run.error)).toMatch(/RequestTimeout/);
    // The deadline was 1.5 s away; an attempt may run 1 s past it (ATTEMPT_GRACE_MS), not 20 s.
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(deadline.expired()).toBe(true);
  } finally {
    kube.close();
  }
});

test('the Kubernetes client does not wait out a Retry-After that ends after the deadline', async () => {
  const server: HttpsServer = createHttpsServer({
    cert: readFileSync(certs.servingCertFile), key: readFileSync(certs.servingKeyFile),
  }, (_req, res) => {
    res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '10' });
    res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const end = Date.now() + 1_000;
  const client = new KubernetesClient({
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, certificateAuthorityData: caData, token: () => 't', remainingMs: () => end - Date.now(),
  });
  try {
    const run = await elapsed(() => client.request('GET', '/api/v1/namespaces'));
    expect(String(run.error)).toMatch(/429 TooManyRequests/);
    expect(run.ms).toBeLessThan(1_000);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('assuming kubernetesRoleArn ends by the deadline when STS never answers (the SDK retries included)', async () => {
  process.env[STS_ENDPOINT_ENV] = silentUrl;
  try {
    const run = await elapsed(() => assumeRole('arn:aws:iam::111122223333:role/k8s-admin', 'us-east-1', 's', quiet(), credentials, undefined, Deadline.in(1_500)));
    expect(run.error).toBeInstanceOf(DeadlineExceededError);
    expect(String(run.error)).toMatch(/ran out of time while assuming kubernetesRoleArn arn:aws:iam::111122223333:role\/k8s-admin/);
    expect(run.ms).toBeLessThan(3_500);
  } finally {
    delete process.env[STS_ENDPOINT_ENV];
  }
});

test('reading the desired state from S3 ends by the deadline', async () => {
  process.env[S3_ENDPOINT_ENV] = silentUrl;
  try {
    const event = { RequestType: 'Create' as const, ResourceProperties: { s3Bucket: 'assets', s3Key: 'state.json' } };
    const run = await elapsed(() => decodeEvent(event, quiet(), 'us-east-1', Deadline.in(1_500)));
    expect(String(run.error)).toMatch(/cannot read the desired state from s3:\/\/assets\/state.json: no answer within 2\.\d+ s/);
    expect(run.ms).toBeLessThan(3_500);
  } finally {
    delete process.env[S3_ENDPOINT_ENV];
  }
});
