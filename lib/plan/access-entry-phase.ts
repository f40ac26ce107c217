/**
 * The inputs of one owner's access-entry plan, read only: which entries' policies to read and
 * which entries it may change, then, from every owner's record and the entries as observed, the
 * plan input (its wishes, its previous record, the other owners' records, the entries never
 * touched) and the other owners seen on the cluster. The handler plans with them before it writes;
 * `eks-access diff` plans with them and writes nothing.
 */
import { ObservedAccessEntry, PlanInput } from '../core/access-entries-plan';
import { AccessEntrySpec } from '../core/access-entry';
import { DesiredClusterAccess, OWNER_KEY } from '../core/desired-state';
import { OwnerRecord } from '../core/owner-record';
import { HANDLER_ENTRY_TAG } from '../io/access-entries';

/** The principals whose policies the access-entry phase reads, and which entries it may change. */
export function entriesToObserve(args: {
  readonly desired: DesiredClusterAccess;
  readonly wanted: readonly AccessEntrySpec[];
  readonly identities: ReadonlyArray<{ readonly arn: string }>;
  readonly records: ReadonlyMap<string, OwnerRecord>;
  readonly formerOwnerId?: string;
}): { withPolicies: Set<string>; mayChange: (e: ObservedAccessEntry) => boolean } {
  const previous = args.records.get(args.desired.ownerId);
  const arns = (entries: readonly { principalArn: string }[]) => entries.map((e) => e.principalArn);
  const withPolicies = new Set([...arns(args.wanted), ...args.identities.map((i) => i.arn), ...arns(previous?.entries ?? [])]);
  const ownIds = new Set([args.desired.ownerId, ...(args.formerOwnerId ? [args.formerOwnerId] : [])]);
  return { withPolicies, mayChange: (e) => ownIds.has(e.tags[OWNER_KEY]) };
}

/**
 * The plan input of one owner's access-entry phase, and the other owners seen on the cluster (by
 * their record, or by the owner tag of an entry they created).
 */
export function entryPlanInput(args: {
  readonly desired: DesiredClusterAccess;
  readonly wanted: AccessEntrySpec[];
  readonly records: ReadonlyMap<string, OwnerRecord>;
  readonly observed: readonly ObservedAccessEntry[];
  readonly usesHandlerEntry: boolean;
  readonly formerOwnerId?: string;
}): { input: PlanInput; others: OwnerRecord[]; previous?: OwnerRecord; otherOwners: string[] } {
  const { desired, observed } = args;
  const previous = args.records.get(desired.ownerId);
  const others = [...args.records.values()].filter((r) => r.ownerId !== desired.ownerId);
  const recorded = new Set(args.records.keys());
  const isOthers = (e: ObservedAccessEntry) => e.tags[HANDLER_ENTRY_TAG] !== 'true' && e.tags[OWNER_KEY] !== undefined
    && e.tags[OWNER_KEY] !== desired.ownerId && !recorded.has(e.tags[OWNER_KEY]);
  const otherOwners = [...new Set([...observed.filter(isOthers).map((e) => e.tags[OWNER_KEY]), ...others.map((r) => r.ownerId)])];
  const handlerEntries = observed.filter((e) => e.tags[HANDLER_ENTRY_TAG] === 'true').map((e) => e.principalArn);
  const keep = new Set([...handlerEntries, ...(desired.handlerRoleArn && args.usesHandlerEntry ? [desired.handlerRoleArn] : [])]);
  const input: PlanInput = { ownerId: desired.ownerId, formerOwnerId: args.formerOwnerId, desired: args.wanted, observed, keep, others, previous };
  return { input, others, ...(previous ? { previous } : {}), otherOwners };
}
