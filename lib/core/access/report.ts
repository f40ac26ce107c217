/**
 * `report`: everyone who can reach a cluster and what they get, one row per principal (access
 * entries, then aws-auth's roles, users and accounts), each with its mechanism, username, groups,
 * access policies and the RBAC bindings that name it; and the problems: shadowed and dead entries,
 * aws-auth mappings EKS ignores, lint errors, identities that authenticate to nothing,
 * `system:masters` holders, wildcard rules, bindings to groups nobody is in.
 */
import { awsAuthRoleArn, parsePrincipalArn, principalArnProblem } from '../arn';
import {
  awsAuthProblems, describePosition, roleMappingProblem, RoleMapping, ssoArnPattern, UserMapping, userMappingProblem,
} from '../aws-auth';
import { accessPolicyModel } from './access-policies';
import { ClusterAccessView } from './cluster-view';
import { entryGroups, entryUsernameTemplate } from './entries';
import { AUTHENTICATED_GROUP, MASTERS_GROUP } from './explain';
import { grantsFor, PolicyRule, RbacRole } from './rbac';

/** Whether a row's mapping is used. */
export type RowStatus = 'active' | 'shadowed' | 'overridden' | 'ignored' | 'dead';

export interface ReportBinding {
  /** `RoleBinding dev/dev-edit` */
  readonly binding: string;
  /** `ClusterRole edit` */
  readonly role: string;
  /** `cluster` or `namespace dev` */
  readonly scope: string;
  /** `Group developers` */
  readonly via: string;
  readonly problem?: string;
}

export interface ReportRow {
  readonly cluster: string;
  /** The IAM ARN (as written), an SSO role pattern, `userid:…`, or `account 111122223333`. */
  readonly principal: string;
  /** What the principal is in the source (the construct path of an app's role). */
  readonly label?: string;
  /** `access entry (STANDARD)`, `aws-auth mapRoles[2] (line 7)`, `aws-auth mapAccounts[0]`. */
  readonly mechanism: string;
  readonly status: RowStatus;
  readonly statusReason?: string;
  /** The username template (before a caller's session fills it in). */
  readonly username: string;
  readonly groups: readonly string[];
  readonly accessPolicies: ReadonlyArray<{ readonly policy: string; readonly scope: string }>;
  readonly bindings: readonly ReportBinding[];
  /** Who may become this principal (an app's IAM groups and trust policy). */
  readonly assumableBy?: readonly string[];
}

export interface ReportProblem {
  readonly cluster: string;
  readonly severity: 'error' | 'warning';
  /** `shadowed`, `dead`, `lint`, `ignored`, `no-permissions`, `system-masters`, `wildcard`, `unused-binding`, `missing-role`. */
  readonly kind: string;
  readonly message: string;
}

/** Extra facts about principals that the cluster does not know (from an app). */
export interface PrincipalFacts {
  /** Keyed by the principal as written in the rows. */
  readonly labels?: ReadonlyMap<string, string>;
  readonly assumableBy?: ReadonlyMap<string, readonly string[]>;
}

export interface ClusterReport {
  readonly rows: ReportRow[];
  readonly problems: ReportProblem[];
}

/** The rows and problems of one cluster. */
export function reportCluster(view: ClusterAccessView, facts: PrincipalFacts = {}): ClusterReport {
  const cluster = view.description;
  const rows = [...accessEntryRows(view), ...awsAuthRows(view)].map((row) => ({
    ...row,
    ...(facts.labels?.get(row.principal) ? { label: facts.labels.get(row.principal) } : {}),
    ...(facts.assumableBy?.get(row.principal) ? { assumableBy: facts.assumableBy.get(row.principal) } : {}),
  }));
  const problems: ReportProblem[] = [
    ...rowProblems(rows),
    ...lintProblems(view),
    ...rbacProblems(view, rows),
  ].map((p) => ({ cluster, ...p }));
  return { rows, problems };
}

type Row = Omit<ReportRow, 'label' | 'assumableBy'>;

