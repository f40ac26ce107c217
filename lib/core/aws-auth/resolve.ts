/**
 * Who a caller becomes in Kubernetes, decided as aws-iam-authenticator decides it:
 *
 * - the caller's ARN is canonicalized (`Canonicalize` in its `pkg/arn/arn.go`): an assumed-role
 *   session becomes `arn:<partition>:iam::<account>:role/<role>`; IAM users, roles, the root user
 *   and federated users stay as they are;
 * - the valid `mapRoles` entries are stored by key, the lower-cased rolearn or the SSO matcher's
 *   ARN pattern, a later entry replacing an earlier one with the same key (`MapStore.saveMap` in
 *   `pkg/mapper/configmap/configmap.go`); an entry matches when its rolearn equals the lower-cased
 *   canonical ARN case-insensitively, or the SSO pattern matches it (`RoleMapping.Matches` in
 *   `pkg/config/mapper.go`); `mapUsers` entries likewise, stored by their userarn as written;
 * - roles are searched before users (`ConfigMapMapper.Map`); failing both, an account listed in
 *   `mapAccounts` maps the caller to its canonical ARN with no groups (`doMapping` in
 *   `pkg/server/server.go`).
 *
 * The store is a Go map, searched in no fixed order: when several stored entries match (a rolearn
 * and an SSO matcher, or `user/Bob` and `user/bob`), any one of them may decide.
 * {@link resolveIdentities} returns every such outcome; {@link resolveIdentity} the first.
 */
import { AccessConfigError } from '../arn';
import { AUTHENTICATOR_PARTITIONS, roleMappingProblem, userMappingProblem } from './entry-rules';
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
  /** True when another entry could decide instead (see the module comment). */
  readonly ambiguous?: boolean;
}

/** The parts of a caller ARN the authenticator uses. */
export interface CanonicalCaller {
  /** Role ARN without path for sessions, the ARN itself for users. */
  readonly canonicalArn: string;
  readonly accountId: string;
  readonly sessionName: string;
}

/**
 * Canonicalizes a caller ARN as the authenticator does; throws {@link AccessConfigError} naming it
 * when the authenticator refuses it.
 */
export function canonicalizeCallerArn(arn: string, userId?: string): CanonicalCaller {
  const parts = arn.startsWith('arn:') ? splitN(arn, ':', 6) : [];
  if (parts.length < 6) {
    throw new AccessConfigError(`"${arn}" is not an ARN`);
  }
  const [, partition, service, , accountId, resource] = parts;
  if (!AUTHENTICATOR_PARTITIONS.includes(partition)) {
    throw new AccessConfigError(`"${arn}" does not have a partition the authenticator recognizes`);
  }
  const segments = resource.split('/');
  const session = (fallback: string) => {
    const idParts = userId?.split(':');
    return idParts?.length === 2 ? idParts[1] : fallback;
  };
  if (service === 'sts' && segments[0] === 'assumed-role') {
    if (segments.length < 3) {
      throw new AccessConfigError(`assumed-role ARN "${arn}" names no role`);
    }
    const role = segments.slice(1, -1).join('/');
    return { canonicalArn: `arn:${partition}:iam::${accountId}:role/${role}`, accountId, sessionName: session(segments[segments.length - 1]) };
  }
  if ((service === 'sts' && segments[0] === 'federated-user') || (service === 'iam' && ['role', 'user', 'root'].includes(segments[0]))) {
    // Users, root and federated users have no session name (getIdentityFromSTSResponse in pkg/token/token.go).
    return { canonicalArn: arn, accountId, sessionName: segments[0] === 'role' ? session('') : '' };
  }
  throw new AccessConfigError(`"${arn}" is not an IAM user, role, root, federated user or assumed-role session ARN`);
}

/** `strings.SplitN`: at most `n` parts, the last holding the rest. */
function splitN(text: string, separator: string, n: number): string[] {
  const parts = text.split(separator);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(separator)];
}

/**
 * The Kubernetes username and groups the caller gets from this ConfigMap, or undefined when the
 * authenticator denies it (not mapped, or a template it cannot expand). When several entries may
 * decide, this is the first of {@link resolveIdentities}, marked `ambiguous`.
 */
