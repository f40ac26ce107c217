/**
 * The engine and the CLI against the real upstream code (test/oracle: aws-iam-authenticator's
 * ParseMap, Validate, Canonicalize and matching; eksctl's iamidentitymapping commands), on
 * generated aws-auth maps written every odd way (see odd-maps.ts):
 *
 * - `mapping get -o json` lists exactly the entries the authenticator keeps;
 * - every caller resolves to exactly the identities the authenticator may give it;
 * - every CLI edit leaves a ConfigMap the authenticator reads as it reads eksctl's result, except
 *   for the deliberate differences named in {@link DIFFERENCES} (docs/cli.md): a difference no
 *   name explains fails.
 *
 * Counts and times are in docs/benchmarks.md; ORACLE_RUNS multiplies the number of runs.
 */
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { CORPUS, ConformanceCase, ConformanceEntries, normalizeEntries } from './conformance/corpus';
import { ACCOUNTS, callers, oddData } from './odd-maps';
import { main } from '../../../lib/cli/main';
import { emrContainersRbac, parseAwsAuth, resolveIdentities } from '../../../lib/core/aws-auth';
import { Oracle, OracleEdit, OracleParse } from '../../support/oracle';

jest.setTimeout(20 * 60_000); // a cold oracle build takes minutes; a warm run, seconds

const RUNS = Number(process.env.ORACLE_RUNS ?? '1');
/** What the suite compared (printed with ORACLE_REPORT=1, for docs/benchmarks.md). */
const counts = { parsedMaps: 0, resolvedMaps: 0, callers: 0, editedMaps: 0, editSteps: 0, explainedSteps: 0 };
let oracle: Oracle;
beforeAll(() => {
  oracle = Oracle.start();
});
afterAll(async () => {
  await oracle?.close();
  // eslint-disable-next-line no-console
  if (process.env.ORACLE_REPORT) console.log('compared', counts);
});

/** `eks-access <argv>` on `data` as standard input; stdout and the exit code. */
async function cli(argv: string[], data: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--file', '-'], {
    readStdin: async () => JSON.stringify({ data }),
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
  });
  return { code, stdout, stderr };
}

/** Entries as the authenticator's structs hold them, for comparison. */
function normalized(p: Pick<OracleParse, 'mapRoles' | 'mapUsers' | 'mapAccounts'>) {
  const identity = (e: { username?: string; groups?: readonly string[] | null; userid?: string }) => ({ username: e.username ?? '', groups: [...(e.groups ?? [])], userid: e.userid ?? '' });
  return {
    mapRoles: (p.mapRoles ?? []).map((r) => ({
      rolearn: r.rolearn ?? '',
      sso: r.sso ? { permissionSetName: r.sso.permissionSetName, accountID: r.sso.accountID, partition: r.sso.partition ?? '' } : null,
      ...identity(r),
    })),
    mapUsers: (p.mapUsers ?? []).map((u) => ({ userarn: u.userarn ?? '', ...identity(u) })),
    mapAccounts: [...(p.mapAccounts ?? [])], // go-yaml leaves nil (JSON null) for an empty document
  };
}

type Row = { rolearn?: string; userarn?: string; sso?: OracleParse['mapRoles'][0]['sso']; userid?: string; username?: string; groups?: string[]; account?: string; dropped?: string };

describe('reading: mapping get lists exactly what the authenticator keeps', () => {
  test('generated maps', async () => {
    await fc.assert(fc.asyncProperty(oddData, async (data) => {
      counts.parsedMaps++;
      const expected = await oracle.parse(data);
      const r = await cli(['mapping', 'get', '-o', 'json'], data);
      expect(r.code).toBe(0);
      const rows = (JSON.parse(r.stdout) as Row[]).filter((row) => row.dropped === undefined);
      const listed = {
        mapRoles: rows.filter((x) => x.account === undefined && x.userarn === undefined).map((x) => ({ ...x, username: x.username ?? '', groups: x.groups ?? null })),
        mapUsers: rows.filter((x) => x.userarn !== undefined).map((x) => ({ ...x, userarn: x.userarn!, username: x.username ?? '', groups: x.groups ?? null })),
        mapAccounts: rows.filter((x) => x.account !== undefined).map((x) => x.account!),
      };
      expect(normalized(listed)).toEqual(normalized(expected));
    }), { numRuns: 500 * RUNS });
  });
});

