/**
 * The conformance corpus (conformance/corpus.yaml): hand-written aws-auth maps with what
 * aws-iam-authenticator and eksctl make of them, each expectation citing the upstream file and
 * line. The engine, `lint` and the CLI edits are checked against every case here, without Go;
 * differential.test.ts checks the expectations themselves against the real upstream code.
 */
import * as yaml from 'js-yaml';
import { CORPUS, caseText, keptEntries, normalizeEntries } from './conformance/corpus';
import { main } from '../../../lib/cli/main';
import { emrContainersRbac, lintAwsAuth, parseAwsAuth, resolveIdentities } from '../../../lib/core/aws-auth';

async function cli(argv: string[], stdin: string) {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--file', '-', '-o', 'json'], { readStdin: async () => stdin, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe.each(CORPUS.map((c) => [`${c.class}: ${c.name}`, c] as const))('%s', (_title, c) => {
  test('the engine reads what the authenticator keeps', () => {
    const parsed = parseAwsAuth(c.document ?? { data: c.data ?? {} });
    expect(normalizeEntries(keptEntries(parsed.configMap!))).toEqual(normalizeEntries(c.authenticator));
  });

  if (c.callers) {
    test('callers get the identities the authenticator may give them', () => {
      const cm = parseAwsAuth(c.document ?? { data: c.data ?? {} }).configMap!;
      for (const caller of c.callers!) {
        const got = resolveIdentities(cm, caller).flatMap((o) => (o.identity ? [{ username: o.identity.username, groups: o.identity.groups }] : []));
        const key = (xs: Array<{ username: string; groups: string[] }>) => xs.map((x) => JSON.stringify(x)).sort();
        expect(key(got)).toEqual(key(caller.identities));
      }
    });
  }

  if (c.lint || c.lintErrors !== undefined) {
    test('lint says exactly this', () => {
      const problems = lintAwsAuth(c.document ?? { data: c.data ?? {} });
      for (const [severity, location, part] of c.lint ?? []) {
        expect(problems).toContainEqual(expect.objectContaining({ severity, location, message: expect.stringContaining(part) }));
      }
      if (c.lintErrors !== undefined) {
        expect(problems.filter((p) => p.severity === 'error')).toHaveLength(c.lintErrors);
      }
    });
  }

  if (c.edit) {
    const edit = c.edit;
    test(`eks-access ${edit.argv.join(' ')}`, async () => {
      const r = await cli(edit.argv, caseText(c));
      if (edit.refused) {
        expect(r.code).toBe(1);
        return;
      }
      expect(r.code).toBe(0);
      const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
      const expected = edit.ours ?? edit.eksctl!;
      expect(normalizeEntries(keptEntries(parseAwsAuth({ data }).configMap!))).toEqual(normalizeEntries(expected));
      if (edit.keepsText !== undefined) {
        expect(Object.values(data).some((t) => t.endsWith(edit.keepsText!))).toBe(true);
      }
      if (edit.argv.includes('--service-name')) {
        // The RBAC goes to standard error as YAML: it must be eksctl's asset for the namespace.
        expect(r.stderr).toContain(yaml.dump(emrContainersRbac('spark')[0], { lineWidth: -1, noRefs: true }));
      }
    });
  }
});
