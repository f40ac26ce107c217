/**
 * The TypeScript examples of the README and of docs pages compile against the real API: each ```ts block is
 * type-checked as the body of a Stack's constructor (its imports and `declare` lines at module
 * level), with `cdk-eks-access` resolved to this package's `lib/index.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

/** The ```ts blocks of a Markdown file. */
function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** A block as a compilable module: imports and declarations on top, the rest inside a Stack. */
function asModule(block: string): string {
  const lines = block.split('\n');
  const top = lines.filter((l) => /^(import|declare) /.test(l));
  const body = lines.filter((l) => !/^(import|declare) /.test(l));
  return [
    "import { Stack as ReadmeStack } from 'aws-cdk-lib';",
    "import { Construct as ReadmeScope } from 'constructs';",
    ...top,
    'export class ReadmeExample extends ReadmeStack {',
    '  constructor(scope: ReadmeScope, id: string) {',
    '    super(scope, id);',
    ...body.map((l) => `    ${l}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Type errors of `source`, as `line: message`. */
function typeErrors(source: string): string[] {
  const fileName = join(ROOT, 'test', 'constructs', '__readme_example__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noImplicitAny: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: { 'cdk-eks-access': ['lib/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, shouldCreate) => (name === fileName
    ? ts.createSourceFile(name, source, language)
    : readFile(name, language, onError, shouldCreate));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fileName)
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const blocks = typescriptBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

test('the README has TypeScript examples', () => {
  expect(blocks.length).toBeGreaterThan(0);
});

test.each(blocks.map((b, i) => [i + 1, b]))('README TypeScript example %i compiles against the library', (_i, block) => {
  const source = asModule(block as string);
  expect({ errors: typeErrors(source), source }).toEqual({ errors: [], source });
}, 60_000);

/** The docs pages whose TypeScript examples are checked the same way. */
const DOCS = ['docs/clusters.md'];

test.each(DOCS.flatMap((page) => typescriptBlocks(readFileSync(join(ROOT, page), 'utf8')).map((b, i) => [page, i + 1, b])))('%s TypeScript example %i compiles against the library', (_page, _i, block) => {
  const source = asModule(block as string);
  expect({ errors: typeErrors(source), source }).toEqual({ errors: [], source });
}, 60_000);
