/**
 * Where `explain` and `report` read a cluster's access from: files (`--file` aws-auth,
 * `--access-entries`, `--rbac`, `--mode`) or a live cluster (`--cluster`: DescribeCluster's mode,
 * the access entries with their policies, aws-auth and every RBAC object, read and never written).
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { CliIo, UsageError } from './io';
import { connectLive, explainLiveFailure, liveCommandContext, LiveSession, LiveStoreDeps } from './live-store';
import { Flags, listFlag, onlyWith, stringFlag } from './options';
import { liveOptions, LIVE_FLAGS } from './stores';
import { AccessEntryView, awsAuthView, ClusterAccessView, rbacAsDeployed, rbacFromManifests } from '../core/access';
import { AccessScopeSpec } from '../core/access-entry';
import { AccessConfigError } from '../core/arn';
import { AUTHENTICATION_MODES, AuthenticationMode } from '../core/desired-state';
import { readAccessEntries, readRbacObjects } from '../io/access-reader';
import { readAwsAuth } from '../io/aws-auth-store';

/** Flags of file mode. */
export const FILE_SOURCE_FLAGS = {
  'file': { type: 'string' },
  'access-entries': { type: 'string' },
  'rbac': { type: 'string', multiple: true },
  'mode': { type: 'string' },
} as const;

/** An open source of cluster views; `close` releases its connections. */
export interface ViewSource {
  readonly views: ClusterAccessView[];
  /** The live session, for commands that ask the cluster more (live mode only). */
  readonly session?: LiveSession;
  close(): Promise<void>;
}

/** Reads the view the flags name: `--cluster` (live) or files. */
export async function viewFromFlags(flags: Flags, io: CliIo, deps: LiveStoreDeps = {}, env: NodeJS.ProcessEnv = process.env): Promise<ViewSource> {
  const clusterName = stringFlag(flags, 'cluster');
  if (clusterName !== undefined) {
    onlyWith(flags, ['file', 'access-entries', 'rbac', 'mode'], 'file');
    return viewFromCluster(flags, clusterName, io, deps, env);
  }
  onlyWith(flags, Object.keys(LIVE_FLAGS).filter((f) => f !== 'cluster'), 'cluster');
  return { views: [await viewFromFiles(flags, io)], close: async () => undefined };
}

/** The view of the given files. */
export async function viewFromFiles(flags: Flags, io: CliIo): Promise<ClusterAccessView> {
  const file = stringFlag(flags, 'file');
  const entriesFile = stringFlag(flags, 'access-entries');
  if (file === undefined && entriesFile === undefined) {
    throw new UsageError('give --cluster NAME, or --file CM.yaml and/or --access-entries FILE (with --rbac FILE for RBAC manifests)');
  }
  const awsAuthText = file === undefined ? undefined : await readText(file, io, true);
  const accessEntries = entriesFile === undefined ? undefined : parseAccessEntries(await readText(entriesFile, io, false) ?? '', entriesFile);
  const manifests: unknown[] = [];
  for (const path of listFlag(flags, 'rbac')) {
    manifests.push(...parseManifests(await readText(path, io, false) ?? '', path));
  }
  const mode = modeFlag(flags) ?? (accessEntries !== undefined ? 'API_AND_CONFIG_MAP' : 'CONFIG_MAP');
  return {
    description: 'the given files',
    mode,
    ...(accessEntries !== undefined ? { accessEntries } : {}),
    awsAuth: awsAuthView(awsAuthText, file === undefined ? 'aws-auth (none given)' : file === '-' ? 'aws-auth from standard input' : `file ${file}`),
    rbac: rbacAsDeployed(rbacFromManifests(manifests)),
    rbacSource: 'manifests',
  };
}