describe('resolution: every caller gets exactly the identities the authenticator may give it', () => {
  test('generated maps and callers', async () => {
    await fc.assert(fc.asyncProperty(oddData, callers, async (data, who) => {
      counts.resolvedMaps++;
      counts.callers += who.length;
      const expected = await oracle.resolve(data, who);
      const configMap = parseAwsAuth(data).configMap!;
      who.forEach((caller, i) => {
        const mine = resolveIdentities(configMap, caller).map((o) => (o.identity ? { username: o.identity.username, groups: o.identity.groups, denied: false } : { username: '', groups: [], denied: true }));
        const theirs = expected[i].identities.map((o) => (o.error ? { username: '', groups: [], denied: true } : { username: o.username, groups: o.groups ?? [], denied: false }));
        const order = (xs: typeof mine) => xs.map((x) => JSON.stringify(x)).sort();
        expect({ caller: caller.arn, outcomes: order(mine) }).toEqual({ caller: caller.arn, outcomes: order(theirs) });
      });
    }), { numRuns: 300 * RUNS });
  });
});

/** One step of `eks-access mapping create|delete`, with eksctl's flags. */
const ARN_CHOICES = [
  'arn:aws:iam::111122223333:role/dev', 'arn:aws:iam::111122223333:role/Dev', 'arn:aws:iam::444455556666:role/ops', 'arn:aws:iam::111122223333:user/dev',
  'arn:aws:iam::111122223333:user/team/Admin', 'arn:aws:iam::111122223333:role/team/dev', `arn:aws:iam::111122223333:role/${'y'.repeat(65)}`,
  'arn:aws:iam::111122223333:role/dev ', 'arn:aws:iam::1111:role/dev',
];
const editStep: fc.Arbitrary<OracleEdit> = fc.oneof(
  fc.record({
    arn: fc.constantFrom(...ARN_CHOICES),
    username: fc.constantFrom('', 'dev', 'dev:{{SessionName}}', 'admin'),
    groups: fc.array(fc.constantFrom('system:masters', 'developers', 'viewers'), { maxLength: 2 }),
    noDuplicateArns: fc.boolean(),
  }),
  fc.record({ delete: fc.constant(true), arn: fc.constantFrom(...ARN_CHOICES), all: fc.boolean() }),
  fc.record({ account: fc.constantFrom(...ACCOUNTS, '4444') }),
  fc.record({ delete: fc.constant(true), account: fc.constantFrom(...ACCOUNTS, '4444') }),
);

function argvOf(step: OracleEdit): string[] {
  const args = ['mapping', step.delete ? 'delete' : 'create'];
  if (step.arn !== undefined) args.push('--arn', step.arn);
  if (step.account !== undefined) args.push('--account', step.account);
  if (step.username) args.push('--username', step.username);
  for (const g of step.groups ?? []) args.push('--group', g);
  if (step.noDuplicateArns) args.push('--no-duplicate-arns');
  if (step.all) args.push('--all');
  return [...args, '-o', 'json'];
}

/**
 * The deliberate differences from eksctl (docs/cli.md, "Differences from eksctl"). Each returns
 * true when it explains why our result may differ from eksctl's for this step on this map.
 */
const DIFFERENCES: Record<string, (step: OracleEdit, before: OracleParse, data: Record<string, string>) => boolean> = {
  'role ARNs with a path are refused, with the canonical form offered': (s) => !s.delete && /:role\/.+\/.+/.test(s.arn ?? ''),
  'accounts must have 12 digits': (s) => s.account !== undefined && !/^\d{12}$/.test(s.account) || /::\d{1,11}:/.test(s.arn ?? ''),
  'IAM names longer than 64 characters are refused': (s) => !s.delete && /\/[^/]{65,}$/.test(s.arn ?? ''),
  'ARNs with white space are refused': (s) => !s.delete && (s.arn ?? '') !== (s.arn ?? '').trim(),
  'ARNs are compared case-insensitively, as the authenticator compares them': (s, before) => s.arn !== undefined
    && [...before.mapRoles.map((r) => r.rolearn ?? ''), ...before.mapUsers.map((u) => u.userarn)].some((a) => a !== s.arn && a.toLowerCase() === s.arn!.toLowerCase()),
  'sso and userid fields, and entries eksctl cannot read, are kept': (_s, before, data) => before.mapRoles.some((r) => r.sso !== undefined || r.userid) || before.mapUsers.some((u) => u.userid) || /userid|sso/i.test(data.mapRoles ?? '') || /userid/i.test(data.mapUsers ?? ''),
  'unquoted accounts keep their text (eksctl turns them into numbers)': (_s, _b, data) => /^\s*-\s*\d/m.test(data.mapAccounts ?? ''),
  'accounts keep their order (eksctl sorts and deduplicates them on every add)': (s) => s.account !== undefined && !s.delete,
  'removing an account removes every occurrence (eksctl removes the first)': (s) => s.account !== undefined && s.delete === true,
  'a ConfigMap a rewrite would change is refused (a value of the wrong type, an unreadable section)': (_s, _b, data) => parseAwsAuth({ ...data }).rewriteBlockers.length > 0,
  'the documents after the first are kept (eksctl deletes them)': (_s, _b, data) => Object.values(data).some((t) => /^(---|\.\.\.)/m.test(t.replace(/^---\n/, ''))),
};

