/**
 * The ownership record on `aws-auth`: per owner ID, which entries that owner wrote and which it
 * adopted. Two formats, both read:
 *
 * - **Version 2** (written), annotation {@link AWS_AUTH_OWNER_RECORDS_ANNOTATION}: each role and
 *   user entry is named by its digest ({@link entryDigest}, 11 characters), account IDs as they
 *   are. 10,000 mappings take about 140 KB, within Kubernetes' 256 KiB for all annotations of an
 *   object:
 *   `{"version":2,"digest":"sha256-base64url-11","owners":{"<owner>":{"mapRoles":["<digest>",...],
 *   "mapUsers":[...],"mapAccounts":["111122223333"],"adopted":{"mapRoles":[...]}}}}`
 * - **Version 1**, annotation {@link AWS_AUTH_OWNERS_ANNOTATION}: a JSON object of owner ID to full
 *   copies of its entries (`{"<owner>":{"mapRoles":[{...}],...,"adopted":{...}}}`), about 100 bytes
 *   a mapping, so past 2,500 mappings the API server refuses the object. Clusters deployed with
 *   earlier versions have it.
 *
 * An owner's merge moves its own record to version 2 and leaves the version 1 records of other
 * owners as they are, so a stack still deployed with an earlier version keeps reading its own.
 * A record that is not of this shape is refused with a message naming the owner and the value,
 * never half-read.
 */
import { createHash } from 'crypto';
import { AccessConfigError } from '../arn';
import { AWS_AUTH_OWNERS_ANNOTATION, OWNERSHIP_PREFIX } from '../desired-state';
import { RoleMapping, UserMapping } from './types';

/** The version 2 record (digests); {@link AWS_AUTH_OWNERS_ANNOTATION} holds version 1 records. */
export const AWS_AUTH_OWNER_RECORDS_ANNOTATION = `${OWNERSHIP_PREFIX}/owners-v2`;
/** How an entry's digest is made (recorded in the annotation, so that a reader knows). */
export const ENTRY_DIGEST = 'sha256-base64url-11';
const DIGEST_LENGTH = 11;
const DIGEST = /^[A-Za-z0-9_-]{11}$/;

export type OwnedSection = 'mapRoles' | 'mapUsers' | 'mapAccounts';
export const OWNED_SECTIONS: readonly OwnedSection[] = ['mapRoles', 'mapUsers', 'mapAccounts'];
/** A role or user mapping, or an account ID. */
export type OwnedEntry = RoleMapping | UserMapping | string;

/** Per section: digests of role and user entries, account IDs as they are. */
export type RecordedEntries = Readonly<Record<OwnedSection, readonly string[]>>;

/** What one owner recorded. */
export interface AwsAuthOwnerRecord extends RecordedEntries {
  /** Entries that were there, identical, before this owner wanted them: never removed by it. */
  readonly adopted: RecordedEntries;
}

/** The records of every owner, as read from both annotations. */
export interface AwsAuthOwnerRecords {
  /** Every owner's record (version 1 records converted to digests). No prototype: any owner ID is a key. */
  readonly owners: Readonly<Record<string, AwsAuthOwnerRecord>>;
  /** Owners whose record is (also) in version 1: their raw records, kept to be written back unchanged. */
  readonly legacy: Readonly<Record<string, unknown>>;
  /** Entries version 1 records spell out, by section and digest: to name an entry gone from aws-auth. */
  readonly spelledOut: ReadonlyMap<string, OwnedEntry>;
}

/** Drops empty optional fields, so that `groups: []` and no groups compare equal. */
export function tidyEntry<T extends object>(entry: T): T {
  const out = { ...entry } as Record<string, unknown>;
  if (out.username === undefined) delete out.username;
  const groups = out.groups as readonly string[] | undefined;
  if (groups === undefined || groups.length === 0) delete out.groups;
  else out.groups = [...groups];
  return out as T;
}

/** Canonical forms, computed once per entry object: a merge compares thousands of entries. */
const canonicalForms = new WeakMap<object, string>();

