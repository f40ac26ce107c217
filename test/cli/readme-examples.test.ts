/**
 * The README's `eks-access` examples show real output: each ```console block that starts with
 * `$ npx eks-access …` is run (from the repository root, in-process) and must print exactly the
 * lines that follow the command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './harness';

const ROOT = join(__dirname, '..', '..');

interface Example {
  readonly argv: string[];
  readonly output: string;
}

function examples(): Example[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map(([, body]) => {
    const lines = body.split('\n');
    let command = '';
    let i = 0;
    for (; i < lines.length; i++) {
      command += lines[i].replace(/\\$/, ' ');
      if (!lines[i].endsWith('\\')) break;
    }
    const argv = command.replace(/^\$ npx eks-access /, '').trim().split(/\s+/);
    return { argv, output: lines.slice(i + 1).join('\n') };
  });
}

test('the README has an explain and a report example', () => {
  expect(examples().map((e) => e.argv[0])).toEqual(expect.arrayContaining(['explain', 'report']));
});

test.each(examples().map((e) => [e.argv.slice(0, 1).join(' '), e] as const))('the README\'s %s example prints what it shows', async (_name, example) => {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const r = await run(example.argv);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(example.output);
  } finally {
    process.chdir(cwd);
  }
});
