// Bundles the deploy-time Lambda handler (lib/handler/index.ts) into assets/handler/index.js, and
// the `eks-access` CLI (lib/cli/entry.ts) into assets/cli/eks-access.js, which bin/eks-access loads.
// Run by the projen compile and test tasks and by `npx cdk synth` (cdk.json), so a fresh clone
// has them wherever they are needed.
//
// The endpoint overrides the tests use (lib/io/endpoints.ts) are compiled out of these bundles:
// `CDK_EKS_ACCESS_TEST_ENDPOINTS` is defined as false, and the code that reads the overrides is
// dropped. `node scripts/bundle.mjs --test-endpoints DIR` builds the same bundles with the
// overrides live into DIR, for the tests that run a bundle against local fakes.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = process.argv[2] === '--test-endpoints' ? resolve(process.argv[3] ?? '') : undefined;
if (process.argv[2] === '--test-endpoints' && !process.argv[3]) {
  console.error('usage: node scripts/bundle.mjs [--test-endpoints DIR]');
  process.exit(2);
}
// `eks-access --version` prints the version package.json has when the bundle is built (a release
// build bumps it first).
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const out = (...path) => (testDir ? join(testDir, ...path) : join(root, 'assets', ...path));
const bundles = [
  // The Lambda runtime is Node 22.
  { name: 'handler', entry: join(root, 'lib', 'handler', 'index.ts'), outfile: out('handler', 'index.js'), target: 'node22' },
  // The CLI runs wherever the package installs: the package's minimum Node version.
  { name: 'CLI', entry: join(root, 'lib', 'cli', 'entry.ts'), outfile: out('cli', 'eks-access.js'), target: 'node20' },
];
for (const bundle of bundles) {
  if (!existsSync(bundle.entry)) {
    console.log(`bundle: no ${bundle.name} yet, nothing to bundle`);
    continue;
  }
  await build({
    entryPoints: [bundle.entry],
    outfile: bundle.outfile,
    bundle: true,
    platform: 'node',
    target: bundle.target,
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { CDK_EKS_ACCESS_TEST_ENDPOINTS: testDir ? 'true' : 'false', CDK_EKS_ACCESS_VERSION: JSON.stringify(version) },
  });
  console.log(`bundle: ${testDir ? bundle.outfile : bundle.outfile.slice(root.length + 1)}${testDir ? ' (test endpoints live)' : ''}`);
}
