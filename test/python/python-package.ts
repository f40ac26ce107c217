/**
 * The library's Python wheel (built with the npm package and API.md by `test/support/package-build.ts`)
 * and a virtualenv that has it installed next to aws-cdk-lib and constructs from the Python package
 * index. The virtualenv is cached by the Python, aws-cdk-lib and constructs versions; the wheel is
 * (re)installed into it when its hash differs from the installed one.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, buildPackages, cacheRoot, run, timed, timings, withLock } from '../support/package-build';

export { ROOT, cacheRoot, run, timings };

/** The path of the library's Python wheel (built unless a build from identical inputs is cached). */
export function buildWheel(): string {
  return buildPackages().wheel;
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
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  // Test files that need it at the same time set it up once.
  return withLock(`${venv}.lock`, () => venvWith(venv, venvPython, wheel, python, { awsCdkLib, constructs }));
}

interface PythonDeps { readonly awsCdkLib: string; readonly constructs: string }

function venvWith(venv: string, venvPython: string, wheel: string, python: string, { awsCdkLib, constructs }: PythonDeps) {
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

