import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { configMap, text } from './arbitraries';
import { lintAwsAuth, parseAwsAuth, renderAwsAuthYaml } from '../../../lib/core/aws-auth';

function textOf(render: () => string): string {
  try {
    return render();
  } catch {
    return '';
  }
}

/** Lint and parse report problems; they never throw, whatever the input. */
describe('robustness (properties)', () => {
  test('any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (input) => {
      expect(() => lintAwsAuth(input)).not.toThrow();
    }), { numRuns: 500 });
  });

  test('any decoded value as the document or as a section', () => {
    fc.assert(fc.property(fc.anything(), (value) => {
      expect(() => lintAwsAuth(typeof value === 'object' && value !== null ? value : { v: value })).not.toThrow();
      // Turning an arbitrary value into section text can itself throw (`{ toString: 0 }`): that is
      // the input's problem, not the linter's, so such a section becomes empty text.
      const sections = {
        mapRoles: textOf(() => yaml.dump(value, { skipInvalid: true })),
        mapUsers: textOf(() => JSON.stringify(value) ?? ''),
        mapAccounts: textOf(() => String(value)),
      };
      expect(() => lintAwsAuth(sections)).not.toThrow();
    }), { numRuns: 500 });
  });

  test('a valid ConfigMap with one section corrupted line by line still yields problems, not exceptions', () => {
    fc.assert(fc.property(configMap, fc.nat(), text, (cm, at, garbage) => {
      const lines = renderAwsAuthYaml(cm).split('\n');
      lines[at % lines.length] = garbage;
      const parsed = parseAwsAuth(lines.join('\n'));
      expect(parsed.configMap !== undefined || parsed.problems.some((p) => p.severity === 'error')).toBe(true);
    }), { numRuns: 300 });
  });
});
