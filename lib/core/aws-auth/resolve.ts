/**
 * Who a caller becomes in Kubernetes, decided as the authenticator decides it: the caller's ARN is
 * canonicalized (an assumed-role session becomes its role's ARN, without the role's path), then
 * looked up case-insensitively in `mapRoles` (by ARN, then by SSO permission set, then by unique
 * role ID), then in `mapUsers`; failing both, an account listed in `mapAccounts` maps the caller to
 * its canonical ARN with no groups.
 */
import { AccessConfigError } from '../arn';
import { roleMappingProblem, userMappingProblem } from './entry-rules';
import { expandTemplate } from './templates';
import { AwsAuthConfigMap, RoleMapping, SsoRoleMatcher, UserMapping } from './types';

/** The authenticated caller, as STS GetCallerIdentity describes it. */
export interface CallerIdentity {
  /** `arn:aws:sts::111122223333:assumed-role/Name/session` or `arn:aws:iam::111122223333:user/name`. */
  readonly arn: string;
  readonly accessKeyId?: string;
  /** Unique ID of the caller (`AROA…:session` for roles, `AIDA…` for users). */
  readonly userId?: string;
  /** Private DNS name of the instance, for node roles using `{{EC2PrivateDNSName}}`. */
  readonly ec2PrivateDnsName?: string;
}

/** The caller's Kubernetes identity. */
export interface ResolvedIdentity {
  readonly username: string;
  readonly groups: string[];
  /** Which entry decided it: `mapRoles[1]`, `mapUsers[0]` or `mapAccounts[2]`. */
  readonly source: string;
}

/** The parts of a caller ARN the authenticator uses. */
export interface CanonicalCaller {
  /** Role ARN without path for sessions, the ARN itself for users. */
  readonly canonicalArn: string;
  readonly accountId: string;
  readonly sessionName: string;
}

/** Canonicalizes a caller ARN; throws {@link AccessConfigError} naming it when it is not a caller the authenticator accepts. */
export function canonicalizeCallerArn(arn: string): CanonicalCaller {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new AccessConfigError(`"${arn}" is not an ARN`);
  }
  const [, partition, service, , accountId] = parts;
  const resource = parts.slice(5).join(':');
  const segments = resource.split('/');
  if (service === 'sts' && segments[0] === 'assumed-role') {
    if (segments.length < 3) {
      throw new AccessConfigError(`assumed-role ARN "${arn}" names no role`);
    }
    const role = segments.slice(1, -1).join('/');
    return { canonicalArn: `arn:${partition}:iam::${accountId}:role/${role}`, accountId, sessionName: segments[segments.length - 1] };
  }
  if (service === 'sts' && segments[0] === 'federated-user') {
    return { canonicalArn: arn, accountId, sessionName: '' };
  }
  if (service === 'iam' && ['role', 'user', 'root'].includes(segments[0])) {
    return { canonicalArn: arn, accountId, sessionName: '' };
  }
  throw new AccessConfigError(`"${arn}" is not an IAM user, role, or assumed-role session ARN`);
}

/**
 * The Kubernetes username and groups the caller gets from this ConfigMap, or undefined when the
 * authenticator denies it (not mapped, or a template it cannot expand).
 */
export function resolveIdentity(configMap: AwsAuthConfigMap, caller: CallerIdentity): ResolvedIdentity | undefined {
  const { canonicalArn, accountId, sessionName } = canonicalizeCallerArn(caller.arn);
  const found = matchCaller(configMap, caller);
  if (found?.entry) {
    const context = { accountId, sessionName, accessKeyId: caller.accessKeyId ?? '', ec2PrivateDnsName: caller.ec2PrivateDnsName };
    const username = expandTemplate(found.entry.username ?? '', context);
    const groups = (found.entry.groups ?? []).map((g) => expandTemplate(g, context));
    if (username === undefined || groups.some((g) => g === undefined)) {
      return undefined;
    }
    return { username, groups: groups as string[], source: found.source };
  }
  if (found) {
    return { username: canonicalArn, groups: [], source: found.source };
  }
  return undefined;
}

/** The entry that decides a caller's identity. */
export interface MatchedEntry {
  /** The role or user entry; absent when an account in `mapAccounts` matched. */
  readonly entry?: RoleMapping | UserMapping;
  /** `mapRoles[1]`, `mapUsers[0]` or `mapAccounts[2]`. */
  readonly source: string;
}

