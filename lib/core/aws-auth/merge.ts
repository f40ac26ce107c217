/**
 * The merge the deploy-time handler applies: one owner's desired entries into the live `aws-auth`,
 * touching nothing else.
 *
 * The annotation {@link AWS_AUTH_OWNERS_ANNOTATION} records, per owner ID, the entries that owner
 * wrote (`mapRoles`, `mapUsers`, `mapAccounts`) and, under `adopted`, the entries it wanted that
 * were already there, identical, from another source. Semantics:
 *
 * - A desired entry already present identically is not written again. If another owner wrote it,
 *   both now own it (it stays until neither wants it); if nobody did (a foreign entry: eksctl, the
 *   console, a human), it is adopted: counted as present, never deleted by this owner.
 * - A desired entry whose ARN this owner wrote before with other content is updated in place.
 * - A desired entry whose ARN is present only with other content (foreign or another owner's) is
 *   appended, and a warning names the entry it shadows (the authenticator uses the last one);
 *   the other entry is left untouched.
 * - An entry this owner wrote and no longer wants is removed, unless another owner also wrote it.
 *   If it is gone or was changed by someone else, it is forgotten with a warning, never guessed at.
 */
import { AccessConfigError, parsePrincipalArn, principalArnProblem } from '../arn';
import { AWS_AUTH_OWNERS_ANNOTATION, DesiredAwsAuth } from '../desired-state';
import { renderAwsAuthData } from './render';
import { AwsAuthConfigMap, RoleMapping, UserMapping } from './types';

/** Entries of the three sections. */
export interface AwsAuthEntries {
  readonly mapRoles: RoleMapping[];
  readonly mapUsers: UserMapping[];
  readonly mapAccounts: string[];
}

/** What one owner recorded in the annotation. */
export interface AwsAuthOwnerRecord extends AwsAuthEntries {
  /** Entries that were there, identical, before this owner wanted them: never removed by it. */
  readonly adopted?: AwsAuthEntries;
}

export interface AwsAuthMergeResult {
  readonly configMap: AwsAuthConfigMap;
  /** False when neither the data nor the annotation changed: the write can be skipped. */
  readonly changed: boolean;
  readonly warnings: string[];
}

type Section = 'mapRoles' | 'mapUsers' | 'mapAccounts';
type Entry = RoleMapping | UserMapping | string;

/**
 * The owner records of the annotation; throws {@link AccessConfigError} when it is not valid JSON of
 * that shape. The result has no prototype: an owner ID may be any string, `constructor` or
 * `__proto__` included.
 */
