/**
 * The migration planner: one verdict per aws-auth entry, read exactly as the authenticator reads
 * it. Which entry applies to a principal is the engine's own resolution (`matchCaller`): entries
 * are keyed by lower-cased ARN and the last valid one wins, so an entry another one shadows, or one
 * the authenticator drops, grants nothing and is reported instead of migrated. Pure: every fact
 * about IAM and EKS comes in through {@link MigrationInput}.
 */
import { AccessEntrySpec } from '../access-entry';
import { parsePrincipalArn, principalArnProblem } from '../arn';
import { AwsAuthConfigMap, RoleMapping, UserMapping, awsAuthProblems, formatProblem, matchCaller, ownedEntries, readOwnerRecords, ssoArnPattern } from '../aws-auth';
import { accessEntryFor } from './entry-form';
import { EC2_NODE_USERNAME, NODE_PROXIER, SESSION_NODE_USERNAME, identityDifferences } from './identity';
import { PrincipalDirectory, PrincipalResolution, isServiceLinkedRole, principalKey } from './principal';
import { ApiReadiness, ExistingAccessEntry, LostIdentity, MigrationInput, MigrationItem, MigrationPlan } from './types';

/** The session name of the sample callers the planner resolves (any name works the same). */
const SAMPLE_SESSION = 'eks-access-migration';

/** Plans the move of every aws-auth entry to access entries. */
export function planMigration(input: MigrationInput): MigrationPlan {
  const ctx = new PlanContext(input);
  const items: MigrationItem[] = [
    ...input.awsAuth.mapRoles.map((entry, i) => ctx.planMapping(entry, `mapRoles[${i}]`)),
    ...input.awsAuth.mapUsers.map((entry, i) => ctx.planMapping(entry, `mapUsers[${i}]`)),
    ...input.awsAuth.mapAccounts.map((account, i) => planAccount(input.awsAuth, account, i)),
  ];
  const deduplicated = withoutDuplicateEntries(items);
  return {
    mode: input.mode,
    items: deduplicated,
    entries: deduplicated.filter((i) => i.verdict === 'migrate').map((i) => i.entry!),
    api: apiReadiness(input.mode, deduplicated),
    notes: [...ctx.notes, ...notesFor(input, deduplicated)],
  };
}

/** Everything one plan looks things up in. */
class PlanContext {
  private readonly directory: PrincipalDirectory;
  private readonly lintErrors = new Map<string, string[]>();
  private readonly existing = new Map<string, ExistingAccessEntry>();
  private readonly declared = new Map<string, AccessEntrySpec>();
  private readonly managedNodeRoles: Set<string>;
  private readonly fargateRoles: Set<string> | undefined;
  /** Entries this library's owners wrote (by {@link mappingKey}), and who. */
  private readonly libraryOwned = new Map<string, string>();
  public readonly notes: string[] = [];

  constructor(private readonly input: MigrationInput) {
    this.directory = new PrincipalDirectory(input.facts);
    for (const p of awsAuthProblems(input.awsAuth).filter((x) => x.severity === 'error')) {
      const location = p.location.replace(/\..*$/, '');
      this.lintErrors.set(location, [...(this.lintErrors.get(location) ?? []), p.message]);
    }
    for (const e of input.accessEntries ?? []) {
      keyOf(e.principalArn, (key) => this.existing.set(key, e));
    }
    for (const e of input.declared ?? []) {
      keyOf(e.principalArn, (key) => this.declared.set(key, e));
    }
    this.managedNodeRoles = keySet(input.facts?.managedNodeRoles ?? []);
    this.fargateRoles = input.facts?.fargateRoles ? keySet(input.facts.fargateRoles) : undefined;
    this.readLibraryOwners();
  }

  /** Which entries the owners annotation records as written by an owner of this library. */
  private readLibraryOwners(): void {
    try {
      for (const owner of Object.keys(readOwnerRecords(this.input.awsAuth))) {
        const written = ownedEntries(this.input.awsAuth, owner);
        [...written.mapRoles, ...written.mapUsers].forEach((e) => this.libraryOwned.set(mappingKey(e), owner));
      }
    } catch (e) {
      this.notes.push(`the owners annotation of aws-auth cannot be read (${(e as Error).message}): no entry is taken as written by a ClusterAccess`);
    }
  }