export function resolveIdentity(configMap: AwsAuthConfigMap, caller: CallerIdentity): ResolvedIdentity | undefined {
  const outcomes = resolveIdentities(configMap, caller);
  const first = outcomes[0];
  if (first === undefined || first.identity === undefined) {
    return undefined;
  }
  return outcomes.length > 1 ? { ...first.identity, ambiguous: true } : first.identity;
}

/** One way the authenticator may decide: an identity, or a denial (`identity` absent) by that entry. */
export interface ResolutionOutcome {
  readonly source: string;
  readonly identity?: ResolvedIdentity;
}

/** Every outcome the authenticator may reach for the caller (none: not mapped), in entry order. */
export function resolveIdentities(configMap: AwsAuthConfigMap, caller: CallerIdentity): ResolutionOutcome[] {
  const { canonicalArn, accountId, sessionName } = canonicalizeCallerArn(caller.arn, caller.userId);
  const context = { accountId, sessionName, accessKeyId: caller.accessKeyId ?? '', ec2PrivateDnsName: caller.ec2PrivateDnsName };
  return matchCallerAll(configMap, caller).map((found) => {
    if (!found.entry) {
      return { source: found.source, identity: { username: canonicalArn, groups: [], source: found.source } };
    }
    const username = expandTemplate(found.entry.username ?? '', context);
    const groups = (found.entry.groups ?? []).map((g) => expandTemplate(g, context));
    if (username === undefined || groups.some((g) => g === undefined)) {
      return { source: found.source };
    }
    return { source: found.source, identity: { username, groups: groups as string[], source: found.source } };
  });
}

/** The entry that decides a caller's identity. */
export interface MatchedEntry {
  /** The role or user entry; absent when an account in `mapAccounts` matched. */
  readonly entry?: RoleMapping | UserMapping;
  /** `mapRoles[1]`, `mapUsers[0]` or `mapAccounts[2]`. */
  readonly source: string;
}

/** The entry the authenticator picks for the caller (before expanding templates): the first of {@link matchCallerAll}. */
export function matchCaller(configMap: AwsAuthConfigMap, caller: Pick<CallerIdentity, 'arn' | 'userId'>): MatchedEntry | undefined {
  return matchCallerAll(configMap, caller)[0];
}

/** Every entry that may decide for the caller, in entry order (see the module comment). */
export function matchCallerAll(configMap: AwsAuthConfigMap, caller: Pick<CallerIdentity, 'arn' | 'userId'>): MatchedEntry[] {
  const { canonicalArn, accountId } = canonicalizeCallerArn(caller.arn, caller.userId);
  const subject = canonicalArn.toLowerCase();
  const roles = storedEntries(configMap.mapRoles, 'mapRoles', (e) => (roleMappingProblem(e) === undefined ? roleKey(e) : undefined))
    .filter(({ entry }) => roleMatches(entry as RoleMapping, subject));
  if (roles.length > 0) {
    return roles;
  }
  const users = storedEntries(configMap.mapUsers, 'mapUsers', (e) => (userMappingProblem(e) === undefined ? e.userarn : undefined))
    .filter(({ entry }) => equalFold((entry as UserMapping).userarn!, subject));
  if (users.length > 0) {
    return users;
  }
  const account = configMap.mapAccounts.indexOf(accountId);
  return account >= 0 ? [{ source: `mapAccounts[${account}]` }] : [];
}

/** The entries the authenticator keeps, one per key (the last with that key), in entry order. */
function storedEntries<T extends RoleMapping | UserMapping>(
  entries: readonly T[], section: string, keyOf: (entry: T) => string | undefined,
): Array<{ entry: T; source: string }> {
  const last = new Map<string, number>();
  entries.forEach((entry, i) => {
    const key = keyOf(entry);
    if (key !== undefined) last.set(key, i);
  });
  return [...last.values()].sort((a, b) => a - b).map((i) => ({ entry: entries[i], source: `${section}[${i}]` }));
}

/** `RoleMapping.Key`: the lower-cased rolearn, or the SSO matcher's pattern. */
function roleKey(entry: RoleMapping): string {
  return entry.rolearn ? entry.rolearn.toLowerCase() : ssoArnPattern(entry.sso!);
}