/** The canonical form of an entry: its tidied fields as sorted `[key, value]` pairs, in JSON. */
export function canonicalEntry(entry: OwnedEntry): string {
  if (typeof entry === 'string') {
    return entry;
  }
  let form = canonicalForms.get(entry);
  if (form === undefined) {
    const t = tidyEntry(entry) as Record<string, unknown>;
    form = JSON.stringify(Object.keys(t).sort().map((k) => [k, t[k]]));
    canonicalForms.set(entry, form);
  }
  return form;
}

const digests = new Map<string, string>();

/**
 * How the record names an entry: for roles and users, the first 11 characters of the base64url
 * SHA-256 of the entry's canonical form (66 bits: among 10,000 entries, two share a digest with a
 * probability under 10^-11); an account ID as it is.
 */
export function entryDigest(section: OwnedSection, entry: OwnedEntry): string {
  const form = canonicalEntry(entry);
  if (section === 'mapAccounts') {
    return form;
  }
  let digest = digests.get(form);
  if (digest === undefined) {
    digest = createHash('sha256').update(form).digest('base64url').slice(0, DIGEST_LENGTH);
    if (digests.size > 100_000) digests.clear();
    digests.set(form, digest);
  }
  return digest;
}

/** Reads both annotations; throws {@link AccessConfigError} naming the problem when either is malformed. */
export function readAwsAuthOwnerRecords(annotations: Readonly<Record<string, string>> | undefined): AwsAuthOwnerRecords {
  const owners: Record<string, AwsAuthOwnerRecord> = Object.create(null);
  const legacy: Record<string, unknown> = Object.create(null);
  const spelledOut = new Map<string, OwnedEntry>();
  for (const [owner, record] of Object.entries(readVersion2(annotations?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION]))) {
    owners[owner] = record;
  }
  for (const [owner, raw] of Object.entries(parseObject(AWS_AUTH_OWNERS_ANNOTATION, annotations?.[AWS_AUTH_OWNERS_ANNOTATION]))) {
    legacy[owner] = raw;
    const record = readVersion1Record(owner, raw, spelledOut);
    owners[owner] = owner in owners ? union(owners[owner], record) : record;
  }
  return { owners, legacy, spelledOut };
}

/** The owner IDs recorded in either annotation (none when both are absent or unreadable). */
export function recordedOwners(annotations: Readonly<Record<string, string>> | undefined): string[] {
  const keys = (key: string, inner?: string) => {
    try {
      const parsed = JSON.parse(annotations?.[key] ?? '{}') as Record<string, unknown>;
      const owners = inner ? parsed?.[inner] : parsed;
      return owners && typeof owners === 'object' && !Array.isArray(owners) ? Object.keys(owners) : [];
    } catch {
      return [];
    }
  };
  return [...new Set([...keys(AWS_AUTH_OWNER_RECORDS_ANNOTATION, 'owners'), ...keys(AWS_AUTH_OWNERS_ANNOTATION)])].sort();
}

/** False only when neither annotation can hold a record of `ownerId` (an unreadable one may). */
export function mayRecordOwner(annotations: Readonly<Record<string, string>> | undefined, ownerId: string): boolean {
  const holds = (key: string, inner?: string) => {
    const raw = annotations?.[key];
    if (raw === undefined || raw === '') {
      return false;
    }
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      const owners = inner ? parsed?.[inner] : parsed;
      // An own key only: an owner ID such as `constructor` is not recorded by Object.prototype.
      return !(owners && typeof owners === 'object' && !Array.isArray(owners) && !Object.prototype.hasOwnProperty.call(owners, ownerId));
    } catch {
      return true; // unreadable: let the full merge report it
    }
  };
  return holds(AWS_AUTH_OWNER_RECORDS_ANNOTATION, 'owners') || holds(AWS_AUTH_OWNERS_ANNOTATION);
}

/**
 * The annotations with `ownerId`'s record set to `record` (removed when undefined) in version 2,
 * its version 1 record dropped, and every other owner's record kept in the format it was in.
 */
