/**
 * Reads `aws-auth` the way aws-iam-authenticator does.
 *
 * The authenticator reads `data.mapRoles` and `data.mapUsers` as YAML converted to JSON and then
 * decoded into its structs, so entry keys match case-insensitively (`rOlEaRn` works) while the
 * `data` keys themselves are case-sensitive (`MapRoles` is ignored). A syntax error drops the whole
 * section; an entry without an ARN is dropped alone. `data.mapAccounts` is decoded as a YAML list
 * of strings, so an unquoted account ID keeps its digits as written (leading zeros included).
 *
 * The parser never guesses: anything the authenticator would misread is reported as a problem
 * naming the section, the entry's index and the value.
 */
import * as yaml from 'js-yaml';
import { AccessConfigError } from '../arn';
import {
  AWS_AUTH_NAME, AWS_AUTH_NAMESPACE, AwsAuthConfigMap, AwsAuthMetadata, AwsAuthProblem,
  RoleMapping, SsoRoleMatcher, UserMapping, formatProblem,
} from './types';

/** What the parser made of its input: the ConfigMap (absent when unusable) and every structural problem. */
export interface ParsedAwsAuth {
  readonly configMap?: AwsAuthConfigMap;
  /** Problems reading the input. Every `error` here loses information, so the ConfigMap must not be re-rendered. */
  readonly problems: readonly AwsAuthProblem[];
}

/**
 * A plain scalar that YAML 1.1 (the authenticator's reader) takes for a boolean while YAML 1.2
 * (js-yaml) keeps it a string: `yes`, `no`, `on`, `off`, `y`, `n` in their usual casings.
 */
class Yaml11Boolean {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** YAML as the authenticator's reader sees it: core types, merge keys (`<<: *anchor`), YAML 1.1 booleans. */
const SECTION_SCHEMA = yaml.CORE_SCHEMA.extend({
  implicit: [
    // js-yaml exports its merge type, though its type declarations do not say so.
    (yaml as unknown as { types: { merge: yaml.Type } }).types.merge,
    new yaml.Type('tag:cdk-eks-access.dev,2024:yaml11-bool', {
      kind: 'scalar',
      resolve: (data: unknown) => typeof data === 'string' && /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(data),
      construct: (data: string) => new Yaml11Boolean(data),
    }),
  ],
});

const SECTIONS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;
const ROLE_FIELDS = ['rolearn', 'sso', 'userid', 'username', 'groups'] as const;
const USER_FIELDS = ['userarn', 'username', 'groups'] as const;
const SSO_FIELDS = ['permissionSetName', 'accountID', 'partition'] as const;
const METADATA_KEYS = ['name', 'namespace', 'labels', 'annotations', 'resourceVersion'];
const TOP_LEVEL_KEYS = ['apiVersion', 'kind', 'metadata', 'data'];

/**
 * Parses `aws-auth`: the whole ConfigMap (YAML or JSON, as `kubectl get cm aws-auth -n kube-system
 * -o yaml|json` prints it), an already-decoded object, or just its `data` map.
 */
export function parseAwsAuth(input: string | object): ParsedAwsAuth {
  const problems: AwsAuthProblem[] = [];
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = yaml.load(input, { schema: yaml.CORE_SCHEMA });
    } catch (e) {
      return { problems: [{ severity: 'error', location: 'document', message: `malformed YAML: ${yamlMessage(e)}` }] };
    }
  }
  if (!isPlainObject(doc)) {
    return { problems: [{ severity: 'error', location: 'document', message: `expected a ConfigMap object or its data map, got ${describeValue(doc)}` }] };
  }

  const isWholeObject = 'kind' in doc || 'apiVersion' in doc || 'metadata' in doc || 'data' in doc;
  let metadata: AwsAuthMetadata = { name: AWS_AUTH_NAME, namespace: AWS_AUTH_NAMESPACE };
  let data: unknown = doc;
  const otherFields: Record<string, unknown> = {};
  if (isWholeObject) {
    for (const [key, value] of Object.entries(doc)) {
      if (!TOP_LEVEL_KEYS.includes(key)) {
        otherFields[key] = value;
      }
    }
    if (doc.kind !== undefined && doc.kind !== 'ConfigMap') {
      return { problems: [{ severity: 'error', location: 'document', message: `expected kind ConfigMap, got ${JSON.stringify(doc.kind)}` }] };
    }
    metadata = parseMetadata(doc.metadata, problems);
    data = doc.data ?? {};
    if (!isPlainObject(data)) {
      problems.push({ severity: 'error', location: 'data', message: `data must be a mapping of strings, got ${describeValue(data)}` });
      return { problems };
    }
  }
  const dataMap = data as Record<string, unknown>;

  const otherData: Record<string, string> = {};
  const sectionText: Partial<Record<(typeof SECTIONS)[number], string>> = {};
  let usable = true;
  for (const [key, value] of Object.entries(dataMap)) {
    if (typeof value !== 'string') {
      const hint = (SECTIONS as readonly string[]).includes(key) ? ` (write \`${key}: |\` and indent the YAML under it)` : '';
      problems.push({ severity: 'error', location: `data.${key}`, message: `ConfigMap data values must be strings, got ${describeValue(value)}${hint}; the API server rejects this object` });
      usable = false;
      continue;
    }
    if ((SECTIONS as readonly string[]).includes(key)) {
      sectionText[key as (typeof SECTIONS)[number]] = value;
    } else {
      otherData[key] = value;
    }
  }
  if (!usable) {
    return { problems };
  }

  const mapRoles = parseEntries('mapRoles', sectionText.mapRoles, problems, (raw, loc) => parseRole(raw, loc, problems));
  const mapUsers = parseEntries('mapUsers', sectionText.mapUsers, problems, (raw, loc) => parseUser(raw, loc, problems));
  const mapAccounts = parseAccounts(sectionText.mapAccounts, problems);
  const configMap: AwsAuthConfigMap = {
    metadata,
    mapRoles,
    mapUsers,
    mapAccounts,
    ...(Object.keys(otherData).length > 0 ? { otherData } : {}),
    ...(Object.keys(otherFields).length > 0 ? { otherFields } : {}),
  };
  return { configMap, problems };
}

