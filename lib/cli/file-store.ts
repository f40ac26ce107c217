/**
 * File mode: the ConfigMap is read from a file (or standard input with `-`); the edited one is
 * printed to standard output, or with `--in-place` replaces the file atomically: it is written to a
 * temporary file beside it and renamed over it, so a reader sees the old file or the new one,
 * never half of one, and a failed command leaves the file untouched.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AwsAuthStore, CliIo, UsageError } from './io';

export interface FileStoreOptions {
  /** Path of the file, or `-` for standard input. */
  readonly path: string;
  /** Replace the file instead of printing the result. */
  readonly inPlace?: boolean;
}

export function fileStore(options: FileStoreOptions, io: CliIo): AwsAuthStore {
  const stdin = options.path === '-';
  if (stdin && options.inPlace) {
    throw new UsageError('--in-place needs a file, not standard input (--file -)');
  }
  return {
    description: stdin ? 'standard input' : `file ${options.path}`,
    async load() {
      if (stdin) {
        return io.readStdin();
      }
      try {
        return await fs.readFile(options.path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          return undefined;
        }
        throw e;
      }
    },
    async save(text) {
      if (options.inPlace) {
        await replaceAtomically(options.path, text);
      } else {
        io.stdout(text);
      }
    },
  };
}

/** Writes `text` to a temporary file next to `path` (same mode as `path`), then renames it over `path`. */
export async function replaceAtomically(path: string, text: string): Promise<void> {
  let mode = 0o644;
  try {
    mode = (await fs.stat(path)).mode % 0o1000; // the permission bits
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}
