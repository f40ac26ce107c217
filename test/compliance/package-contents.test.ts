/**
 * What the npm package carries. Every jsii binding (the Python wheel, the Java jar, ...) embeds
 * this package, so anything that slips in here (a local virtualenv, test fixtures) ships to every
 * language: a cfn-lint virtualenv once made the Python wheel 41 MB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

function packedFiles(): { files: PackedFile[]; size: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  const [pack] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ files: PackedFile[]; size: number }>;
  return pack;
}

describe('the npm package', () => {
  const pack = packedFiles();
  const paths = pack.files.map((f) => f.path);

  test('carries the bundled handler and CLI, and the CLI entry point', () => {
    // The test task bundles before jest runs, so the bundles exist here.
    expect(existsSync(join(root, 'assets', 'handler', 'index.js'))).toBe(true);
    expect(paths).toEqual(expect.arrayContaining(['assets/handler/index.js', 'assets/cli/eks-access.js', 'bin/eks-access', 'README.md', 'LICENSE']));
  });

  test('carries nothing local, no tests, no sources, and no unbundled handler or CLI code', () => {
    const unwanted = paths.filter((p) =>
      /^(\.venv|test|examples|bench|scripts|docs|cdk\.out|node_modules\/(?!js-yaml\/|argparse\/))\//.test(p)
      || (p.endsWith('.ts') && !p.endsWith('.d.ts'))
      || /^lib\/(handler|cli)\/.*\.js$/.test(p));
    expect(unwanted).toEqual([]);
  });

  test('stays small', () => {
    // About 1 MB packed today, most of it the two bundles and js-yaml.
    expect(pack.size).toBeLessThan(3 * 1024 * 1024);
  });
});
