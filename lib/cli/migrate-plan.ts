/**
 * `eks-access migrate plan`: the move from aws-auth to access entries, planned (nothing is
 * written). On a file, the access entries, mode and facts come from flags; on a cluster, they are
 * read: aws-auth, the mode, the access entries with their policies, the roles of managed node
 * groups and Fargate profiles, and the principals' full ARNs from IAM.
 */
import { promises as fs } from 'node:fs';
import { AwsAuthStore, CliIo, EXIT_OK, UsageError } from './io';
import { loadFromStore } from './load';
import { formatPlanCdk } from './migrate-cdk';
import { PlanReport, formatPlanJson, formatPlanTable, formatPlanYaml } from './migrate-output';
import { Flags, listFlag, onlyWith, outputFlag, stringFlag } from './options';
import { AccessPolicyAssociationSpec } from '../core/access-entry';
import { AccessConfigError, isAccountId, principalArnProblem } from '../core/arn';
import { AuthenticationMode, AUTHENTICATION_MODES } from '../core/desired-state';
import { ExistingAccessEntry, MigrationInput, planMigration } from '../core/migration';

/** Flags that describe the cluster when the plan is made from a file. */
export const FILE_FACT_FLAGS = ['access-entries', 'mode', 'managed-node-role', 'fargate-role', 'cluster-account'];

export async function migratePlan(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['table', 'json', 'yaml', 'cdk'], 'table');
  const report = await planReport(flags, store);
  const format = { table: formatPlanTable, json: formatPlanJson, yaml: formatPlanYaml, cdk: formatPlanCdk }[output as 'table' | 'json' | 'yaml' | 'cdk'];
  io.stdout(format(report));
  return EXIT_OK;
}

/** The plan, from the store's cluster or from its file and the flags. */
export async function planReport(flags: Flags, store: AwsAuthStore): Promise<PlanReport> {
  const principals = principalFlags(flags, 'principal-arn');
  if (store.withCluster) {
    onlyWith(flags, FILE_FACT_FLAGS, 'file');
    return store.withCluster('plan the migration', async (cluster) => {
      // Loaded lazily: the SDK-based readers are not needed in file mode.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { readMigrationState } = require('../io/migration-state') as typeof import('../io/migration-state');
      const { eks, iam, kube, info, log } = cluster;
      const state = await readMigrationState({ eks, iam, kube, cluster: info, log, principals });
      return { plan: planMigration(state.input), source: store.description.replace(/^kube-system\/aws-auth on /, ''), notes: state.notes };
    });
  }
  return { plan: planMigration(await fileInput(flags, store, principals)), source: store.description, notes: [] };
}

/** The planner's input in file mode. */
async function fileInput(flags: Flags, store: AwsAuthStore, principals: string[]): Promise<MigrationInput> {
  const { configMap, missing } = await loadFromStore(store);
  if (missing) {
    throw new AccessConfigError(`${store.description} does not exist: there is no aws-auth to migrate`);
  }
  const entriesPath = stringFlag(flags, 'access-entries');
  const accessEntries = entriesPath === undefined ? [] : parseAccessEntries(await readText(entriesPath), entriesPath);
  const accountId = stringFlag(flags, 'cluster-account');
  if (accountId !== undefined && !isAccountId(accountId)) {
    throw new UsageError(`--cluster-account "${accountId}" is not a 12-digit AWS account ID`);
  }
  return {
    awsAuth: configMap,
    mode: modeFlag(flags, entriesPath !== undefined ? 'API_AND_CONFIG_MAP' : 'CONFIG_MAP'),
    accessEntries,
    facts: {
      principals,
      ...(accountId ? { accountId } : {}),
      ...(flags['managed-node-role'] !== undefined ? { managedNodeRoles: principalFlags(flags, 'managed-node-role') } : {}),
      ...(flags['fargate-role'] !== undefined ? { fargateRoles: principalFlags(flags, 'fargate-role') } : {}),
    },
  };
}

