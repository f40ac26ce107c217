/**
 * One test file at a time on the shared API server: a lock between jest workers, so files that
 * touch the cluster (aws-auth, access entries, cluster-scoped RBAC) never interleave, while unit
 * tests keep running in parallel. The lock is a directory (mkdir is atomic) holding the owner's PID;
 * a lock whose owner died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockOptions {
  /** Give up after this long; default 10 minutes (a whole integ file may hold the lock). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/** Waits for the lock in `lockDir` and returns its release function. */
export async function acquireLock(lockDir: string, name = 'cluster', options: LockOptions = {}): Promise<() => void> {
  mkdirSync(lockDir, { recursive: true });
  const dir = join(lockDir, `${name}.lock`);
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner'), String(process.pid));
      let released = false;
      return () => {
        if (!released) {
          released = true;
          rmSync(dir, { recursive: true, force: true });
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
    }
    const owner = lockOwner(dir);
    if (owner !== undefined && owner !== process.pid && !alive(owner)) {
      rmSync(dir, { recursive: true, force: true }); // its owner died holding it
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${options.timeoutMs ?? 600_000} ms for the shared cluster lock (held by PID ${owner ?? 'unknown'})`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}

function lockOwner(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'owner'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // being created or removed right now
  }
}

/** True while a process with this ID exists (EPERM: it exists, but belongs to someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