  /** The verdict on one role or user entry. */
  public planMapping(entry: RoleMapping | UserMapping, source: string): MigrationItem {
    const base = describeMapping(entry, source);
    const decided = this.decidingEntry(entry, source);
    if (decided.winner !== source) {
      return decided.winner !== undefined
        ? { ...base, effective: false, verdict: 'blocked', rule: 'shadowed', reason: `${decided.winner} maps the same principal and the authenticator uses only that one, so this entry grants nothing`, fix: `remove ${source} from aws-auth (if what it grants is wanted, add it to ${decided.winner} first)` }
        : { ...base, effective: false, verdict: 'blocked', rule: 'never-matches', reason: `the authenticator never uses this entry: ${decided.why}`, fix: `remove ${source} from aws-auth, or correct it and plan again` };
    }
    const lint = this.lintErrors.get(source);
    if (lint) {
      return { ...base, effective: true, verdict: 'blocked', rule: 'invalid-entry', reason: lint.join('; '), fix: `correct ${source} in aws-auth and plan again` };
    }
    const owner = this.libraryOwned.get(mappingKey(entry));
    if (owner !== undefined) {
      return this.input.ownerId !== undefined
        ? { ...base, effective: true, verdict: 'covered', rule: 'declared', reason: `written by cdk-eks-access owner ${owner}, which moves it to an access entry itself (mechanism AUTO or ACCESS_ENTRIES)` }
        : { ...base, effective: true, verdict: 'blocked', rule: 'library-owned', reason: `written by cdk-eks-access owner ${owner}, whose ClusterAccess manages it`, fix: 'deploy that ClusterAccess on the cluster in API_AND_CONFIG_MAP with mechanism AUTO or ACCESS_ENTRIES: it moves its entries to access entries itself (or remove the mapping from it)' };
    }
    if (source.startsWith('mapRoles') && entry.userid !== undefined && (entry as RoleMapping).rolearn === undefined && (entry as RoleMapping).sso === undefined) {
      return { ...base, effective: true, verdict: 'blocked', rule: 'user-id', reason: 'the entry matches a role by its unique ID; access entries name principals by ARN', fix: `replace userid by the role's ARN (rolearn) in ${source}, then plan again` };
    }
    const resolution = 'sso' in entry && entry.sso !== undefined ? this.directory.resolveSso(entry.sso) : this.directory.resolve(base.arn);
    return this.planPrincipal(entry, base, resolution);
  }

