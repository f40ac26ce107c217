import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness';
import { fileStore, replaceAtomically } from '../../lib/cli/file-store';
import { CliIo, UsageError } from '../../lib/cli/io';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const io = (stdin = ''): CliIo & { out: string[] } => {
  const out: string[] = [];
  return { out, readStdin: async () => stdin, stdout: (t) => out.push(t), stderr: () => undefined };
};

describe('replaceAtomically', () => {
  test('replaces the content and leaves no temporary file', async () => {
    const path = join(dir, 'cm.yaml');
    writeFileSync(path, 'old');
    await replaceAtomically(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['cm.yaml']);
  });

  test('when the rename fails, the target is untouched and the temporary file removed', async () => {
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    await expect(replaceAtomically(target, 'new')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('keep');
  });

  test('a symbolic link is written through: the target gets the content and the link stays a link', async () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'cm.yaml'), 'old');
    symlinkSync(join('real', 'cm.yaml'), join(dir, 'link.yaml'));
    symlinkSync('link.yaml', join(dir, 'link2.yaml'));
    await replaceAtomically(join(dir, 'link2.yaml'), 'new');
    expect(readFileSync(join(dir, 'real', 'cm.yaml'), 'utf8')).toBe('new');
    expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'link2.yaml')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'real'))).toEqual(['cm.yaml']);
  });

  test('when the directory does not exist, nothing is created', async () => {
    await expect(replaceAtomically(join(dir, 'no', 'such', 'cm.yaml'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fileStore', () => {
  test('a missing file loads as undefined; other read errors propagate', async () => {
    expect(await fileStore({ path: join(dir, 'absent') }, io()).load()).toBeUndefined();
    await expect(fileStore({ path: dir }, io()).load()).rejects.toThrow(/EISDIR/);
  });

  test('- reads standard input and saves to standard output', async () => {
    const streams = io('from stdin');
    const store = fileStore({ path: '-' }, streams);
    expect(store.description).toBe('standard input');
    expect(await store.load()).toBe('from stdin');
    await store.save('result');
    expect(streams.out).toEqual(['result']);
  });

  test('--in-place with standard input is a usage error', () => {
    expect(() => fileStore({ path: '-', inPlace: true }, io())).toThrow(UsageError);
  });
});
