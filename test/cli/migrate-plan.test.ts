import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { run, tempDir } from './harness';
import { ACCOUNT, PRINCIPALS, realisticConfigMapYaml } from '../support/migration/realistic-aws-auth';

let dir: string;
let cleanup: () => void;
let file: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  file = join(dir, 'aws-auth.yaml');
  writeFileSync(file, realisticConfigMapYaml());
});
afterEach(() => cleanup());

/** The facts a live plan would get from IAM and EKS, given as flags. */
const FACTS = [
  '--principal-arn', PRINCIPALS.admin, '--principal-arn', PRINCIPALS.dev, '--principal-arn', PRINCIPALS.sso,
  '--managed-node-role', PRINCIPALS.managedNodeGroup, '--cluster-account', ACCOUNT,
];

describe('migrate plan --file', () => {
  test('the table: one row per aws-auth entry, then each reason, then the verdict on mode API', async () => {
    const r = await run(['migrate', 'plan', '--file', file, ...FACTS]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const rows = r.stdout.split('\n').slice(2, 14).map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['ENTRY', 'ARN', 'USERNAME', 'GROUPS', 'VERDICT', 'ACCESS ENTRY']);
    expect(rows.slice(1).map((row) => [row[0], row[row.length - 2]])).toEqual([
      ['mapRoles[0]', 'migrate'], ['mapRoles[1]', 'skip'], ['mapRoles[2]', 'migrate'], ['mapRoles[3]', 'blocked'], ['mapRoles[4]', 'migrate'],
      ['mapRoles[5]', 'migrate'], ['mapRoles[6]', 'migrate'], ['mapRoles[7]', 'migrate'], ['mapRoles[8]', 'blocked'],
      ['mapUsers[0]', 'migrate'], ['mapAccounts[0]', 'blocked'],
    ]);
    expect(rows[3][5]).toBe(`STANDARD ${PRINCIPALS.admin}; username admin:{{SessionName}}; groups platform-admins; AmazonEKSClusterAdminPolicy (cluster)`);
    expect(r.stdout).toContain('mapRoles[3]: blocked (shadowed): mapRoles[5] maps the same principal');
    expect(r.stdout).toContain('mapRoles[8]: blocked (service-linked-role)');
    expect(r.stdout).toContain('Authentication mode API: not allowed yet:');
    expect(r.stdout).toMatch(/Would still lose access after this migration:\n- arn:aws:iam::111122223333:role\/AWSServiceRoleForAmazonEMRContainers \(mapRoles\[8\], emr-containers\)\n- 444455556666 \(mapAccounts\[0\]\)/);
  });

  test('-o json and -o yaml carry the whole plan', async () => {
    const json = JSON.parse((await run(['migrate', 'plan', '--file', file, ...FACTS, '-o', 'json'])).stdout);
    expect(json).toMatchObject({ source: `file ${file}`, mode: 'CONFIG_MAP', api: { allowed: false } });
    expect(json.items).toHaveLength(11);
    expect(json.entries.map((e: { principalArn: string }) => e.principalArn)).toEqual([
      PRINCIPALS.node, PRINCIPALS.admin, PRINCIPALS.dev, PRINCIPALS.viewer, PRINCIPALS.sso, PRINCIPALS.partner, PRINCIPALS.ops,
    ]);
    const yml = yaml.load((await run(['migrate', 'plan', '--file', file, ...FACTS, '-o', 'yaml'])).stdout);
    expect(yml).toEqual(json);
  });

  test('without facts, the SSO role is blocked (its path is unknown) and the other paths are assumed', async () => {
    const json = JSON.parse((await run(['migrate', 'plan', '--file', file, '-o', 'json'])).stdout);
    expect(json.items[6]).toMatchObject({ verdict: 'blocked', rule: 'path-unknown' });
    expect(json.items[2]).toMatchObject({ verdict: 'migrate', principalSource: 'assumed', principalArn: `arn:aws:iam::${ACCOUNT}:role/cluster-admin` });
    expect(json.notes.join('\n')).toMatch(/IAM was not consulted for/);
  });

  test('--access-entries: an entry that exists covers its principal (and the mode defaults to API_AND_CONFIG_MAP)', async () => {
    const entries = join(dir, 'entries.json');
    writeFileSync(entries, JSON.stringify({
      accessEntries: [{
        principalArn: PRINCIPALS.dev,
        type: 'STANDARD',
        username: 'dev:{{SessionName}}',
        kubernetesGroups: ['developers'],
        associatedAccessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['dev'] } }],
      }],
    }));
    const json = JSON.parse((await run(['migrate', 'plan', '--file', file, ...FACTS, '--access-entries', entries, '-o', 'json'])).stdout);
    expect(json.mode).toBe('API_AND_CONFIG_MAP');
    expect(json.items[4]).toMatchObject({ verdict: 'covered', rule: 'existing-differs', differences: ['access policy only the access entry gives: AmazonEKSViewPolicy (namespaces dev)'] });
    // A managed node group's entry that EKS has not created yet now blocks the step to API.
    expect(json.api.reasons).toContain(`mapRoles[1] (arn:aws:iam::${ACCOUNT}:role/eks-managed-ng-role) is managed by EKS, which has not created its access entry yet`);
  });

  test('usage errors name the flag', async () => {
    expect(await run(['migrate', 'plan', '--file', file, '--mode', 'APIs'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--mode "APIs" is not one of CONFIG_MAP, API_AND_CONFIG_MAP, API') });
    expect(await run(['migrate', 'plan', '--file', file, '--principal-arn', 'arn:aws:sts::111122223333:assumed-role/x/y'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--principal-arn') });
    expect(await run(['migrate', 'plan', '--file', file, '-o', 'html'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown output format "html"') });
    const badEntries = join(dir, 'bad.json');
    writeFileSync(badEntries, '{"accessEntries": [{"principalArn": "nope"}]}');
    expect(await run(['migrate', 'plan', '--file', file, '--access-entries', badEntries])).toMatchObject({ code: 1, stderr: expect.stringContaining('entry 0: principalArn must be an IAM role or user ARN') });
    expect(await run(['migrate', 'apply', '--file', file])).toMatchObject({ code: 2 });
    expect(await run(['migrate', 'apply', '--yes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--file or --cluster is required') });
  });

  test('a missing file is an error, not an empty plan', async () => {
    expect(await run(['migrate', 'plan', '--file', join(dir, 'none.yaml')])).toMatchObject({ code: 1, stderr: expect.stringContaining('does not exist: there is no aws-auth to migrate') });
  });

  test('help', async () => {
    expect((await run(['migrate'])).code).toBe(2);
    expect((await run(['migrate', '--help'])).stdout).toMatch(/plan +the move from aws-auth/);
    expect((await run(['migrate', 'plan', '--help'])).stdout).toMatch(/-o, --output FMT +table \(default\), json, yaml, or cdk/);
    expect((await run(['migrate', 'apply', '--help'])).stdout).toMatch(/--remove-migrated/);
  });
});
