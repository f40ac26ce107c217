/**
 * Owner records: what each owner (one custom resource of this library) wants from a cluster's
 * access entries, and which resource manages it, kept in the cluster beside them. EKS access entries have one set of groups and
 * policies per principal, but several owners (stacks) may grant the same principal: without a record
 * of each owner's share, one owner's Delete could only remove the whole entry (taking the other
 * owners' access) or nothing (leaving its own grants behind). With the records, an owner removes
 * exactly the groups and policies no other owner wants, and an entry this library created is deleted
 * only when no owner wants it any more. Every owner keeps one, whatever the cluster's mode. Pure:
 * the handler stores records as ConfigMaps in `kube-system` (one per owner, so owners never write
 * the same object).
 */
import { createHash } from 'crypto';
import { AccessEntrySpec, AccessPolicyAssociationSpec } from './access-entry';
import { OWNERSHIP_PREFIX } from './desired-state';

/** Format version of a record; a record of another version is refused with a clear message. */
export const OWNER_RECORD_VERSION = 1;
/** Namespace of the record ConfigMaps. */
export const OWNER_RECORD_NAMESPACE = 'kube-system';
/** Label on every record ConfigMap; its value is the owner ID. */
export const OWNER_RECORD_LABEL = `${OWNERSHIP_PREFIX}/owner-record`;
/** The ConfigMap data key holding the record's JSON. */
export const OWNER_RECORD_KEY = 'record.json';

/** What an access entry granted before any owner of this library changed it (never removed). */
export interface EntryBaseline {
  readonly username?: string;
  readonly kubernetesGroups: string[];
  readonly accessPolicies: AccessPolicyAssociationSpec[];
}

/** One principal an owner wants, as it wants it. */
export interface RecordedEntry extends AccessEntrySpec {
  /**
   * Set when the entry existed before this library touched it (adopted): what it granted then.
   * Every owner that wants the entry carries the same baseline, so it outlives the first adopter.
   */
  readonly baseline?: EntryBaseline;
}

/** One owner's record. */
export interface OwnerRecord {
  readonly version: number;
  readonly ownerId: string;
  /**
   * The handler role whose own cluster-admin access entry this owner relies on, if any: that entry
   * is kept while any record names its role.
   */
  readonly handlerRoleArn?: string;
  readonly entries: RecordedEntry[];
  /**
   * The custom resource that manages this owner on the cluster. An owner keeps its ID when its
   * resource is replaced by another of another logical ID (a CloudFormation remove-and-add, e.g.
   * when the cluster's region changes or the library is upgraded); the old resource's Delete then
   * finds that another resource manages the owner, and removes nothing.
   */
  readonly managedBy?: ManagingResource;
}

/** A custom resource, as CloudFormation names it in its events. */
export interface ManagingResource {
  readonly logicalResourceId: string;
  readonly stackId?: string;
}

/** True when `a` and `b` are the same resource (a stack ID given on one side only is no difference). */
export function sameResource(a: ManagingResource, b: ManagingResource): boolean {
  return a.logicalResourceId === b.logicalResourceId && (a.stackId === undefined || b.stackId === undefined || a.stackId === b.stackId);
}

/** The record ConfigMap's name for an owner: a hash, so that any owner ID gives a valid name. */
export function ownerRecordName(ownerId: string): string {
  return `cdk-eks-access-owner-${createHash('sha256').update(ownerId).digest('hex').slice(0, 20)}`;
}

/** The JSON stored in the record ConfigMap (entries sorted, so equal records are equal text). */
export function formatOwnerRecord(record: OwnerRecord): string {
  const entries = [...record.entries].sort((a, b) => a.principalArn.localeCompare(b.principalArn));
  return JSON.stringify({ ...record, entries });
}

/**
 * Reads a record's JSON; throws naming the ConfigMap and what is wrong, never returning a partial
 * record (an owner's share that cannot be read must stop the run, not be taken as "wants nothing").
 */
export function parseOwnerRecord(text: string | undefined, where: string): OwnerRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch (e) {
    throw new Error(`owner record ${where} is not valid JSON (${(e as Error).message}); fix or delete it by hand (kubectl -n ${OWNER_RECORD_NAMESPACE} edit configmap), then re-run the deployment`);
  }
  const problem = recordProblem(parsed);
  if (problem) {
    throw new Error(`owner record ${where} cannot be read: ${problem}; fix or delete it by hand, then re-run the deployment`);
  }
  return parsed as OwnerRecord;
}

function recordProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return 'it is not a JSON object';
  }
  const r = value as Partial<OwnerRecord>;
  if (r.version !== OWNER_RECORD_VERSION) {
    return `its version ${JSON.stringify(r.version)} is not ${OWNER_RECORD_VERSION} (written by another version of cdk-eks-access)`;
  }
  if (typeof r.ownerId !== 'string' || r.ownerId === '') {
    return 'it names no owner';
  }
  if (r.handlerRoleArn !== undefined && typeof r.handlerRoleArn !== 'string') {
    return 'handlerRoleArn is not a string';
  }
  if (!Array.isArray(r.entries)) {
    return 'entries is not a list';
  }
  if (r.managedBy !== undefined && (typeof r.managedBy !== 'object' || r.managedBy === null || typeof r.managedBy.logicalResourceId !== 'string')) {
    return 'managedBy is not a resource';
  }
  const bad = r.entries.find((e) => !isEntry(e) || (e.baseline !== undefined && !isBaseline(e.baseline)));
  return bad === undefined ? undefined : `entry ${JSON.stringify(bad).slice(0, 200)} is malformed`;
}

function isEntry(e: RecordedEntry): boolean {
  return !!e && typeof e === 'object' && typeof e.principalArn === 'string' && typeof e.type === 'string'
    && (e.username === undefined || typeof e.username === 'string') && isStringList(e.kubernetesGroups) && isPolicyList(e.accessPolicies);
}

function isBaseline(b: EntryBaseline): boolean {
  return !!b && typeof b === 'object' && (b.username === undefined || typeof b.username === 'string') && isStringList(b.kubernetesGroups) && isPolicyList(b.accessPolicies);
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isPolicyList(v: unknown): boolean {
  return Array.isArray(v) && v.every((p: AccessPolicyAssociationSpec) => !!p && typeof p.policyArn === 'string' && !!p.accessScope
    && (p.accessScope.type === 'cluster' || p.accessScope.type === 'namespace')
    && (p.accessScope.namespaces === undefined || isStringList(p.accessScope.namespaces)));
}
