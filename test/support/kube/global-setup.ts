/**
 * Jest global setup (runs once, in the jest parent process): starts the Kubernetes test harness
 * when the run includes tests that need it, and exports its connection info to the workers through
 * environment variables. `KUBE_HARNESS=off` never starts it; `KUBE_HARNESS=on` always does.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { RunningHarness, startHarness } from './harness';
import { alive } from './lock';

/** Test files under this directory (relative to the root) use the harness. */
export const HARNESS_TEST_DIR = join('test', 'integ');

const STATE_FILE = 'harness.json';

/** The jest parent keeps the running harness here for the global teardown (never read by workers). */
export const HARNESS_GLOBAL = '__cdkEksAccessKubeHarness';

/** The parts of jest's global config the setup reads. */
export interface JestGlobalConfig {
  readonly rootDir: string;
  readonly testPathPatterns?: { readonly patterns?: readonly string[] };
  readonly testPathPattern?: string;
  readonly findRelatedTests?: boolean;
  readonly listTests?: boolean;
  readonly nonFlagArgs?: readonly string[];
}

export default async function globalSetup(config: JestGlobalConfig): Promise<void> {
  if (!harnessWanted(config)) {
    return;
  }
  removeStaleHarnesses();
  const started = Date.now();
  const harness = await startHarness();
  writeFileSync(join(harness.workDir, STATE_FILE), JSON.stringify({ parentPid: process.pid, pids: harness.pids }));
  Object.assign(process.env, harness.env);
  // If jest exits without running the teardown, do not leave etcd and kube-apiserver behind.
  const onExit = () => killAll(harness.pids);
  process.once('exit', onExit);
  (globalThis as Record<string, unknown>)[HARNESS_GLOBAL] = { harness, onExit };
  if (process.env.KUBE_HARNESS_VERBOSE) {
    process.stderr.write(`kube harness: ready in ${Date.now() - started} ms at ${harness.env.KUBE_HARNESS_ENDPOINT}\n`);
  }
}

/** Stops the harness started by {@link globalSetup} (used by the global teardown). */
export async function stopHarnessFromGlobal(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const running = g[HARNESS_GLOBAL] as { harness: RunningHarness; onExit: () => void } | undefined;
  if (running) {
    delete g[HARNESS_GLOBAL];
    await running.harness.stop();
    process.removeListener('exit', running.onExit);
  }
}

/**
 * Whether the run needs the harness: always for a full run; for a run limited to some paths, only
 * when one of them can match a file under test/integ/.
 */
export function harnessWanted(config: JestGlobalConfig): boolean {
  const setting = (process.env.KUBE_HARNESS ?? '').toLowerCase();
  if (setting === 'off' || setting === '0' || config.listTests) {
    return false;
  }
  if (setting === 'on' || setting === '1' || config.findRelatedTests) {
    return true;
  }
  const patterns = config.testPathPatterns?.patterns ?? (config.testPathPattern ? [config.testPathPattern] : []);
  if (patterns.length === 0) {
    return true;
  }
  const files = listFiles(join(config.rootDir, HARNESS_TEST_DIR));
  return patterns.some((pattern) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      return true;
    }
    return files.some((f) => re.test(f) || re.test(relative(config.rootDir, f)) || re.test(relative(process.cwd(), f)));
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .map((f) => f.split('/').join(sep));
}

/** Kills and removes harnesses whose jest process died without a teardown. */
function removeStaleHarnesses(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('cdk-eks-access-kube-')) {
      continue;
    }
    const dir = join(tmpdir(), name);
    try {
      const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { parentPid: number; pids: number[] };
      if (alive(state.parentPid)) {
        continue; // another run, still going
      }
      killAll(state.pids.filter((pid) => commandLineOf(pid).includes(dir)));
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // no state file: a harness still starting, or not ours to judge
    }
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
