/**
 * The merge the deploy-time handler applies: one owner's desired entries into the live `aws-auth`,
 * touching nothing else.
 *
 * An annotation records, per owner ID, the entries that owner wrote (`mapRoles`, `mapUsers`,
 * `mapAccounts`) and, under `adopted`, the entries it wanted that were already there, identical,
 * from another source (its formats: `owner-records.ts`). Entries are compared by their canonical
 * form (fields sorted, empty groups dropped), through indexes, so a merge of 10,000 entries is
 * linear. Semantics:
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
import {
  AWS_AUTH_OWNER_RECORDS_ANNOTATION, AwsAuthOwnerRecord, emptyOwnerRecord, entryDigest, OWNED_SECTIONS, OwnedEntry, OwnedSection,
  readAwsAuthOwnerRecords, RecordedEntries, tidyEntry, withOwnerRecord,
} from './owner-records';
import { renderAwsAuthData } from './render';
import { AwsAuthConfigMap, RoleMapping, UserMapping } from './types';

/** Entries of the three sections. */
export interface AwsAuthEntries {
  readonly mapRoles: RoleMapping[];
  readonly mapUsers: UserMapping[];
  readonly mapAccounts: string[];
}

export interface AwsAuthMergeResult {
  readonly configMap: AwsAuthConfigMap;
  /** False when neither the data nor the annotations changed: the write can be skipped. */
  readonly changed: boolean;
  readonly warnings: string[];
}

/**
 * Every owner's record, from both annotation formats (entries named by digest, see
 * `owner-records.ts`); throws {@link AccessConfigError} naming the problem when either is
 * malformed. The result has no prototype: an owner ID may be any string, `constructor` or
 * `__proto__` included.
 */
export function readOwnerRecords(configMap: AwsAuthConfigMap): Record<string, AwsAuthOwnerRecord> {
  return readAwsAuthOwnerRecords(configMap.metadata.annotations).owners as Record<string, AwsAuthOwnerRecord>;
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
  const records = readAwsAuthOwnerRecords(configMap.metadata.annotations);
  const previous = records.owners[ownerId] ?? emptyOwnerRecord();
  const others = Object.entries(records.owners).filter(([o]) => o !== ownerId).map(([, r]) => r);
  const warnings: string[] = [];

  const desiredEntries: Record<OwnedSection, OwnedEntry[]> = {
    mapRoles: desired.mapRoles.map((r) => tidyEntry({ rolearn: r.rolearn, username: r.username, groups: r.groups })),
    mapUsers: desired.mapUsers.map((u) => tidyEntry({ userarn: u.userarn, username: u.username, groups: u.groups })),
    mapAccounts: [...desired.mapAccounts],
  };
  const next = {} as Record<OwnedSection, OwnedEntry[]>;
  const written = {} as Record<OwnedSection, string[]>;
  const adopted = {} as Record<OwnedSection, string[]>;
  for (const section of OWNED_SECTIONS) {
    const result = mergeSection({
      section, current: configMap[section], desired: desiredEntries[section], previous, others, spelledOut: records.spelledOut, warnings,
    });
    next[section] = result.entries;
    written[section] = result.written;
    adopted[section] = result.adopted;
  }

  const annotations = withOwnerRecord(configMap.metadata.annotations, records, ownerId, { ...written, adopted });
  const merged: AwsAuthConfigMap = {
    ...configMap,
    metadata: withAnnotations(configMap.metadata, annotations),
    mapRoles: next.mapRoles as RoleMapping[],
    mapUsers: next.mapUsers as UserMapping[],
    mapAccounts: next.mapAccounts as string[],
  };
  const recordsOf = (a: Readonly<Record<string, string>> | undefined) =>
    [a?.[AWS_AUTH_OWNER_RECORDS_ANNOTATION] ?? null, a?.[AWS_AUTH_OWNERS_ANNOTATION] ?? null];
  const before = JSON.stringify([renderAwsAuthData(configMap), recordsOf(configMap.metadata.annotations)]);
  const after = JSON.stringify([renderAwsAuthData(merged), recordsOf(annotations)]);
  return { configMap: merged, changed: before !== after, warnings };
}

