/**
 * Whether an ARN written in an aws-auth entry can ever equal a real caller's canonical ARN, as
 * the authenticator compares them: case-insensitively (`strings.EqualFold` against the lower-cased
 * canonical ARN, `RoleMapping.Matches`/`UserMapping.Matches` in its `pkg/config/mapper.go`), with
 * callers canonicalized by `Canonicalize` in its `pkg/arn/arn.go`. Real callers' canonical ARNs
 * are `arn:<partition>:iam::<account>:role/<name>` (sessions of a role; the role's path is not in a
 * session ARN), `...:user/<path>/<name>`, `...:root` and `arn:<partition>:sts::<account>:federated-user/<name>`,
 * with a partition the authenticator knows and a 12-digit account.
 *
 * An ARN that no caller can have is an error (the entry never matches); a matching ARN written
 * in an unusual way (upper case, in the other section) is at most a warning.
 */
import { AUTHENTICATOR_PARTITIONS } from './entry-rules';
import { AwsAuthProblem } from './types';

export type CallerKind = 'role' | 'user' | 'root' | 'federated-user';

/** For messages: `an IAM role`, `an IAM user`, ... */
export const KIND_NAMES: Record<CallerKind, string> = {
  'role': 'an IAM role',
  'user': 'an IAM user',
  'root': "an account's root user",
  'federated-user': 'a federated user',
};

const ACCOUNT_ID = /^\d{12}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const FEDERATED_NAME = /^[\w+=,.@-]{2,32}$/;
const PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;

/** What kind of caller the ARN matches (undefined: none), and its problems (without location). */
export interface CallerArnVerdict {
  readonly kind?: CallerKind;
  readonly problems: ReadonlyArray<Omit<AwsAuthProblem, 'location'>>;
}

/** Judges the ARN of an entry's `field` (`rolearn` or `userarn`). */
export function callerArnVerdict(arn: string, field: string): CallerArnVerdict {
  const never = (why: string): CallerArnVerdict => ({ problems: [{ severity: 'error', message: why.startsWith(`${field} "`) ? why : `${field} never matches: ${why}` }] });
  if (arn !== arn.trim()) {
    return never(`"${arn}" has leading or trailing white space, which no caller's ARN has`);
  }
  const lower = arn.toLowerCase();
  const parts = lower.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return never(`"${arn}" is not an ARN (expected arn:<partition>:iam::<account-id>:role/<name> or :user/<name>)`);
  }
  const [, partition, service, region, accountId] = parts;
  const resource = parts.slice(5).join(':');
  if (!AUTHENTICATOR_PARTITIONS.includes(partition)) {
    return never(`ARN "${arn}" has unknown partition "${arn.split(':')[1]}"`);
  }
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const role = arn.split(':').slice(5).join(':').split('/')[1];
    return never(`ARN "${arn}" is an assumed-role session, not a role: the authenticator compares the session's role ARN, so use arn:${partition}:iam::${accountId}:role/${role}`);
  }
  if (region !== '') {
    return never(`ARN "${arn}" has a region ("${region}"); IAM ARNs have none`);
  }
  if (!ACCOUNT_ID.test(accountId)) {
    return never(`ARN "${arn}" has invalid account ID "${arn.split(':')[4]}" (expected 12 digits)`);
  }
  const kindProblem = resourceProblem(service, resource, arn, accountId, field);
  if (typeof kindProblem === 'string') {
    return never(kindProblem);
  }
  const problems: Array<Omit<AwsAuthProblem, 'location'>> = [];
  const fixed = arn.split(':').slice(0, 5).join(':') + ':' + arn.split(':').slice(5).join(':').split('/')[0];
  if (fixed !== fixed.toLowerCase()) {
    problems.push({ severity: 'warning', message: `${field} "${arn}" is written partly in upper case: the authenticator compares ARNs case-insensitively, so it matches, but the usual form is "${fixed.toLowerCase()}${arn.slice(fixed.length)}"` });
  }
  return { kind: kindProblem.kind, problems };
}

/** The caller kind of `service` and `resource` (lower-cased), or why no caller has them. */
function resourceProblem(service: string, resource: string, arn: string, accountId: string, field: string): { kind: CallerKind } | string {
  const segments = resource.split('/');
  if (service === 'sts' && segments[0] === 'federated-user') {
    return segments.length === 2 && FEDERATED_NAME.test(segments[1]) ? { kind: 'federated-user' } : `ARN "${arn}" has an invalid federated user name`;
  }
  if (service !== 'iam') {
    return `ARN "${arn}" is not an IAM ARN (service "${arn.split(':')[2]}")`;
  }
  if (resource === 'root') {
    return { kind: 'root' };
  }
  const kind = segments[0];
  if (kind !== 'role' && kind !== 'user') {
    return `ARN "${arn}" is not an IAM role, user or root ARN (resource type "${kind}")`;
  }
  if (segments.length < 2) {
    return `ARN "${arn}" names no ${kind} (expected ${kind}/<name>)`;
  }
  const name = segments[segments.length - 1];
  if (!IAM_NAME.test(name)) {
    return `ARN "${arn}" has invalid ${kind} name "${name}" (1 to 64 of letters, digits and +=,.@_-)`;
  }
  const path = segments.slice(1, -1);
  if (kind === 'role' && path.length > 0) {
    // Canonicalize turns a session into arn:...:role/<name>: a role's path never appears in it.
    const original = arn.split(':').slice(5).join(':').split('/');
    return `${field} "${arn}" has the path "/${original.slice(1, -1).join('/')}/": EKS matches roles by name only, so this entry never matches; write "arn:${arn.split(':')[1]}:iam::${accountId}:role/${original[original.length - 1]}"`;
  }
  if (path.some((s) => !PATH_SEGMENT.test(s))) {
    return `ARN "${arn}" has an invalid path`;
  }
  return { kind };
}
