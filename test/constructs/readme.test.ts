/**
 * The TypeScript examples of the README and of docs/*.md compile against the real API and
 * synthesize: each ```ts block is type-checked as the body of a Stack's constructor (its imports
 * and `declare` lines at module level), with `cdk-eks-access` resolved to this package's
 * `lib/index.ts`; a block without `declare` lines is then run in a fresh app and synthesized, with
 * no error and no warning. A block right after the line `<!-- no-compile -->` is left out (a
 * fragment shown for its shape only).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const SKIP = '<!-- no-compile -->';

/** The ```ts blocks of a Markdown file, but those marked to skip. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .filter((m) => !markdown.slice(0, m.index).trimEnd().endsWith(SKIP))
    .map((m) => m[1]);
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
    '    super(scope, id, { env: { account: \'111122223333\', region: \'eu-west-1\' } });',
    ...body.map((l) => `    ${l}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

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

/**
 * Type errors of each source, as `line: message`: one program for all of them (a program per
 * example type-checks aws-cdk-lib again each time, about 12 s an example).
 */
function typeErrors(sources: string[]): string[][] {
  const files = sources.map((_, i) => join(ROOT, 'test', 'constructs', `__readme_example_${i}__.ts`));
  const host = ts.createCompilerHost(options);
  const readFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, shouldCreate) => (files.includes(name)
    ? ts.createSourceFile(name, sources[files.indexOf(name)], language)
    : readFile(name, language, onError, shouldCreate));
  const program = ts.createProgram(files, options, host);
  return files.map((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
}

/** Runs the module in a fresh app (`cdk-eks-access` is this package) and returns what synthesis reported. */
function synthMessages(source: string): string[] {
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const js = ts.transpileModule(source, { compilerOptions }).outputText;
  // jest's own require, so that the example shares aws-cdk-lib and the library with this test.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => (name === 'cdk-eks-access' ? require('../../lib') : require(name));
  const exports: { ReadmeExample?: new (scope: App, id: string) => Stack } = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'exports', 'module', js)(load, exports, { exports });
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  new exports.ReadmeExample!(app, 'Example');
  return app.synth().stacks.flatMap((s) => s.messages.map((m) => `${m.level} ${m.id}: ${String(m.entry.data)}`));
}

const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const examples = documents.flatMap((doc) => typescriptBlocks(readFileSync(join(ROOT, doc), 'utf8')).map((block, i) => [`${doc} #${i + 1}`, block]));

test('the README and the docs have TypeScript examples', () => {
  expect(examples.filter(([name]) => name.startsWith('README.md')).length).toBeGreaterThan(0);
  expect(examples.filter(([name]) => name.startsWith('docs/')).length).toBeGreaterThan(0);
});

test('a block marked to skip is left out', () => {
  expect(typescriptBlocks(`a\n\n${SKIP}\n\`\`\`ts\nskipped;\n\`\`\`\n\n\`\`\`ts\nkept;\n\`\`\`\n`)).toEqual(['kept;\n']);
});

let errors: Map<string, string[]>;
beforeAll(() => {
  const found = typeErrors(examples.map(([, block]) => asModule(block)));
  errors = new Map(examples.map(([name], i) => [name, found[i]]));
}, 120_000);

test.each(examples)('TypeScript example %s compiles against the library and synthesizes without a warning', (name, block) => {
  const source = asModule(block);
  expect({ errors: errors.get(name), source }).toEqual({ errors: [], source });
  if (!/^declare /m.test(block)) {
    expect({ messages: synthMessages(source), source }).toEqual({ messages: [], source });
  }
}, 60_000);
