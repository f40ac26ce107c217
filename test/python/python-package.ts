/**
 * Builds the library's Python package (jsii, then jsii-pacmak) and a virtualenv that has it
 * installed next to aws-cdk-lib and constructs from the Python package index.
 *
 * Both steps are slow (jsii-pacmak ~45 s, installing aws-cdk-lib ~30 s), so both are cached:
 * - the wheel, by a hash of everything that goes into it (lib/**\/*.ts, package.json,
 *   tsconfig.json, README, the handler bundle in assets/, the jsii and jsii-pacmak versions);
 * - the virtualenv with aws-cdk-lib and constructs, by the Python, aws-cdk-lib and constructs
 *   versions; our wheel is (re)installed into it when its hash differs from the installed one.
 *
 * The build runs on a staged copy of the sources, so it never writes into the working tree
 * (lib/*.js, .jsii, tsconfig.json) while other commands use it.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Where the caches live: `$CDK_EKS_ACCESS_CACHE`, or `<user cache dir>/cdk-eks-access`. */
export function cacheRoot(): string {
  const base = process.env.CDK_EKS_ACCESS_CACHE
    ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cdk-eks-access');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

/** Files the Python package is built from, relative to the project root, sorted. */
function packageInputs(): string[] {
  const files: string[] = ['package.json', 'tsconfig.json', 'README.md', 'LICENSE', '.npmignore'];
  const walk = (dir: string, keep: (f: string) => boolean) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel, keep);
      else if (keep(rel)) files.push(rel);
    }
  };
  walk('lib', (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  if (!fs.existsSync(path.join(ROOT, 'assets', 'handler'))) {
    throw new Error('assets/handler is missing: run `npx projen bundle` (node scripts/bundle.mjs) first');
  }
  walk('assets', () => true);
  if (fs.existsSync(path.join(ROOT, 'bin'))) walk('bin', () => true);
  return files.filter((f) => fs.existsSync(path.join(ROOT, f))).sort();
}

function hashFiles(files: string[]): string {
  const h = createHash('sha256');
  // The tools that make the wheel are inputs too.
  for (const tool of ['jsii', 'jsii-pacmak']) {
    h.update(`${tool}@${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', tool, 'package.json'), 'utf-8')).version}\0`);
  }
  for (const f of files) {
    h.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  }
  return h.digest('hex');
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', ...env },
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** Time spent in each step of the last build, in seconds (for the test's report). */
export const timings: Record<string, number> = {};

function timed<T>(step: string, fn: () => T): T {
  const start = Date.now();
  try {
    return fn();
  } finally {
    timings[step] = (Date.now() - start) / 1000;
  }
}

/**
 * The path of the library's Python wheel, built with jsii and jsii-pacmak unless a wheel built
 * from identical inputs is cached.
 */
export function buildWheel(): string {
  const files = packageInputs();
  const key = hashFiles(files).slice(0, 16);
  const dir = path.join(cacheRoot(), 'python-wheel', key);
  const existing = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.whl')) : undefined;
  if (existing) {
    timings.wheelCached = 1;
    return path.join(dir, existing);
  }
  timings.wheelCached = 0;

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-eks-access-pkg-'));
  try {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    }
    for (const f of files.filter((x) => x.startsWith('bin/'))) fs.chmodSync(path.join(stage, f), 0o755);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const bin = path.join(ROOT, 'node_modules', '.bin');
    timed('jsii', () => run(path.join(bin, 'jsii'), ['--silence-warnings=reserved-word'], stage));
    const out = path.join(stage, 'dist');
    // jsii-pacmak runs `npm pack`, whose `prepare` script would rebuild the handler bundle: the
    // staged copy already has it (it is part of the hashed inputs).
    timed('pacmak', () => run(path.join(bin, 'jsii-pacmak'), ['--target', 'python', '--outdir', out], stage, { NPM_CONFIG_IGNORE_SCRIPTS: 'true' }));
    const pyDir = path.join(out, 'python');
    const wheel = fs.readdirSync(pyDir).find((f) => f.endsWith('.whl'));
    if (!wheel) {
      throw new Error(`jsii-pacmak made no wheel in ${pyDir}: ${fs.readdirSync(pyDir).join(', ')}`);
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.mkdirSync(tmp, { recursive: true });
    fs.copyFileSync(path.join(pyDir, wheel), path.join(tmp, wheel));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    pruneOldWheels(path.dirname(dir), 3);
    return path.join(dir, wheel);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Keeps the `keep` most recently built wheels under `root` (each library change builds a new one). */
function pruneOldWheels(root: string, keep: number): void {
  const dirs = fs.readdirSync(root)
    .map((name) => ({ name, mtime: fs.statSync(path.join(root, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of dirs.slice(keep)) {
    fs.rmSync(path.join(root, d.name), { recursive: true, force: true });
  }
}

/** Versions of aws-cdk-lib and constructs the library is built against (devDependencies). */
export function cdkVersions(): { awsCdkLib: string; constructs: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  return { awsCdkLib: pkg.devDependencies['aws-cdk-lib'], constructs: pkg.devDependencies.constructs };
}

/** A virtualenv's python, with aws-cdk-lib, constructs and `wheel` installed. */
export function pythonWithWheel(wheel: string): { python: string; env: NodeJS.ProcessEnv } {
  const python = process.env.PYTHON ?? 'python3';
  const pyVersion = run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], ROOT).trim();
  const { awsCdkLib, constructs } = cdkVersions();
  const venv = path.join(cacheRoot(), 'python-venv', `py${pyVersion}-cdk${awsCdkLib}-constructs${constructs}`);
  const venvPython = path.join(venv, 'bin', 'python');
  const ready = path.join(venv, '.base-ready');
  if (!fs.existsSync(ready)) {
    timed('venv', () => {
      fs.rmSync(venv, { recursive: true, force: true });
      run(python, ['-m', 'venv', venv], ROOT);
      run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
        `aws-cdk-lib==${awsCdkLib}`, `constructs==${constructs}`], ROOT);
    });
    fs.writeFileSync(ready, `aws-cdk-lib==${awsCdkLib} constructs==${constructs}\n`);
  }
  const wheelHash = createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
  const installed = path.join(venv, '.wheel-sha256');
  if (!fs.existsSync(installed) || fs.readFileSync(installed, 'utf-8') !== wheelHash) {
    // --no-deps: the wheel's dependencies are the pinned ones above (pip checks them below).
    timed('installWheel', () => {
      run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--force-reinstall', '--no-deps', wheel], ROOT);
      run(venvPython, ['-m', 'pip', 'check'], ROOT);
    });
    fs.writeFileSync(installed, wheelHash);
  }
  const env = { JSII_RUNTIME_PACKAGE_CACHE_ROOT: path.join(cacheRoot(), 'jsii-runtime'), PYTHONDONTWRITEBYTECODE: '1' };
  return { python: venvPython, env };
}

export { run };
