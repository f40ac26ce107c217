/**
 * File mode: the ConfigMap is read from a file (or standard input with `-`); the edited one is
 * printed to standard output, or with `--in-place` replaces the file atomically: it is written to a
 * temporary file beside it and renamed over it, so a reader sees the old file or the new one,
 * never half of one, and a failed command leaves the file untouched.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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

/**
 * Writes `text` to a temporary file next to `path` (same mode as `path`), then renames it over
 * `path`. A symbolic link is followed: its target is replaced and the link stays a link.
 */
export async function replaceAtomically(linkOrPath: string, text: string): Promise<void> {
  const path = await followLinks(linkOrPath);
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

/** The file a path names after following every symbolic link (a link to a file yet to be created included). */
async function followLinks(path: string): Promise<string> {
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = await fs.readlink(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT') {
        return path; // not a link (or nothing there yet)
      }
      throw e;
    }
    path = resolve(dirname(path), link);
  }
  throw new Error(`${path}: too many levels of symbolic links`);
}