  /** The verdict once the principal is as known as it gets. */
  private planPrincipal(entry: RoleMapping | UserMapping, base: Omit<MigrationItem, 'verdict' | 'rule' | 'reason' | 'effective'>, resolution: PrincipalResolution): MigrationItem {
    const item = { ...base, effective: true };
    const key = resolution.kind === 'resolved' ? principalKey(resolution.principalArn) : principalArnProblem(base.arn) === undefined ? principalKey(base.arn) : undefined;
    const covered = key !== undefined ? this.coveredBy(key, base.username, base.groups) : undefined;
    if (covered) {
      // EKS keeps the aws-auth entries of its node groups and Fargate profiles: never pruned.
      const eks = resolution.kind === 'resolved' && this.managedByEks(entry, resolution.principalArn) !== undefined;
      return { ...item, ...covered, ...(eks ? { managedByEks: true, reason: `${covered.reason}; EKS manages this entry (a managed node group's or Fargate profile's)` } : {}) };
    }
    const principalArn = resolution.kind === 'resolved' ? resolution.principalArn : undefined;
    const knownArn = principalArn ?? (principalArnProblem(base.arn) === undefined ? base.arn : undefined);
    if (knownArn !== undefined && isServiceLinkedRole(knownArn)) {
      return { ...item, ...(principalArn ? { principalArn } : {}), verdict: 'blocked', rule: 'service-linked-role', reason: 'access entries refuse service-linked roles (ARN arn:aws:iam::*:role/aws-service-role/*)', fix: 'the AWS service manages its own cluster access under access entries (see its documentation); keep this mapping until the service no longer needs it, then remove it from aws-auth' };
    }
    if (resolution.kind === 'missing') {
      return { ...item, verdict: 'blocked', rule: 'principal-missing', reason: 'IAM reports that this principal does not exist', fix: `remove ${base.source} from aws-auth, or create the principal and plan again` };
    }
    if (resolution.kind === 'unknown') {
      return { ...item, verdict: 'blocked', rule: 'path-unknown', reason: `the principal's full ARN (path included), which an access entry needs, is not known: ${resolution.why}`, fix: 'plan against the cluster (--cluster), where IAM is asked, or give the full ARN (--principal-arn)' };
    }
    if (resolution.kind === 'ambiguous') {
      return { ...item, verdict: 'blocked', rule: 'ambiguous-sso', reason: `several roles match this SSO matcher: ${resolution.candidates.join(', ')}`, fix: 'map each role by its ARN (rolearn) instead of the sso matcher' };
    }
    const resolved = { ...item, principalArn: resolution.principalArn, principalSource: resolution.source };
    const managed = this.managedByEks(entry, resolution.principalArn);
    if (managed) {
      return { ...resolved, ...managed };
    }
    const form = accessEntryFor(base, resolution.principalArn, this.input.facts?.accountId);
    if ('blocked' in form) {
      return { ...resolved, verdict: 'blocked', rule: form.rule, reason: form.reason, fix: form.fix };
    }
    if (this.input.nodeRolesMustBeDeclared && (form.entry.type === 'EC2_LINUX' || form.entry.type === 'EC2_WINDOWS')) {
      return {
        ...resolved,
        verdict: 'blocked',
        rule: 'node-role-undeclared',
        reason: `a node role: its ${form.entry.type} entry needs iam:PassRole on the role, which the deployment is granted only for the node roles it maps`,
        fix: `map the role with ClusterAccess.mapNodeRole(${form.entry.type === 'EC2_WINDOWS' ? 'role, { windows: true }' : 'role'}) in the same deployment`,
      };
    }
    return { ...resolved, verdict: 'migrate', rule: form.rule, reason: form.reason, entry: form.entry };
  }

  /** `covered` when this configuration declares the principal or an access entry exists for it. */
  private coveredBy(key: string, username: string | undefined, groups: readonly string[]): Pick<MigrationItem, 'verdict' | 'rule' | 'reason' | 'principalArn' | 'differences'> | undefined {
    const declared = this.declared.get(key);
    const existing = this.existing.get(key);
    const entry = declared ?? existing;
    if (!entry) {
      return undefined;
    }
    const differences = identityDifferences(entry.principalArn, { username, groups }, { ...entry, policies: 'accessPolicies' in entry ? entry.accessPolicies : entry.policies });
    if (declared) {
      return { verdict: 'covered', rule: 'declared', principalArn: entry.principalArn, differences, reason: `this configuration declares an access entry for ${entry.principalArn}${sameOrNot(differences)}` };
    }
    const rule = differences.length === 0 ? 'existing-same' : 'existing-differs';
    return { verdict: 'covered', rule, principalArn: entry.principalArn, differences, reason: `an access entry for ${entry.principalArn} exists (it decides this principal's identity, not aws-auth)${sameOrNot(differences)}` };
  }

  /** `skip` for the entries EKS writes and migrates itself: managed node groups and Fargate profiles. */
  private managedByEks(entry: RoleMapping | UserMapping, principalArn: string): Pick<MigrationItem, 'verdict' | 'rule' | 'reason'> | undefined {
    const key = principalKey(principalArn);
    if (entry.username === EC2_NODE_USERNAME && this.managedNodeRoles.has(key)) {
      return { verdict: 'skip', rule: 'eks-managed-node-group', reason: 'the node role of an EKS managed node group (DescribeNodegroup): EKS creates its EC2_LINUX access entry itself when the mode leaves CONFIG_MAP' };
    }
    const fargate = entry.username === SESSION_NODE_USERNAME && (entry.groups ?? []).includes(NODE_PROXIER);
    if (fargate && (this.fargateRoles === undefined || this.fargateRoles.has(key))) {
      const how = this.fargateRoles === undefined
        ? `recognised by the username ${SESSION_NODE_USERNAME} with the group ${NODE_PROXIER}, which EKS writes for Fargate profiles`
        : 'the pod execution role of a Fargate profile (DescribeFargateProfile)';
      return { verdict: 'skip', rule: 'eks-managed-fargate', reason: `${how}: EKS creates its FARGATE_LINUX access entry itself when the mode leaves CONFIG_MAP` };
    }
    return undefined;
  }