function roleMatches(entry: RoleMapping, subject: string): boolean {
  if (entry.rolearn) {
    return equalFold(entry.rolearn, subject);
  }
  return ssoMatches(entry.sso!, subject);
}

/** How a `mapRoles` entry matched the caller (`userid` is kept for callers of this type: v0.7 never matches by it). */
export type RoleMatchKind = 'arn' | 'sso' | 'userid';

/** One entry that matches the caller: the one picked, or one it shadows. */
export interface CandidateEntry {
  readonly entry: RoleMapping | UserMapping;
  readonly source: string;
  /** Index in the parsed section (the `source` index). */
  readonly index: number;
  readonly by: RoleMatchKind | 'userarn';
}

/**
 * Every `mapRoles` entry the authenticator keeps that matches the caller's lower-cased canonical
 * ARN, in order, with how it matched (`RoleMapping.Matches`: the rolearn case-insensitively, or
 * the SSO pattern). `userId` is not used: v0.7 drops entries with only a userid.
 */
export function roleCandidates(roles: readonly RoleMapping[], subject: string, _userId?: string): CandidateEntry[] {
  const found: CandidateEntry[] = [];
  roles.forEach((entry, index) => {
    if (roleMappingProblem(entry) === undefined && roleMatches(entry, subject)) {
      found.push({ entry, source: `mapRoles[${index}]`, index, by: entry.rolearn ? 'arn' : 'sso' });
    }
  });
  return found;
}

/** Every `mapUsers` entry the authenticator keeps whose userarn matches the caller case-insensitively, in order. */
export function userCandidates(users: readonly UserMapping[], subject: string): CandidateEntry[] {
  const found: CandidateEntry[] = [];
  users.forEach((entry, index) => {
    if (userMappingProblem(entry) === undefined && equalFold(entry.userarn!, subject)) {
      found.push({ entry, source: `mapUsers[${index}]`, index, by: 'userarn' });
    }
  });
  return found;
}

/**
 * The candidate {@link matchCaller} picks: role candidates before user candidates; of each, only
 * the last entry per key is stored (see the module comment), and of those the first in entry order.
 */
export function pickCandidate(candidates: readonly CandidateEntry[]): CandidateEntry | undefined {
  const roles = candidates.filter((c) => c.by !== 'userarn');
  const pool = roles.length > 0 ? roles : candidates.filter((c) => c.by === 'userarn');
  const keyOf = (c: CandidateEntry) => (c.by === 'userarn' ? (c.entry as UserMapping).userarn! : roleKey(c.entry as RoleMapping));
  const stored = pool.filter((c) => !pool.some((later) => later.index > c.index && keyOf(later) === keyOf(c)));
  return stored.sort((a, b) => a.index - b.index)[0];
}

/**
 * The lower-cased ARN pattern an SSO matcher stands for, as `RoleMapping.SSOArnLike` builds it:
 * `arn:aws:iam::<account>:role/awsreservedsso_<set>_*`. It puts the partition in only when none is
 * set: a matcher with a `partition` gets an empty one, and never matches.
 */
export function ssoArnPattern(sso: SsoRoleMatcher): string {
  const partition = sso.partition ? '' : 'aws';
  return `arn:${partition}:iam::${sso.accountID}:role/AWSReservedSSO_${sso.permissionSetName}_*`.toLowerCase();
}

/** `arn.ArnLike(subject, pattern)` for an SSO pattern: each of the six sections matched on its own, `*` for any run. */
function ssoMatches(sso: SsoRoleMatcher, subject: string): boolean {
  const arn = splitN(subject, ':', 6);
  const pattern = splitN(ssoArnPattern(sso), ':', 6);
  if (arn.length !== 6 || !subject.startsWith('arn:')) {
    return false;
  }
  return pattern.every((section, i) => {
    const glob = section.split('*').map((p) => p.split('?').map(escapeRegExp).join('.?')).join('.*');
    return new RegExp(`^${glob}$`).test(arn[i]);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `strings.EqualFold`: equal under Unicode simple case folding. */
export function equalFold(a: string, b: string): boolean {
  return a === b || foldCase(a) === foldCase(b);
}

function foldCase(text: string): string {
  return [...text].map((c) => {
    const upper = c.toUpperCase();
    return (upper.length === 1 ? upper : c).toLowerCase();
  }).join('');
}
