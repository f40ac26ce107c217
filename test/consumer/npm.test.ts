/**
 * A newcomer's first afternoon, in TypeScript: the library packed as it ships, installed into a
 * fresh CDK app in a temporary directory (npm ci, offline, from the local npm cache), the README's
 * Usage code pasted as it is, and the app synthesized: no warning, no error, nothing to replace.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { typescriptApp, usageBlock } from './readme-usage';
import { tempDir } from '../cli/harness';
import { installConsumer, InstallOutput } from '../support/npm-consumer';
import { LibraryPackages, ROOT, buildPackages, run, timings } from '../support/package-build';

jest.setTimeout(20 * 60_000);

let dir: string;
let cleanup: () => void;
let packages: LibraryPackages;
let install: InstallOutput;

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  packages = buildPackages();
  install = installConsumer(dir, packages.tarball, ['aws-cdk-lib', 'constructs']);
  console.log(`npm consumer timings (s): ${JSON.stringify(timings)}`);
});
afterAll(() => cleanup());

test('installs without a warning, and the installed package is complete: compiled library, assembly, bundles', () => {
  expect(install.stderr).toBe('');
  const installed = join(dir, 'node_modules', 'cdk-eks-access');
  for (const file of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'assets/handler/index.js', 'assets/cli/eks-access.js', 'README.md', 'API.md']) {
    expect([file, existsSync(join(installed, file))]).toEqual([file, true]);
  }
});

test('its package.json has no script an install would run or that names files it does not ship', () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', 'cdk-eks-access', 'package.json'), 'utf8'));
  const scripts: Record<string, string> = manifest.scripts ?? {};
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack']) {
    expect([hook, scripts[hook]]).toEqual([hook, undefined]);
  }
  expect(Object.entries(scripts).filter(([, command]) => /scripts\//.test(command))).toEqual([]);
});

test('the README Usage code has nothing a user must replace to compile it (no declare lines)', () => {
  expect(usageBlock('ts').split('\n').filter((l) => /^\s*declare /.test(l))).toEqual([]);
});

test('the README Usage code, pasted as it is, compiles against the installed package and synthesizes without a warning', () => {
  writeFileSync(join(dir, 'app.ts'), typescriptApp(usageBlock('ts')));
  // The strict settings of a `cdk init app --language typescript` project; the library's types from node_modules.
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', lib: ['es2022'], strict: true, noImplicitAny: true, esModuleInterop: true, skipLibCheck: true, types: [] },
    files: ['app.ts'],
  }));
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir);
  const result = JSON.parse(run(process.execPath, ['app.js'], dir)) as { messages: object[]; templates: string[] };
  expect(result.messages).toEqual([]);
  const template = JSON.parse(readFileSync(join(dir, result.templates[0]), 'utf8'));
  const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
  expect(types.filter((t) => t === 'Custom::EksClusterAccess')).toHaveLength(1);
  expect(types.filter((t) => t === 'AWS::IAM::Group')).toHaveLength(2); // Developers and Sre; Auditors use Identity Center
});

test('the installed CLI runs and prints the package\'s version', () => {
  const out = run(process.execPath, [join(dir, 'node_modules', '.bin', 'eks-access'), '--version'], dir);
  expect(out).toBe(`eks-access ${packages.version}\n`);
});
