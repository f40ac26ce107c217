import { AddressInfo, Server, Socket, createServer } from 'net';
import { Deadline } from '../../lib/io/deadline';
import { STS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubernetesClient } from '../../lib/io/kube/client';
import { KubernetesApiError } from '../../lib/io/kube/errors';
import { assumeRole, KubernetesConnection } from '../../lib/io/kubernetes-connection';
import { Logger } from '../../lib/io/log';

/** A client whose requests fail with `failures` (HTTP statuses) first, then answer `{}`. */
function flakyClient(failures: number[]) {
  const calls: string[] = [];
  const client = {
    request: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      const status = failures.shift();
      if (status !== undefined) {
        throw new KubernetesApiError(method, path, status, status === 401 ? 'Unauthorized' : 'Forbidden', 'denied');
      }
      return { metadata: { name: 'x' }, items: [] };
    },
    close: () => undefined,
  } as unknown as KubernetesClient;
  return { client, calls };
}

const quiet = () => new Logger({}, () => undefined);

describe('KubernetesConnection', () => {
  test('retries 401 and 403 while new access propagates', async () => {
    const { client, calls } = flakyClient([401, 403, 401]);
    const connection = new KubernetesConnection(client, Deadline.in(30_000), quiet(), 60_000, () => 0);
    await expect(connection.get('/api/v1/namespaces/dev')).resolves.toEqual({ metadata: { name: 'x' }, items: [] });
    expect(calls).toHaveLength(4);
  });

  test('after the grace period, fails with what access is missing, for the cluster\'s mode', async () => {
    const unauthorized = (mode?: string) => new KubernetesConnection(flakyClient([401]).client, Deadline.in(30_000), quiet(), 0, () => 0, undefined, mode).get('/api/v1/namespaces/dev');
    await expect(unauthorized('CONFIG_MAP')).rejects.toThrow(/401 Unauthorized.*on a CONFIG_MAP cluster, the role it uses \(kubernetesRoleArn, or else its own role\) must be mapped to system:masters in aws-auth/);
    await expect(unauthorized('API')).rejects.toThrow(/401 Unauthorized.*on an API cluster, it needs an access entry\)$/);
    await expect(unauthorized('API_AND_CONFIG_MAP')).rejects.toThrow(/401 Unauthorized.*on an API_AND_CONFIG_MAP cluster, it needs an access entry, or kubernetesRoleArn a system:masters mapping/);
    await expect(unauthorized(undefined)).rejects.toThrow(/401 Unauthorized.*it needs an access entry, or a system:masters mapping in aws-auth/);
    const forbidden = new KubernetesConnection(flakyClient([403]).client, Deadline.in(30_000), quiet(), 0, () => 0);
    await expect(forbidden.list('/api/v1/namespaces')).rejects.toThrow(/403 Forbidden.*needs cluster-admin/);
  });

  test('a 401 after access went away repairs it once and retries while the repaired access propagates', async () => {
    const { client, calls } = flakyClient([401, 401, 401]);
    let repairs = 0;
    const repair = async () => {
      repairs++;
      return true;
    };
    const connection = new KubernetesConnection(client, Deadline.in(30_000), quiet(), 0, () => 0, repair, 'API');
    await expect(connection.get('/api/v1/namespaces/dev')).resolves.toEqual({ metadata: { name: 'x' }, items: [] });
    expect(repairs).toBe(1);
    expect(calls).toHaveLength(4);
    // A repair that finds nothing to repair does not open a grace period: the error stands.
    const unchanged = new KubernetesConnection(flakyClient([401]).client, Deadline.in(30_000), quiet(), 0, () => 0, async () => false, 'API');
    await expect(unchanged.get('/api/v1/namespaces/dev')).rejects.toThrow(/401 Unauthorized/);
  });

  test('404 on get is "absent", on delete is "already gone"', async () => {
    const { client } = flakyClient([404, 404]);
    const connection = new KubernetesConnection(client, Deadline.in(30_000), quiet(), 0, () => 0);
    await expect(connection.get('/api/v1/namespaces/nope')).resolves.toBeUndefined();
    await expect(connection.delete('/api/v1/namespaces/nope')).resolves.toBe(false);
  });
});

describe('assumeRole', () => {
  const ROLE = 'arn:aws:iam::111122223333:role/kubernetes-admin';
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  let server: Server;
  let sockets: Socket[];
  let saved: string | undefined;

  beforeEach(async () => {
    // An STS endpoint that accepts connections and never answers.
    sockets = [];
    server = createServer();
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    saved = process.env[STS_ENDPOINT_ENV];
    process.env[STS_ENDPOINT_ENV] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    if (saved === undefined) delete process.env[STS_ENDPOINT_ENV];
    else process.env[STS_ENDPOINT_ENV] = saved;
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  test('an STS endpoint that never answers fails within the request timeout, naming the role', async () => {
    const started = Date.now();
    const failure = assumeRole(ROLE, 'eu-west-1', 'session', quiet(), credentials, { connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true });
    await expect(failure).rejects.toThrow(`cannot assume kubernetesRoleArn ${ROLE}`);
    // At most the SDK's three attempts of 300 ms each, plus its short backoff.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sockets.length).toBeGreaterThanOrEqual(1);
  });
});