export function readOwnerRecords(configMap: AwsAuthConfigMap): Record<string, AwsAuthOwnerRecord> {
  const raw = configMap.metadata.annotations?.[AWS_AUTH_OWNERS_ANNOTATION];
  const records: Record<string, AwsAuthOwnerRecord> = Object.create(null);
  if (raw === undefined || raw === '') {
    return records;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new AccessConfigError(`annotation ${AWS_AUTH_OWNERS_ANNOTATION} on aws-auth is not valid JSON (${(e as Error).message}); fix or remove it by hand`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AccessConfigError(`annotation ${AWS_AUTH_OWNERS_ANNOTATION} on aws-auth must be a JSON object of owner ID to entries`);
  }
  for (const [owner, value] of Object.entries(parsed as Record<string, unknown>)) {
    const v = (value ?? {}) as Record<string, unknown>;
    const adopted = (v.adopted ?? {}) as Record<string, unknown>;
    records[owner] = { ...entriesOf(v, owner), adopted: entriesOf(adopted, owner) };
  }
  return records;
}

function entriesOf(v: Record<string, unknown>, owner: string): AwsAuthEntries {
  const list = (section: Section): any[] => {
    const x = v[section] ?? [];
    if (!Array.isArray(x)) {
      throw new AccessConfigError(`annotation ${AWS_AUTH_OWNERS_ANNOTATION}: ${section} of owner "${owner}" is not a list`);
    }
    return x;
  };
  return { mapRoles: list('mapRoles'), mapUsers: list('mapUsers'), mapAccounts: list('mapAccounts').map(String) };
}

/**
 * Merges `desired` for `ownerId` into `configMap` (see the module comment for the rules).
 * Never mutates its input.
 */
export function mergeOwnedAwsAuth(configMap: AwsAuthConfigMap, ownerId: string, desired: DesiredAwsAuth): AwsAuthMergeResult {
  if (!ownerId) {
    throw new AccessConfigError('an owner ID is required to merge into aws-auth');
  }
  validateDesired(desired);
  const records = readOwnerRecords(configMap);
  const previous = records[ownerId] ?? { mapRoles: [], mapUsers: [], mapAccounts: [] };
  const others = Object.entries(records).filter(([o]) => o !== ownerId).map(([, r]) => r);
  const warnings: string[] = [];

  const desiredEntries: AwsAuthEntries = {
    mapRoles: desired.mapRoles.map((r) => tidy({ rolearn: r.rolearn, username: r.username, groups: r.groups })),
    mapUsers: desired.mapUsers.map((u) => tidy({ userarn: u.userarn, username: u.username, groups: u.groups })),
    mapAccounts: [...desired.mapAccounts],
  };
  const next: Record<Section, Entry[]> = { mapRoles: [], mapUsers: [], mapAccounts: [] };
  const written: Record<Section, Entry[]> = { mapRoles: [], mapUsers: [], mapAccounts: [] };
  const adopted: Record<Section, Entry[]> = { mapRoles: [], mapUsers: [], mapAccounts: [] };
  for (const section of ['mapRoles', 'mapUsers', 'mapAccounts'] as const) {
    const result = mergeSection(section, configMap[section] as Entry[], desiredEntries[section] as Entry[], previous, others, warnings);
    next[section] = result.entries;
    written[section] = result.written;
    adopted[section] = result.adopted;
  }

  const nextRecords: Record<string, AwsAuthOwnerRecord> = Object.create(null); // owner IDs are keys: no prototype
  Object.assign(nextRecords, records);
  nextRecords[ownerId] = { ...(written as unknown as AwsAuthEntries), adopted: adopted as unknown as AwsAuthEntries };
  const metadata = metadataWithRecords(configMap, nextRecords);
  const annotations = metadata.annotations ?? {};
  const merged: AwsAuthConfigMap = {
    ...configMap,
    metadata,
    mapRoles: next.mapRoles as RoleMapping[],
    mapUsers: next.mapUsers as UserMapping[],
    mapAccounts: next.mapAccounts as string[],
  };
  const before = JSON.stringify([renderAwsAuthData(configMap), configMap.metadata.annotations?.[AWS_AUTH_OWNERS_ANNOTATION] ?? null]);
  const after = JSON.stringify([renderAwsAuthData(merged), annotations[AWS_AUTH_OWNERS_ANNOTATION] ?? null]);
  return { configMap: merged, changed: before !== after, warnings };
}

/**
 * The ConfigMap without `ownerId`'s record: its entries stay where they are, as anyone else's
 * would (used when a Delete must leave an entry in place, such as the last node mapping).
 */
export function releaseOwner(configMap: AwsAuthConfigMap, ownerId: string): AwsAuthConfigMap {
  const records = readOwnerRecords(configMap);
  delete records[ownerId];
  return { ...configMap, metadata: metadataWithRecords(configMap, records) };
}

/** The metadata with the owners annotation holding `records` (removed when no owner records anything). */
function metadataWithRecords(configMap: AwsAuthConfigMap, records: Record<string, AwsAuthOwnerRecord>): AwsAuthConfigMap['metadata'] {
  const json: Record<string, unknown> = Object.create(null);
  for (const owner of Object.keys(records).sort()) {
    const record = recordJson(records[owner] as any, (records[owner].adopted ?? {}) as any);
    if (record !== undefined) {
      json[owner] = record;
    }
  }
  const annotations: Record<string, string> = { ...(configMap.metadata.annotations ?? {}) };
  if (Object.keys(json).length > 0) {
    annotations[AWS_AUTH_OWNERS_ANNOTATION] = JSON.stringify(json);
  } else {
    delete annotations[AWS_AUTH_OWNERS_ANNOTATION];
  }
  const metadata: Record<string, unknown> = { ...configMap.metadata, annotations };
  if (Object.keys(annotations).length === 0) {
    delete metadata.annotations;
  }
  return metadata as unknown as AwsAuthConfigMap['metadata'];
}

function mergeSection(
  section: Section, current: Entry[], desired: Entry[], previous: AwsAuthOwnerRecord, others: AwsAuthOwnerRecord[], warnings: string[],
) {
  const entries = [...current];
  const prevWritten = [...((previous[section] ?? []) as Entry[])];
  const prevAdopted = (previous.adopted?.[section] ?? []) as Entry[];
  const othersWrote = others.flatMap((r) => (r[section] ?? []) as Entry[]);
  const othersAdopted = others.flatMap((r) => (r.adopted?.[section] ?? []) as Entry[]);
  const handled = new Set<number>(); // indexes into prevWritten already accounted for
  const written: Entry[] = [];
  const adopted: Entry[] = [];

  for (const want of desired) {
    const ownIdentical = prevWritten.findIndex((w, i) => !handled.has(i) && same(w, want));
    const presentIdentical = entries.some((e) => same(e, want));
    if (presentIdentical) {
      if (ownIdentical >= 0) {
        handled.add(ownIdentical);
        written.push(want);
      } else if (othersWrote.some((o) => same(o, want))) {
        written.push(want); // co-owned with the owner that wrote it
      } else {
        if (!prevAdopted.some((a) => same(a, want))) {
          warnings.push(`${section}: ${show(want)} was already present; adopted as is (it is left in place when no longer wanted)`);
        }
        adopted.push(want);
      }
      continue;
    }
    // An older version this owner wrote, still present as written: update it in place.
    const ownOlder = prevWritten.findIndex((w, i) => !handled.has(i) && key(section, w) === key(section, want) && entries.some((e) => same(e, w)));
    if (ownOlder >= 0 && !othersWrote.some((o) => same(o, prevWritten[ownOlder]))) {
      handled.add(ownOlder);
      const at = lastIndex(entries, (e) => same(e, prevWritten[ownOlder]));
      entries[at] = want;
      written.push(want);
      continue;
    }
    const shadowed = entries.filter((e) => key(section, e) === key(section, want));
    if (shadowed.length > 0) {
      warnings.push(`${section}: ${keyOf(section, want)} is already mapped by an entry this owner did not write (${shadowed.map(show).join('; ')}); appended this owner's entry, which the authenticator uses, and left the other untouched`);
    }
    entries.push(want);
    written.push(want);
  }

  // Entries this owner wrote and no longer wants.
  prevWritten.forEach((w, i) => {
    if (handled.has(i) || written.some((x) => same(x, w))) {
      return;
    }
    if (othersWrote.some((o) => same(o, w)) || othersAdopted.some((o) => same(o, w))) {
      return; // still wanted by another owner
    }
    const at = lastIndex(entries, (e) => same(e, w));
    if (at < 0) {
      warnings.push(`${section}: ${show(w)}, written earlier by this owner, is no longer in aws-auth as written (removed or changed by someone else); leaving it as it is`);
      return;
    }
    entries.splice(at, 1);
  });
  return { entries, written, adopted };
}

function validateDesired(desired: DesiredAwsAuth): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of desired.mapRoles) {
    const p = principalArnProblem(r.rolearn);
    if (p) {
      problems.push(`mapRoles: ${p}`);
    } else if (parsePrincipalArn(r.rolearn).kind !== 'role' || parsePrincipalArn(r.rolearn).path !== '/') {
      problems.push(`mapRoles: "${r.rolearn}" must be a role ARN without a path`);
    }
    if (seen.has(key('mapRoles', r))) problems.push(`mapRoles: "${r.rolearn}" is wanted twice`);
    seen.add(key('mapRoles', r));
  }
  for (const u of desired.mapUsers) {
    const p = principalArnProblem(u.userarn);
    if (p) {
      problems.push(`mapUsers: ${p}`);
    } else if (parsePrincipalArn(u.userarn).kind !== 'user') {
      problems.push(`mapUsers: "${u.userarn}" is not an IAM user ARN`);
    }
    if (seen.has(key('mapUsers', u))) problems.push(`mapUsers: "${u.userarn}" is wanted twice`);
    seen.add(key('mapUsers', u));
  }
  for (const a of desired.mapAccounts) {
    if (!/^\d{12}$/.test(a)) problems.push(`mapAccounts: "${a}" is not a 12-digit AWS account ID`);
    if (seen.has(a)) problems.push(`mapAccounts: "${a}" is wanted twice`);
    seen.add(a);
  }
  if (problems.length > 0) {
    throw new AccessConfigError(`invalid desired aws-auth entries:\n${problems.join('\n')}`);
  }
}

