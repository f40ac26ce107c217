/** The README's Usage code, as a user pastes it: the first TypeScript and Python blocks under "## Usage". */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The Usage section of the README. */
function usageSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Usage\n');
  if (start < 0) throw new Error('README.md has no "## Usage" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The first code block of `language` in the Usage section. */
export function usageBlock(language: 'ts' | 'python'): string {
  const match = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(usageSection());
  if (!match) throw new Error(`README.md's Usage section has no \`\`\`${language} block`);
  return match[1];
}

/** A TypeScript app: the block's imports on top, the rest in the constructor of a Stack. */
export function typescriptApp(block: string): string {
  const lines = block.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  return [
    "import { App as UsageApp, Stack as UsageStackBase } from 'aws-cdk-lib';",
    "import { Construct as UsageScope } from 'constructs';",
    ...imports,
    '',
    '// (The app is compiled without @types/node.)',
    'declare const console: { log(text: string): void };',
    '',
    'class UsageStack extends UsageStackBase {',
    '  constructor(scope: UsageScope, id: string) {',
    '    super(scope, id);',
    ...body.map((l) => (l === '' ? '' : `    ${l}`)),
    '  }',
    '}',
    '',
    "const app = new UsageApp({ outdir: 'cdk.out' });",
    "new UsageStack(app, 'ReadmeUsage');",
    'const assembly = app.synth();',
    'const messages = assembly.stacks.flatMap((s) => s.messages.map((m) => ({ level: m.level, id: m.id, text: m.entry.data })));',
    'console.log(JSON.stringify({ messages, templates: assembly.stacks.map((s) => s.templateFullPath) }));',
    '',
  ].join('\n');
}

/** A Python app: the block's imports (its first paragraph) on top, the rest in the constructor of a Stack. */
export function pythonApp(block: string): string {
  const split = block.indexOf('\n\n');
  const imports = block.slice(0, split);
  const body = block.slice(split + 2).split('\n');
  return [
    'import json',
    'import aws_cdk as _cdk',
    'from constructs import Construct as _Scope',
    imports,
    '',
    '',
    'class UsageStack(_cdk.Stack):',
    '    def __init__(self, scope: _Scope, id: str) -> None:',
    '        super().__init__(scope, id)',
    ...body.map((l) => (l === '' ? '' : `        ${l}`)),
    '',
    '',
    'app = _cdk.App(outdir="cdk.out")',
    'UsageStack(app, "ReadmeUsage")',
    'assembly = app.synth()',
    'messages = [{"level": str(m.level), "id": m.id, "text": str(m.entry.data)} for s in assembly.stacks for m in s.messages]',
    'print(json.dumps({"messages": messages, "templates": [s.template_full_path for s in assembly.stacks]}))',
    '',
  ].join('\n');
}