/**
 * eksctl's own bugs: where eksctl's result is not what the authenticator makes of the ConfigMap,
 * and ours is (checked by the reading test above).
 */
const EKSCTL_BUGS: Record<string, (step: OracleEdit, before: OracleParse, data: Record<string, string>, eksctlError: string) => boolean> = {
  'eksctl cannot read a section the authenticator skips as empty (\'\', "" or two backticks)': (_s, _b, data, error) =>
    error.startsWith('unmarshalling') && Object.values(data).some((t) => ["''", '""', '``'].includes(t.trim())),
};

describe('editing: every CLI edit is read as eksctl\'s, but for the named differences', () => {
  const seen: Record<string, number> = {};
  afterAll(() => {
    // eslint-disable-next-line no-console
    if (process.env.ORACLE_REPORT) console.log('explained differences', seen);
  });

  test('generated maps and edit steps', async () => {
    await fc.assert(fc.asyncProperty(oddData, fc.array(editStep, { minLength: 1, maxLength: 3 }), async (initial, steps) => {
      let data = initial;
      counts.editedMaps++;
      for (const step of steps) {
        counts.editSteps++;
        const before = await oracle.parse(data);
        const theirs = await oracle.eksctl(data, step);
        const ours = await cli(argvOf(step), data);
        const ourData = ours.code === 0 ? (JSON.parse(ours.stdout) as { data?: Record<string, string> }).data ?? {} : data;
        const [a, b] = [await oracle.parse(ourData), await oracle.parse(theirs.data)];
        const same = (ours.code === 0) === (theirs.error === '') && JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
        if (!same) {
          const why = [
            ...Object.entries(DIFFERENCES).filter(([, explains]) => explains(step, before, data)).map(([name]) => name),
            ...Object.entries(EKSCTL_BUGS).filter(([, explains]) => explains(step, before, data, theirs.error)).map(([name]) => `eksctl bug: ${name}`),
          ];
          if (why.length === 0) {
            throw new Error(`unexplained difference from eksctl\nstep: ${JSON.stringify(step)}\ndata: ${JSON.stringify(data)}\nours (${ours.code}): ${ours.stderr}${JSON.stringify(normalized(a))}\neksctl (${theirs.error}): ${JSON.stringify(normalized(b))}`);
          }
          for (const name of why) seen[name] = (seen[name] ?? 0) + 1;
          counts.explainedSteps++;
        }
        data = ourData;
      }
    }), { numRuns: 400 * RUNS });
  });
});

describe('the conformance corpus states what the upstream code does', () => {
  const data = (c: ConformanceCase): Record<string, string> =>
    (c.document ? (yaml.load(c.document) as { data: Record<string, string> }).data : c.data ?? {});

  test.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(normalizeEntries(await oracle.parse(data(c)) as ConformanceEntries)).toEqual(normalizeEntries(c.authenticator));
    for (const caller of c.callers ?? []) {
      const [resolution] = await oracle.resolve(data(c), [caller]);
      const key = (xs: Array<{ username: string; groups: string[] | null }>) =>
        xs.map((x) => JSON.stringify({ username: x.username, groups: x.groups ?? [] })).sort();
      expect(key(resolution.identities.filter((i) => !i.error))).toEqual(key(caller.identities));
    }
    if (c.edit?.eksctl || c.edit?.eksctlRefuses) {
      const flags = c.edit.argv;
      const value = (flag: string) => (flags.includes(flag) ? flags[flags.indexOf(flag) + 1] : undefined);
      const step: OracleEdit = {
        delete: flags[1] === 'delete',
        arn: value('--arn'),
        account: value('--account'),
        username: value('--username'),
        groups: flags.flatMap((f, i) => (f === '--group' ? [flags[i + 1]] : [])),
        noDuplicateArns: flags.includes('--no-duplicate-arns'),
        all: flags.includes('--all'),
        serviceName: value('--service-name'),
        clusterAccount: value('--cluster-account'),
        partition: value('--partition'),
      };
      const result = await oracle.eksctl(data(c), step);
      if (c.edit.eksctlRefuses) {
        expect(result.error).toContain(c.edit.eksctlRefuses);
      } else {
        expect(result.error).toBe('');
        expect(normalizeEntries(await oracle.parse(result.data) as ConformanceEntries)).toEqual(normalizeEntries(c.edit.eksctl!));
      }
    }
  });

  test('the emr-containers Role and RoleBinding are eksctl\'s asset, rule for rule', () => {
    const asset = yaml.loadAll(oracle.emrContainersAsset()).filter((d) => d !== null) as Array<Record<string, any>>;
    const withNamespace = asset.map((d) => ({ ...d, metadata: { ...d.metadata, namespace: 'spark' } }));
    expect(emrContainersRbac('spark')).toEqual(withNamespace);
  });
});
