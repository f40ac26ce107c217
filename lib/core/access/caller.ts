/**
 * The AWS caller an explanation is about. What EKS sees is the identity STS reports for the
 * caller's credentials: for a role, an assumed-role session ARN (without the role's path); for a
 * user, the user ARN. An IAM role ARN given instead stands for a sample session of that role.
 */
import { AccessConfigError, parsePrincipalArn, principalArnProblem } from '../arn';
import { canonicalizeCallerArn, EC2_INSTANCE_ID } from '../aws-auth';

/** The session name used when a role ARN is given without `--session-name`. */
export const SAMPLE_SESSION_NAME = 'session';

export interface CallerView {
  /** The ARN as given. */
  readonly given: string;
  /** What the caller presents to EKS (STS GetCallerIdentity's ARN). */
  readonly presented: string;
  /** The form aws-auth looks up (lower-cased when compared): role ARN without path, or the ARN itself. */
  readonly canonicalArn: string;
  readonly partition: string;
  readonly accountId: string;
  readonly kind: 'role' | 'user' | 'root' | 'federated-user';
  /** The role's name (roles only). */
  readonly roleName?: string;
  /** The full IAM ARN (with path) when known: a role or user ARN given as such. */
  readonly principalArn?: string;
  readonly sessionName: string;
  /** True when the session name was made up (a role ARN was given). */
  readonly sampleSession: boolean;
}

/** Describes the caller of `arn` (a caller's STS ARN, or an IAM role, user or root ARN). */
export function describeCaller(arn: string, sessionName?: string): CallerView {
  const parts = arn.split(':');
  const partition = parts[1] ?? '';
  const accountId = parts[4] ?? '';
  const resource = parts.slice(5).join(':');
  if (parts[2] === 'iam' && resource.startsWith('role/')) {
    const problem = principalArnProblem(arn);
    if (problem) {
      throw new AccessConfigError(problem);
    }
    const role = parsePrincipalArn(arn);
    const session = sessionName ?? SAMPLE_SESSION_NAME;
    const presented = `arn:${partition}:sts::${accountId}:assumed-role/${role.name}/${session}`;
    return { ...base(presented, arn), kind: 'role', roleName: role.name, principalArn: arn, sessionName: session, sampleSession: sessionName === undefined };
  }
  if (sessionName !== undefined) {
    throw new AccessConfigError(`--session-name goes only with an IAM role ARN (arn:${partition}:iam::${accountId}:role/NAME), not with "${arn}"`);
  }
  const canonical = base(arn, arn);
  if (parts[2] === 'sts' && resource.startsWith('assumed-role/')) {
    return { ...canonical, kind: 'role', roleName: resource.split('/').slice(1, -1).join('/'), sampleSession: false };
  }
  if (parts[2] === 'sts') {
    return { ...canonical, kind: 'federated-user', sampleSession: false };
  }
  if (resource === 'root') {
    return { ...canonical, kind: 'root', sampleSession: false };
  }
  const problem = principalArnProblem(arn);
  if (problem) {
    throw new AccessConfigError(problem);
  }
  return { ...canonical, kind: 'user', principalArn: arn, sampleSession: false };
}

function base(presented: string, given: string): Omit<CallerView, 'kind' | 'sampleSession'> {
  const c = canonicalizeCallerArn(presented);
  return { given, presented, canonicalArn: c.canonicalArn, partition: presented.split(':')[1], accountId: c.accountId, sessionName: c.sessionName };
}

/** The caller in a few words: `session alice@example.com of role developer (account 111122223333)`. */
export function describeCallerKind(caller: CallerView): string {
  switch (caller.kind) {
    case 'role':
      return `${caller.sampleSession ? 'a sample session' : 'session'} "${caller.sessionName}" of role ${caller.roleName} (account ${caller.accountId})`;
    case 'user':
      return `IAM user ${caller.given.split('/').pop()} (account ${caller.accountId})`;
    case 'root':
      return `the root user of account ${caller.accountId}`;
    default:
      return `federated user ${caller.given.split('/').pop()} (account ${caller.accountId})`;
  }
}

/** True when the session name is an EC2 instance ID (what `{{EC2PrivateDNSName}}` needs). */
export function isInstanceSession(caller: CallerView): boolean {
  return EC2_INSTANCE_ID.test(caller.sessionName);
}
