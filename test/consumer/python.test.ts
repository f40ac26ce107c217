/**
 * The same afternoon in Python: the wheel as it ships, installed into a virtualenv with aws-cdk-lib
 * and constructs from the Python package index (cached, see test/python/python-package.ts), the
 * README's Python Usage code pasted as it is, and the app synthesized without a warning.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonApp, usageBlock } from './readme-usage';
import { tempDir } from '../cli/harness';
import { pythonWithWheel } from '../python/python-package';
import { buildPackages, run, timings } from '../support/package-build';

jest.setTimeout(20 * 60_000);

let dir: string;
let cleanup: () => void;
let result: { messages: object[]; templates: string[] };

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  const { python, env } = pythonWithWheel(buildPackages().wheel);
  writeFileSync(join(dir, 'app.py'), pythonApp(usageBlock('python')));
  result = JSON.parse(run(python, ['app.py'], dir, env)) as typeof result;
  console.log(`python consumer timings (s): ${JSON.stringify(timings)}`);
});
afterAll(() => cleanup());

test('the README Python Usage code, pasted as it is, synthesizes without a warning', () => {
  expect(result.messages).toEqual([]);
});

test('it makes the same resources as the TypeScript Usage code', () => {
  const template = JSON.parse(readFileSync(join(dir, result.templates[0]), 'utf8'));
  const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
  expect(types.filter((t) => t === 'Custom::EksClusterAccess')).toHaveLength(1);
  expect(types.filter((t) => t === 'AWS::IAM::Group')).toHaveLength(2);
  // The inline state, its deploy-time values (always inside JSON strings) replaced by a letter.
  const resource = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'Custom::EksClusterAccess');
  const inline = resource.Properties.inline;
  const text = typeof inline === 'string' ? inline : inline['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'x')).join('');
  const state = JSON.parse(text);
  expect(state.permissionSets.map((p: { permissionSetName: string }) => p.permissionSetName)).toEqual(['EksAuditors']);
});
