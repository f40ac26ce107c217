/**
 * After the access entries exist: the check that each migrated principal resolves the same through
 * its access entry as through aws-auth, and the removal of the migrated entries from aws-auth.
 */
import { AccessConfigError } from '../arn';
import { AwsAuthConfigMap, RoleMapping, UserMapping } from '../aws-auth';
import { identityDifferences } from './identity';
import { principalKey } from './principal';
import { ExistingAccessEntry, MigrationItem } from './types';

/**
 * Items that may leave aws-auth: migrated, or covered by an access entry that grants the same.
 * Never blocked or skipped ones, nor the entries EKS manages (even once covered).
 */
export function isPrunable(item: MigrationItem): boolean {
  return item.verdict === 'migrate'
    || (item.verdict === 'covered' && item.rule !== 'declared' && !item.managedByEks && (item.differences ?? []).length === 0);
}

/** The outcome of the check. */
export interface Verification {
  /** Items whose access entry gives exactly what aws-auth gave. */
  readonly verified: MigrationItem[];
  /** One message per item that does not: missing entry, or how it differs. */
  readonly failures: string[];
}

/** Checks each item (with a principal) against the access entries as they are now. */
export function verifyMigrated(items: readonly MigrationItem[], entries: readonly ExistingAccessEntry[]): Verification {
  const byKey = new Map(entries.map((e) => [principalKey(e.principalArn), e]));
  const verified: MigrationItem[] = [];
  const failures: string[] = [];
  for (const item of items) {
    const entry = item.principalArn !== undefined ? byKey.get(principalKey(item.principalArn)) : undefined;
    if (!entry) {
      failures.push(`${item.source} (${item.arn}): no access entry for ${item.principalArn ?? 'its principal'}`);
      continue;
    }
    const differences = identityDifferences(entry.principalArn, item, entry);
    if (differences.length > 0) {
      failures.push(`${item.source} (${item.arn}): the access entry for ${entry.principalArn} differs: ${differences.join('; ')}`);
    } else {
      verified.push(item);
    }
  }
  return { verified, failures };
}

/** aws-auth without the entries of `items`, and the items actually found and removed. */
export interface Pruned {
  readonly configMap: AwsAuthConfigMap;
  readonly removed: MigrationItem[];
}

/**
 * Removes from `current` (aws-auth as it is now) the entries that `items` were planned from in
 * `planned` (aws-auth as it was planned). Entries are matched by content, not position, so a
 * concurrent edit never makes another entry go; an entry changed since the plan stays. Only
 * migrated items, and covered ones whose entry grants the same, may go: never a blocked or skipped
 * one (they are the only way in for their principal).
 */
export function pruneMigrated(current: AwsAuthConfigMap, planned: AwsAuthConfigMap, items: readonly MigrationItem[]): Pruned {
  const refused = items.filter((i) => !isPrunable(i));
  if (refused.length > 0) {
    throw new AccessConfigError(`refusing to remove ${refused.map((i) => `${i.source} (${i.managedByEks ? 'managed by EKS' : i.verdict})`).join(', ')} from aws-auth: only migrated entries, or entries an access entry covers with the same access, may be removed`);
  }
  const doomed = { mapRoles: new Set<string>(), mapUsers: new Set<string>() };
  const bySection = (item: MigrationItem) => (item.source.startsWith('mapRoles[') ? 'mapRoles' : 'mapUsers');
  for (const item of items) {
    const section = bySection(item);
    const index = Number(/\[(\d+)\]$/.exec(item.source)![1]);
    const entry = planned[section][index];
    if (entry !== undefined) {
      doomed[section].add(fingerprint(entry));
    }
  }
  const removedKeys = new Set<string>();
  const keep = <T extends RoleMapping | UserMapping>(section: 'mapRoles' | 'mapUsers') => (entry: T) => {
    const fp = fingerprint(entry);
    if (doomed[section].has(fp)) {
      removedKeys.add(`${section}:${fp}`);
      return false;
    }
    return true;
  };
  const configMap = { ...current, mapRoles: current.mapRoles.filter(keep('mapRoles')), mapUsers: current.mapUsers.filter(keep('mapUsers')) };
  const removed = items.filter((i) => {
    const section = bySection(i);
    const entry = planned[section][Number(/\[(\d+)\]$/.exec(i.source)![1])];
    return entry !== undefined && removedKeys.has(`${section}:${fingerprint(entry)}`);
  });
  return { configMap, removed };
}

/** The entry's content, independent of key order. */
function fingerprint(entry: RoleMapping | UserMapping): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
    return value;
  };
  return JSON.stringify(sorted(entry));
}
