/**
 * The bundled handler (what Lambda runs): it loads, answers an event against the EKS fake, and
 * stays well under Lambda's limits (1 MB zipped is the project's budget).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { state } from './fixtures';
import { EKS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { EksFake, startEksFake } from '../support/eks-fake';

const root = join(__dirname, '..', '..');
const bundlePath = join(root, 'assets', 'handler', 'index.js');
let fake: EksFake;
const saved = { ...process.env };

beforeAll(async () => {
  // The handler logs JSON lines to stdout, as in Lambda; keep the test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'pipe' });
  fake = await startEksFake({ region: 'us-east-1' });
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', [EKS_ENDPOINT_ENV]: fake.endpoint });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

test('is under 1 MB compressed', () => {
  const compressed = gzipSync(readFileSync(bundlePath), { level: 9 }).length;
  expect(compressed).toBeLessThan(1024 * 1024);
});

test('exports onEvent, which answers CloudFormation events', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(bundlePath) as { onEvent: (event: unknown, context: unknown) => Promise<{ PhysicalResourceId: string }> };
  const props = { inline: JSON.stringify(state()) };
  const response = await bundled.onEvent({ RequestType: 'Delete', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: props }, { getRemainingTimeInMillis: () => 60_000 });
  expect(response.PhysicalResourceId).toBe('dev-cluster/stack-a.access');
  await expect(bundled.onEvent({ RequestType: 'Create', ResourceProperties: props }, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(/EKS cluster "dev-cluster" does not exist/);
  expect(fake.calls.calls().map((c) => c.operation)).toEqual(['DescribeCluster', 'DescribeCluster']);
});