export function withOwnerRecord(
  annotations: Readonly<Record<string, string>> | undefined, records: AwsAuthOwnerRecords, ownerId: string, record: AwsAuthOwnerRecord | undefined,
): Record<string, string> {
  const next: Record<string, string> = { ...(annotations ?? {}) };
  const version2: Record<string, unknown> = Object.create(null); // owner IDs are keys: no prototype
  const existing = readVersion2(annotations?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION]);
  const owners = [...new Set([...Object.keys(existing), ownerId])].sort();
  for (const owner of owners) {
    const json = recordJson(owner === ownerId ? record : existing[owner]);
    if (json !== undefined) {
      version2[owner] = json;
    }
  }
  const hasVersion2 = Object.keys(version2).length > 0;
  setJson(next, AWS_AUTH_OWNER_RECORDS_ANNOTATION, hasVersion2 ? { version: 2, digest: ENTRY_DIGEST, owners: version2 } : undefined);
  const version1: Record<string, unknown> = Object.create(null);
  for (const owner of Object.keys(records.legacy).sort()) {
    if (owner !== ownerId) {
      version1[owner] = records.legacy[owner];
    }
  }
  setJson(next, AWS_AUTH_OWNERS_ANNOTATION, Object.keys(version1).length > 0 ? version1 : undefined);
  return next;
}

function setJson(annotations: Record<string, string>, key: string, value: unknown): void {
  if (value === undefined) {
    delete annotations[key];
  } else {
    annotations[key] = JSON.stringify(value);
  }
}

function recordJson(record: AwsAuthOwnerRecord | undefined): Record<string, unknown> | undefined {
  if (!record) {
    return undefined;
  }
  const sections = (x: RecordedEntries) => {
    const out: Record<string, unknown> = {};
    for (const s of OWNED_SECTIONS) {
      if (x[s].length > 0) out[s] = x[s];
    }
    return out;
  };
  const written = sections(record);
  const adopted = sections(record.adopted);
  if (Object.keys(written).length === 0 && Object.keys(adopted).length === 0) {
    return undefined;
  }
  return { ...written, ...(Object.keys(adopted).length > 0 ? { adopted } : {}) };
}

/** An empty record. */
export function emptyOwnerRecord(): AwsAuthOwnerRecord {
  return { mapRoles: [], mapUsers: [], mapAccounts: [], adopted: { mapRoles: [], mapUsers: [], mapAccounts: [] } };
}

function union(a: AwsAuthOwnerRecord, b: AwsAuthOwnerRecord): AwsAuthOwnerRecord {
  const merged = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])];
  const written = {
    mapRoles: merged(a.mapRoles, b.mapRoles),
    mapUsers: merged(a.mapUsers, b.mapUsers),
    mapAccounts: merged(a.mapAccounts, b.mapAccounts),
  };
  // What this owner wrote it may remove; that outranks a record of having adopted it.
  const adopted = (s: OwnedSection) => merged(a.adopted[s], b.adopted[s]).filter((d) => !written[s].includes(d));
  return { ...written, adopted: { mapRoles: adopted('mapRoles'), mapUsers: adopted('mapUsers'), mapAccounts: adopted('mapAccounts') } };
}

