/**
 * Reads `aws-auth` the way aws-iam-authenticator (v0.7) does: `ParseMap` in its
 * `pkg/mapper/configmap/configmap.go`.
 *
 * - `data.mapRoles` and `data.mapUsers` are read as YAML (go-yaml v2: YAML 1.1 types, the first
 *   document only, a duplicate key keeping its last value; see yaml-reader.ts), converted to JSON
 *   and decoded by Go's encoding/json into the authenticator's structs: entry keys match
 *   case-insensitively (`rOlEaRn` works) in sorted order, `null` leaves a field as it was, and a
 *   value of the wrong type is skipped with the rest of the entry kept. The `data` keys themselves
 *   are case-sensitive (`MapRoles` is ignored).
 * - `data.mapAccounts` is decoded by go-yaml v2 alone into a list of strings: every scalar keeps
 *   its text (`012345678901` unquoted too), null is "", a list or mapping item is skipped.
 * - Entries the authenticator's validation drops (entry-rules.ts) are kept here, as written, so
 *   that an edit keeps them; the resolver and `mapping get` leave them out.
 *
 * The parser never guesses: whatever the authenticator ignores is reported as a problem naming
 * the section, the entry's index and the value, and whatever a re-render would lose is also a
 * {@link ParsedAwsAuth.rewriteBlockers rewrite blocker}.
 */
import * as yaml from 'js-yaml';
import { AccessConfigError } from '../arn';
import {
  AWS_AUTH_NAME, AWS_AUTH_NAMESPACE, AwsAuthConfigMap, AwsAuthMetadata, AwsAuthProblem, AwsAuthSection,
  RoleMapping, SsoRoleMatcher, UserMapping, formatProblem,
} from './types';
import { TypedScalar, aliasBombProblem, readSection, yamlMessage } from './yaml-reader';

/** What the parser made of its input: the ConfigMap (absent when unusable) and every structural problem. */
export interface ParsedAwsAuth {
  readonly configMap?: AwsAuthConfigMap;
  /** Problems reading the input: what the authenticator ignores or drops, and why. */
  readonly problems: readonly AwsAuthProblem[];
  /**
   * The problems whose text a re-rendered ConfigMap would not keep (a section or item the
   * authenticator cannot read, a value of the wrong type): edits refuse while there is any.
   */
  readonly rewriteBlockers: readonly AwsAuthProblem[];
}

/** Text after each section's first YAML document, from the marker line on. */
type IgnoredText = Partial<Record<AwsAuthSection, string>>;

const SECTIONS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;
const ROLE_FIELDS = ['rolearn', 'sso', 'userid', 'username', 'groups'] as const;
const USER_FIELDS = ['userarn', 'userid', 'username', 'groups'] as const;
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
      return failed({ severity: 'error', location: 'document', message: `malformed YAML: ${yamlMessage(e)}` });
    }
    const bomb = aliasBombProblem(doc);
    if (bomb !== undefined) {
      return failed({ severity: 'error', location: 'document', message: bomb });
    }
  }
  if (!isPlainObject(doc)) {
    return failed({ severity: 'error', location: 'document', message: `expected a ConfigMap object or its data map, got ${describeValue(doc)}` });
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
      return failed({ severity: 'error', location: 'document', message: `expected kind ConfigMap, got ${JSON.stringify(doc.kind)}` });
    }
    metadata = parseMetadata(doc.metadata, problems);
    data = doc.data ?? {};
    if (!isPlainObject(data)) {
      problems.push({ severity: 'error', location: 'data', message: `data must be a mapping of strings, got ${describeValue(data)}` });
      return { problems, rewriteBlockers: problems };
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
    return { problems, rewriteBlockers: problems };
  }

  const blockers = [...problems]; // all errors so far: metadata and data checks report nothing else
  const ignored: IgnoredText = {};
  const mapRoles = parseEntries('mapRoles', sectionText.mapRoles, problems, blockers, ignored, (raw, loc) => decodeRole(raw, loc, problems, blockers));
  const mapUsers = parseEntries('mapUsers', sectionText.mapUsers, problems, blockers, ignored, (raw, loc) => decodeUser(raw, loc, problems, blockers));
  const mapAccounts = parseAccounts(sectionText.mapAccounts, problems, blockers, ignored);
  const configMap: AwsAuthConfigMap = {
    metadata,
    mapRoles,
    mapUsers,
    mapAccounts,
    ...(Object.keys(otherData).length > 0 ? { otherData } : {}),
    ...(Object.keys(otherFields).length > 0 ? { otherFields } : {}),
    ...(Object.keys(ignored).length > 0 ? { ignoredText: ignored } : {}),
  };
  return { configMap, problems, rewriteBlockers: blockers };
}