function accessEntryRows(view: ClusterAccessView): Row[] {
  return (view.accessEntries ?? []).map((entry) => {
    const username = entryUsernameTemplate(entry);
    const groups = entryGroups(entry);
    return {
      cluster: view.description,
      principal: entry.principalArn,
      mechanism: `access entry (${entry.type})`,
      status: view.mode === 'CONFIG_MAP' ? 'ignored' : 'active',
      ...(view.mode === 'CONFIG_MAP' ? { statusReason: 'mode CONFIG_MAP has no access entries' } : {}),
      username,
      groups,
      accessPolicies: entry.accessPolicies.map((p) => ({ policy: accessPolicyModel(p.policyArn).name, scope: scopeText(p.accessScope) })),
      bindings: bindingsOf(view, username, groups),
    };
  });
}

function awsAuthRows(view: ClusterAccessView): Row[] {
  const cm = view.awsAuth.configMap;
  if (!cm) {
    return [];
  }
  const rows: Row[] = [];
  const lastByArn = lastIndexes([...cm.mapRoles.map((e) => (roleMappingProblem(e) ? undefined : e.rolearn?.toLowerCase()))]);
  const lastUserByArn = lastIndexes(cm.mapUsers.map((e) => (userMappingProblem(e) ? undefined : e.userarn?.toLowerCase())));
  cm.mapRoles.forEach((entry, i) => rows.push(awsAuthRow(view, entry, `mapRoles[${i}]`, entry.rolearn, lastByArn, i)));
  cm.mapUsers.forEach((entry, i) => rows.push(awsAuthRow(view, entry, `mapUsers[${i}]`, entry.userarn, lastUserByArn, i)));
  cm.mapAccounts.forEach((account, i) => rows.push({
    cluster: view.description,
    principal: `account ${account}`,
    mechanism: `aws-auth ${describePosition(view.awsAuth.positions.mapAccounts[i], `mapAccounts[${i}]`)}`,
    ...statusOf(view, undefined, undefined),
    username: '(the caller\'s ARN)',
    groups: [],
    accessPolicies: [],
    bindings: [],
  }));
  return rows;
}

function awsAuthRow(
  view: ClusterAccessView, entry: RoleMapping | UserMapping, source: string, arn: string | undefined, last: Map<string, number>, i: number,
): Row {
  const [section] = source.split('[');
  const where = describePosition(view.awsAuth.positions[section as 'mapRoles'][i], source);
  const role = entry as RoleMapping;
  const principal = arn ?? (role.sso ? `${ssoArnPattern(role.sso)} (SSO)` : role.userid !== undefined ? `userid:${role.userid}` : '(none)');
  const dead = section === 'mapRoles' ? roleMappingProblem(role) ?? arnProblem(arn, 'role') : userMappingProblem(entry as UserMapping) ?? arnProblem(arn, 'user');
  const key = arn?.toLowerCase();
  const winner = key !== undefined ? last.get(key) : undefined;
  const shadowedBy = !dead && winner !== undefined && winner !== i ? describePosition(view.awsAuth.positions[section as 'mapRoles'][winner], `${section}[${winner}]`) : undefined;
  const username = entry.username ?? '';
  const groups = entry.groups ?? [];
  return {
    cluster: view.description,
    principal,
    mechanism: `aws-auth ${where}`,
    ...(dead ? { status: 'dead' as const, statusReason: dead }
      : shadowedBy ? { status: 'shadowed' as const, statusReason: `shadowed by ${shadowedBy}: the authenticator uses only the last entry of an ARN` }
        : statusOf(view, arn, section)),
    username,
    groups,
    accessPolicies: [],
    bindings: bindingsOf(view, username, groups),
  };
}

/** Why an ARN of a mapping never matches, or undefined. */
function arnProblem(arn: string | undefined, kind: 'role' | 'user'): string | undefined {
  if (arn === undefined) {
    return undefined;
  }
  const problem = principalArnProblem(arn);
  if (problem) {
    return problem;
  }
  const p = parsePrincipalArn(arn);
  if (p.kind !== kind) {
    return `a ${p.kind} ARN mapped as a ${kind}: it never matches`;
  }
  return kind === 'role' && p.path !== '/' ? `the role ARN has the path ${p.path}: the authenticator compares path-less role ARNs, so it never matches; write ${awsAuthRoleArn(arn)}` : undefined;
}