  /** Which entry the authenticator uses for this entry's principal (undefined: none), and why none. */
  private decidingEntry(entry: RoleMapping | UserMapping, source: string): { winner?: string; why: string } {
    const caller = sampleCaller(entry, this.directory);
    if ('problem' in caller) {
      return { why: this.lintErrors.get(source)?.join('; ') ?? caller.problem };
    }
    const rolearn = (entry as RoleMapping).rolearn;
    if (rolearn !== undefined && parsePrincipalArn(rolearn).kind === 'role' && parsePrincipalArn(rolearn).path !== '/') {
      // Callers present their role without its path: this entry never matches (lint says so).
      return { why: this.lintErrors.get(source)?.join('; ') ?? `${rolearn} has a path, which callers never present` };
    }
    const found = matchCaller(this.input.awsAuth, caller);
    const why = this.lintErrors.get(source)?.join('; ') ?? 'no caller can present this principal';
    return { winner: found?.entry !== undefined ? found.source : undefined, why };
  }
}

/** A caller the entry is meant for: a session of its role, its user, or a role with its ID. */
function sampleCaller(entry: RoleMapping | UserMapping, directory: PrincipalDirectory): { arn: string; userId?: string } | { problem: string } {
  if ('sso' in entry && entry.sso !== undefined) {
    const resolved = directory.resolveSso(entry.sso);
    const arn = resolved.kind === 'resolved' ? resolved.principalArn : ssoArnPattern(entry.sso).replace(/\*$/, 'eksaccessmigration');
    return principalArnProblem(arn) === undefined ? { arn: sessionOf(arn) } : { problem: `the SSO matcher names no valid role (${arn})` };
  }
  if (!('userarn' in entry) && entry.userid !== undefined && (entry as RoleMapping).rolearn === undefined) { // user entries have a userid too
    return { arn: `arn:aws:sts::000000000000:assumed-role/eks-access-migration-unknown/${SAMPLE_SESSION}`, userId: `${entry.userid}:${SAMPLE_SESSION}` };
  }
  const arn = 'rolearn' in entry ? entry.rolearn : (entry as UserMapping).userarn;
  const problem = arn === undefined ? 'it names no principal' : principalArnProblem(arn);
  return problem !== undefined ? { problem } : { arn: sessionOf(arn!) };
}

/** What a session of `arn` presents: a role's assumed-role ARN (without the role's path), a user's ARN. */
function sessionOf(arn: string): string {
  const p = parsePrincipalArn(arn);
  return p.kind === 'role' ? `arn:${p.partition}:sts::${p.accountId}:assumed-role/${p.name}/${SAMPLE_SESSION}` : arn;
}

/** The fields every item of a role or user entry shows. */
function describeMapping(entry: RoleMapping | UserMapping, source: string): Omit<MigrationItem, 'verdict' | 'rule' | 'reason' | 'effective'> {
  const role = entry as RoleMapping;
  const arn = role.rolearn ?? (entry as UserMapping).userarn ?? (role.sso ? `${ssoArnPattern(role.sso)} (sso)` : role.userid !== undefined ? `userid:${role.userid}` : '');
  return { source, arn, ...(entry.username !== undefined ? { username: entry.username } : {}), groups: [...(entry.groups ?? [])] };
}

/** `mapAccounts` has no equivalent in access entries. */
function planAccount(configMap: AwsAuthConfigMap, account: string, index: number): MigrationItem {
  const first = configMap.mapAccounts.indexOf(account) === index;
  return {
    source: `mapAccounts[${index}]`,
    arn: account,
    account,
    groups: [],
    effective: first,
    verdict: 'blocked',
    rule: 'account',
    reason: `every IAM role and user of account ${account} may authenticate (as its own ARN, with no groups); access entries have no account-wide equivalent${first ? '' : ' (the account is listed twice)'}`,
    fix: `find the principals of ${account} that use the cluster (CloudTrail, the API server's audit log), map each one (or give it an access entry), then remove the account from mapAccounts`,
  };
}