/** Drops empty optional fields, so that `groups: []` and no groups compare equal. */
function tidy<T extends { username?: string; groups?: readonly string[] }>(entry: T): T {
  const out: any = { ...entry };
  if (out.username === undefined) delete out.username;
  if (out.groups === undefined || out.groups.length === 0) delete out.groups;
  else out.groups = [...out.groups];
  return out;
}

/** Canonical forms, computed once per entry object: merges compare every entry with every desired one. */
const canonicalForms = new WeakMap<object, string>();

function canonical(entry: Entry): string {
  if (typeof entry === 'string') {
    return entry;
  }
  let form = canonicalForms.get(entry);
  if (form === undefined) {
    const t = tidy(entry as any) as Record<string, unknown>;
    form = JSON.stringify(Object.keys(t).sort().map((k) => [k, t[k]]));
    canonicalForms.set(entry, form);
  }
  return form;
}

function same(a: Entry, b: Entry): boolean {
  return canonical(a) === canonical(b);
}

function keyOf(section: Section, entry: Entry): string {
  if (section === 'mapAccounts') return String(entry);
  return (section === 'mapRoles' ? (entry as RoleMapping).rolearn : (entry as UserMapping).userarn) ?? '';
}

/** The authenticator matches ARNs case-insensitively. */
function key(section: Section, entry: Entry): string {
  return keyOf(section, entry).toLowerCase();
}

