/**
 * The Python binding works: the library is packaged with jsii-pacmak, installed into a virtualenv
 * with aws-cdk-lib and constructs from the Python package index, and app.py (the team model in
 * Python) synthesizes the same template as app.ts (the same app in TypeScript).
 *
 * Slow the first time (jsii + jsii-pacmak ~1-2 min, installing aws-cdk-lib ~30 s, first import
 * unpacks aws-cdk-lib ~30 s); the wheel and the virtualenv are cached (see python-package.ts), so
 * a re-run without library changes only synthesizes. The steps' times are printed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildTeamsApp } from './app';
import { ROOT, buildWheel, pythonWithWheel, timings } from './python-package';
import { skipCfnSchemaValidation } from '../constructs/helpers';

const OUT = path.join(ROOT, 'test', '.tmp', 'python-binding');

/** Template text with asset hashes (which depend on where the asset was staged from) masked. */
function templatesIn(dir: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.template.json')).sort()) {
    result[f] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf-8').replace(/[0-9a-f]{64}/g, '<asset-hash>'));
  }
  return result;
}

describe('Python binding', () => {
  skipCfnSchemaValidation(); // the same for both languages; cfn-lint.test.ts checks templates

  let pythonTemplates: Record<string, unknown>;
  let typescriptTemplates: Record<string, unknown>;

  beforeAll(() => {
    const started = Date.now();
    fs.rmSync(OUT, { recursive: true, force: true });

    const wheel = buildWheel();
    const { python, env } = pythonWithWheel(wheel);
    const pyOut = path.join(OUT, 'python');
    const synthStart = Date.now();
    try {
      execFileSync(python, [path.join(__dirname, 'app.py'), pyOut], {
        cwd: ROOT,
        env: { ...process.env, ...env, CDK_VALIDATION: 'false' },
        encoding: 'utf-8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`python app.py failed:\n${err.stderr ?? ''}\n${err.stdout ?? ''}`);
    }
    timings.pythonSynth = (Date.now() - synthStart) / 1000;
    pythonTemplates = templatesIn(pyOut);

    const tsOut = path.join(OUT, 'typescript');
    buildTeamsApp(tsOut).synth();
    typescriptTemplates = templatesIn(tsOut);

    timings.total = (Date.now() - started) / 1000;
    console.log(`python binding timings (s): ${JSON.stringify(timings)}`);
  }, 20 * 60_000);

  test('the Python app synthesizes the team model', () => {
    expect(Object.keys(pythonTemplates)).toEqual(['EksAccessTeams.template.json']);
    const resources = Object.values((pythonTemplates['EksAccessTeams.template.json'] as any).Resources) as { Type: string }[];
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    expect(count('Custom::EksClusterAccess')).toBe(1);
    expect(count('AWS::IAM::Group')).toBe(3);
    expect(count('AWS::IAM::Role')).toBeGreaterThanOrEqual(3);
  });

  test('its templates equal the TypeScript app\'s', () => {
    expect(pythonTemplates).toEqual(typescriptTemplates);
  });
});