/** Active, or ignored because the mode ignores aws-auth or an access entry of the same principal wins. */
function statusOf(view: ClusterAccessView, arn: string | undefined, section: string | undefined): Pick<Row, 'status' | 'statusReason'> {
  if (view.mode === 'API') {
    return { status: 'ignored', statusReason: 'mode API: EKS ignores aws-auth' };
  }
  if (view.mode === 'API_AND_CONFIG_MAP' && arn !== undefined && section !== undefined) {
    const entry = (view.accessEntries ?? []).find((e) => sameAwsAuthPrincipal(e.principalArn, arn));
    if (entry) {
      return { status: 'overridden', statusReason: `the access entry for ${entry.principalArn} wins: EKS does not read aws-auth for it` };
    }
  }
  return { status: 'active' };
}

/** True when an access entry's principal is the one an aws-auth ARN names (roles compared without path). */
function sameAwsAuthPrincipal(entryArn: string, awsAuthArn: string): boolean {
  const form = (arn: string) => (principalArnProblem(arn) === undefined ? awsAuthRoleArn(arn) : arn).toLowerCase();
  return form(entryArn) === form(awsAuthArn);
}

function lastIndexes(keys: ReadonlyArray<string | undefined>): Map<string, number> {
  const last = new Map<string, number>();
  keys.forEach((k, i) => k !== undefined && last.set(k, i));
  return last;
}

function bindingsOf(view: ClusterAccessView, username: string, groups: readonly string[]): ReportBinding[] {
  const literalGroups = groups.filter((g) => !g.includes('{{'));
  const user = username.includes('{{') ? '\u0000 templated' : username;
  return grantsFor(view.rbac, { username: user, groups: literalGroups }).filter((g) => g.subject !== `Group ${AUTHENTICATED_GROUP}`).map((g) => {
    const b = g.binding;
    const problem = !g.role ? `${b.roleRef.kind} ${b.roleRef.name} does not exist` : g.role.rules.length === 0 ? `${b.roleRef.kind} ${b.roleRef.name} has no rules` : undefined;
    return {
      binding: `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name}`,
      role: `${b.roleRef.kind} ${b.roleRef.name}`,
      scope: g.namespace ? `namespace ${g.namespace}` : 'cluster',
      via: g.subject,
      ...(problem ? { problem } : {}),
    };
  });
}

function scopeText(scope: { type: string; namespaces?: readonly string[] }): string {
  return scope.type === 'cluster' ? 'cluster' : `namespace${(scope.namespaces ?? []).length === 1 ? '' : 's'} ${(scope.namespaces ?? []).join(', ')}`;
}

type Problem = Omit<ReportProblem, 'cluster'>;

function rowProblems(rows: readonly Row[]): Problem[] {
  const problems: Problem[] = [];
  for (const row of rows) {
    const who = `${row.principal} (${row.mechanism})`;
    if (row.status === 'shadowed' || row.status === 'dead') {
      problems.push({ severity: row.status === 'dead' ? 'error' : 'warning', kind: row.status, message: `${who}: ${row.statusReason}` });
    } else if (row.status === 'overridden') {
      problems.push({ severity: 'warning', kind: 'ignored', message: `${who}: ${row.statusReason}` });
    }
    if (row.status !== 'active') {
      continue;
    }
    if (row.groups.includes(MASTERS_GROUP)) {
      problems.push({ severity: 'warning', kind: 'system-masters', message: `${who} is in ${MASTERS_GROUP}: every request is allowed, and no RBAC or access policy change can take it away; prefer AmazonEKSClusterAdminPolicy or a ClusterRoleBinding` });
    }
    const isNode = row.groups.includes('system:nodes') || row.groups.includes('system:bootstrappers');
    const grants = row.accessPolicies.length > 0 || row.groups.includes(MASTERS_GROUP) || row.bindings.some((b) => !b.problem);
    if (!grants && !isNode && !row.principal.startsWith('account ')) {
      problems.push({ severity: 'warning', kind: 'no-permissions', message: `${who} authenticates but gets no permissions: ${noPermissionReason(row)}` });
    }
    for (const policy of row.accessPolicies.filter((p) => p.policy === 'AmazonEKSClusterAdminPolicy')) {
      problems.push({ severity: 'warning', kind: 'wildcard', message: `${who}: access policy ${policy.policy} (${policy.scope}) allows every verb on every resource` });
    }
  }
  const rowsOfMode = rows.filter((r) => r.status === 'ignored' && r.statusReason?.startsWith('mode API'));
  if (rowsOfMode.length > 0) {
    problems.push({ severity: 'warning', kind: 'ignored', message: `aws-auth has ${rowsOfMode.length} mapping(s), but mode API ignores aws-auth: they let nobody in` });
  }
  return problems;
}