function parseObject(key: string, raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw === '') {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw recordError(key, `is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw recordError(key, `must be a JSON object, got ${preview(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function readVersion2(raw: string | undefined): Record<string, AwsAuthOwnerRecord> {
  const key = AWS_AUTH_OWNER_RECORDS_ANNOTATION;
  const parsed = parseObject(key, raw);
  const records: Record<string, AwsAuthOwnerRecord> = Object.create(null);
  if (raw === undefined || raw === '') {
    return records;
  }
  if (parsed.version !== 2) {
    throw recordError(key, `has version ${preview(parsed.version)}; this version of cdk-eks-access reads version 2 (a newer version wrote it: deploy with that version)`);
  }
  if (parsed.digest !== ENTRY_DIGEST) {
    throw recordError(key, `names entries by ${preview(parsed.digest)}; this version of cdk-eks-access uses ${ENTRY_DIGEST}`);
  }
  const owners = parsed.owners;
  if (typeof owners !== 'object' || owners === null || Array.isArray(owners)) {
    throw recordError(key, `"owners" must be a JSON object of owner ID to record, got ${preview(owners)}`);
  }
  for (const [owner, value] of Object.entries(owners as Record<string, unknown>)) {
    records[owner] = readRecord(key, owner, value, (section, item, where) => {
      const valid = typeof item === 'string' && (section === 'mapAccounts' ? item !== '' : DIGEST.test(item));
      if (!valid) {
        throw recordError(key, `${where} is not ${section === 'mapAccounts' ? 'an account ID' : `an entry digest (${DIGEST_LENGTH} characters of [A-Za-z0-9_-])`}: ${preview(item)}`);
      }
      return item as string;
    });
  }
  return records;
}

function readVersion1Record(owner: string, value: unknown, spelledOut: Map<string, OwnedEntry>): AwsAuthOwnerRecord {
  return readRecord(AWS_AUTH_OWNERS_ANNOTATION, owner, value, (section, item, where) => {
    const problem = version1EntryProblem(section, item);
    if (problem) {
      throw recordError(AWS_AUTH_OWNERS_ANNOTATION, `${where} ${problem}: ${preview(item)}`);
    }
    const entry = section === 'mapAccounts' ? String(item) : item as OwnedEntry;
    const digest = entryDigest(section, entry);
    spelledOut.set(`${section}/${digest}`, entry);
    return digest;
  });
}

type ReadItem = (section: OwnedSection, item: unknown, where: string) => string;

function readRecord(key: string, owner: string, value: unknown, readItem: ReadItem): AwsAuthOwnerRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw recordError(key, `the record of owner ${JSON.stringify(owner)} must be a JSON object, got ${preview(value)}`);
  }
  const v = value as Record<string, unknown>;
  const adopted = v.adopted ?? {};
  if (typeof adopted !== 'object' || adopted === null || Array.isArray(adopted)) {
    throw recordError(key, `"adopted" of owner ${JSON.stringify(owner)} must be a JSON object, got ${preview(adopted)}`);
  }
  const sections = (from: Record<string, unknown>, prefix: string): RecordedEntries => {
    const out = {} as Record<OwnedSection, string[]>;
    for (const section of OWNED_SECTIONS) {
      const list = from[section] ?? [];
      if (!Array.isArray(list)) {
        throw recordError(key, `${prefix}${section} of owner ${JSON.stringify(owner)} must be a list, got ${preview(list)}`);
      }
      out[section] = list.map((item, i) => readItem(section, item, `${prefix}${section}[${i}] of owner ${JSON.stringify(owner)}`));
    }
    return out;
  };
  return { ...sections(v, ''), adopted: sections(adopted as Record<string, unknown>, 'adopted.') };
}

/** Why a version 1 record item is not an entry this library writes. */
function version1EntryProblem(section: OwnedSection, item: unknown): string | undefined {
  if (section === 'mapAccounts') {
    return typeof item === 'string' || typeof item === 'number' ? undefined : 'is not an account ID';
  }
  const arnKey = section === 'mapRoles' ? 'rolearn' : 'userarn';
  const what = section === 'mapRoles' ? 'a role mapping' : 'a user mapping';
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return `is not ${what}`;
  }
  const e = item as Record<string, unknown>;
  if (typeof e[arnKey] !== 'string') {
    return `is not ${what} (no string "${arnKey}")`;
  }
  if (e.username !== undefined && typeof e.username !== 'string') {
    return `is not ${what} ("username" is not a string)`;
  }
  if (e.groups !== undefined && !(Array.isArray(e.groups) && e.groups.every((g) => typeof g === 'string'))) {
    return `is not ${what} ("groups" is not a list of strings)`;
  }
  return undefined;
}

function recordError(key: string, problem: string): AccessConfigError {
  return new AccessConfigError(`annotation ${key} on aws-auth ${problem}; it records which entries each owner wrote: fix it by hand (kubectl edit configmap aws-auth -n kube-system), then re-run the deployment`);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
