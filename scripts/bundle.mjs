// Bundles the deploy-time Lambda handler (lib/handler/index.ts) into assets/handler/index.js, and
// the `eks-access` CLI (lib/cli/entry.ts) into assets/cli/eks-access.js, which bin/eks-access loads.
// Run by `npm ci` (prepare), the projen compile and the test task, so a fresh clone always has them.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundles = [
  // The Lambda runtime is Node 22.
  { name: 'handler', entry: join(root, 'lib', 'handler', 'index.ts'), outfile: join(root, 'assets', 'handler', 'index.js'), target: 'node22' },
  // The CLI runs wherever the package installs: the package's minimum Node version.
  { name: 'CLI', entry: join(root, 'lib', 'cli', 'entry.ts'), outfile: join(root, 'assets', 'cli', 'eks-access.js'), target: 'node20' },
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
  });
  console.log(`bundle: ${bundle.outfile.slice(root.length + 1)}`);
}
