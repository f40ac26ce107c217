/**
 * This owner's entries in aws-auth: parse the live ConfigMap exactly as the authenticator reads
 * it, merge with the engine's owner-tracked merge, refuse a lockout, and write through the
 * conflict-safe store. Used with an empty desired state to remove this owner's entries (Delete,
 * or a move to access entries); foreign and other owners' entries are never touched. The merge
 * and its checks are planned in `lib/plan/aws-auth-change.ts`.
 */
import { AccessConfigError } from '../core/arn';
import { ownedEntries, readOwnerRecords, releaseOwner, toConfigMapObject } from '../core/aws-auth';
import { DesiredAwsAuth } from '../core/desired-state';
import { LockoutError } from '../core/lockout';
import { updateAwsAuth } from '../io/aws-auth-store';
import { KubeObject, KubernetesApi } from '../io/kubernetes-api';
import { AwsAuthChange, AwsAuthReconcileInput, computeAwsAuthChange, NO_ONE, parseLiveAwsAuth } from '../plan/aws-auth-change';

export interface AwsAuthReconcileResult {
  readonly written: boolean;
  readonly created: boolean;
  /** Read-merge-write rounds (more than 1 when concurrent writers interfered). */
  readonly attempts: number;
  /** Lower-cased role and user ARNs aws-auth maps after this run. */
  readonly mappedArns: ReadonlySet<string>;
  /** Owner IDs recorded in aws-auth after this run. */
  readonly owners: string[];
  readonly warnings: string[];
}

/** Makes aws-auth hold exactly this owner's desired entries, alongside everyone else's. */
export async function reconcileAwsAuth(kube: KubernetesApi, input: AwsAuthReconcileInput): Promise<AwsAuthReconcileResult> {
  let change: AwsAuthChange = { warnings: [], mappedArns: new Set(), access: NO_ONE, owners: [] };
  const result = await updateAwsAuth(kube, (current) => {
    change = computeAwsAuthChange(current, input);
    return change.next;
  }, { deadline: input.deadline, log: input.log, random: input.random, maxAttempts: input.maxAttempts });
  for (const w of change.warnings) {
    input.log.warn(`aws-auth: ${w}`);
  }
  const { mappedArns, owners, warnings } = change;
  return { written: result.written, created: result.created, attempts: result.attempts, mappedArns, owners, warnings };
}

/** What a Delete did to aws-auth. */
export interface AwsAuthRemoval {
  readonly written: boolean;
  /** Owner IDs recorded in aws-auth afterwards. */
  readonly owners: string[];
  /** True when this owner's node mappings (or all its entries) had to stay to keep nodes in. */
  readonly nodesKept: boolean;
}

/**
 * Removes this owner's entries from aws-auth on Delete, never refusing. An aws-auth that cannot be
 * parsed is left untouched. When the removal would leave no node mapping, this owner's node
 * mappings stay, released (no owner claims them any more), and the rest goes; if even that would
 * lock nodes out (through the access entries), aws-auth is left untouched. What stays is added to
 * `leftovers`.
 */
export async function keepOnDelete(kube: KubernetesApi, input: AwsAuthReconcileInput, leftovers: string[]): Promise<AwsAuthRemoval> {
  let note: string | undefined;
  let nodesKept = false;
  let owners: string[] = [];
  const result = await updateAwsAuth(kube, (current) => {
    note = undefined;
    nodesKept = false;
    try {
      const change = computeAwsAuthChange(current, input);
      owners = change.owners;
      return change.next;
    } catch (error) {
      if (error instanceof AccessConfigError) {
        note = `this configuration's aws-auth entries (owner ${input.ownerId}): aws-auth cannot be read safely, so it was left untouched (${error.message})`;
        return undefined;
      }
      if (!(error instanceof LockoutError) || current === undefined) {
        throw error;
      }
      nodesKept = true;
      return keepNodeMappings(current, input, (n) => (note = n), (o) => (owners = o));
    }
  }, { deadline: input.deadline, log: input.log, random: input.random, maxAttempts: input.maxAttempts });
  if (note) {
    leftovers.push(note);
  }
  return { written: result.written, owners, nodesKept };
}

/** The aws-auth with this owner's entries gone but its node mappings, which stay without an owner. */
function keepNodeMappings(
  current: KubeObject, input: AwsAuthReconcileInput, setNote: (n: string) => void, setOwners: (o: string[]) => void,
): KubeObject | undefined {
  const base = parseLiveAwsAuth(current);
  const nodes = ownedEntries(base, input.ownerId).mapRoles.filter((r) => (r.groups ?? []).includes('system:nodes') && typeof r.rolearn === 'string');
  const mapRoles = nodes.map((r) => ({ rolearn: r.rolearn!, username: r.username, groups: [...(r.groups ?? [])] }));
  const keepers: DesiredAwsAuth = { mapRoles, mapUsers: [], mapAccounts: [] };
  try {
    const change = computeAwsAuthChange(current, { ...input, desired: keepers });
    const released = releaseOwner(change.next ? parseLiveAwsAuth(change.next) : base, input.ownerId);
    setOwners(Object.keys(readOwnerRecords(released)));
    setNote(`the aws-auth node mappings ${nodes.map((r) => r.rolearn).join(', ')} (no longer owned by ${input.ownerId}): they are the cluster's last node mappings, and removing them would cut the nodes off`);
    return toConfigMapObject(released) as unknown as KubeObject;
  } catch (error) {
    if (!(error instanceof LockoutError)) {
      throw error;
    }
    setNote(`this configuration's aws-auth entries (owner ${input.ownerId}): removing any of them would leave the cluster without a node mapping (${error.message})`);
    return undefined;
  }
}
