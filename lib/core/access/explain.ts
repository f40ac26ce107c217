/**
 * `explain`: one caller's path through EKS, step by step, as EKS walks it. The authentication mode
 * says which mechanisms apply; an access entry of the caller's principal wins over aws-auth; in
 * aws-auth the authenticator's own resolution (case-insensitive, role path dropped, the last valid
 * entry winning; then `mapAccounts`) decides; the username and groups are rendered from their
 * templates; then the access policies (access entries only) and the RBAC bindings naming the user
 * or its groups say what it may do.
 */
import { awsAuthRoleArn, principalArnProblem } from '../arn';
import {
  CandidateEntry, describePosition, expandTemplate, matchCaller, pickCandidate, roleCandidates, roleMappingProblem,
  userCandidates, usesVariable,
} from '../aws-auth';
import { accessPolicyModel } from './access-policies';
import { CallerView, describeCallerKind, isInstanceSession } from './caller';
import { ClusterAccessView } from './cluster-view';
import { AccessEntryView, entryGroups, entryUsernameTemplate, findAccessEntry } from './entries';
import { Grant, grantsFor, PolicyRule } from './rbac';
import { summarizeRules } from './summary';

/** The group the API server adds to every authenticated user. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group the API server lets do anything, before any authorizer. */
export const MASTERS_GROUP = 'system:masters';

/** One step of the walk and what came of it. */
export interface ExplainStep {
  readonly step: string;
  readonly outcome: string;
  readonly details: readonly string[];
}

/** Who the caller becomes in Kubernetes. */
export interface ResolvedUser {
  readonly mechanism: 'access-entry' | 'aws-auth' | 'aws-auth-account';
  /** The access entry's principal ARN, or the aws-auth entry with its line. */
  readonly source: string;
  readonly username: string;
  /** As mapped; the API server adds `system:authenticated`. */
  readonly groups: readonly string[];
  readonly accessEntry?: AccessEntryView;
}

/** One thing that gives the user permissions. */
export interface PermissionSource {
  readonly kind: 'system:masters' | 'access-policy' | 'rbac';
  /** `AmazonEKSViewPolicy`, `RoleBinding dev/dev-edit → ClusterRole edit`. */
  readonly label: string;
  /** `cluster` or `namespace dev`, `namespaces dev, dev-*`. */
  readonly scope: string;
  /** Its rules; undefined when not known (an access policy EKS does not publish). */
  readonly rules?: readonly PolicyRule[];
  /** Why it applies: `Group developers`, `access entry`. */
  readonly via: string;
  /** True for what every authenticated user gets (discovery, self access reviews). */
  readonly baseline: boolean;
  /** Why it gives nothing (a missing or empty role). */
  readonly problem?: string;
  readonly grant?: Grant;
  readonly policy?: AccessEntryView['accessPolicies'][number];
}

export type Verdict = 'cannot-authenticate' | 'no-permissions' | 'has-permissions';

export interface Explanation {
  readonly caller: CallerView;
  readonly cluster: string;
  readonly mode: ClusterAccessView['mode'];
  readonly steps: readonly ExplainStep[];
  readonly identity?: ResolvedUser;
  readonly permissions: readonly PermissionSource[];
  readonly verdict: Verdict;
  /** The verdict in one sentence, with why. */
  readonly summary: string;
}

const MODE_STEP: Record<ClusterAccessView['mode'], string> = {
  CONFIG_MAP: 'aws-auth only: this mode has no access entries',
  API_AND_CONFIG_MAP: 'access entries first; aws-auth for principals without one',
  API: 'access entries only: EKS ignores aws-auth in this mode',
};