function failed(problem: AwsAuthProblem): ParsedAwsAuth {
  return { problems: [problem], rewriteBlockers: [problem] };
}

/**
 * Parses `aws-auth` and throws {@link AccessConfigError} listing every rewrite blocker (a section
 * the authenticator cannot read, a value of the wrong type, an item that is not a mapping). Edits
 * start from this, so that a ConfigMap that cannot be rewritten faithfully is never rewritten.
 */
export function loadAwsAuth(input: string | object): AwsAuthConfigMap {
  const parsed = parseAwsAuth(input);
  if (parsed.rewriteBlockers.length > 0 || !parsed.configMap) {
    throw new AccessConfigError(`cannot read aws-auth:\n${parsed.rewriteBlockers.map(formatProblem).join('\n')}`);
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

type EntrySection = 'mapRoles' | 'mapUsers';

function parseEntries<T>(
  section: EntrySection, text: string | undefined, problems: AwsAuthProblem[], blockers: AwsAuthProblem[], ignored: IgnoredText,
  decodeOne: (raw: Record<string, unknown>, location: string) => T,
): T[] {
  const list = readList(section, text, problems, blockers, ignored, true);
  const entries: T[] = [];
  list.forEach((raw, i) => {
    const location = `${section}[${i}]`;
    if (!isPlainObject(raw)) {
      // Decoded into an empty entry, which the authenticator's validation drops.
      block(problems, blockers, { severity: 'error', location, message: `the authenticator drops this entry (the others still apply): it is ${describeValue(raw)}, not a mapping` });
      return;
    }
    entries.push(decodeOne(raw, location));
  });
  return entries;
}

/** The list a section holds, as the authenticator reads it; problems say what it ignores. */
function readList(
  section: AwsAuthSection, text: string | undefined, problems: AwsAuthProblem[], blockers: AwsAuthProblem[],
  ignored: IgnoredText, jsonPrefix: boolean,
): unknown[] {
  if (text === undefined) {
    return [];
  }
  const reading = readSection(text, { jsonPrefix });
  if (reading.ignored !== undefined) {
    ignored[section] = reading.ignored.text;
    if (hasContent(reading.ignored.text)) {
      problems.push({ severity: 'error', location: section, message: `entries after line ${reading.ignored.line} are ignored by the authenticator: it reads only the first YAML document of the section, which ends with "${firstLine(reading.ignored.text)}" on line ${reading.ignored.line}; edits keep the rest as it is` });
    }
  }
  if (reading.error !== undefined) {
    block(problems, blockers, { severity: 'error', location: section, message: `the whole section is ignored by the authenticator: ${reading.error}` });
    return [];
  }
  if (reading.value === null || reading.value === undefined) {
    return [];
  }
  if (!Array.isArray(reading.value)) {
    block(problems, blockers, { severity: 'error', location: section, message: `the whole section is ignored by the authenticator: expected a list of entries, got ${describeValue(reading.value)}` });
    return [];
  }
  return reading.value;
}

/** True when YAML text holds more than document markers, comments and blank lines. */
function hasContent(text: string): boolean {
  return text.split('\n').some((line) => {
    const bare = line.replace(/^(---|\.\.\.)(?=\s|$)/, '').trim();
    return bare !== '' && !bare.startsWith('#');
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/\r$/, '');
}

function block(problems: AwsAuthProblem[], blockers: AwsAuthProblem[], problem: AwsAuthProblem): void {
  problems.push(problem);
  blockers.push(problem);
}

/**
 * The entry as Go's encoding/json decodes it into the authenticator's structs: keys in sorted
 * (byte) order, each matched to a field case-insensitively, so the last spelling wins; `null`
 * leaves a field as it was, and a value of the wrong type is skipped (the field stays unset) with
 * the rest of the entry still decoded.
 */
class EntryDecoder {
  readonly values: Record<string, unknown> = {};
  readonly extra: Record<string, unknown> = {};
  private readonly spellings: Record<string, string[]> = {};

  constructor(
    private readonly raw: Record<string, unknown>, private readonly fields: readonly string[], private readonly location: string,
    private readonly problems: AwsAuthProblem[], private readonly blockers: AwsAuthProblem[],
  ) {}

  /** Decodes every key; `decodeField` turns one value into the field's new value (or `undefined` to keep it). */
  decode(decodeField: (field: string, value: unknown, current: unknown) => FieldUpdate): void {
    const fieldOf = (key: string) => this.fields.find((f) => foldKey(f) === foldKey(key));
    for (const key of Object.keys(this.raw).filter((k) => fieldOf(k) === undefined)) {
      this.extra[key] = plainValue(this.raw[key]);
      this.problems.push({ severity: 'warning', location: this.location, message: `unknown field "${key}" is ignored by the authenticator` });
    }
    for (const key of goSortedKeys(this.raw)) {
      const field = fieldOf(key);
      if (field === undefined) {
        continue;
      }
      (this.spellings[field] ??= []).push(key);
      const update = decodeField(field, this.raw[key], this.values[field]);
      if (update.mistyped !== undefined) {
        block(this.problems, this.blockers, { severity: 'warning', location: this.location, message: `${key} is ${describeValue(this.raw[key])}, not ${update.mistyped}: the authenticator ignores the value (quote it)` });
      } else if (update.set) {
        this.values[field] = update.value;
      }
    }
    for (const [field, keys] of Object.entries(this.spellings)) {
      if (keys.length > 1) {
        this.problems.push({ severity: 'warning', location: this.location, message: `${keys.map((k) => `"${k}"`).join(' and ')} all set ${field}; the authenticator reads them in that order, and the last value that is not null wins` });
      }
    }
  }
}

interface FieldUpdate {
  readonly set?: boolean;
  readonly value?: unknown;
  /** The type the field needs, when the value has another. */
  readonly mistyped?: string;
}

/** A string field: null leaves it, a string sets it, anything else is a type error. */
function stringUpdate(value: unknown): FieldUpdate {
  if (value === null || value === undefined) return {};
  return typeof value === 'string' ? { set: true, value } : { mistyped: 'a string' };
}

/** `groups`: null unsets it, a list sets it (items that are not strings become ""), anything else is a type error. */
function groupsUpdate(value: unknown): FieldUpdate {
  if (value === null || value === undefined) return { set: true, value: undefined };
  if (!Array.isArray(value)) return { mistyped: 'a list of strings' };
  return { set: true, value: value.map((g) => (typeof g === 'string' ? g : '')) };
}

function decodeRole(raw: Record<string, unknown>, location: string, problems: AwsAuthProblem[], blockers: AwsAuthProblem[]): RoleMapping {
  const decoder = new EntryDecoder(raw, ROLE_FIELDS, location, problems, blockers);
  decoder.decode((field, value, current) => {
    if (field === 'groups') return groupsUpdate(value);
    if (field === 'sso') return ssoUpdate(value, current as SsoRoleMatcher | undefined, `${location}.sso`, problems, blockers);
    return stringUpdate(value);
  });
  const v = decoder.values;
  if ((v.groups as unknown[] | undefined)?.some((g, i) => g !== (groupsOf(raw)?.[i]))) {
    block(problems, blockers, { severity: 'warning', location, message: 'groups has items that are not strings: the authenticator reads each as an empty group (quote them)' });
  }
  return {
    ...(v.rolearn !== undefined ? { rolearn: v.rolearn as string } : {}),
    ...(v.sso !== undefined ? { sso: v.sso as SsoRoleMatcher } : {}),
    ...(v.userid !== undefined ? { userid: v.userid as string } : {}),
    ...(v.username !== undefined ? { username: v.username as string } : {}),
    ...(v.groups !== undefined ? { groups: v.groups as string[] } : {}),
    ...(Object.keys(decoder.extra).length > 0 ? { extra: decoder.extra } : {}),
  };
}

function decodeUser(raw: Record<string, unknown>, location: string, problems: AwsAuthProblem[], blockers: AwsAuthProblem[]): UserMapping {
  const decoder = new EntryDecoder(raw, USER_FIELDS, location, problems, blockers);
  decoder.decode((field, value) => (field === 'groups' ? groupsUpdate(value) : stringUpdate(value)));
  const v = decoder.values;
  if ((v.groups as unknown[] | undefined)?.some((g, i) => g !== (groupsOf(raw)?.[i]))) {
    block(problems, blockers, { severity: 'warning', location, message: 'groups has items that are not strings: the authenticator reads each as an empty group (quote them)' });
  }
  return {
    ...(v.userarn !== undefined ? { userarn: v.userarn as string } : {}),
    ...(v.userid !== undefined ? { userid: v.userid as string } : {}),
    ...(v.username !== undefined ? { username: v.username as string } : {}),
    ...(v.groups !== undefined ? { groups: v.groups as string[] } : {}),
    ...(Object.keys(decoder.extra).length > 0 ? { extra: decoder.extra } : {}),
  };
}

/**
 * The list the winning `groups` spelling holds, for the check of non-string items (only made when
 * the decoded groups are set, so a later null spelling, which unsets them, needs no case here).
 */
function groupsOf(raw: Record<string, unknown>): unknown[] | undefined {
  let found: unknown[] | undefined;
  for (const key of goSortedKeys(raw)) {
    const value = raw[key];
    if (foldKey(key) === 'groups' && Array.isArray(value)) found = value;
  }
  return found;
}

/**
 * `sso`: null unsets it; any other value makes it a matcher (Go allocates the pointer before it
 * checks the type), filled from a mapping's keys, empty otherwise.
 */
function ssoUpdate(
  value: unknown, current: SsoRoleMatcher | undefined, location: string, problems: AwsAuthProblem[], blockers: AwsAuthProblem[],
): FieldUpdate {
  if (value === null || value === undefined) return { set: true, value: undefined };
  const base: Record<string, string> = { permissionSetName: '', accountID: '', ...(current ?? {}) };
  if (!isPlainObject(value)) {
    block(problems, blockers, { severity: 'warning', location, message: `sso is ${describeValue(value)}, not a mapping: the authenticator reads an sso matcher with no fields` });
    return { set: true, value: base };
  }
  const decoder = new EntryDecoder(value, SSO_FIELDS, location, problems, blockers);
  for (const [k, v] of Object.entries(base)) decoder.values[k] = v;
  decoder.decode((_field, v) => stringUpdate(v));
  const out = decoder.values as Record<string, string>;
  return {
    set: true,
    value: {
      permissionSetName: out.permissionSetName,
      accountID: out.accountID,
      ...(out.partition !== undefined ? { partition: out.partition } : {}),
    },
  };
}

/**
 * Keys in the order Go's encoding/json sees them: sorted by their UTF-8 bytes. The default sort
 * (UTF-16 code units) orders the spellings of one field the same way: they hold only ASCII, ſ
 * and the Kelvin sign, none of them surrogates.
 */
function goSortedKeys(raw: Record<string, unknown>): string[] {
  return Object.keys(raw).sort();
}

/**
 * Case folding of encoding/json's field matching (Unicode simple folding): ſ folds to s, which
 * toLowerCase leaves alone (the Kelvin sign, which folds to k, it lowers already).
 */
function foldKey(key: string): string {
  return key.replace(/\u017f/g, 's').toLowerCase();
}

/**
 * `mapAccounts`, read by go-yaml v2 into a list of strings: every scalar item keeps the text it
 * was written with (`0123…` keeps its zero, `yes` stays `yes`), null is "", and an item that is
 * a list or a mapping is skipped.
 */
function parseAccounts(text: string | undefined, problems: AwsAuthProblem[], blockers: AwsAuthProblem[], ignored: IgnoredText): string[] {
  const list = readList('mapAccounts', text, problems, blockers, ignored, false);
  const accounts: string[] = [];
  list.forEach((value, i) => {
    if (value === null || value === undefined) {
      accounts.push('');
    } else if (typeof value === 'string') {
      accounts.push(value);
    } else if (value instanceof TypedScalar) {
      accounts.push(value.text); // go-yaml decodes a scalar into a string as written
    } else {
      block(problems, blockers, { severity: 'error', location: `mapAccounts[${i}]`, message: `the authenticator skips this item (the others still apply): expected an account ID, got ${describeValue(value)}` });
    }
  });
  return accounts;
}

/** A decoded value with go-yaml's typed scalars as JavaScript booleans and numbers, for fields kept as found. */
function plainValue(value: unknown): unknown {
  if (value instanceof TypedScalar) {
    // The value sigs.k8s.io/yaml's conversion gives it (`017` is 15, `1_000` is 1000), as JSON can hold it.
    const converted = value.toString();
    if (value.kind === 'bool') return converted === 'true';
    const n = Number(converted);
    return Number.isSafeInteger(n) || (value.kind === 'float' && Number.isFinite(n)) ? n : value.text;
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof TypedScalar);
}

/** A short description of a value for messages: `a list`, `the number 42`, `"text"`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nothing';
  }
  if (value instanceof TypedScalar) {
    const kind = value.kind === 'bool' ? 'a boolean' : value.kind === 'int' ? 'an integer' : 'a number';
    return `${value.text}, ${kind} to the authenticator's YAML 1.1 reader`;
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