/**
 * The entries of aws-auth that `ownerId`'s record says it wrote, as they are there (an entry it
 * wrote that is no longer there as written is not among them).
 */
export function ownedEntries(configMap: AwsAuthConfigMap, ownerId: string): AwsAuthEntries {
  const record = readOwnerRecords(configMap)[ownerId];
  const pick = <T extends OwnedEntry>(section: OwnedSection, entries: readonly T[]): T[] => {
    const wrote = new Set(record?.[section] ?? []);
    return entries.filter((e) => wrote.has(entryDigest(section, e)));
  };
  return { mapRoles: pick('mapRoles', configMap.mapRoles), mapUsers: pick('mapUsers', configMap.mapUsers), mapAccounts: pick('mapAccounts', configMap.mapAccounts) };
}

/**
 * The ConfigMap without `ownerId`'s record: its entries stay where they are, as anyone else's
 * would (used when a Delete must leave an entry in place, such as the last node mapping).
 */
export function releaseOwner(configMap: AwsAuthConfigMap, ownerId: string): AwsAuthConfigMap {
  const records = readAwsAuthOwnerRecords(configMap.metadata.annotations);
  const annotations = withOwnerRecord(configMap.metadata.annotations, records, ownerId, undefined);
  return { ...configMap, metadata: withAnnotations(configMap.metadata, annotations) };
}

/** The metadata with these annotations (none at all when they are empty). */
function withAnnotations(metadata: AwsAuthConfigMap['metadata'], annotations: Record<string, string>): AwsAuthConfigMap['metadata'] {
  const next: Record<string, unknown> = { ...metadata, annotations };
  if (Object.keys(annotations).length === 0) {
    delete next.annotations;
  }
  return next as unknown as AwsAuthConfigMap['metadata'];
}

interface SectionMerge {
  readonly section: OwnedSection;
  readonly current: readonly OwnedEntry[];
  readonly desired: readonly OwnedEntry[];
  readonly previous: AwsAuthOwnerRecord;
  readonly others: readonly AwsAuthOwnerRecord[];
  /** Entries that version 1 records spell out, by `section/digest`. */
  readonly spelledOut: ReadonlyMap<string, OwnedEntry>;
  readonly warnings: string[];
}

function mergeSection(m: SectionMerge): { entries: OwnedEntry[]; written: string[]; adopted: string[] } {
  const { section, warnings } = m;
  const live = new LiveEntries(section, m.current);
  const prevWritten = new Set(m.previous[section]);
  const prevAdopted = new Set(m.previous.adopted[section]);
  const othersWrote = new Set(m.others.flatMap((r: RecordedEntries) => r[section]));
  const othersAdopted = new Set(m.others.flatMap((r) => r.adopted[section]));
  // This owner's earlier entries still present as written, by ARN: candidates for an update in place.
  const ownByKey = new Map<string, string>();
  for (const d of prevWritten) {
    const entry = live.find(d);
    if (entry !== undefined) {
      ownByKey.set(key(section, entry), d);
    }
  }
  const presentByKey = groupByKey(section, m.current);
  const handled = new Set<string>(); // digests of prevWritten already accounted for
  const written: string[] = [];
  const adopted: string[] = [];

  for (const want of m.desired) {
    const digest = entryDigest(section, want);
    if (live.has(digest)) {
      if (prevWritten.has(digest) && !handled.has(digest)) {
        handled.add(digest);
        written.push(digest);
      } else if (othersWrote.has(digest)) {
        written.push(digest); // co-owned with the owner that wrote it
      } else {
        if (!prevAdopted.has(digest)) {
          warnings.push(`${section}: ${show(want)} was already present; adopted as is (it is left in place when no longer wanted)`);
        }
        adopted.push(digest);
      }
      continue;
    }
    // An older version this owner wrote, still present as written: update it in place.
    const older = ownByKey.get(key(section, want));
    if (older !== undefined && !handled.has(older) && live.has(older) && !othersWrote.has(older)) {
      handled.add(older);
      live.replaceLast(older, want);
      written.push(digest);
      continue;
    }
    const shadowed = presentByKey.get(key(section, want)) ?? [];
    if (shadowed.length > 0) {
      warnings.push(`${section}: ${keyOf(section, want)} is already mapped by an entry this owner did not write (${shadowed.map(show).join('; ')}); appended this owner's entry, which the authenticator uses, and left the other untouched`);
    }
    live.push(want);
    written.push(digest);
  }

  // Entries this owner wrote and no longer wants.
  const stillWritten = new Set(written);
  for (const digest of prevWritten) {
    if (handled.has(digest) || stillWritten.has(digest) || othersWrote.has(digest) || othersAdopted.has(digest)) {
      continue; // still wanted by this owner or another
    }
    if (!live.has(digest)) {
      const spelled = m.spelledOut.get(`${section}/${digest}`);
      const what = spelled !== undefined ? show(spelled) : `the entry recorded as ${digest}`;
      warnings.push(`${section}: ${what}, written earlier by this owner, is no longer in aws-auth as written (removed or changed by someone else); leaving it as it is`);
      continue;
    }
    live.removeLast(digest);
  }
  return { entries: live.list(), written, adopted };
}