/** Walks the caller through the cluster's access as EKS does. */
export function explainCaller(view: ClusterAccessView, caller: CallerView): Explanation {
  const steps: ExplainStep[] = [];
  steps.push({ step: 'caller', outcome: `${caller.presented}: ${describeCallerKind(caller)}`, details: callerDetails(caller) });
  steps.push({ step: 'authentication mode', outcome: `${view.mode}: ${MODE_STEP[view.mode]}`, details: [] });
  let identity: ResolvedUser | undefined;
  let denied: string | undefined;
  let decided = false;
  if (view.mode !== 'CONFIG_MAP') {
    const entry = view.accessEntries ? findAccessEntry(view.accessEntries, caller) : undefined;
    steps.push(accessEntryStep(view, caller, entry));
    if (entry) {
      decided = true;
      ({ identity, denied } = entryIdentity(entry, caller, steps));
    } else if (view.mode === 'API') {
      decided = true;
      denied = `no access entry for ${principalName(caller)}, and mode API ignores aws-auth`;
    }
  }
  if (!decided) {
    ({ identity, denied } = awsAuthIdentity(view, caller, steps));
  }
  const permissions = identity ? permissionsOf(view, identity) : [];
  if (identity) {
    steps.push(accessPolicyStep(identity, permissions));
    steps.push(rbacStep(view, identity, permissions));
  }
  const { verdict, summary } = verdictOf(identity, denied, permissions);
  return { caller, cluster: view.description, mode: view.mode, steps, identity, permissions, verdict, summary };
}

function callerDetails(caller: CallerView): string[] {
  const details = [`aws-auth looks it up as ${caller.canonicalArn} (compared case-insensitively${caller.kind === 'role' ? ', the role path dropped' : ''})`];
  if (caller.kind === 'role') {
    details.push(caller.principalArn
      ? `access entries name the role's full ARN: ${caller.principalArn}`
      : `access entries name the role's full ARN (path included): an entry of role ${caller.roleName} in account ${caller.accountId} matches, whatever its path`);
  }
  if (caller.sampleSession) {
    details.push(`a role ARN was given: shown for the sample session name "${caller.sessionName}" (choose one with --session-name)`);
  }
  return details;
}

function principalName(caller: CallerView): string {
  return caller.principalArn ?? (caller.kind === 'role' ? `role ${caller.roleName} of account ${caller.accountId}` : caller.given);
}

function accessEntryStep(view: ClusterAccessView, caller: CallerView, entry: AccessEntryView | undefined): ExplainStep {
  if (view.accessEntries === undefined) {
    return { step: 'access entry', outcome: 'not known (none given): taken as none', details: ['give the access entries (--access-entries FILE) or read them from the cluster (--cluster)'] };
  }
  if (!entry) {
    return {
      step: 'access entry',
      outcome: `none for ${principalName(caller)}${view.mode === 'API' ? ': the caller cannot authenticate' : ': aws-auth decides'}`,
      details: [`${view.accessEntries.length} access entr${view.accessEntries.length === 1 ? 'y' : 'ies'} on the cluster`],
    };
  }
  const shadowed = view.mode === 'API_AND_CONFIG_MAP' && view.awsAuth.configMap ? matchCaller(view.awsAuth.configMap, { arn: caller.presented }) : undefined;
  return {
    step: 'access entry',
    outcome: `${entry.principalArn} (type ${entry.type}) decides; EKS does not consult aws-auth for this principal`,
    details: shadowed ? [`aws-auth also maps it (${describeSource(view, shadowed.source)}), but EKS uses the access entry`] : [],
  };
}

function entryIdentity(entry: AccessEntryView, caller: CallerView, steps: ExplainStep[]): { identity?: ResolvedUser; denied?: string } {
  const template = entryUsernameTemplate(entry);
  const rendered = renderTemplate(template, caller);
  const groups = entryGroups(entry);
  const origin = entry.username ? 'the entry\'s username' : 'EKS\'s default username for this entry';
  if (rendered.value === undefined) {
    steps.push({ step: 'username and groups', outcome: `cannot render ${origin} "${template}": ${rendered.denied}`, details: rendered.notes });
    return { denied: rendered.denied };
  }
  steps.push(identityStep(template, rendered, groups, origin));
  return { identity: { mechanism: 'access-entry', source: `access entry ${entry.principalArn}`, username: rendered.value, groups, accessEntry: entry } };
}

function identityStep(template: string, rendered: Rendered, groups: readonly string[], origin: string): ExplainStep {
  const details = [`${origin}: "${template}"`, ...rendered.notes, `the API server adds the group ${AUTHENTICATED_GROUP}`];
  return { step: 'username and groups', outcome: `username "${rendered.value}", groups ${groups.length > 0 ? groups.join(', ') : '(none)'}`, details };
}

