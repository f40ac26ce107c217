/**
 * What merging one owner's desired entries into aws-auth changes, without writing: the live
 * ConfigMap parsed exactly as the authenticator reads it, merged with the engine's owner-tracked
 * merge, and checked for lockout (aws-auth alone, or with the access entries in mode
 * API_AND_CONFIG_MAP). The handler writes the result (`lib/handler/aws-auth-reconcile.ts`);
 * `eks-access diff` shows it.
 */
import { AccessConfigError, awsAuthRoleArn } from '../core/arn';
import {
  AwsAuthConfigMap, canonicalizeCallerArn, emptyAwsAuth, formatProblem, matchCaller, mayRecordOwner, mergeOwnedAwsAuth, parseAwsAuth,
  readOwnerRecords, recordedOwners, RoleMapping, roleMappingProblem, toConfigMapObject, UserMapping, userMappingProblem,
} from '../core/aws-auth';
import { DesiredAwsAuth, DesiredClusterAccess } from '../core/desired-state';
import { AccessSnapshot, assertNoLockout, effectiveSnapshot, HandlerIdentity, LockoutError, REFUSAL } from '../core/lockout';
import { readAwsAuth } from '../io/aws-auth-store';
import { Deadline } from '../io/deadline';
import { KubeObject, KubernetesApi } from '../io/kubernetes-api';
import { Logger } from '../io/log';

/** Desired state of an owner that wants nothing in aws-auth. */
export const EMPTY_DESIRED_AWS_AUTH: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };

export interface AwsAuthReconcileInput {
  readonly ownerId: string;
  readonly desired: DesiredAwsAuth;
  /** Identities the handler uses (in aws-auth form: role path removed); never unmapped. */
  readonly identities: readonly HandlerIdentity[];
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  /**
   * Refuse a change that leaves aws-auth without any mapping where it had some: on a CONFIG_MAP
   * cluster that locks out everyone but the cluster creator.
   */
  readonly refuseEmpty?: boolean;
  /**
   * On a cluster in mode API_AND_CONFIG_MAP: who the access entries let in before and after this
   * run (in aws-auth form, see `inAwsAuthForm`). The lockout check then judges what the cluster
   * lets in through both, as EKS does, so that a mapping can move from aws-auth to an access entry.
   * Absent: aws-auth alone is judged.
   */
  readonly accessEntries?: { readonly before: AccessSnapshot; readonly after: AccessSnapshot };
}

/** Parses the live object; throws naming every problem when any would lose information. */
export function parseLiveAwsAuth(object: KubeObject): AwsAuthConfigMap {
  const parsed = parseAwsAuth(object as object);
  // What a rewrite would lose; an error the rewrite keeps as it was (ignored documents) does not count.
  const errors = parsed.rewriteBlockers;
  if (!parsed.configMap || errors.length > 0) {
    throw new AccessConfigError(`the aws-auth ConfigMap in kube-system cannot be read safely, so it was not changed (nothing was written):\n- ${(errors.length > 0 ? errors : parsed.problems).map(formatProblem).join('\n- ')}\nFix it by hand (kubectl edit configmap aws-auth -n kube-system), then re-run the deployment.`);
  }
  return parsed.configMap;
}

/**
 * Who aws-auth lets in, for the lockout check: for every role and user ARN it lists, the entry the
 * authenticator uses for it (the engine's own resolution: ARNs compared without case, the last
 * valid entry winning), so that an entry shadowing another is judged by what it grants.
 */
export function awsAuthSnapshot(configMap: AwsAuthConfigMap): AccessSnapshot {
  const arns = new Set([...configMap.mapRoles.map((r) => r.rolearn), ...configMap.mapUsers.map((u) => u.userarn)]
    .filter((arn): arn is string => typeof arn === 'string')
    .map((arn) => arn.toLowerCase()));
  const groupsOf = effectiveGroupsResolver(configMap);
  const effective = [...arns].flatMap((arn) => {
    const groups = groupsOf(arn);
    return groups === undefined ? [] : [{ arn, groups }];
  });
  return {
    principals: new Set(effective.map((e) => e.arn)),
    nodePrincipals: new Set(effective.filter((e) => e.groups.includes('system:nodes')).map((e) => e.arn)),
    admins: new Set(effective.filter((e) => e.groups.includes('system:masters')).map((e) => e.arn)),
  };
}

/** The groups of the entry the authenticator uses for `arn`, or undefined when none maps it. */
/**
 * {@link effectiveGroups} for many ARNs of one aws-auth. The last valid entry with exactly the
 * caller's ARN wins over anything else (the authenticator's rule, as `matchCaller` applies it), so
 * that entry is looked up in an index built once; only an ARN without one is resolved entry by
 * entry. A snapshot of 10,000 mappings stays linear (resolving each ARN by a scan took minutes).
 */
function effectiveGroupsResolver(configMap: AwsAuthConfigMap): (arn: string) => readonly string[] | undefined {
  const lastValid = new Map<string, RoleMapping | UserMapping>();
  configMap.mapRoles.forEach((e) => {
    if (e.rolearn !== undefined && roleMappingProblem(e) === undefined) lastValid.set(`role ${e.rolearn.toLowerCase()}`, e);
  });
  configMap.mapUsers.forEach((e) => {
    if (userMappingProblem(e) === undefined) lastValid.set(`user ${e.userarn!.toLowerCase()}`, e);
  });
  return (arn) => {
    let subject: string;
    try {
      subject = canonicalizeCallerArn(arn).canonicalArn.toLowerCase();
    } catch {
      return undefined; // not an ARN the authenticator accepts as a caller: it maps nobody
    }
    // A user ARN matches no role entry (by ARN, SSO matcher or role ID): the user entries decide.
    const exact = lastValid.get(`role ${subject}`) ?? (subject.includes(':user/') ? lastValid.get(`user ${subject}`) : undefined);
    return exact !== undefined ? [...(exact.groups ?? [])] : effectiveGroups(configMap, arn);
  };
}