/** Which entry the authenticator picks for the caller (before expanding templates), or undefined. */
export function matchCaller(configMap: AwsAuthConfigMap, caller: Pick<CallerIdentity, 'arn' | 'userId'>): MatchedEntry | undefined {
  const { canonicalArn, accountId } = canonicalizeCallerArn(caller.arn);
  const subject = canonicalArn.toLowerCase();
  const found = findRoleMapping(configMap.mapRoles, subject, caller.userId) ?? findUserMapping(configMap.mapUsers, subject);
  if (found) {
    return found;
  }
  const account = configMap.mapAccounts.indexOf(accountId);
  return account >= 0 ? { source: `mapAccounts[${account}]` } : undefined;
}

interface Found {
  readonly entry: RoleMapping | UserMapping;
  readonly source: string;
}

/** How a `mapRoles` entry matched the caller. */
export type RoleMatchKind = 'arn' | 'sso' | 'userid';

/** One entry that matches the caller: the one picked, or one it shadows. */
export interface CandidateEntry extends Found {
  /** Index in the parsed section (the `source` index). */
  readonly index: number;
  readonly by: RoleMatchKind | 'userarn';
}

/**
 * Every valid `mapRoles` entry that matches the caller, in order, with how it matched. The
 * authenticator keeps one role entry per (lower-cased) ARN, the last one written winning, and drops
 * entries it finds invalid; exact ARNs are tried before SSO matchers and role IDs.
 */
export function roleCandidates(roles: readonly RoleMapping[], subject: string, userId: string | undefined): CandidateEntry[] {
  const found: CandidateEntry[] = [];
  const roleId = userId?.split(':')[0];
  roles.forEach((entry, index) => {
    if (roleMappingProblem(entry) !== undefined) {
      return;
    }
    const source = `mapRoles[${index}]`;
    if (entry.rolearn !== undefined) {
      if (entry.rolearn.toLowerCase() === subject) {
        found.push({ entry, source, index, by: 'arn' });
      }
    } else if (entry.sso !== undefined) {
      if (ssoMatches(entry.sso, subject)) {
        found.push({ entry, source, index, by: 'sso' });
      }
    } else if (entry.userid !== undefined && roleId !== undefined && entry.userid === roleId) {
      found.push({ entry, source, index, by: 'userid' });
    }
  });
  return found;
}

/** Every valid `mapUsers` entry whose ARN matches the caller (case-insensitively), in order; the last one wins. */
export function userCandidates(users: readonly UserMapping[], subject: string): CandidateEntry[] {
  const found: CandidateEntry[] = [];
  users.forEach((entry, index) => {
    if (userMappingProblem(entry) === undefined && entry.userarn!.toLowerCase() === subject) {
      found.push({ entry, source: `mapUsers[${index}]`, index, by: 'userarn' });
    }
  });
  return found;
}

/** The candidate the authenticator uses: the last by ARN, else the last by SSO matcher, else the last by role ID. */
export function pickCandidate(candidates: readonly CandidateEntry[]): CandidateEntry | undefined {
  for (const by of ['arn', 'userarn', 'sso', 'userid'] as const) {
    const last = candidates.filter((c) => c.by === by).pop();
    if (last) {
      return last;
    }
  }
  return undefined;
}

function findRoleMapping(roles: readonly RoleMapping[], subject: string, userId: string | undefined): Found | undefined {
  return asFound(pickCandidate(roleCandidates(roles, subject, userId)));
}

function findUserMapping(users: readonly UserMapping[], subject: string): Found | undefined {
  return asFound(pickCandidate(userCandidates(users, subject)));
}

function asFound(candidate: CandidateEntry | undefined): Found | undefined {
  return candidate && { entry: candidate.entry, source: candidate.source };
}

/** The lower-cased ARN pattern an SSO matcher stands for: `arn:aws:iam::<account>:role/awsreservedsso_<set>_*`. */
export function ssoArnPattern(sso: SsoRoleMatcher): string {
  return `arn:${sso.partition || 'aws'}:iam::${sso.accountID}:role/AWSReservedSSO_${sso.permissionSetName}_*`.toLowerCase();
}

function ssoMatches(sso: SsoRoleMatcher, subject: string): boolean {
  const pattern = ssoArnPattern(sso);
  // ArnLike: `*` matches any run of characters within the resource section.
  return subject.startsWith(pattern.slice(0, -1));
}