function show(entry: Entry): string {
  return typeof entry === 'string' ? entry : JSON.stringify(entry);
}

function lastIndex<T>(list: T[], predicate: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) {
    if (predicate(list[i])) return i;
  }
  return -1;
}

function recordJson(written: Partial<Record<Section, Entry[]>>, adopted: Partial<Record<Section, Entry[]>>): Record<string, unknown> | undefined {
  const sections = (x: Partial<Record<Section, Entry[]>>) => {
    const out: Record<string, unknown> = {};
    for (const s of ['mapRoles', 'mapUsers', 'mapAccounts'] as const) {
      if ((x[s] ?? []).length > 0) out[s] = x[s];
    }
    return out;
  };
  const w = sections(written);
  const a = sections(adopted);
  if (Object.keys(w).length === 0 && Object.keys(a).length === 0) {
    return undefined;
  }
  return { ...w, ...(Object.keys(a).length > 0 ? { adopted: a } : {}) };
}

/** Role entries whose groups include `system:nodes`: removing one cuts nodes off the cluster. */
export function nodeRoleMappings(configMap: AwsAuthConfigMap): Array<{ readonly index: number; readonly entry: RoleMapping }> {
  return configMap.mapRoles.flatMap((entry, index) => ((entry.groups ?? []).includes('system:nodes') ? [{ index, entry }] : []));
}