function noPermissionReason(row: Row): string {
  const broken = row.bindings.filter((b) => b.problem).map((b) => `${b.binding} refers to ${b.problem}`);
  if (broken.length > 0) {
    return broken.join('; ');
  }
  const groups = row.groups.length > 0 ? `its group${row.groups.length > 1 ? 's' : ''} ${row.groups.join(', ')} ${row.groups.length > 1 ? 'are' : 'is'} bound by no RoleBinding or ClusterRoleBinding` : 'it has no Kubernetes groups';
  return `${groups}, no binding names its username, and it has no access policy`;
}

function lintProblems(view: ClusterAccessView): Problem[] {
  const aa = view.awsAuth;
  const semantic = aa.configMap ? awsAuthProblems(aa.configMap) : [];
  const positioned = semantic
    .filter((p) => !(p.message.startsWith('duplicate:') && !p.location.startsWith('mapAccounts')))
    .filter((p) => !/never matches|drops it|drops the entry|is an IAM (user|role) ARN/.test(p.message)) // reported as dead rows
    .map((p) => {
      const [, section, index] = /^(mapRoles|mapUsers|mapAccounts)\[(\d+)\]$/.exec(p.location) ?? [];
      return { ...p, location: section ? describePosition(aa.positions[section as 'mapRoles'][Number(index)], p.location) : p.location };
    });
  return [...aa.problems, ...positioned].map((p) => ({ severity: p.severity, kind: 'lint', message: `${aa.description}: ${p.location}: ${p.message}` }));
}

function rbacProblems(view: ClusterAccessView, rows: readonly Row[]): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(rows.filter((r) => r.status === 'active').flatMap((r) => r.groups));
  const systemName = (name: string) => /^(system|eks|amazon|aws):/.test(name);
  for (const binding of view.rbac.bindings.filter((b) => !b.builtIn)) {
    const where = `${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`;
    for (const subject of binding.subjects.filter((s) => s.kind === 'Group' && !systemName(s.name) && !known.has(s.name))) {
      problems.push({ severity: 'warning', kind: 'unused-binding', message: `${where} binds Group ${subject.name}, which no access entry or aws-auth mapping gives anyone` });
    }
    const role = view.rbac.roles.find((r) => r.kind === binding.roleRef.kind && r.name === binding.roleRef.name && (r.kind === 'ClusterRole' || r.namespace === binding.namespace));
    if (!role) {
      problems.push({ severity: 'warning', kind: 'missing-role', message: `${where} refers to ${binding.roleRef.kind} ${binding.roleRef.name}, which ${view.rbacSource === 'cluster' ? 'does not exist' : 'is neither among the manifests nor one of Kubernetes\' default roles'}: it grants nothing` });
    } else if (!role.builtIn && hasWildcard(role) && binding.subjects.some((s) => !systemName(s.name))) {
      problems.push({ severity: 'warning', kind: 'wildcard', message: `${where} binds ${role.kind} ${role.name}, whose rules use "*" (${wildcards(role).join('; ')}), to ${binding.subjects.map((s) => `${s.kind} ${s.name}`).join(', ')}` });
    }
  }
  return problems;
}

function hasWildcard(role: RbacRole): boolean {
  return wildcards(role).length > 0;
}

function wildcards(role: RbacRole): string[] {
  const star = (values: readonly string[] | undefined) => (values ?? []).includes('*');
  return role.rules.filter((r: PolicyRule) => star(r.verbs) || star(r.resources) || star(r.apiGroups) || star(r.nonResourceURLs)).map((r) => `verbs ${r.verbs.join(',')} on ${r.nonResourceURLs?.length ? r.nonResourceURLs.join(',') : `${(r.resources ?? []).join(',')} of ${(r.apiGroups ?? []).map((g) => g || 'core').join(',')}`}`);
}
