/**
 * A connection an AWS endpoint resets (a kept-alive socket the server closed as the request went
 * out, a load balancer dropping it) is a transient failure: the call is made again, within the
 * deadline. The SDK hands such errors over in several shapes; each one is recognised.
 */
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { DescribeClusterCommand, DescribeClusterResponse, EKSClient } from '@aws-sdk/client-eks';
import { transientAwsErrorReason } from '../../lib/io/aws-errors';
import { Deadline } from '../../lib/io/deadline';
import { EksApi } from '../../lib/io/eks-api';
import { Logger } from '../../lib/io/log';
import { EksFake, startEksFake } from '../support/eks-fake';

let fake: EksFake;
let proxy: Server;
let proxyUrl: string;
let resetsLeft = 0;
const sockets: Socket[] = [];

/** A TCP proxy in front of the EKS fake that resets the next `resetsLeft` connections. */
beforeAll(async () => {
  fake = await startEksFake({ region: 'us-east-1' });
  const target = new URL(fake.clientConfig().endpoint as string);
  proxy = createServer((client) => {
    sockets.push(client);
    if (resetsLeft > 0) {
      resetsLeft--;
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => proxy.close(resolve));
  await fake.close();
});

test('a reset connection is retried, and the call succeeds on the next attempt', async () => {
  fake.reset();
  fake.seedCluster({ name: 'prod', authenticationMode: 'API' });
  const client = new EKSClient({ ...fake.clientConfig(), endpoint: proxyUrl, maxAttempts: 1 });
  const log = new Logger({}, () => undefined);
  resetsLeft = 1;
  try {
    const eks = new EksApi(client, new Deadline(Date.now() + 30_000), log, () => 0);
    const answer = await eks.send<DescribeClusterResponse>(new DescribeClusterCommand({ name: 'prod' }));
    expect(answer.cluster?.name).toBe('prod');
    expect(log.lines.filter((l) => l.api === 'eks').map((l) => l.attempt)).toEqual([1, 2]);
  } finally {
    client.destroy();
  }
});

test('the shapes a reset reaches the handler in are all transient', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
  expect(transientAwsErrorReason(reset)).toBe('connection failure (ECONNRESET)');
  const timeout = Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError' });
  expect(transientAwsErrorReason(timeout)).toBe('connection failure (TimeoutError)');
  // The SDK's retry layer wraps what is not an Error of its own realm (a VM context, a bundled copy) in a plain Error.
  expect(transientAwsErrorReason(new Error('AWS SDK error wrapper for TimeoutError: read ECONNRESET'))).toBe('connection failure (TimeoutError)');
  expect(transientAwsErrorReason(new Error('AWS SDK error wrapper for Error: read ECONNRESET'))).toBe('connection failure (ECONNRESET)');
  expect(transientAwsErrorReason(new Error('AWS SDK error wrapper for something else'))).toBeUndefined();
});
