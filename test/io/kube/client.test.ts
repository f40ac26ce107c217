/**
 * The Kubernetes client's own behaviour (retries, error mapping, headers, paths) against a scripted
 * HTTPS server on 127.0.0.1 with a certificate from a throwaway CA.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesCallRecord, KubernetesClient } from '../../../lib/io/kube/client';
import { isKubernetesReason, KubernetesApiError } from '../../../lib/io/kube/errors';
import { AWS_AUTH_REF, resourcePath } from '../../../lib/io/kube/paths';
import { makeClusterCertificates } from '../../support/kube/certs';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang-up';

let dir: string;
let server: Server;
let caData: string;
let endpoint: string;
let replies: Reply[];
let seen: Seen[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-client-test-'));
  const certs = makeClusterCertificates(dir);
  caData = readFileSync(certs.caCertFile).toString('base64');
  server = createServer({ cert: readFileSync(certs.servingCertFile), key: readFileSync(certs.servingKeyFile) }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const reply = replies.shift() ?? { status: 500, body: { kind: 'Status', reason: 'InternalError', message: 'no scripted reply' } };
      if (reply === 'hang-up') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  replies = [];
  seen = [];
});

function client(calls: KubernetesCallRecord[] = [], maxAttempts = 3): KubernetesClient {
  return new KubernetesClient({ endpoint, certificateAuthorityData: caData, token: async () => 'secret-token', onCall: (c) => calls.push(c), maxAttempts, retryDelayMs: () => 1 });
}
const status = (code: number, reason: string, message = 'm', extra: object = {}) => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...extra } });

test('sends the bearer token, JSON and the apply content type with fieldManager, force and dryRun', async () => {
  const kube = client();
  replies.push({ status: 200, body: { kind: 'ConfigMap' } }, { status: 201, body: {} });
  await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' } }, { fieldManager: 'cdk-eks-access', dryRun: true });
  await kube.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } });
  kube.close();
  expect(seen[0].method).toBe('PATCH');
  expect(seen[0].url).toBe('/api/v1/namespaces/kube-system/configmaps/aws-auth?fieldManager=cdk-eks-access&force=true&dryRun=All');
  expect(seen[0].headers['content-type']).toBe('application/apply-patch+yaml');
  expect(seen[0].headers.authorization).toBe('Bearer secret-token');
  expect(JSON.parse(seen[0].body).metadata.name).toBe('aws-auth');
  expect([seen[1].method, seen[1].url, seen[1].headers['content-type']]).toEqual(['POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', 'application/json']);
});

test('maps a Status to status, reason, message and causes', async () => {
  const kube = client();
  replies.push(status(422, 'Invalid', 'RoleBinding "b" is invalid: roleRef: Invalid value', { details: { causes: [{ reason: 'FieldValueInvalid', field: 'roleRef' }] } }));
  const e = await kube.replace({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'ns' } }).catch((x) => x);
  kube.close();
  expect(e).toBeInstanceOf(KubernetesApiError);
  expect([e.status, e.reason, e.serverMessage]).toEqual([422, 'Invalid', 'RoleBinding "b" is invalid: roleRef: Invalid value']);
  expect(e.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'roleRef' }]);
  expect(isKubernetesReason(e, 'Conflict', 'Invalid')).toBe(true);
  expect(e.message).not.toContain('secret-token');
});

test('a response that is not a Status keeps the HTTP-derived reason', async () => {
  const kube = client();
  replies.push({ status: 403, body: 'plain text' });
  await expect(kube.get(AWS_AUTH_REF)).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
  kube.close();
});

test('retries reads on 503 and 429, then succeeds', async () => {
  const calls: KubernetesCallRecord[] = [];
  const kube = client(calls);
  replies.push(status(503, 'ServiceUnavailable'), status(429, 'TooManyRequests', 'slow down', { details: { retryAfterSeconds: 1 } }), { status: 200, body: { kind: 'ConfigMap' } });
  await expect(kube.get(AWS_AUTH_REF)).resolves.toEqual({ kind: 'ConfigMap' });
  kube.close();
  expect(calls.map((c) => [c.attempt, c.status, c.reason])).toEqual([[1, 503, 'ServiceUnavailable'], [2, 429, 'TooManyRequests'], [3, 200, undefined]]);
});

test('waits as long as the server asks (Retry-After) by default', async () => {
  const kube = new KubernetesClient({ endpoint, certificateAuthorityData: caData, token: () => 't' });
  replies.push({ ...status(429, 'TooManyRequests'), headers: { 'Retry-After': '1' } }, { status: 200, body: {} });
  const started = Date.now();
  await kube.get(AWS_AUTH_REF);
  kube.close();
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(seen.length).toBe(2);
});

test('gives up after maxAttempts with the last error', async () => {
  const kube = client([], 2);
  replies.push(status(503, 'ServiceUnavailable', 'first'), status(503, 'ServiceUnavailable', 'second'), { status: 200, body: {} });
  await expect(kube.get(AWS_AUTH_REF)).rejects.toMatchObject({ status: 503, serverMessage: 'second' });
  kube.close();
  expect(seen.length).toBe(2);
});

test('does not repeat a create that may have reached the server (503 or dropped connection)', async () => {
  const kube = client();
  replies.push(status(503, 'ServiceUnavailable'));
  await expect(kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).rejects.toMatchObject({ status: 503 });
  replies.push('hang-up');
  await expect(kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).rejects.toMatchObject({ status: 0, reason: 'NetworkError' });
  kube.close();
  expect(seen.length).toBe(2);
});

test('never retries Conflict, Invalid, Forbidden or NotFound', async () => {
  const kube = client();
  for (const [code, reason] of [[409, 'Conflict'], [422, 'Invalid'], [403, 'Forbidden'], [404, 'NotFound']] as const) {
    replies.push(status(code, reason), { status: 200, body: {} });
    await expect(kube.replace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).rejects.toMatchObject({ reason });
    replies.length = 0;
  }
  kube.close();
  expect(seen.length).toBe(4);
});

test('get gives undefined and delete false on 404; delete sends preconditions', async () => {
  const kube = client();
  replies.push(status(404, 'NotFound'), status(404, 'NotFound'), { status: 200, body: {} });
  expect(await kube.get({ kind: 'Role', namespace: 'a', name: 'r' })).toBeUndefined();
  expect(await kube.delete({ kind: 'Role', namespace: 'a', name: 'r' })).toBe(false);
  expect(await kube.delete({ kind: 'Role', namespace: 'a', name: 'r' }, { resourceVersion: '42', dryRun: true })).toBe(true);
  kube.close();
  expect(seen[2].url).toBe('/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles/r?dryRun=All');
  expect(JSON.parse(seen[2].body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '42' } });
});

test('list follows continue tokens and passes the label selector', async () => {
  const kube = client();
  replies.push({ status: 200, body: { items: [{ metadata: { name: 'a' } }], metadata: { continue: 'next' } } }, { status: 200, body: { items: [{ metadata: { name: 'b' } }], metadata: {} } });
  const items = await kube.list({ kind: 'ClusterRoleBinding' }, { labelSelector: 'cdk-eks-access.dev/owner=x' });
  kube.close();
  expect(items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
  expect(seen.map((s) => s.url)).toEqual([
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector=cdk-eks-access.dev%2Fowner%3Dx&limit=500',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector=cdk-eks-access.dev%2Fowner%3Dx&limit=500&continue=next',
  ]);
});

describe('resourcePath', () => {
  test('builds core and group paths, namespaced and cluster-scoped', () => {
    expect(resourcePath(AWS_AUTH_REF)).toBe('/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(resourcePath({ kind: 'Namespace', name: 'team-a' })).toBe('/api/v1/namespaces/team-a');
    expect(resourcePath({ kind: 'ClusterRoleBinding', name: 'system:masters-ish' })).toBe('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system%3Amasters-ish');
    expect(resourcePath({ kind: 'RoleBinding', namespace: 'dev' })).toBe('/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings');
    expect(resourcePath({ kind: 'Role' })).toBe('/apis/rbac.authorization.k8s.io/v1/roles');
  });

  test('refuses unknown kinds, wrong versions, missing or stray namespaces and unsafe names', () => {
    expect(() => resourcePath({ kind: 'Pod', name: 'p' })).toThrow(/unsupported Kubernetes kind "Pod"/);
    expect(() => resourcePath({ kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1beta1', namespace: 'a', name: 'r' })).toThrow(/unsupported apiVersion/);
    expect(() => resourcePath({ kind: 'Role', name: 'r' })).toThrow(/Role "r" needs a namespace/);
    expect(() => resourcePath({ kind: 'ClusterRole', namespace: 'a', name: 'r' })).toThrow(/cluster-scoped/);
    expect(() => resourcePath({ kind: 'Role', namespace: 'A_B', name: 'r' })).toThrow(/not a valid namespace name/);
    expect(() => resourcePath({ kind: 'ClusterRole', name: '../secrets' })).toThrow(/not a valid ClusterRole name/);
    expect(() => resourcePath({ kind: 'ClusterRole', name: '..' })).toThrow(/not a valid ClusterRole name/);
  });
});
