/**
 * API.md is the API reference jsii-docgen writes from the library's assembly. It is committed, so a
 * change to the public API (or to its doc comments) that leaves API.md behind fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildPackages } from '../support/package-build';

jest.setTimeout(20 * 60_000);

test('the committed API.md is what jsii-docgen writes from the library as it is', () => {
  const generated = readFileSync(buildPackages().apiMd, 'utf8');
  const committed = readFileSync(join(ROOT, 'API.md'), 'utf8');
  if (committed !== generated) {
    throw new Error('API.md is stale: it is not what jsii-docgen writes from lib/ as it is. Regenerate and commit it:\n'
      + '  npx projen compile && npx projen docgen\n'
      + '(then remove the compiled lib/**/*.js, lib/**/*.d.ts and .jsii, which are ignored by git, or keep them: jest loads the .ts first)');
  }
  expect(committed).toBe(generated);
});
