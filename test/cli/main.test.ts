import { chmodSync, copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { run, tempDir } from './harness';
import { main } from '../../lib/cli/main';
import { loadAwsAuth } from '../../lib/core/aws-auth';

const FIXTURES = join(__dirname, '..', 'core', 'fixtures');
const NODE_ROLE = 'arn:aws:iam::444455556666:role/prod-nodes-NodeInstanceRole-1A2B3C4D5E6F';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** A copy of a fixture in the temporary directory. */
function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(join(FIXTURES, name), path);
  return path;
}

describe('mapping get', () => {
  test('entries the authenticator drops are shown as dropped, never as mappings; userid of users is shown', async () => {
    const path = join(dir, 'cm.yaml');
    writeFileSync(path, yaml.dump({
      data: {
        mapRoles: '- username: no-arn\n- rolearn: arn:aws:iam::111122223333:role/ok\n  username: ok\n',
        mapUsers: '- userarn: arn:aws:iam::111122223333:user/u\n  userid: AIDAEXAMPLE\n  username: u\n',
      },
    }));
    const json = await run(['mapping', 'get', '--file', path, '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { username: 'no-arn', dropped: 'entry has neither rolearn nor sso: the authenticator drops it' },
      { rolearn: 'arn:aws:iam::111122223333:role/ok', username: 'ok' },
      { userarn: 'arn:aws:iam::111122223333:user/u', userid: 'AIDAEXAMPLE', username: 'u' },
    ]);
    const table = await run(['mapping', 'get', '--file', path]);
    expect(table.stdout.split('\n')[0].split(/\s{2,}/)).toEqual(['ARN', 'USERNAME', 'GROUPS', 'ACCOUNT', 'DROPPED']);
    expect(table.stdout.split('\n')[1]).toMatch(/^\s+no-arn\s+entry has neither rolearn nor sso: the authenticator drops it$/);
  });

  test('prints the table: roles, users, accounts', async () => {
    const r = await run(['mapping', 'get', '--file', copy('aws-auth.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['ARN', 'USERNAME', 'GROUPS', 'ACCOUNT'],
      [NODE_ROLE, 'system:node:{{EC2PrivateDNSName}}', 'system:bootstrappers,system:nodes'],
      ['arn:aws:iam::444455556666:user/ops-admin', 'ops-admin', 'system:masters'],
      ['', '444455556666'],
      [''],
    ]);
  });

  test('-o json and -o yaml print eksctl-style objects', async () => {
    const json = await run(['mapping', 'get', '--file', copy('aws-auth.yaml'), '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { userarn: 'arn:aws:iam::444455556666:user/ops-admin', username: 'ops-admin', groups: ['system:masters'] },
      { account: '444455556666' },
    ]);
    const yml = await run(['mapping', 'get', '--file', join(dir, 'aws-auth.yaml'), '--output', 'yaml']);
    expect(yaml.load(yml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  test('--arn filters; a session ARN shows the entry the authenticator would use', async () => {
    const path = copy('aws-auth.yaml');
    const exact = await run(['mapping', 'get', '--file', path, '--arn', NODE_ROLE.toLowerCase(), '-o', 'json']);
    expect(JSON.parse(exact.stdout)).toHaveLength(1);
    const session = await run(['mapping', 'get', '--file', path, '--arn', 'arn:aws:sts::444455556666:assumed-role/prod-nodes-NodeInstanceRole-1A2B3C4D5E6F/i-0123456789abcdef0', '-o', 'json']);
    expect(session.code).toBe(0);
    expect(JSON.parse(session.stdout)[0].rolearn).toBe(NODE_ROLE);
    expect(session.stderr).toContain('the authenticator maps it with mapRoles[0]');
    const byAccount = await run(['mapping', 'get', '--file', path, '--arn', 'arn:aws:iam::444455556666:user/someone', '-o', 'json']);
    expect(JSON.parse(byAccount.stdout)).toEqual([{ account: '444455556666' }]);
    const none = await run(['mapping', 'get', '--file', path, '--arn', 'arn:aws:iam::999999999999:role/none']);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toBe('eks-access: no mapping for "arn:aws:iam::999999999999:role/none" in aws-auth\n');
  });

  test('reads standard input with --file -', async () => {
    const r = await run(['mapping', 'get', '--file', '-', '-o', 'json'], readFileSync(join(FIXTURES, 'aws-auth.json'), 'utf8'));
    expect(JSON.parse(r.stdout)).toEqual([{ rolearn: 'arn:aws:iam::444455556666:role/ci-deployer', username: 'ci:{{SessionNameRaw}}', groups: ['deployers'] }, { account: '012345678901' }]);
  });

  test('a missing file is a cluster without aws-auth: no mappings, a note', async () => {
    const r = await run(['mapping', 'get', '--file', join(dir, 'absent.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ARN   USERNAME   GROUPS   ACCOUNT\n');
    expect(r.stderr).toContain('does not exist');
  });

  test('a section the authenticator ignores is left out with a note; the rest is listed as it reads it, and edits refuse', async () => {
    const path = copy('aws-auth-malformed.yaml');
    const r = await run(['mapping', 'get', '--file', path, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).some((row: { rolearn?: string }) => row.rolearn !== undefined)).toBe(false);
    expect(r.stderr).toMatch(/^note: the authenticator ignores parts of file .*\.yaml .*:\n {2}error: mapRoles: the whole section is ignored by the authenticator: malformed YAML/);
    const edit = await run(['mapping', 'create', '--file', path, '--arn', 'arn:aws:iam::111122223333:role/a', '--username', 'a']);
    expect(edit.code).toBe(1);
    expect(edit.stderr).toMatch(/^eks-access: cannot read file .*\.yaml:\nerror: mapRoles: the whole section is ignored by the authenticator: malformed YAML/);
  });
});

describe('mapping create', () => {
  test('prints the new ConfigMap and leaves the file alone', async () => {
    const path = copy('aws-auth-eksctl.yaml');
    const before = readFileSync(path, 'utf8');
    const r = await run(['mapping', 'create', '--file', path, '--arn', 'arn:aws:iam::444455556666:role/dev', '--username', 'dev:{{SessionName}}', '--group', 'devs,readers', '--group', 'oncall']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(path, 'utf8')).toBe(before);
    const cm = loadAwsAuth(r.stdout);
    expect(cm.mapRoles.slice(-1)).toEqual([{ rolearn: 'arn:aws:iam::444455556666:role/dev', username: 'dev:{{SessionName}}', groups: ['devs', 'readers', 'oncall'] }]);
    expect(cm.metadata.resourceVersion).toBe('12345');
  });

  test('--in-place replaces the file atomically, keeping its mode and leaving no temporary file', async () => {
    const path = copy('aws-auth.yaml');
    chmodSync(path, 0o600);
    const r = await run(['mapping', 'create', '--file', path, '--account', '111122223333', '--in-place']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(loadAwsAuth(readFileSync(path, 'utf8')).mapAccounts).toEqual(['444455556666', '111122223333']);
    expect(readdirSync(dir)).toEqual(['aws-auth.yaml']);
    expect((statSync(path).mode % 0o1000).toString(8)).toBe('600');
  });

  test('a failed --in-place command leaves the file byte for byte untouched', async () => {
    const path = copy('aws-auth.yaml');
    const before = readFileSync(path);
    const r = await run(['mapping', 'create', '--file', path, '--arn', NODE_ROLE, '--no-duplicate-arns', '--username', 'other', '--in-place']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`eks-access: "${NODE_ROLE}" is already mapped (mapRoles[0]) and duplicate ARNs are refused\n`);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['aws-auth.yaml']);
  });

  test('a missing file starts a new ConfigMap with the right metadata', async () => {
    const path = join(dir, 'new.yaml');
    const r = await run(['mapping', 'create', '--file', path, '--arn', 'arn:aws:iam::111122223333:user/alice', '--username', 'alice', '--group', 'admins', '--in-place']);
    expect(r.code).toBe(0);
    expect(yaml.load(readFileSync(path, 'utf8'))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapUsers: '- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n  groups:\n    - admins\n' },
    });
  });

  test('a duplicate ARN without --no-duplicate-arns is added with a warning', async () => {
    const r = await run(['mapping', 'create', '--file', copy('aws-auth.yaml'), '--arn', NODE_ROLE, '--username', 'x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: "${NODE_ROLE}" is already mapped (mapRoles[0]); the new mapping shadows it\n`);
    expect(loadAwsAuth(r.stdout).mapRoles).toHaveLength(2);
  });

  test('a role ARN with a path is refused with the canonical form', async () => {
    const r = await run(['mapping', 'create', '--file', copy('aws-auth.yaml'), '--arn', 'arn:aws:iam::444455556666:role/team/dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('use "arn:aws:iam::444455556666:role/dev"');
  });

  test('a mapping lint finds an error in is refused and nothing is written; --force writes it, with the error as a warning', async () => {
    const path = copy('aws-auth.yaml');
    const before = readFileSync(path);
    const args = ['mapping', 'create', '--file', path, '--arn', 'arn:aws:iam::444455556666:role/dev', '--username', 'dev:{{SessionNme}}', '--group', 'devs', '--in-place'];
    const refused = await run(args);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'eks-access: refusing to write mapRoles[1], which eks-access lint finds errors in (nothing was written):\n'
        + '- username "dev:{{SessionNme}}" uses {{SessionNme}}, which the authenticator does not expand (it knows {{AccountID}}, {{SessionName}}, {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}})\n'
        + 'Fix the mapping, or give --force to write it as it is\n',
    });
    expect(readFileSync(path).equals(before)).toBe(true);
    // The same error lint reports once the mapping is in.
    const forced = await run([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('warning: mapRoles[1] written despite a lint error (--force): username "dev:{{SessionNme}}" uses {{SessionNme}}, which the authenticator does not expand (it knows {{AccountID}}, {{SessionName}}, {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}})\n');
    expect(loadAwsAuth(readFileSync(path, 'utf8')).mapRoles[1]).toEqual({ rolearn: 'arn:aws:iam::444455556666:role/dev', username: 'dev:{{SessionNme}}', groups: ['devs'] });
    const lint = await run(['lint', '--file', path]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('uses {{SessionNme}}, which the authenticator does not expand');
  });

  test('lint\'s warnings on the new mapping are passed on; --force goes only with --arn', async () => {
    const r = await run(['mapping', 'create', '--file', copy('aws-auth.yaml'), '--arn', 'arn:aws:iam::444455556666:user/ci', '--username', 'ci:{{SessionName}}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: mapUsers[1]: username "ci:{{SessionName}}" uses {{SessionName}}, but an IAM user caller has no session: it expands to an empty string\n');
    expect((await run(['mapping', 'create', '--file', copy('aws-auth.yaml'), '--account', '111122223333', '--force'])).stderr).toMatch(/--force only goes with --arn/);
  });

  test('emr-containers: the mapping to stdout, the RBAC to stderr or to --rbac-file', async () => {
    const path = copy('aws-auth.yaml');
    const r = await run(['mapping', 'create', '--file', path, '--service-name', 'emr-containers', '--namespace', 'spark']);
    expect(r.code).toBe(0);
    expect(loadAwsAuth(r.stdout).mapRoles.slice(-1)).toEqual([{ rolearn: 'arn:aws:iam::444455556666:role/AWSServiceRoleForAmazonEMRContainers', username: 'emr-containers' }]);
    const docs = yaml.loadAll(r.stderr) as Array<{ kind: string; metadata: { namespace: string } }>;
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}`)).toEqual(['Role spark', 'RoleBinding spark']);

    const rbacFile = join(dir, 'rbac.yaml');
    const f = await run(['mapping', 'create', '--file', path, '--service-name', 'emr-containers', '--namespace', 'jobs', '--cluster-account', '111122223333', '--rbac-file', rbacFile, '-o', 'json']);
    expect(f.code).toBe(0);
    expect(JSON.parse(f.stdout).kind).toBe('ConfigMap');
    expect((yaml.loadAll(readFileSync(rbacFile, 'utf8')) as any[]).map((d) => d.metadata.namespace)).toEqual(['jobs', 'jobs']);
  });

  test('emr-containers needs --cluster-account when the mappings do not say', async () => {
    const r = await run(['mapping', 'create', '--file', join(dir, 'absent.yaml'), '--service-name', 'emr-containers', '--namespace', 'spark']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cluster-account is required');
  });
});

describe('edits keep what the authenticator ignores', () => {
  test('text after the first YAML document survives an --in-place edit byte for byte, still ignored', async () => {
    const path = join(dir, 'cm.yaml');
    const tail = '---\n- rolearn: arn:aws:iam::111122223333:role/ignored   # never read\n  groups: [system:masters]\n';
    writeFileSync(path, yaml.dump({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles: `- rolearn: arn:aws:iam::111122223333:role/Contractor\n  username: c\n  groups: [system:masters]\n${tail}`,
      },
    }));
    const lint = await run(['lint', '--file', path]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('error: mapRoles: entries after line 4 are ignored by the authenticator');
    const r = await run(['mapping', 'delete', '--file', path, '--arn', 'arn:aws:iam::111122223333:role/contractor', '--all', '--in-place']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const data = (yaml.load(readFileSync(path, 'utf8')) as { data: Record<string, string> }).data;
    expect(data.mapRoles).toBe(`[]\n${tail}`);
    expect(loadAwsAuth(readFileSync(path, 'utf8')).mapRoles).toEqual([]);
  });
});

describe('mapping delete', () => {
  function withDuplicates(): string {
    const path = join(dir, 'dup.yaml');
    writeFileSync(path, [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: aws-auth, namespace: kube-system}', 'data:', '  mapRoles: |',
      '    - {rolearn: "arn:aws:iam::111122223333:role/a", username: one}',
      '    - {rolearn: "arn:aws:iam::111122223333:role/b", username: other}',
      '    - {rolearn: "arn:aws:iam::111122223333:role/a", username: two}',
      '', '',
    ].join('\n'));
    return path;
  }

  test('removes the first match and warns about the rest; --all removes every one', async () => {
    const first = await run(['mapping', 'delete', '--file', withDuplicates(), '--arn', 'arn:aws:iam::111122223333:role/a']);
    expect(first.code).toBe(0);
    expect(loadAwsAuth(first.stdout).mapRoles.map((r) => r.username)).toEqual(['other', 'two']);
    expect(first.stderr).toBe('warning: 1 more mapping of "arn:aws:iam::111122223333:role/a" remains (use all to remove every one)\n');
    const all = await run(['mapping', 'delete', '--file', join(dir, 'dup.yaml'), '--arn', 'arn:aws:iam::111122223333:role/a', '--all']);
    expect(loadAwsAuth(all.stdout).mapRoles.map((r) => r.username)).toEqual(['other']);
  });

  test('accounts; a missing account is an error', async () => {
    const path = copy('aws-auth.yaml');
    expect(loadAwsAuth((await run(['mapping', 'delete', '--file', path, '--account', '444455556666'])).stdout).mapAccounts).toEqual([]);
    const missing = await run(['mapping', 'delete', '--file', path, '--account', '111122223333']);
    expect(missing).toMatchObject({ code: 1, stderr: 'eks-access: account "111122223333" is not in mapAccounts\n' });
  });

  test('deleting from a missing file is an error', async () => {
    const r = await run(['mapping', 'delete', '--file', join(dir, 'absent.yaml'), '--arn', NODE_ROLE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('there is no aws-auth to delete from');
  });

  test('standard input in, standard output out', async () => {
    const r = await run(['mapping', 'delete', '--file', '-', '--arn', NODE_ROLE], readFileSync(join(FIXTURES, 'aws-auth.yaml'), 'utf8'));
    expect(r.code).toBe(0);
    expect(loadAwsAuth(r.stdout).mapRoles).toEqual([]);
  });
});

describe('lint', () => {
  test('lists every problem and exits 1 on errors', async () => {
    const r = await run(['lint', '--file', copy('aws-auth-problems.yaml')]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^\d+ errors, \d+ warnings$/);
    expect(lines).toContain('error: mapRoles[1]: rolearn "arn:aws:iam::444455556666:role/teams/dev/developer" has the path "/teams/dev/": EKS matches roles by name only, so this entry never matches; write "arn:aws:iam::444455556666:role/developer"');
  });

  test('exits 0 with only warnings or nothing; -o json', async () => {
    expect(await run(['lint', '--file', copy('aws-auth.yaml')])).toEqual({ code: 0, stdout: 'no problems\n', stderr: '' });
    const warn = await run(['lint', '--file', copy('aws-auth-misindented-group.yaml'), '-o', 'json']);
    expect(warn.code).toBe(0);
    expect(JSON.parse(warn.stdout)).toMatchObject({ errors: 0, warnings: 1, problems: [{ severity: 'warning', location: 'mapRoles[0]' }] });
  });

  test('malformed YAML and missing files are errors', async () => {
    expect((await run(['lint', '--file', copy('aws-auth-malformed.yaml')])).code).toBe(1);
    expect((await run(['lint', '--file', copy('aws-auth-missing-bar.yaml')])).code).toBe(1);
    const missing = await run(['lint', '--file', join(dir, 'absent.yaml')]);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain('nothing to lint');
  });
});

describe('usage', () => {
  test('--version prints the version of the package (from its package.json when run from the sources)', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `eks-access ${version}\n`, stderr: '' });
    expect((await run(['--help'])).stdout).toContain('eks-access --version');
  });

  test.each([
    [[], 'Usage:'],
    [['mapping'], 'Usage: eks-access mapping'],
    [['nope'], 'unknown command "nope"'],
    [['mapping', 'list'], 'unknown command "mapping list"'],
    [['mapping', 'get'], '--file or --cluster is required'],
    [['mapping', 'get', '--file', 'x', '--cluster', 'prod'], '--file and --cluster cannot be used together'],
    [['mapping', 'get', '--file', 'x', '--region', 'us-west-2'], '--region only goes with --cluster'],
    [['mapping', 'get', '--file', 'x', '--profile', 'p', '--role-arn', 'arn:aws:iam::111122223333:role/a'], '--profile, --role-arn only go with --cluster'],
    [['mapping', 'create', '--cluster', 'prod', '--region', 'us-west-2', '--account', '111122223333', '--in-place'], '--in-place only goes with --file'],
    [['mapping', 'create', '--cluster', 'prod', '--region', 'us-west-2', '--service-name', 'emr-containers', '--namespace', 'n', '--rbac-file', 'r'], '--rbac-file only goes with --file'],
    [['mapping', 'create', '--cluster', 'prod', '--region', 'us-west-2', '--account', '111122223333', '-o', 'json'], '-o/--output only goes with --file here'],
    [['mapping', 'delete', '--cluster', 'prod', '--region', 'us-west-2', '--account', '111122223333', '-o', 'yaml'], '-o/--output only goes with --file here'],
    [['mapping', 'get', '--cluster', '', '--region', 'us-west-2'], '--cluster needs the name of an EKS cluster'],
    [['mapping', 'get', '--cluster', 'prod', '--region', 'Oregon'], '"Oregon" is not an AWS region name'],
    [['mapping', 'get', '--cluster', 'prod', '--region', 'us-west-2', '--role-arn', 'arn:aws:iam::111122223333:user/bob'], '--role-arn "arn:aws:iam::111122223333:user/bob" is not an IAM role ARN'],
    [['mapping', 'get', '--cluster', 'prod', '--region', 'us-west-2', '--role-arn', 'admin'], '--role-arn "admin" is not an IAM role ARN ('],
    [['report', '--cluster', 'prod', '--region', 'us-west-2', '--role-arn', 'admin'], '--role-arn "admin" is not an IAM role ARN ('],
    [['diff', '--app', 'cdk.out', '--cluster', 'prod', '--region', 'us-west-2', '--role-arn', 'admin'], '--role-arn "admin" is not an IAM role ARN ('],
    [['mapping', 'get', '--file', 'x', '--bogus'], 'unknown flag --bogus'],
    [['mapping', 'get', '--file', 'x', 'stray'], 'unexpected argument "stray"'],
    [['mapping', 'get', '--file', 'x', '-o', 'xml'], 'unknown output format "xml" (valid: table, json, yaml)'],
    [['mapping', 'create', '--file', 'x'], 'give exactly one of --arn, --account, --service-name'],
    [['mapping', 'create', '--file', 'x', '--arn', 'a', '--account', '111122223333'], '(got --arn and --account)'],
    [['mapping', 'create', '--file', 'x', '--account', '111122223333', '--username', 'u'], '--username only goes with --arn'],
    [['mapping', 'create', '--file', 'x', '--arn', 'a', '--namespace', 'n'], '--namespace only goes with --service-name'],
    [['mapping', 'create', '--file', 'x', '--service-name', 'emr-containers'], '--namespace is required with --service-name'],
    [['mapping', 'delete', '--file', 'x', '--account', '111122223333', '--all'], '--all only goes with --arn'],
    [['mapping', 'create', '--file', '-', '--account', '111122223333', '--in-place'], '--in-place needs a file'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });

  test.each([
    [['--help'], 'eks-access: inspect and edit'],
    [['mapping', '--help'], 'get      list the mappings'],
    [['mapping', 'get', '--help'], 'Usage: eks-access mapping get'],
    [['mapping', 'create', '-h'], '--no-duplicate-arns'],
    [['mapping', 'delete', '--help'], '--all'],
    [['lint', '--help'], 'Usage: eks-access lint'],
    [['mapping', 'get', '--help'], '--cluster NAME     instead of --file'],
    [['--help'], '--region R        the cluster\'s region (default: AWS_REGION, then AWS_DEFAULT_REGION)'],
  ])('%j prints help (exit 0)', async (argv, text) => {
    const r = await run(argv);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(text);
  });
});

describe('another ConfigMap store plugs in behind the same commands', () => {
  test('a store chosen by an extra flag is read and written instead of a file', async () => {
    let saved: string | undefined;
    const io = { readStdin: async () => '', stdout: () => undefined, stderr: () => undefined };
    const code = await main(['mapping', 'create', '--cluster', 'prod', '--account', '111122223333'], io, {
      extraFlags: { cluster: { type: 'string' } },
      openStore: (flags) => ({
        description: `cluster ${flags.cluster}`,
        load: async () => readFileSync(join(FIXTURES, 'aws-auth.yaml'), 'utf8'),
        save: async (text) => {
          saved = text;
        },
      }),
    });
    expect(code).toBe(0);
    expect(loadAwsAuth(saved!).mapAccounts).toEqual(['444455556666', '111122223333']);
  });

  test('a store in a cluster names the account and partition of a service-linked role, not the other mappings', async () => {
    let saved: string | undefined;
    const io = { readStdin: async () => '', stdout: () => undefined, stderr: () => undefined };
    const code = await main(['mapping', 'create', '--cluster', 'prod', '--service-name', 'emr-containers', '--namespace', 'jobs'], io, {
      extraFlags: { cluster: { type: 'string' } },
      openStore: () => ({
        description: 'cluster prod',
        // Every role mapping of this ConfigMap names account 444455556666.
        load: async () => readFileSync(join(FIXTURES, 'aws-auth.yaml'), 'utf8'),
        save: async (text) => {
          saved = text;
        },
        clusterArn: async () => 'arn:aws-cn:eks:cn-north-1:999988887777:cluster/prod',
      }),
    });
    expect(code).toBe(0);
    expect(loadAwsAuth(saved!).mapRoles.map((r) => r.rolearn)).toContain('arn:aws-cn:iam::999988887777:role/AWSServiceRoleForAmazonEMRContainers');
  });
});