/**
 * The entries of one section while a merge changes them, indexed by digest: finding, replacing and
 * removing the last entry with a digest costs no scan of the section.
 */
class LiveEntries {
  private readonly entries: Array<OwnedEntry | undefined> = [];
  /** Positions of each digest, ascending. */
  private readonly positions = new Map<string, number[]>();

  constructor(private readonly section: OwnedSection, current: readonly OwnedEntry[]) {
    current.forEach((e) => this.push(e));
  }

  public has(digest: string): boolean {
    return (this.positions.get(digest)?.length ?? 0) > 0;
  }

  /** The last entry with this digest. */
  public find(digest: string): OwnedEntry | undefined {
    const at = this.positions.get(digest);
    return at && at.length > 0 ? this.entries[at[at.length - 1]] : undefined;
  }

  public push(entry: OwnedEntry): void {
    this.index(entryDigest(this.section, entry), this.entries.length);
    this.entries.push(entry);
  }

  /** Puts `entry` where the last entry with `digest` is. */
  public replaceLast(digest: string, entry: OwnedEntry): void {
    const at = this.positions.get(digest)!.pop()!;
    this.entries[at] = entry;
    this.index(entryDigest(this.section, entry), at);
  }

  public removeLast(digest: string): void {
    this.entries[this.positions.get(digest)!.pop()!] = undefined;
  }

  public list(): OwnedEntry[] {
    return this.entries.filter((e): e is OwnedEntry => e !== undefined);
  }

  private index(digest: string, at: number): void {
    const list = this.positions.get(digest) ?? [];
    list.push(at);
    list.sort((a, b) => a - b);
    this.positions.set(digest, list);
  }
}

function groupByKey(section: OwnedSection, entries: readonly OwnedEntry[]): Map<string, OwnedEntry[]> {
  const byKey = new Map<string, OwnedEntry[]>();
  for (const e of entries) {
    const k = key(section, e);
    const group = byKey.get(k);
    if (group) group.push(e);
    else byKey.set(k, [e]);
  }
  return byKey;
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

function keyOf(section: OwnedSection, entry: OwnedEntry): string {
  if (section === 'mapAccounts') return String(entry);
  return (section === 'mapRoles' ? (entry as RoleMapping).rolearn : (entry as UserMapping).userarn) ?? '';
}

/** The authenticator matches ARNs case-insensitively. */
function key(section: OwnedSection, entry: OwnedEntry): string {
  return keyOf(section, entry).toLowerCase();
}

function show(entry: OwnedEntry): string {
  return typeof entry === 'string' ? entry : JSON.stringify(entry);
}

/** Role entries whose groups include `system:nodes`: removing one cuts nodes off the cluster. */
export function nodeRoleMappings(configMap: AwsAuthConfigMap): Array<{ readonly index: number; readonly entry: RoleMapping }> {
  return configMap.mapRoles.flatMap((entry, index) => ((entry.groups ?? []).includes('system:nodes') ? [{ index, entry }] : []));
}
