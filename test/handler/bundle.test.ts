/**
 * The bundled handler (what Lambda runs): it loads, answers an event against the EKS fake, and
 * stays well under Lambda's limits (1 MB zipped is the project's budget). The endpoint overrides
 * the tests use are compiled out of the shipped bundles: only a test build of the same sources
 * (`scripts/bundle.mjs --test-endpoints`) reaches the fake.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { state } from './fixtures';
import { physicalResourceId } from '../../lib/core/desired-state';
import { EKS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { EksFake, startEksFake } from '../support/eks-fake';

const root = join(__dirname, '..', '..');
const shipped = join(root, 'assets', 'handler', 'index.js');
const testBuild = join(root, 'test', '.tmp', 'bundles');
let fake: EksFake;
const saved = { ...process.env };

beforeAll(async () => {
  // The handler logs JSON lines to stdout, as in Lambda; keep the test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'pipe' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--test-endpoints', testBuild], { cwd: root, stdio: 'pipe' });
  fake = await startEksFake({ region: 'us-east-1' });
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', [EKS_ENDPOINT_ENV]: fake.endpoint });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await fake.close();
});
beforeEach(() => fake.calls.clear());

test('is under 1 MB compressed', () => {
  const compressed = gzipSync(readFileSync(shipped), { level: 9 }).length;
  expect(compressed).toBeLessThan(1024 * 1024);
});

test('exports onEvent, which answers CloudFormation events (a test build, pointed at the EKS fake)', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(join(testBuild, 'handler', 'index.js')) as { onEvent: (event: unknown, context: unknown) => Promise<{ PhysicalResourceId: string }> };
  const props = { inline: JSON.stringify(state()) };
  const id = physicalResourceId(state());
  const response = await bundled.onEvent({ RequestType: 'Delete', PhysicalResourceId: id, ResourceProperties: props }, { getRemainingTimeInMillis: () => 60_000 });
  expect(response.PhysicalResourceId).toBe(id);
  await expect(bundled.onEvent({ RequestType: 'Create', ResourceProperties: props }, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(/EKS cluster "dev-cluster" does not exist/);
  expect(fake.calls.calls().map((c) => c.operation)).toEqual(['DescribeCluster', 'DescribeCluster']);
});

test('the shipped handler ignores the test endpoint overrides', async () => {
  // A closed local port as the SDK's own endpoint setting, so that nothing leaves this machine.
  const closed = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
  const script = `require(${JSON.stringify(shipped)}).onEvent({ RequestType: 'Create', ResourceProperties: { inline: ${JSON.stringify(JSON.stringify(state()))} } }, { getRemainingTimeInMillis: () => 20000 })
    .then(() => console.log('RESULT ok'), (e) => console.log('RESULT ' + e.message));`;
  const run = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, [EKS_ENDPOINT_ENV]: fake.endpoint, AWS_ENDPOINT_URL_EKS: `http://127.0.0.1:${closed}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(fake.calls.calls()).toEqual([]); // the override named the fake; the shipped bundle did not go there
  expect(run.stdout).toMatch(/RESULT .*(ECONNREFUSED|connect)/);
  // The code that reads the overrides (`eks: env[NAME] || undefined`, minified) is in the test
  // builds and dropped from both shipped bundles.
  const readsOverrides = /eks:[A-Za-z$_]+\[[A-Za-z$_]+\]\|\|void 0/;
  for (const name of ['handler/index.js', 'cli/eks-access.js']) {
    expect(readFileSync(join(testBuild, name), 'utf8')).toMatch(readsOverrides);
    expect(readFileSync(join(root, 'assets', name), 'utf8')).not.toMatch(readsOverrides);
  }
});