function effectiveGroups(configMap: AwsAuthConfigMap, arn: string): readonly string[] | undefined {
  try {
    const match = matchCaller(configMap, { arn });
    // An account in mapAccounts lets the caller in with no groups.
    return match === undefined ? undefined : [...(match.entry?.groups ?? [])];
  } catch {
    return undefined; // not an ARN the authenticator accepts as a caller: it maps nobody
  }
}

/** What merging this owner's entries into one version of aws-auth gives. */
export interface AwsAuthChange {
  /** The ConfigMap to write, or undefined when nothing changes. */
  readonly next?: KubeObject;
  readonly warnings: string[];
  /** Lower-cased ARNs mapped afterwards. */
  readonly mappedArns: ReadonlySet<string>;
  /** Who aws-auth lets in afterwards (nobody when there is none, or it cannot be parsed and is left alone). */
  readonly access: AccessSnapshot;
  /** Owner IDs recorded afterwards. */
  readonly owners: string[];
}

/**
 * Merges the input into `current` (undefined: no aws-auth yet). Throws, without side effects, when
 * the ConfigMap cannot be parsed or the change would lock nodes or the handler out.
 */
export type AwsAuthChangeInput = Pick<AwsAuthReconcileInput, 'ownerId' | 'desired' | 'identities' | 'refuseEmpty' | 'accessEntries'>;

export function computeAwsAuthChange(current: KubeObject | undefined, input: AwsAuthChangeInput): AwsAuthChange {
  const wantsNothing = input.desired.mapRoles.length + input.desired.mapUsers.length + input.desired.mapAccounts.length === 0;
  if (current === undefined && wantsNothing) {
    assertNoLockoutThrough(input, NO_ONE, NO_ONE, false);
    return { warnings: [], mappedArns: new Set(), access: NO_ONE, owners: [] }; // no aws-auth and nothing to put in it: create nothing
  }
  if (current !== undefined && wantsNothing && !mayRecordOwner(current.metadata.annotations, input.ownerId)) {
    // Nothing of this owner's to remove: aws-auth is none of its business, even when it cannot be parsed.
    const parsed = parseAwsAuth(current as object).configMap;
    const unchanged = parsed ? awsAuthSnapshot(parsed) : NO_ONE;
    assertNoLockoutThrough(input, unchanged, unchanged, false);
    return { warnings: [], mappedArns: unchanged.principals, access: unchanged, owners: recordedOwners(current.metadata.annotations) };
  }
  const base = current === undefined ? emptyAwsAuth() : parseLiveAwsAuth(current);
  const merge = mergeOwnedAwsAuth(base, input.ownerId, input.desired);
  const before = awsAuthSnapshot(base);
  const after = awsAuthSnapshot(merge.configMap);
  const result = { warnings: merge.warnings, mappedArns: after.principals, access: after, owners: Object.keys(readOwnerRecords(merge.configMap)) };
  assertNoLockoutThrough(input, before, after, merge.changed);
  if (!merge.changed) {
    return result;
  }
  const mappings = (c: AwsAuthConfigMap) => c.mapRoles.length + c.mapUsers.length + c.mapAccounts.length;
  if (input.refuseEmpty && mappings(base) > 0 && mappings(merge.configMap) === 0) {
    throw new LockoutError(`${REFUSAL} it would leave aws-auth without any mapping, and on a CONFIG_MAP cluster only the cluster creator could still sign in. Keep at least one mapping (e.g. the node role), or move the cluster to access entries first.`);
  }
  return { ...result, next: toConfigMapObject(merge.configMap) as unknown as KubeObject };
}

export const NO_ONE: AccessSnapshot = { principals: new Set(), nodePrincipals: new Set(), admins: new Set() };

/**
 * The lockout check of one aws-auth change: aws-auth alone (only when it changes), or, when the
 * input carries the access entries' change, what the cluster lets in through both.
 */
function assertNoLockoutThrough(input: AwsAuthChangeInput, before: AccessSnapshot, after: AccessSnapshot, awsAuthChanges: boolean): void {
  const identities = input.identities.map((i) => ({ ...i, arn: i.arn.toLowerCase() }));
  if (input.accessEntries) {
    const { before: entriesBefore, after: entriesAfter } = input.accessEntries;
    assertNoLockout('the access entries and aws-auth together', effectiveSnapshot(entriesBefore, before), effectiveSnapshot(entriesAfter, after), identities);
  } else if (awsAuthChanges) {
    assertNoLockout('aws-auth', before, after, identities);
  }
}


/** Reads aws-auth and computes the change without writing: fails early for what would fail later. */
export async function precheckAwsAuth(kube: KubernetesApi, input: AwsAuthChangeInput): Promise<AwsAuthChange> {
  return computeAwsAuthChange(await readAwsAuth(kube), input);
}

/** Warns for each desired access entry whose principal aws-auth also maps (the access entry wins). */
export function warnDoubleMappings(desired: DesiredClusterAccess, awsAuthArns: ReadonlySet<string>, log: { warn(message: string): void }): void {
  for (const entry of desired.accessEntries) {
    const form = entry.principalArn.includes(':role/') ? awsAuthRoleArn(entry.principalArn) : entry.principalArn;
    if (awsAuthArns.has(form.toLowerCase())) {
      log.warn(`${entry.principalArn} is mapped both in aws-auth and by an access entry; EKS uses the access entry and ignores the aws-auth mapping`);
    }
  }
}