/**
 * Parses `aws-auth` and throws {@link AccessConfigError} listing every structural error (malformed
 * YAML, wrong types, entries that are not mappings). Edits start from this, so that a ConfigMap
 * that cannot be read faithfully is never rewritten.
 */
export function loadAwsAuth(input: string | object): AwsAuthConfigMap {
  const parsed = parseAwsAuth(input);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !parsed.configMap) {
    throw new AccessConfigError(`cannot read aws-auth:\n${errors.map(formatProblem).join('\n')}`);
  }
  return parsed.configMap;
}

function parseMetadata(raw: unknown, problems: AwsAuthProblem[]): AwsAuthMetadata {
  if (raw === undefined || raw === null) {
    return { name: AWS_AUTH_NAME, namespace: AWS_AUTH_NAMESPACE };
  }
  if (!isPlainObject(raw)) {
    problems.push({ severity: 'error', location: 'metadata', message: `metadata must be a mapping, got ${describeValue(raw)}` });
    return { name: AWS_AUTH_NAME, namespace: AWS_AUTH_NAMESPACE };
  }
  const name = typeof raw.name === 'string' ? raw.name : AWS_AUTH_NAME;
  const namespace = typeof raw.namespace === 'string' ? raw.namespace : AWS_AUTH_NAMESPACE;
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!METADATA_KEYS.includes(k)) {
      other[k] = v;
    }
  }
  return {
    name,
    namespace,
    ...(stringMap(raw.labels, 'metadata.labels', problems) ?? {}),
    ...(stringMap(raw.annotations, 'metadata.annotations', problems, 'annotations') ?? {}),
    ...(raw.resourceVersion !== undefined ? { resourceVersion: String(raw.resourceVersion) } : {}),
    ...(Object.keys(other).length > 0 ? { other } : {}),
  };
}