function modeFlag(flags: Flags, fallback: AuthenticationMode): AuthenticationMode {
  const mode = stringFlag(flags, 'mode') ?? fallback;
  if (!(AUTHENTICATION_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode "${mode}" is not one of ${AUTHENTICATION_MODES.join(', ')}`);
  }
  return mode as AuthenticationMode;
}

/** A repeatable flag of IAM principal ARNs, each checked. */
function principalFlags(flags: Flags, name: string): string[] {
  const arns = listFlag(flags, name);
  for (const arn of arns) {
    const problem = principalArnProblem(arn);
    if (problem) {
      throw new UsageError(`--${name} "${arn}": ${problem}`);
    }
  }
  return arns;
}

async function readText(path: string): Promise<string> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    throw new AccessConfigError(`cannot read --access-entries ${path}: ${(e as Error).message}`);
  }
}

/**
 * The access entries of a JSON file: a list of entries, `{"accessEntries": [...]}`, or one
 * `{"accessEntry": {...}}` as `aws eks describe-access-entry` prints it. Each entry has
 * `principalArn`, and optionally `type`, `username`, `kubernetesGroups` and its policies as
 * `accessPolicies` or `associatedAccessPolicies` (`aws eks list-associated-access-policies`).
 */
export function parseAccessEntries(text: string, description: string): ExistingAccessEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AccessConfigError(`${description} is not JSON: ${(e as Error).message}`);
  }
  const d = doc as Record<string, unknown>;
  const list = Array.isArray(doc) ? doc
    : Array.isArray(d?.accessEntries) ? d.accessEntries as unknown[]
      : d?.accessEntry ? [d.accessEntry] : undefined;
  if (!list) {
    throw new AccessConfigError(`${description}: expected a list of access entries, {"accessEntries": [...]} or {"accessEntry": {...}}`);
  }
  return list.map((raw, i) => accessEntryOf(raw, `${description}: entry ${i}`));
}

function accessEntryOf(raw: unknown, where: string): ExistingAccessEntry {
  const e = raw as Record<string, unknown>;
  if (!e || typeof e !== 'object' || typeof e.principalArn !== 'string' || principalArnProblem(e.principalArn) !== undefined) {
    throw new AccessConfigError(`${where}: principalArn must be an IAM role or user ARN${e && typeof e.principalArn === 'string' ? ` (${principalArnProblem(e.principalArn)})` : ''}`);
  }
  const groups = e.kubernetesGroups ?? [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) {
    throw new AccessConfigError(`${where}: kubernetesGroups must be a list of strings`);
  }
  const policies = (e.accessPolicies ?? e.associatedAccessPolicies ?? []) as unknown[];
  if (!Array.isArray(policies)) {
    throw new AccessConfigError(`${where}: accessPolicies must be a list`);
  }
  return {
    principalArn: e.principalArn,
    type: typeof e.type === 'string' ? e.type : 'STANDARD',
    ...(typeof e.username === 'string' ? { username: e.username } : {}),
    kubernetesGroups: groups as string[],
    policies: policies.map((p, j) => policyOf(p, `${where}, policy ${j}`)),
  };
}

function policyOf(raw: unknown, where: string): AccessPolicyAssociationSpec {
  const p = raw as { policyArn?: unknown; accessScope?: { type?: unknown; namespaces?: unknown } };
  const scope = p?.accessScope ?? { type: 'cluster' };
  if (typeof p?.policyArn !== 'string' || (scope.type !== 'cluster' && scope.type !== 'namespace')) {
    throw new AccessConfigError(`${where}: expected { policyArn, accessScope: { type: cluster | namespace, namespaces? } }`);
  }
  const namespaces = Array.isArray(scope.namespaces) ? scope.namespaces.map(String) : [];
  return { policyArn: p.policyArn, accessScope: scope.type === 'cluster' ? { type: 'cluster' } : { type: 'namespace', namespaces } };
}
