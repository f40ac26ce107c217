/**
 * IAM principal ARNs as EKS sees them.
 *
 * aws-auth (aws-iam-authenticator) matches a role by `arn:<partition>:iam::<account>:role/<name>`:
 * it drops the role's path from the caller's identity before the lookup, so an aws-auth entry
 * that keeps the path never matches. An access entry, in contrast, takes the role's full ARN,
 * path included. {@link awsAuthRoleArn} and {@link ParsedPrincipalArn.arn} give the two forms.
 */

/** A problem with user input, with a message that names the offending value. */
export class AccessConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessConfigError';
  }
}

export type PrincipalKind = 'role' | 'user';

export interface ParsedPrincipalArn {
  /** The ARN as given. */
  readonly arn: string;
  readonly partition: string;
  readonly accountId: string;
  readonly kind: PrincipalKind;
  /** The path between `role/` (or `user/`) and the name, with both slashes, or `/` when none. */
  readonly path: string;
  readonly name: string;
}

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const ACCOUNT_ID = /^\d{12}$/;
// IAM names: 1-64 (roles) / 1-64 (users) of [\w+=,.@-]; paths: /(segment/)* of printable ASCII.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;

/** True for a 12-digit AWS account ID. */
export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

/**
 * Parses an IAM role or user ARN. Throws {@link AccessConfigError} naming the value when it is
 * not one (an assumed-role session ARN, an instance profile, a malformed string).
 */
export function parsePrincipalArn(arn: string): ParsedPrincipalArn {
  const problem = principalArnProblem(arn);
  if (problem) {
    throw new AccessConfigError(problem);
  }
  const [, partition, , , accountId, resource] = splitArn(arn)!;
  const slash = resource.indexOf('/');
  const kind = resource.slice(0, slash) as PrincipalKind;
  const rest = resource.slice(slash + 1);
  const lastSlash = rest.lastIndexOf('/');
  const path = lastSlash < 0 ? '/' : '/' + rest.slice(0, lastSlash + 1);
  const name = rest.slice(lastSlash + 1);
  return { arn, partition, accountId, kind, path, name };
}

/** Why `arn` is not an IAM role or user ARN, or undefined when it is one. */
export function principalArnProblem(arn: string): string | undefined {
  if (typeof arn !== 'string' || arn.trim() === '') {
    return 'an IAM principal ARN is required, got an empty value';
  }
  if (arn !== arn.trim()) {
    return `ARN "${arn}" has leading or trailing white space`;
  }
  const parts = splitArn(arn);
  if (!parts) {
    return `"${arn}" is not an ARN (expected arn:<partition>:iam::<account-id>:role/<name> or :user/<name>)`;
  }
  const [, partition, service, region, accountId, resource] = parts;
  if (!PARTITIONS.includes(partition)) {
    return `ARN "${arn}" has unknown partition "${partition}"`;
  }
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    return `ARN "${arn}" is an assumed-role session, not a role: use arn:${partition}:iam::${accountId}:role/${resource.split('/')[1]}`;
  }
  if (service !== 'iam') {
    return `ARN "${arn}" is not an IAM ARN (service "${service}")`;
  }
  if (region !== '') {
    return `ARN "${arn}" has a region ("${region}"); IAM ARNs have none`;
  }
  if (!isAccountId(accountId)) {
    return `ARN "${arn}" has invalid account ID "${accountId}" (expected 12 digits)`;
  }
  const slash = resource.indexOf('/');
  const kind = slash < 0 ? resource : resource.slice(0, slash);
  if (kind !== 'role' && kind !== 'user') {
    return `ARN "${arn}" is not an IAM role or user ARN (resource type "${kind}")`;
  }
  if (slash < 0) {
    return `ARN "${arn}" names no ${kind} (expected ${kind}/<name>)`;
  }
  const rest = resource.slice(slash + 1);
  const segments = rest.split('/');
  const name = segments.pop()!;
  if (!IAM_NAME.test(name)) {
    return `ARN "${arn}" has invalid ${kind} name "${name}"`;
  }
  if (segments.some((s) => !IAM_PATH_SEGMENT.test(s))) {
    return `ARN "${arn}" has an invalid path`;
  }
  return undefined;
}

/** True when the role or user ARN carries a path (`role/team/dev/name`). */
export function hasPath(arn: string): boolean {
  return parsePrincipalArn(arn).path !== '/';
}

/**
 * The form of a role ARN that aws-auth matches: the path removed
 * (`arn:aws:iam::111122223333:role/team/dev` → `arn:aws:iam::111122223333:role/dev`).
 * User ARNs are returned unchanged: the authenticator keeps user paths.
 */
export function awsAuthRoleArn(arn: string): string {
  const p = parsePrincipalArn(arn);
  if (p.kind !== 'role') {
    return arn;
  }
  return `arn:${p.partition}:iam::${p.accountId}:role/${p.name}`;
}

/** `arn:partition:service:region:account:resource`, or undefined. */
function splitArn(arn: string): [string, string, string, string, string, string] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return undefined;
  }
  const resource = parts.slice(5).join(':');
  return [parts[0], parts[1], parts[2], parts[3], parts[4], resource];
}