/** A second `migrate` item for one principal (several SSO matchers resolving to one role) is blocked. */
function withoutDuplicateEntries(items: MigrationItem[]): MigrationItem[] {
  const seen = new Map<string, string>();
  return items.map((item) => {
    if (item.verdict !== 'migrate') {
      return item;
    }
    const key = principalKey(item.entry!.principalArn);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, item.source);
      return item;
    }
    const { entry: _entry, ...rest } = item;
    return { ...rest, verdict: 'blocked', rule: 'shadowed', reason: `${first} already migrates ${item.entry!.principalArn}, and a principal has one access entry`, fix: `keep one mapping of the principal in aws-auth (merge ${item.source} into ${first})` };
  });
}

function apiReadiness(mode: MigrationInput['mode'], items: readonly MigrationItem[]): ApiReadiness {
  if (mode === 'API') {
    return { allowed: true, reasons: [], loseAccessNow: [], loseAccessAfterMigration: [] };
  }
  const pendingSkip = (i: MigrationItem) => i.verdict === 'skip' && mode !== 'CONFIG_MAP';
  const reasons = [
    ...items.filter((i) => i.verdict === 'blocked').map((i) => `${i.source} (${i.arn}) is blocked: ${i.reason}`),
    ...items.filter(pendingSkip).map((i) => `${i.source} (${i.arn}) is managed by EKS, which has not created its access entry yet`),
  ];
  const lost = (i: MigrationItem): LostIdentity => ({
    source: i.source, arn: i.arn, ...(i.username !== undefined ? { username: i.username } : {}), groups: i.groups,
  });
  return {
    allowed: reasons.length === 0,
    reasons,
    loseAccessNow: items.filter((i) => i.effective && i.verdict !== 'covered').map(lost),
    loseAccessAfterMigration: items.filter((i) => i.effective && (i.verdict === 'blocked' || pendingSkip(i))).map(lost),
  };
}

function notesFor(input: MigrationInput, items: readonly MigrationItem[]): string[] {
  const notes = (input.problems ?? []).filter((p) => p.severity === 'warning').map((p) => `aws-auth ${formatProblem(p)}`);
  if (input.mode === 'API') {
    notes.push('the cluster is in authentication mode API: aws-auth is ignored and grants nothing');
  }
  const assumed = items.filter((i) => i.principalSource === 'assumed');
  if (assumed.length > 0) {
    notes.push(`IAM was not consulted for ${assumed.map((i) => i.arn).join(', ')}: ${assumed.length === 1 ? 'it is' : 'they are'} taken to have no path; plan against the cluster, or give --principal-arn, if that is wrong`);
  }
  if (input.mode === 'CONFIG_MAP' && items.some((i) => i.verdict === 'skip')) {
    notes.push('EKS creates the access entries of managed node groups and Fargate profiles when the mode moves to API_AND_CONFIG_MAP; plan again then to see them covered');
  }
  return notes;
}

/** An entry's identity for matching against the owners annotation: ARN (any case), username, groups (any order). */
function mappingKey(entry: RoleMapping | UserMapping): string {
  const arn = ((entry as RoleMapping).rolearn ?? (entry as UserMapping).userarn ?? '').toLowerCase();
  return JSON.stringify([arn, entry.username ?? '', [...(entry.groups ?? [])].sort()]);
}

function sameOrNot(differences: readonly string[]): string {
  return differences.length === 0 ? '; it grants the same' : `; it differs: ${differences.join('; ')}`;
}

function keyOf(arn: string, use: (key: string) => void): void {
  if (principalArnProblem(arn) === undefined) {
    use(principalKey(arn));
  }
}

function keySet(arns: readonly string[]): Set<string> {
  const keys = new Set<string>();
  arns.forEach((arn) => keyOf(arn, (k) => keys.add(k)));
  return keys;
}
