// Bundles the deploy-time Lambda handler (lib/handler/index.ts) into assets/handler/index.js.
// Run by `npm ci` (prepare), the projen compile and the test task, so a fresh clone always has it.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'lib', 'handler', 'index.ts');
if (!existsSync(entry)) {
  console.log('bundle: no handler yet, nothing to bundle');
  process.exit(0);
}
await build({
  entryPoints: [entry],
  outfile: join(root, 'assets', 'handler', 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log('bundle: assets/handler/index.js');