function awsAuthIdentity(view: ClusterAccessView, caller: CallerView, steps: ExplainStep[]): { identity?: ResolvedUser; denied?: string } {
  const aa = view.awsAuth;
  if (!aa.configMap) {
    const why = aa.problems.length > 0 ? `${aa.description} cannot be read: ${aa.problems[0].message}` : `there is no aws-auth ConfigMap (${aa.description})`;
    steps.push({ step: 'aws-auth', outcome: why, details: [] });
    return { denied: `no access entry and ${why}` };
  }
  const cm = aa.configMap;
  const subject = caller.canonicalArn.toLowerCase();
  const candidates = [...roleCandidates(cm.mapRoles, subject, undefined), ...userCandidates(cm.mapUsers, subject)];
  const match = matchCaller(cm, { arn: caller.presented });
  const picked = match?.entry ? pickCandidate(candidates) : undefined;
  const details = [...ignoredEntries(view, candidates, picked), ...nearMisses(view, subject), ...parseErrors(view)];
  if (match?.entry && picked) {
    steps.push({ step: 'aws-auth', outcome: `${describeSource(view, picked.source)} matches ${caller.canonicalArn}`, details });
    const template = match.entry.username ?? '';
    const rendered = renderTemplate(template, caller);
    const groups = match.entry.groups ?? [];
    const origin = 'the entry\'s username';
    if (rendered.value === undefined) {
      steps.push({ step: 'username and groups', outcome: `cannot render ${origin} "${template}": ${rendered.denied}`, details: rendered.notes });
      return { denied: rendered.denied };
    }
    const renderedGroups = groups.map((g) => renderTemplate(g, caller).value ?? g);
    steps.push(identityStep(template, rendered, renderedGroups, origin));
    return { identity: { mechanism: 'aws-auth', source: describeSource(view, picked.source), username: rendered.value, groups: renderedGroups } };
  }
  steps.push({ step: 'aws-auth', outcome: `no entry of mapRoles or mapUsers matches ${caller.canonicalArn}`, details });
  if (match) {
    const position = describePosition(aa.positions.mapAccounts[Number(/\d+/.exec(match.source)![0])], match.source);
    steps.push({ step: 'account', outcome: `${position} lists account ${caller.accountId}: the caller is let in as its ARN, without groups`, details: [] });
    const identity: ResolvedUser = { mechanism: 'aws-auth-account', source: position, username: caller.canonicalArn, groups: [] };
    steps.push({ step: 'username and groups', outcome: `username "${caller.canonicalArn}", groups (none)`, details: [`the API server adds the group ${AUTHENTICATED_GROUP}`] });
    return { identity };
  }
  steps.push({ step: 'account', outcome: `mapAccounts does not list account ${caller.accountId}`, details: [] });
  return { denied: `${caller.canonicalArn} is mapped neither by an access entry nor in aws-auth` };
}

/** Matching entries the authenticator does not use: shadowed by a later one, or outranked by an exact ARN. */
function ignoredEntries(view: ClusterAccessView, candidates: readonly CandidateEntry[], picked: CandidateEntry | undefined): string[] {
  return candidates.filter((c) => c !== picked).map((c) => {
    const where = describeSource(view, c.source);
    if (picked && c.by === picked.by) {
      return `${where} also matches but is shadowed: the authenticator keeps the last entry for an ARN, ${describeSource(view, picked.source)}`;
    }
    return `${where} also matches (by ${c.by === 'sso' ? 'SSO permission set' : c.by}) but an exact ARN match comes first`;
  });
}

/** Entries meant for the caller that never match: a role ARN with a path, or an entry the authenticator drops. */
function nearMisses(view: ClusterAccessView, subject: string): string[] {
  const notes: string[] = [];
  view.awsAuth.configMap!.mapRoles.forEach((entry, i) => {
    const arn = entry.rolearn;
    if (arn === undefined || (arn.toLowerCase() === subject && roleMappingProblem(entry) === undefined)) {
      return;
    }
    const where = describeSource(view, `mapRoles[${i}]`);
    const dropped = roleMappingProblem(entry);
    if (arn.toLowerCase() === subject && dropped) {
      notes.push(`${where} names this ARN but never matches: ${dropped}`);
    } else if (principalArnProblem(arn) === undefined && arn.includes(':role/') && awsAuthRoleArn(arn).toLowerCase() === subject) {
      notes.push(`${where} names this role with a path (${arn}) and never matches: the authenticator compares role ARNs without their path`);
    }
  });
  return notes;
}