function stringMap(raw: unknown, location: string, problems: AwsAuthProblem[], key: 'labels' | 'annotations' = 'labels'): object | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  if (!isPlainObject(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
    problems.push({ severity: 'error', location, message: `${location} must map strings to strings` });
    return undefined;
  }
  return { [key]: { ...(raw as Record<string, string>) } };
}

/** A section the authenticator skips as empty: blank, or just `""` or two backticks. */
function isEmptySection(text: string | undefined): boolean {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' || trimmed === '""' || trimmed === '``';
}

function parseEntries<T>(section: 'mapRoles' | 'mapUsers', text: string | undefined, problems: AwsAuthProblem[], parseOne: (raw: Record<string, unknown>, location: string) => T | undefined): T[] {
  if (isEmptySection(text)) {
    return [];
  }
  let list: unknown;
  try {
    list = yaml.load(text!, { schema: SECTION_SCHEMA });
  } catch (e) {
    problems.push({ severity: 'error', location: section, message: `the whole section is ignored by the authenticator: malformed YAML: ${yamlMessage(e)}` });
    return [];
  }
  if (list === null || list === undefined) {
    return [];
  }
  if (!Array.isArray(list)) {
    problems.push({ severity: 'error', location: section, message: `the whole section is ignored by the authenticator: expected a list of entries, got ${describeValue(list)}` });
    return [];
  }
  const entries: T[] = [];
  list.forEach((raw, i) => {
    const location = `${section}[${i}]`;
    if (!isPlainObject(raw)) {
      problems.push({ severity: 'error', location, message: `the authenticator skips this entry (the others still apply): it is ${describeValue(raw)}, not a mapping` });
      return;
    }
    const entry = parseOne(raw, location);
    if (entry !== undefined) {
      entries.push(entry);
    }
  });
  return entries;
}

/**
 * Groups the keys of `raw` by the field they set, case-insensitively. When several spellings set
 * the same field, the authenticator's decoder sees them in sorted order and keeps the last.
 */
function foldFields(
  raw: Record<string, unknown>, fields: readonly string[], location: string, problems: AwsAuthProblem[],
): { known: Record<string, unknown>; extra: Record<string, unknown> } {
  const known: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  const spellings: Record<string, string[]> = {};
  for (const key of Object.keys(raw)) {
    const field = fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (field) {
      (spellings[field] ??= []).push(key);
    } else {
      extra[key] = raw[key];
      problems.push({ severity: 'warning', location, message: `unknown field "${key}" is ignored by the authenticator` });
    }
  }
  for (const [field, keys] of Object.entries(spellings)) {
    const winner = [...keys].sort().pop()!;
    if (keys.length > 1) {
      problems.push({ severity: 'warning', location, message: `${keys.map((k) => `"${k}"`).join(' and ')} all set ${field}; the authenticator uses "${winner}"` });
    }
    known[field] = raw[winner];
  }
  return { known, extra };
}

