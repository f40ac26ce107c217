/**
 * `migrate plan -o cdk`: the generated TypeScript type-checks against this library's API, and an
 * app that pastes it synthesizes exactly the access entries of the plan.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { run, tempDir } from './harness';
import { AccessMechanism, ClusterAccess } from '../../lib';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { desiredState, newStack, skipCfnSchemaValidation } from '../constructs/helpers';
import { ACCOUNT, PRINCIPALS, realisticConfigMapYaml } from '../support/migration/realistic-aws-auth';

jest.setTimeout(120_000);
skipCfnSchemaValidation();

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'test', '.tmp', 'migrate-cdk');
const FACTS = ['--principal-arn', PRINCIPALS.admin, '--principal-arn', PRINCIPALS.dev, '--principal-arn', PRINCIPALS.sso, '--managed-node-role', PRINCIPALS.managedNodeGroup, '--cluster-account', ACCOUNT];

let code: string;
let planned: AccessEntrySpec[];
beforeAll(async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'aws-auth.yaml');
    writeFileSync(file, realisticConfigMapYaml());
    const cdk = await run(['migrate', 'plan', '--file', file, ...FACTS, '-o', 'cdk']);
    expect(cdk).toMatchObject({ code: 0, stderr: '' });
    code = cdk.stdout;
    planned = JSON.parse((await run(['migrate', 'plan', '--file', file, ...FACTS, '-o', 'json'])).stdout).entries;
  } finally {
    cleanup();
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

test('the code reads as the plan: one call per migrated entry, a comment for each other verdict', () => {
  expect(code).toContain(`access.mapNodeRole(iam.Role.fromRoleArn(scope, 'MigratedRoles0', '${PRINCIPALS.node}'));`);
  expect(code).toContain([
    `  access.mapRole(iam.Role.fromRoleArn(scope, 'MigratedRoles2', '${PRINCIPALS.admin}'), {`,
    '    username: \'admin:{{SessionName}}\',',
    '    groups: [\'platform-admins\'],',
    '    accessPolicies: [{ policy: AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY }],',
    '  });',
  ].join('\n'));
  expect(code).toContain(`access.mapUser(iam.User.fromUserArn(scope, 'MigratedUsers0', '${PRINCIPALS.ops}'), {`);
  expect(code).toMatch(/\/\/ mapRoles\[8\] \(arn:aws:iam::111122223333:role\/AWSServiceRoleForAmazonEMRContainers\): blocked \(service-linked-role\)/);
  expect(code).toMatch(/\/\/ mapRoles\[1\] .*: skip \(eks-managed-node-group\)/);
});

test('it type-checks against the library', () => {
  const file = join(OUT, 'migrated-access.ts');
  writeFileSync(file, code);
  const program = ts.createProgram([file], {
    strict: true,
    noUnusedLocals: true,
    noImplicitAny: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    lib: ['lib.es2022.d.ts'],
    baseUrl: ROOT,
    paths: { 'cdk-eks-access': ['lib/index.ts'] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
});

test('an app that calls it synthesizes the plan\'s access entries, and no other', () => {
  const file = join(OUT, 'migrated-access-app.ts');
  writeFileSync(file, code.replace(/from 'cdk-eks-access';/, `from '${join(ROOT, 'lib')}';`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { addMigratedAccess } = require(file) as { addMigratedAccess: (scope: unknown, access: ClusterAccess) => void };
  const { stack } = newStack();
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', mechanism: AccessMechanism.ACCESS_ENTRIES });
  addMigratedAccess(stack, access);
  const byArn = (a: AccessEntrySpec, b: AccessEntrySpec) => a.principalArn.localeCompare(b.principalArn);
  expect(desiredState(stack).accessEntries.sort(byArn)).toEqual([...planned].sort(byArn));
  expect(planned).toHaveLength(7);
});
