/**
 * The library as it ships: jsii on a staged copy of the sources, then jsii-docgen (API.md) and
 * jsii-pacmak (the npm tarball and the Python wheel), exactly as `npx projen compile` and
 * `npx projen package:js` / `package:python` make them.
 *
 * Slow (jsii ~30 s, jsii-pacmak ~45 s), so the results are cached by a hash of everything that goes
 * into them (lib/**\/*.ts, package.json, README, LICENSE, .npmignore, the bundles in assets/, bin/,
 * the jsii, jsii-pacmak and jsii-docgen versions) under `$CDK_EKS_ACCESS_CACHE` (default
 * `~/.cache/cdk-eks-access`), the last 3 kept. Test files that need them at the same time share one
 * build (a lock directory). The build never writes into the working tree (lib/*.js, .jsii).
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** What one build made. */
export interface LibraryPackages {
  /** The npm package (`jsii-pacmak --target js`: npm pack of the compiled library). */
  readonly tarball: string;
  /** The Python wheel. */
  readonly wheel: string;
  /** API.md as jsii-docgen writes it from this build's assembly. */
  readonly apiMd: string;
  /** The version in the package's package.json. */
  readonly version: string;
}

/** Time spent in each step of the last build, in seconds (for the tests' reports). */
export const timings: Record<string, number> = {};

/** Where the caches live: `$CDK_EKS_ACCESS_CACHE`, or `<user cache dir>/cdk-eks-access`. */
export function cacheRoot(): string {
  const base = process.env.CDK_EKS_ACCESS_CACHE
    ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cdk-eks-access');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

/** Files the packages are built from, relative to the project root, sorted. */
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
  // The tools that make the packages are inputs too.
  for (const tool of ['jsii', 'jsii-pacmak', 'jsii-docgen']) {
    h.update(`${tool}@${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', tool, 'package.json'), 'utf-8')).version}\0`);
  }
  for (const f of files) {
    h.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  }
  return h.digest('hex');
}

/** Runs a command, its output captured; throws with all of it on failure. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
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

export function timed<T>(step: string, fn: () => T): T {
  const start = Date.now();
  try {
    return fn();
  } finally {
    timings[step] = (Date.now() - start) / 1000;
  }
}

/** The packages of the library as the working tree has it, built unless a build of identical inputs is cached. */
export function buildPackages(): LibraryPackages {
  const files = packageInputs();
  const key = hashFiles(files).slice(0, 16);
  const root = path.join(cacheRoot(), 'packages');
  const dir = path.join(root, key);
  fs.mkdirSync(root, { recursive: true });
  const cached = readBuild(dir);
  if (cached) {
    timings.packagesCached = 1;
    return cached;
  }
  return withLock(`${dir}.lock`, () => {
    const built = readBuild(dir); // another test file may have built it meanwhile
    if (built) {
      timings.packagesCached = 1;
      return built;
    }
    timings.packagesCached = 0;
    build(files, dir);
    pruneOld(root, 3);
    return readBuild(dir)!;
  });
}

function readBuild(dir: string): LibraryPackages | undefined {
  if (!fs.existsSync(path.join(dir, 'complete'))) {
    return undefined;
  }
  const names = fs.readdirSync(dir);
  const tarball = names.find((f) => f.endsWith('.tgz'))!;
  const wheel = names.find((f) => f.endsWith('.whl'))!;
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version as string;
  return { tarball: path.join(dir, tarball), wheel: path.join(dir, wheel), apiMd: path.join(dir, 'API.md'), version };
}

function build(files: string[], dir: string): void {
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
    timed('docgen', () => run(path.join(bin, 'jsii-docgen'), ['-o', 'API.md'], stage));
    const out = path.join(stage, 'dist');
    // jsii-pacmak runs `npm pack`, whose `prepare` script would rebuild the handler bundle: the
    // staged copy already has it (it is part of the hashed inputs).
    timed('pacmak', () => run(path.join(bin, 'jsii-pacmak'), ['--target', 'js', '--target', 'python', '--outdir', out], stage, { NPM_CONFIG_IGNORE_SCRIPTS: 'true' }));
    const tarball = fs.readdirSync(path.join(out, 'js')).find((f) => f.endsWith('.tgz'));
    const wheel = fs.readdirSync(path.join(out, 'python')).find((f) => f.endsWith('.whl'));
    if (!tarball || !wheel) {
      throw new Error(`jsii-pacmak made no ${tarball ? 'wheel' : 'tarball'} in ${out}`);
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.copyFileSync(path.join(out, 'js', tarball), path.join(tmp, tarball.replace(/\.jsii\.tgz$/, '.tgz')));
    fs.copyFileSync(path.join(out, 'python', wheel), path.join(tmp, wheel));
    fs.copyFileSync(path.join(stage, 'API.md'), path.join(tmp, 'API.md'));
    fs.copyFileSync(path.join(stage, 'package.json'), path.join(tmp, 'package.json'));
    fs.writeFileSync(path.join(tmp, 'complete'), '');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Runs `fn` holding the lock directory; waits for another holder (a lock older than 20 minutes is taken over). */
export function withLock<T>(lock: string, fn: () => T): T {
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 20 * 60_000) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > 30 * 60_000) {
        throw new Error(`waited 30 minutes for ${lock}`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Keeps the `keep` most recent builds under `root` (each library change makes a new one). */
function pruneOld(root: string, keep: number): void {
  const dirs = fs.readdirSync(root)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ name, mtime: fs.statSync(path.join(root, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of dirs.slice(keep)) {
    fs.rmSync(path.join(root, d.name), { recursive: true, force: true });
  }
}