/** `--mode`, checked. */
export function modeFlag(flags: Flags): AuthenticationMode | undefined {
  const mode = stringFlag(flags, 'mode');
  if (mode !== undefined && !(AUTHENTICATION_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode must be one of ${AUTHENTICATION_MODES.join(', ')}, got "${mode}"`);
  }
  return mode as AuthenticationMode | undefined;
}

/** A file's text; `-` is standard input; a missing aws-auth file stands for no aws-auth. */
async function readText(path: string, io: CliIo, missingIsNone: boolean): Promise<string | undefined> {
  if (path === '-') {
    return io.readStdin();
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && missingIsNone) {
      return undefined;
    }
    throw new AccessConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Kubernetes objects from YAML (several documents, `kind: List` unpacked) or JSON. */
export function parseManifests(text: string, path: string): unknown[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    throw new AccessConfigError(`${path} is not YAML or JSON: ${(e as Error).message}`);
  }
  return docs.flatMap((d) => (d && typeof d === 'object' && Array.isArray((d as { items?: unknown[] }).items) ? (d as { items: unknown[] }).items : [d])).filter((d) => d);
}

/**
 * Access entries from JSON: a list of entries, `{"accessEntries": [...]}`, or what
 * `aws eks describe-access-entry` prints; each entry's policies as `accessPolicies` or
 * `associatedAccessPolicies` (what `aws eks list-associated-access-policies` prints).
 */
export function parseAccessEntries(text: string, path: string): AccessEntryView[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AccessConfigError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const record = doc as Record<string, unknown>;
  const described = record?.accessEntry
    ? [{ ...record.accessEntry as object, associatedAccessPolicies: record.associatedAccessPolicies }]
    : undefined;
  const list = Array.isArray(doc) ? doc : Array.isArray(record?.accessEntries) ? record.accessEntries as unknown[] : described;
  if (!list) {
    throw new AccessConfigError(`${path}: expected a list of access entries, {"accessEntries": [...]}, or the output of aws eks describe-access-entry`);
  }
  return list.map((raw, i) => accessEntryOf(raw as Record<string, unknown>, `${path}: entry ${i}`));
}

function accessEntryOf(raw: Record<string, unknown>, where: string): AccessEntryView {
  if (!raw || typeof raw.principalArn !== 'string') {
    throw new AccessConfigError(`${where} has no principalArn`);
  }
  type RawPolicy = { policyArn?: string; accessScope?: { type?: string; namespaces?: string[] } };
  const policies = (raw.accessPolicies ?? raw.associatedAccessPolicies ?? []) as RawPolicy[];
  if (!Array.isArray(policies) || policies.some((p) => typeof p?.policyArn !== 'string')) {
    throw new AccessConfigError(`${where} (${raw.principalArn}): accessPolicies must be a list of { policyArn, accessScope }`);
  }
  const groups = raw.kubernetesGroups ?? [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) {
    throw new AccessConfigError(`${where} (${raw.principalArn}): kubernetesGroups must be a list of strings`);
  }
  return {
    principalArn: raw.principalArn,
    type: typeof raw.type === 'string' ? raw.type : 'STANDARD',
    ...(typeof raw.username === 'string' ? { username: raw.username } : {}),
    kubernetesGroups: groups as string[],
    accessPolicies: policies.map((p) => ({ policyArn: p.policyArn!, accessScope: scopeOf(p.accessScope) })),
  };
}

function scopeOf(scope: { type?: string; namespaces?: string[] } | undefined): AccessScopeSpec {
  return scope?.type === 'namespace' ? { type: 'namespace', namespaces: scope.namespaces ?? [] } : { type: 'cluster' };
}

async function viewFromCluster(flags: Flags, clusterName: string, io: CliIo, deps: LiveStoreDeps, env: NodeJS.ProcessEnv): Promise<ViewSource> {
  const options = liveOptions(flags, clusterName, env);
  const { where, log, deadline } = liveCommandContext(options, io);
  let session: LiveSession | undefined;
  try {
    session = await connectLive(options, deps, log, deadline, true);
    const { cluster, kube, eks } = session;
    const accessEntries = cluster.authenticationMode === 'CONFIG_MAP' || !eks ? [] : await readAccessEntries(eks, clusterName);
    const awsAuth = await readAwsAuth(kube);
    const rbac = rbacFromManifests(await readRbacObjects(kube));
    const view: ClusterAccessView = {
      description: where,
      mode: cluster.authenticationMode,
      accessEntries,
      awsAuth: awsAuthView(awsAuth === undefined ? undefined : JSON.stringify(awsAuth, undefined, 2), 'kube-system/aws-auth'),
      rbac,
      rbacSource: 'cluster',
    };
    const opened = session;
    return { views: [view], session: opened, close: async () => opened.close() };
  } catch (error) {
    session?.close();
    throw explainLiveFailure(error, 'read the access entries, aws-auth and RBAC objects', where, options);
  }
}
