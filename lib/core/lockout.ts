/**
 * Lockout protection: a change is refused, before it is written, when it would leave the
 * cluster with no node mapping where nodes had one (nodes could no longer join or stay Ready), or
 * when it would take away the identity the handler itself uses to reach Kubernetes (the next
 * deployment, or this one's rollback, could no longer repair anything).
 */
import { awsAuthRoleArn, principalArnProblem } from './arn';
import { DesiredClusterAccess } from './desired-state';

/** Who can do what on the cluster, as seen through one mechanism (aws-auth or access entries). */
export interface AccessSnapshot {
  /** Principals (ARNs, in the mechanism's own form) mapped as nodes. */
  readonly nodePrincipals: ReadonlySet<string>;
  /** Every mapped principal. */
  readonly principals: ReadonlySet<string>;
  /** Principals with cluster-admin access. */
  readonly admins: ReadonlySet<string>;
}

/** An identity the handler uses, with the field it came from (for the message). */
export interface HandlerIdentity {
  /** The principal ARN in the mechanism's own form (aws-auth: role path removed). */
  readonly arn: string;
  /** `kubernetesRoleArn` or `handlerRoleArn`. */
  readonly field: string;
}

/** Thrown when a change is refused to avoid locking nodes or the handler out. */
export class LockoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockoutError';
  }
}

/** How every lockout refusal starts: the refused change itself is not written. */
export const REFUSAL = 'refusing the change, which was not written:';

/** Every reason to refuse going from `before` to `after` (empty: the change is safe). */
export function lockoutProblems(mechanism: string, before: AccessSnapshot, after: AccessSnapshot, identities: readonly HandlerIdentity[]): string[] {
  const problems: string[] = [];
  if (before.nodePrincipals.size > 0 && after.nodePrincipals.size === 0) {
    problems.push(`the change would remove the last node mapping from ${mechanism} (${[...before.nodePrincipals].sort().join(', ')}): the cluster's nodes could no longer authenticate. Keep a node role mapped (or map the new node role first, in a separate deployment).`);
  }
  for (const identity of identities) {
    if (before.principals.has(identity.arn) && !after.principals.has(identity.arn)) {
      problems.push(`the change would remove ${identity.arn} from ${mechanism}, but the handler uses it (${identity.field}) to reach Kubernetes: it could not apply or undo anything afterwards. Keep it mapped, or change ${identity.field} first.`);
    } else if (before.admins.has(identity.arn) && !after.admins.has(identity.arn)) {
      problems.push(`the change would take cluster-admin access away from ${identity.arn} in ${mechanism}, but the handler uses it (${identity.field}) to reach Kubernetes. Keep its admin access, or change ${identity.field} first.`);
    }
  }
  return problems;
}

/**
 * Throws {@link LockoutError} with every reason when the change is unsafe. The check runs before
 * the change it guards is written; the run may have written other things before it (the handler's
 * `reconcile` adds which to the message).
 */
export function assertNoLockout(mechanism: string, before: AccessSnapshot, after: AccessSnapshot, identities: readonly HandlerIdentity[]): void {
  const problems = lockoutProblems(mechanism, before, after, identities);
  if (problems.length > 0) {
    throw new LockoutError(`${REFUSAL} ${problems.join(' ')}`);
  }
}

/**
 * What a cluster in mode API_AND_CONFIG_MAP lets in: every principal with an access entry on the
 * entry's terms, and aws-auth's mappings for the principals without one (EKS uses the access entry
 * when both map a principal). Both snapshots must be in one ARN form ({@link inAwsAuthForm}).
 */
export function effectiveSnapshot(accessEntries: AccessSnapshot, awsAuth: AccessSnapshot): AccessSnapshot {
  const withoutEntry = (arns: ReadonlySet<string>) => [...arns].filter((arn) => !accessEntries.principals.has(arn));
  return {
    principals: new Set([...accessEntries.principals, ...awsAuth.principals]),
    nodePrincipals: new Set([...accessEntries.nodePrincipals, ...withoutEntry(awsAuth.nodePrincipals)]),
    admins: new Set([...accessEntries.admins, ...withoutEntry(awsAuth.admins)]),
  };
}

/** The snapshot with every ARN as aws-auth compares it: role path removed, lower-cased. */
export function inAwsAuthForm(snapshot: AccessSnapshot): AccessSnapshot {
  const form = (arns: ReadonlySet<string>) => new Set([...arns].map((arn) => (principalArnProblem(arn) ? arn : awsAuthRoleArn(arn)).toLowerCase()));
  return { principals: form(snapshot.principals), nodePrincipals: form(snapshot.nodePrincipals), admins: form(snapshot.admins) };
}

/** The identities the handler reaches Kubernetes with, in their full (access entry) form. */
export function handlerIdentities(state: DesiredClusterAccess): HandlerIdentity[] {
  if (state.kubernetesRoleArn) {
    return [{ arn: state.kubernetesRoleArn, field: 'kubernetesRoleArn' }];
  }
  return state.handlerRoleArn ? [{ arn: state.handlerRoleArn, field: 'handlerRoleArn' }] : [];
}

/**
 * Refuses moving the cluster to mode API (which ignores aws-auth) when aws-auth alone maps the
 * cluster's nodes or the handler's identity; warns naming every other principal that only aws-auth
 * lets in. Both snapshots in aws-auth form, as they will be once this run's writes are done.
 */
export function assertMayStopReadingAwsAuth(
  entries: AccessSnapshot, awsAuth: AccessSnapshot, identities: readonly HandlerIdentity[], log: { warn(message: string): void },
): void {
  const ids = identities.map((i) => ({ ...i, arn: i.arn.toLowerCase() }));
  assertNoLockout('the cluster by moving it to authentication mode API, which ignores aws-auth', effectiveSnapshot(entries, awsAuth), entries, ids);
  const awsAuthOnly = [...awsAuth.principals].filter((arn) => !entries.principals.has(arn)).sort();
  if (awsAuthOnly.length > 0) {
    log.warn(`moving to authentication mode API: these principals are mapped only in aws-auth and lose access to the cluster: ${awsAuthOnly.join(', ')}`);
  }
}