function parseErrors(view: ClusterAccessView): string[] {
  const errors = view.awsAuth.problems.filter((p) => p.severity === 'error');
  return errors.length > 0 ? [`${view.awsAuth.description} has ${errors.length} error(s) the authenticator skips (see eks-access lint), e.g. ${errors[0].location}: ${errors[0].message}`] : [];
}

function describeSource(view: ClusterAccessView, source: string): string {
  const [, section, index] = /^(mapRoles|mapUsers|mapAccounts)\[(\d+)\]$/.exec(source) ?? [];
  return section ? describePosition(view.awsAuth.positions[section as 'mapRoles'][Number(index)], source) : source;
}

interface Rendered {
  readonly value?: string;
  readonly denied?: string;
  readonly notes: string[];
}

/** A username or group template rendered for the caller as the authenticator renders it. */
export function renderTemplate(template: string, caller: CallerView): Rendered {
  const notes: string[] = [];
  if (usesVariable(template, 'EC2PrivateDNSName') && !isInstanceSession(caller)) {
    return { denied: `{{EC2PrivateDNSName}} needs a session named after an EC2 instance ID (i-…), and "${caller.sessionName}" is not one, so the caller is denied`, notes };
  }
  if (usesVariable(template, 'EC2PrivateDNSName')) {
    notes.push(`{{EC2PrivateDNSName}}: the private DNS name of instance ${caller.sessionName}, which EKS looks up`);
  }
  if (usesVariable(template, 'SessionName')) {
    notes.push(caller.sessionName.includes('@')
      ? `{{SessionName}}: "${caller.sessionName}" with each "@" replaced by "-" ({{SessionNameRaw}} keeps it)`
      : caller.kind === 'role' ? `{{SessionName}}: the session name "${caller.sessionName}"` : '{{SessionName}} is empty for callers without a role session');
  }
  if (usesVariable(template, 'AccessKeyID')) {
    notes.push('{{AccessKeyID}}: the access key ID of the caller\'s credentials, which an ARN does not tell');
  }
  const value = expandTemplate(template, {
    accountId: caller.accountId,
    sessionName: caller.sessionName,
    accessKeyId: '<access key ID>',
    ec2PrivateDnsName: `<private DNS name of ${caller.sessionName}>`,
  });
  return { value, notes };
}

/** What the user gets: system:masters, its access entry's policies, and every RBAC binding naming it or its groups. */
function permissionsOf(view: ClusterAccessView, user: ResolvedUser): PermissionSource[] {
  const sources: PermissionSource[] = [];
  if (user.groups.includes(MASTERS_GROUP)) {
    sources.push({ kind: 'system:masters', label: `group ${MASTERS_GROUP}`, scope: 'cluster', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], via: `Group ${MASTERS_GROUP}`, baseline: false });
  }
  for (const policy of user.accessEntry?.accessPolicies ?? []) {
    const model = accessPolicyModel(policy.policyArn);
    const scope = policy.accessScope.type === 'cluster' ? 'cluster' : `namespace${(policy.accessScope.namespaces ?? []).length === 1 ? '' : 's'} ${(policy.accessScope.namespaces ?? []).join(', ')}`;
    sources.push({ kind: 'access-policy', label: model.name, scope, rules: model.rules, via: 'access entry', baseline: false, policy, ...(model.rules ? {} : { problem: `${model.name}: ${model.summary}` }) });
  }
  const groups = [...user.groups, AUTHENTICATED_GROUP];
  for (const grant of grantsFor(view.rbac, { username: user.username, groups })) {
    const b = grant.binding;
    const label = `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} → ${b.roleRef.kind} ${b.roleRef.name}`;
    const problem = !grant.role ? `${b.roleRef.kind} ${b.roleRef.name} does not exist: the binding grants nothing`
      : grant.role.rules.length === 0 ? `${b.roleRef.kind} ${b.roleRef.name} has no rules${view.rbacSource === 'cluster' ? ' on this cluster' : ''}: the binding grants nothing` : undefined;
    sources.push({
      kind: 'rbac',
      label,
      scope: grant.namespace ? `namespace ${grant.namespace}` : 'cluster',
      rules: grant.role?.rules ?? [],
      via: grant.subject,
      baseline: grant.subject === `Group ${AUTHENTICATED_GROUP}`,
      grant,
      ...(problem ? { problem } : {}),
    });
  }
  return sources;
}

