/** The real `bin/eks-access`, in a child process, on temporary files. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness';
import { loadAwsAuth } from '../../lib/core/aws-auth';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'eks-access');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'assets', 'cli', 'eks-access.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  }
}, 60_000);

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

function eksAccess(args: string[], input?: string) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('create --in-place, get, delete and lint on a temporary file', () => {
  const path = join(dir, 'aws-auth.yaml');
  copyFileSync(join(__dirname, '..', 'core', 'fixtures', 'aws-auth.yaml'), path);

  const created = eksAccess(['mapping', 'create', '--file', path, '--arn', 'arn:aws:iam::444455556666:role/dev', '--username', 'dev', '--group', 'devs', '--in-place']);
  expect(created).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(readdirSync(dir)).toEqual(['aws-auth.yaml']);

  const got = eksAccess(['mapping', 'get', '--file', path, '--arn', 'arn:aws:iam::444455556666:role/dev', '-o', 'json']);
  expect(got.code).toBe(0);
  expect(JSON.parse(got.stdout)).toEqual([{ rolearn: 'arn:aws:iam::444455556666:role/dev', username: 'dev', groups: ['devs'] }]);

  const deleted = eksAccess(['mapping', 'delete', '--file', '-', '--arn', 'arn:aws:iam::444455556666:role/dev'], readFileSync(path, 'utf8'));
  expect(deleted.code).toBe(0);
  expect(loadAwsAuth(deleted.stdout).mapRoles.map((r) => r.rolearn)).toEqual(['arn:aws:iam::444455556666:role/prod-nodes-NodeInstanceRole-1A2B3C4D5E6F']);

  expect(eksAccess(['lint', '--file', path])).toEqual({ code: 0, stdout: 'no problems\n', stderr: '' });
});

test('exit codes: error 1 leaves the file untouched, usage 2', () => {
  const path = join(dir, 'aws-auth.yaml');
  copyFileSync(join(__dirname, '..', 'core', 'fixtures', 'aws-auth.yaml'), path);
  const before = readFileSync(path, 'utf8');
  const failed = eksAccess(['mapping', 'delete', '--file', path, '--arn', 'arn:aws:iam::444455556666:role/none', '--in-place']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toBe('eks-access: no mapping for "arn:aws:iam::444455556666:role/none" in aws-auth\n');
  expect(readFileSync(path, 'utf8')).toBe(before);
  expect(eksAccess(['mapping', 'frobnicate']).code).toBe(2);
  expect(eksAccess(['--help']).stdout).toContain('Usage:');
});

test('--version prints the package\'s version, fixed into the bundle when it was built', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(eksAccess(['--version'])).toEqual({ code: 0, stdout: `eks-access ${version}\n`, stderr: '' });
  expect(readFileSync(join(ROOT, 'assets', 'cli', 'eks-access.js'), 'utf8')).toContain(JSON.stringify(version));
});
