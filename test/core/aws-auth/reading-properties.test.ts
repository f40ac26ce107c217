/**
 * Properties of the engine's own reading on odd aws-auth maps (odd-maps.ts), without the oracle:
 * a rendered map reads back as it was read, and lint never calls an entry broken (an error about
 * its ARN or its validity) when the engine's resolver maps a real caller with it.
 */
import * as fc from 'fast-check';
import { keptEntries, normalizeEntries } from './conformance/corpus';
import { callers, oddData } from './odd-maps';
import { lintAwsAuth, parseAwsAuth, renderAwsAuthData, resolveIdentities } from '../../../lib/core/aws-auth';

/**
 * Errors about what a matching entry gives the caller rather than whether it matches: kept as
 * errors on purpose (docs/cli.md), so exempt here by name.
 */
const ABOUT_THE_IDENTITY = [
  /^(username|groups\[\d+\]) ".*" uses \{\{.*\}\}, which the authenticator does not expand/, // unknown template variable
  /^groups\[\d+\] is empty$/, // empty group
];

test('a rendered map reads back as the authenticator read it, documents after the first included', () => {
  fc.assert(fc.property(oddData, (data) => {
    const parsed = parseAwsAuth({ data });
    fc.pre(parsed.rewriteBlockers.length === 0);
    const rendered = renderAwsAuthData(parsed.configMap!);
    const again = parseAwsAuth({ data: rendered });
    expect(again.rewriteBlockers).toEqual([]);
    expect(normalizeEntries(keptEntries(again.configMap!))).toEqual(normalizeEntries(keptEntries(parsed.configMap!)));
    expect(again.configMap!.ignoredText).toEqual(parsed.configMap!.ignoredText);
    expect(renderAwsAuthData(again.configMap!)).toEqual(rendered);
  }), { numRuns: 500 });
});

test('lint never reports an error on an entry the resolver maps a caller with, but for the named identity errors', () => {
  fc.assert(fc.property(oddData, callers, (data, who) => {
    const parsed = parseAwsAuth({ data });
    const problems = lintAwsAuth({ data });
    for (const caller of who) {
      for (const outcome of resolveIdentities(parsed.configMap!, caller)) {
        if (outcome.identity === undefined || outcome.source.startsWith('mapAccounts')) continue;
        const errors = problems.filter((p) => p.location === outcome.source && p.severity === 'error' && !ABOUT_THE_IDENTITY.some((re) => re.test(p.message)));
        expect({ caller: caller.arn, entry: outcome.source, errors }).toEqual({ caller: caller.arn, entry: outcome.source, errors: [] });
      }
    }
  }), { numRuns: 500 });
});
