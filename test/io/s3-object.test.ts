/** Reading the desired state from S3: a read that hangs or cannot connect fails naming the object. */
import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '../../lib/io/log';
import { readS3Object, S3ReadError } from '../../lib/io/s3-object';

const saved = { ...process.env };
let server: Server;
let endpoint: string;
const held: ServerResponse[] = [];

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // Answers nothing: keeps every request open until the test ends.
  server = createServer((_req, res) => { held.push(res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.env = saved;
  held.forEach((res) => res.destroy());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('a read that never answers gives up at the timeout, naming the object', async () => {
  const log = new Logger({}, () => undefined);
  const started = Date.now();
  const read = readS3Object({ bucket: 'assets', key: 'states/big.json', region: 'us-east-1', endpoint, timeoutMs: 300 }, log);
  await expect(read).rejects.toThrow(new S3ReadError('cannot read the desired state from s3://assets/states/big.json: no answer within 0.3 s; re-run the deployment', 'Timeout'));
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(log.lines).toEqual([expect.objectContaining({ api: 's3', status: 'timeout' })]);
});

test('a connection failure names the object and the cause', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const read = readS3Object({ bucket: 'assets', key: 'k.json', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` }, new Logger({}, () => undefined));
  await expect(read).rejects.toThrow(/^cannot read the desired state from s3:\/\/assets\/k.json: fetch failed \(ECONNREFUSED\)/);
});