function parseRole(raw: Record<string, unknown>, location: string, problems: AwsAuthProblem[]): RoleMapping | undefined {
  const { known, extra } = foldFields(raw, ROLE_FIELDS, location, problems);
  const before = problems.length;
  const rolearn = stringField(known, 'rolearn', location, problems);
  const userid = stringField(known, 'userid', location, problems);
  const username = stringField(known, 'username', location, problems);
  const groups = groupsField(known, location, problems);
  let sso: SsoRoleMatcher | undefined;
  if (known.sso !== undefined && known.sso !== null) {
    if (!isPlainObject(known.sso)) {
      problems.push({ severity: 'error', location, message: `sso must be a mapping with permissionSetName and accountID, got ${describeValue(known.sso)}` });
    } else {
      const folded = foldFields(known.sso, SSO_FIELDS, `${location}.sso`, problems);
      const permissionSetName = stringField(folded.known, 'permissionSetName', `${location}.sso`, problems);
      const accountID = stringField(folded.known, 'accountID', `${location}.sso`, problems);
      const partition = stringField(folded.known, 'partition', `${location}.sso`, problems);
      sso = { permissionSetName: permissionSetName ?? '', accountID: accountID ?? '', ...(partition !== undefined ? { partition } : {}) };
    }
  }
  if (problems.slice(before).some((p) => p.severity === 'error')) {
    return undefined;
  }
  return {
    ...(rolearn !== undefined ? { rolearn } : {}),
    ...(sso !== undefined ? { sso } : {}),
    ...(userid !== undefined ? { userid } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(groups !== undefined ? { groups } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

function parseUser(raw: Record<string, unknown>, location: string, problems: AwsAuthProblem[]): UserMapping | undefined {
  const { known, extra } = foldFields(raw, USER_FIELDS, location, problems);
  const before = problems.length;
  const userarn = stringField(known, 'userarn', location, problems);
  const username = stringField(known, 'username', location, problems);
  const groups = groupsField(known, location, problems);
  if (problems.slice(before).some((p) => p.severity === 'error')) {
    return undefined;
  }
  return {
    ...(userarn !== undefined ? { userarn } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(groups !== undefined ? { groups } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

function stringField(known: Record<string, unknown>, field: string, location: string, problems: AwsAuthProblem[]): string | undefined {
  const value = known[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.push({ severity: 'error', location, message: `${field} must be a string, got ${describeValue(value)} (quote it)` });
    return undefined;
  }
  return value;
}

function groupsField(known: Record<string, unknown>, location: string, problems: AwsAuthProblem[]): string[] | undefined {
  const value = known.groups;
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.push({ severity: 'error', location, message: `groups must be a list of strings, got ${describeValue(value)}` });
    return undefined;
  }
  const bad = value.findIndex((g) => typeof g !== 'string');
  if (bad >= 0) {
    problems.push({ severity: 'error', location, message: `groups[${bad}] must be a string, got ${describeValue(value[bad])} (quote it)` });
    return undefined;
  }
  return [...value];
}

function parseAccounts(text: string | undefined, problems: AwsAuthProblem[]): string[] {
  if (isEmptySection(text)) {
    return [];
  }
  let typed: unknown;
  let asText: unknown;
  try {
    typed = yaml.load(text!, { schema: SECTION_SCHEMA });
    // The authenticator decodes each scalar into a string as written: `0123…` keeps its zero.
    asText = yaml.load(text!, { schema: yaml.FAILSAFE_SCHEMA });
  } catch (e) {
    problems.push({ severity: 'error', location: 'mapAccounts', message: `the whole section is ignored by the authenticator: malformed YAML: ${yamlMessage(e)}` });
    return [];
  }
  if (typed === null || typed === undefined) {
    return [];
  }
  if (!Array.isArray(typed) || !Array.isArray(asText)) {
    problems.push({ severity: 'error', location: 'mapAccounts', message: `the whole section is ignored by the authenticator: expected a list of account IDs, got ${describeValue(typed)}` });
    return [];
  }
  const accounts: string[] = [];
  typed.forEach((value, i) => {
    if (value === null || (typeof value === 'object' && !(value instanceof Yaml11Boolean))) {
      problems.push({ severity: 'error', location: `mapAccounts[${i}]`, message: `the authenticator skips this item (the others still apply): expected an account ID, got ${describeValue(value)}` });
      return;
    }
    accounts.push(typeof value === 'string' ? value : String(asText[i]));
  });
  return accounts;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for messages: `a list`, `the number 42`, `"text"`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nothing';
  }
  if (value instanceof Yaml11Boolean) {
    return `${value.text}, a boolean to the authenticator's YAML 1.1 reader`;
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value)}`;
  }
  return `the ${typeof value} ${String(value)}`;
}

function yamlMessage(e: unknown): string {
  const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
  if (err.reason && err.mark) {
    return `${err.reason} at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
  }
  return err.message ?? String(e);
}