function accessPolicyStep(user: ResolvedUser, sources: readonly PermissionSource[]): ExplainStep {
  if (user.mechanism !== 'access-entry') {
    return { step: 'access policies', outcome: 'none: access policies apply only to callers let in by an access entry', details: [] };
  }
  const policies = sources.filter((s) => s.kind === 'access-policy');
  if (policies.length === 0) {
    return { step: 'access policies', outcome: 'none associated with the access entry', details: [] };
  }
  return {
    step: 'access policies',
    outcome: policies.map((p) => `${p.label} (${p.scope})`).join(', '),
    details: policies.map((p) => `${p.label}: ${accessPolicyModel(p.label).summary}`),
  };
}

function rbacStep(view: ClusterAccessView, user: ResolvedUser, sources: readonly PermissionSource[]): ExplainStep {
  const where = view.rbacSource === 'cluster' ? 'the cluster\'s RBAC objects' : 'the given RBAC manifests (with Kubernetes\' default roles assumed)';
  const rbac = sources.filter((s) => s.kind === 'rbac' && !s.baseline);
  const details = rbac.map((s) => `${s.label} (${s.scope}) through ${s.via}${s.problem ? `: ${s.problem}` : ''}`);
  const masters = user.groups.includes(MASTERS_GROUP) ? [`group ${MASTERS_GROUP}: the API server allows it every request, whatever RBAC says`] : [];
  const baseline = sources.some((s) => s.baseline) ? [`every authenticated user (group ${AUTHENTICATED_GROUP}) may also discover the API and review its own access`] : [];
  const outcome = rbac.length === 0
    ? `no RoleBinding or ClusterRoleBinding in ${where} names user "${user.username}"${user.groups.length > 0 ? ` or group${user.groups.length > 1 ? 's' : ''} ${user.groups.join(', ')}` : ''}`
    : `${rbac.length} binding${rbac.length > 1 ? 's' : ''} in ${where}`;
  return { step: 'RBAC', outcome, details: [...masters, ...details, ...baseline] };
}

function verdictOf(
  identity: ResolvedUser | undefined, denied: string | undefined, sources: readonly PermissionSource[],
): { verdict: Verdict; summary: string } {
  if (!identity) {
    return { verdict: 'cannot-authenticate', summary: `cannot authenticate: ${denied ?? 'not mapped'}` };
  }
  const who = `"${identity.username}"${identity.groups.length > 0 ? ` (groups ${identity.groups.join(', ')})` : ''}`;
  const granting = sources.filter((s) => !s.baseline && (s.rules === undefined || s.rules.length > 0));
  if (granting.length > 0) {
    return { verdict: 'has-permissions', summary: `authenticates as ${who}; permissions from ${granting.map((s) => `${s.label} (${s.scope})`).join('; ')}` };
  }
  const why = sources.filter((s) => !s.baseline && s.problem).map((s) => s.problem!);
  const none = identity.mechanism === 'access-entry' ? 'no access policy and no RBAC binding that grants anything' : 'no RBAC binding that grants anything (and access policies apply only to access entries)';
  return { verdict: 'no-permissions', summary: `authenticates as ${who} but has no permissions: ${why.length > 0 ? why.join('; ') : none}` };
}

/** The rules of every source, for a summary: `cluster` first, then each namespace. */
export function permissionSummary(explanation: Explanation): Array<{ readonly scope: string; readonly from: string; readonly lines: string[] }> {
  return explanation.permissions.filter((s) => !s.baseline && s.rules && s.rules.length > 0).map((s) => ({
    scope: s.scope,
    from: `${s.label}${s.kind === 'rbac' ? ` (through ${s.via})` : ''}`,
    lines: s.kind === 'system:masters' ? ['everything'] : summarizeRules(s.rules!),
  }));
}
