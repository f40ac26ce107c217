/**
 * A fresh app that installs the library's npm tarball the way a user does (`npm ci`), offline, from
 * the local npm cache. The cache holds the tarballs of aws-cdk-lib and constructs (this project's
 * own `npm ci` fetched them) but not the full registry metadata `npm install <name>@<version>`
 * asks for, so the app gets a lockfile: the entries of aws-cdk-lib, constructs and everything they
 * need, copied from this project's lockfile, plus the tarball's own entry.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, run } from './package-build';

type LockEntry = Record<string, unknown> & { version?: string; dependencies?: Record<string, string>; inBundle?: boolean };

/** What `npm ci` printed. */
export interface InstallOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Writes package.json and package-lock.json for an app depending on the tarball and on `deps`
 * (names of this project's dependencies, at the versions its lockfile has), and runs
 * `npm ci --offline` in `dir`.
 */
export function installConsumer(dir: string, tarball: string, deps: readonly string[]): InstallOutput {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages as Record<string, LockEntry>;
  const file = path.basename(tarball);
  fs.copyFileSync(tarball, path.join(dir, file));
  const library = tarballEntries(tarball, file);
  const dependencies: Record<string, string> = { 'cdk-eks-access': `file:${file}` };
  for (const d of deps) {
    dependencies[d] = lock[`node_modules/${d}`].version!;
  }
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer-app', version: '1.0.0', dependencies },
    ...library,
    ...closure(lock, deps.map((d) => `node_modules/${d}`)),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, dependencies }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  const out = path.join(dir, '.npm-ci.log');
  const stdout = run('sh', ['-c', `npm ci --offline --no-audit --no-fund --loglevel=warn 2>${JSON.stringify(out)}`], dir, {
    // The user's npm: no settings of this project's environment.
    NPM_CONFIG_IGNORE_SCRIPTS: '', npm_config_ignore_scripts: '',
  });
  return { stdout, stderr: fs.readFileSync(out, 'utf8') };
}

/** The lockfile entries of the tarball: the package, and the dependencies bundled in it. */
function tarballEntries(tarball: string, file: string): Record<string, LockEntry> {
  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-eks-access-tgz-'));
  try {
    run('tar', ['xzf', tarball, '-C', unpacked], unpacked);
    const pkgDir = path.join(unpacked, 'package');
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    const entries: Record<string, LockEntry> = {
      'node_modules/cdk-eks-access': {
        version: manifest.version,
        resolved: `file:${file}`,
        integrity,
        bundleDependencies: manifest.bundleDependencies ?? manifest.bundledDependencies,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        peerDependencies: manifest.peerDependencies,
      },
    };
    const bundled = path.join(pkgDir, 'node_modules');
    for (const name of fs.existsSync(bundled) ? fs.readdirSync(bundled) : []) {
      const nested = JSON.parse(fs.readFileSync(path.join(bundled, name, 'package.json'), 'utf8'));
      entries[`node_modules/cdk-eks-access/node_modules/${name}`] = { version: nested.version, inBundle: true, license: nested.license, dependencies: nested.dependencies };
    }
    return entries;
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

/** The entries of `roots` and of everything they depend on, as node resolves it from each one's place. */
function closure(lock: Record<string, LockEntry>, roots: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const queue = [...roots];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (out[at] || !lock[at]) {
      continue;
    }
    out[at] = lock[at];
    for (const [key, entry] of Object.entries(lock)) {
      if (key.startsWith(`${at}/node_modules/`)) {
        out[key] = entry;
        if (!entry.inBundle) queue.push(key);
      }
    }
    for (const dep of Object.keys(lock[at].dependencies ?? {})) {
      const found = resolveFrom(lock, at, dep);
      if (found && !lock[found].inBundle) queue.push(found);
    }
  }
  return out;
}

/** Where node finds `dep` required from the package at `at`: its own node_modules, then each parent's. */
function resolveFrom(lock: Record<string, LockEntry>, at: string, dep: string): string | undefined {
  let base = at;
  for (;;) {
    const candidate = `${base}/node_modules/${dep}`;
    if (lock[candidate]) return candidate;
    const up = base.lastIndexOf('/node_modules/');
    if (up < 0) break;
    base = base.slice(0, up);
  }
  return lock[`node_modules/${dep}`] ? `node_modules/${dep}` : undefined;
}
