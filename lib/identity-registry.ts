/**
 * The identities one custom resource carries, and their two forms (aws-auth and access entries).
 * Internal: the constructs feed it; it validates and renders `DesiredAwsAuth` / `AccessEntrySpec[]`.
 */
import { Token } from 'aws-cdk-lib';
import { AccessPolicyGrant, AccessScope } from './access-policy';
import { PrincipalForms } from './aws-auth-arn';
import { AccessEntrySpec, AccessEntryType, AccessPolicyAssociationSpec, accessEntryProblems } from './core/access-entry';
import { awsAuthRoleArn, isAccountId, principalArnProblem } from './core/arn';
import { TEMPLATE_VARIABLES, unknownTemplateVariables } from './core/aws-auth/templates';
import { AccessMechanism, DesiredAwsAuth, DesiredRoleMapping, DesiredUserMapping } from './core/desired-state';
import { DesiredPermissionSetMapping } from './core/permission-sets';
import { KubernetesIdentityOptions } from './kubernetes-identity';

export const SYSTEM_MASTERS = 'system:masters';
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];
export const WINDOWS_NODE_GROUP = 'eks:kube-proxy-windows';
const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

/** One IAM principal as this library maps it. */
export interface IdentityRecord {
  /** Who asked for it, for error messages (`Stack/Access: mapRole(...)`). */
  readonly source: string;
  readonly kind: 'role' | 'user';
  readonly forms: PrincipalForms;
  /** Username in both forms (absent: each mechanism's default). */
  readonly username?: string;
  /** Username in aws-auth only, when it differs (e.g. a `{{SessionName}}` template). */
  readonly awsAuthUsername?: string;
  readonly groups: string[];
  readonly accessEntryType: AccessEntryType;
  /** Node role: fixed aws-auth username and groups. */
  readonly node?: { readonly windows: boolean };
  readonly accessPolicies: AccessPolicyAssociationSpec[];
  readonly allowSystemMasters: boolean;
  /** Only grants access policies (`grantAccessPolicy`): merges with any mapping of the principal. */
  readonly policyOnly?: boolean;
  /**
   * The principal is the role of this IAM Identity Center permission set, resolved by the handler
   * at deploy time (`forms` then hold a key, not an ARN).
   */
  readonly permissionSet?: string;
}

/** Problems found while rendering, split by severity. */
export interface RenderReport {
  readonly errors: string[];
  readonly warnings: string[];
}

export class IdentityRegistry {
  private readonly records = new Map<string, IdentityRecord>();
  /** The two forms of each permission set, as the last awsAuth() and accessEntries() rendered them. */
  private readonly permissionSetAwsAuth = new Map<string, Omit<DesiredRoleMapping, 'rolearn'>>();
  private readonly permissionSetEntries = new Map<string, Omit<AccessEntrySpec, 'principalArn'>>();
  private readonly accounts = new Map<string, string>();
  private readonly errors: string[] = [];

  /**
   * @param partition partition of the access policy ARNs this registry adds (may be a token)
   * @param clusterAccount the cluster's account, when known at synth time (node entries must name a role of it)
   * @param kubernetesRoleArn the role the handler reaches Kubernetes with (`kubernetesAdminRole`), if any
   */
  constructor(private readonly partition: string, private readonly clusterAccount?: string, private readonly kubernetesRoleArn?: string) {}

  /** Adds a principal; an identical mapping of the same principal merges, a different one is an error. */
  public add(record: IdentityRecord): void {
    const key = record.forms.principalArn;
    const existing = this.records.get(key);
    if (!existing) {
      this.records.set(key, { ...record, groups: [...record.groups], accessPolicies: [...record.accessPolicies] });
      return;
    }
    // A record that only grants access policies takes the mapping of the other, in either order.
    if (existing.policyOnly && !record.policyOnly) {
      this.records.set(key, { ...record, groups: [...record.groups], accessPolicies: mergePolicies(record.accessPolicies, existing.accessPolicies) });
      return;
    }
    if (record.policyOnly) {
      this.records.set(key, { ...existing, accessPolicies: mergePolicies(existing.accessPolicies, record.accessPolicies) });
      return;
    }
    const conflict = conflictBetween(existing, record);
    if (conflict) {
      this.errors.push(`${describe(record.forms)} is mapped twice with different settings (${conflict}): by ${existing.source} and by ${record.source}`);
      return;
    }
    const policies = mergePolicies(existing.accessPolicies, record.accessPolicies);
    this.records.set(key, { ...existing, accessPolicies: policies, allowSystemMasters: existing.allowSystemMasters || record.allowSystemMasters });
  }

  /** Adds access policies to a principal, whether it is mapped before, after, or not at all. */
  public addAccessPolicies(record: IdentityRecord): void {
    this.add({ ...record, policyOnly: true });
  }

  public addAccount(accountId: string, source: string): void {
    if (!Token.isUnresolved(accountId) && !isAccountId(accountId)) {
      this.errors.push(`${source}: "${accountId}" is not an AWS account ID (expected 12 digits)`);
      return;
    }
    this.accounts.set(accountId, source);
  }

  /**
   * Plain mappings that give their principal nothing to do: no groups, no access policies (the
   * caller checks that no RBAC binding names their username).
   */
  public withoutPermissions(): { readonly source: string; readonly label: string; readonly username?: string }[] {
    return [...this.records.values()]
      .filter((r) => !r.node && r.groups.length === 0 && r.accessPolicies.length === 0)
      .map((r) => ({ source: r.source, label: describe(r.forms), username: r.awsAuthUsername ?? r.username }));
  }

  /** Every principal mapped here, with who mapped it. */
  public principals(): { readonly principalArn: string; readonly source: string }[] {
    return [...this.records.values()].map((r) => ({ principalArn: r.forms.principalArn, source: r.source }));
  }

  public get size(): number {
    return this.records.size + this.accounts.size;
  }

  /** The aws-auth form of every identity. */
  public awsAuth(report: RenderReport): DesiredAwsAuth {
    const mapRoles: DesiredRoleMapping[] = [];
    const mapUsers: DesiredUserMapping[] = [];
    const byAwsAuthArn = new Map<string, IdentityRecord>();
    this.permissionSetAwsAuth.clear();
    for (const r of this.records.values()) {
      const arn = r.forms.awsAuthArn;
      const clash = byAwsAuthArn.get(arn);
      if (clash && Token.isUnresolved(arn) === false && !r.permissionSet) {
        report.errors.push(`${r.forms.principalArn} (by ${r.source}) and ${clash.forms.principalArn} (by ${clash.source}) are the same role for aws-auth, which ignores role paths (${arn})`);
        continue;
      }
      byAwsAuthArn.set(arn, r);
      if (r.forms.pathUnknown) {
        report.warnings.push(`${r.source}: the ARN of this role is only known at deploy time, so its aws-auth entry uses it as is; if it has a path, the handler refuses the entry (aws-auth matches roles without their path): import such a role from a literal ARN, or map the Role construct itself`);
      }
      let groups: string[];
      let username: string | undefined;
      if (r.node) {
        username = NODE_USERNAME;
        groups = r.node.windows ? [...NODE_GROUPS, WINDOWS_NODE_GROUP] : [...NODE_GROUPS];
      } else {
        // The authenticator has no default username: an entry without one authenticates as the
        // empty username. Default to the entry's own ARN, as the options document (for a
        // permission set, the handler puts in its role's ARN once resolved).
        username = r.awsAuthUsername ?? r.username ?? (r.permissionSet ? undefined : arn);
        groups = [...r.groups];
        for (const p of r.accessPolicies) {
          const name = policyName(p.policyArn);
          if (name === CLUSTER_ADMIN_POLICY && p.accessScope.type === 'cluster') {
            if (!groups.includes(SYSTEM_MASTERS)) groups.push(SYSTEM_MASTERS);
          } else {
            report.warnings.push(`${r.source}: access policy ${name} of ${describe(r.forms)} has no aws-auth equivalent and is not applied while the cluster uses aws-auth; bind a Kubernetes role instead`);
          }
        }
      }
      for (const value of [username ?? '', ...groups]) {
        for (const unknown of unknownTemplateVariables(value)) {
          report.errors.push(`${r.source}: "${value}" uses ${unknown}, which aws-auth does not expand (it knows ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}, case-sensitive)`);
        }
      }
      if (r.kind === 'role' && this.isKubernetesRole(r) && !groups.includes(SYSTEM_MASTERS)) {
        report.errors.push(`${r.source}: ${describe(r.forms)} is the kubernetesAdminRole, through which the handler reaches Kubernetes, and this maps it without ${SYSTEM_MASTERS}: the authenticator uses the last aws-auth entry of a role, so this entry would take the handler's admin access away (it could no longer apply or undo anything). Do not map that role, or map it with groups ['${SYSTEM_MASTERS}'] and allowSystemMasters: true`);
      }
      if (r.permissionSet) {
        this.permissionSetAwsAuth.set(r.permissionSet, omitUndefined({ username, groups }));
      } else if (r.kind === 'role') {
        mapRoles.push(omitUndefined({ rolearn: arn, username, groups }));
      } else {
        mapUsers.push(omitUndefined({ userarn: arn, username, groups }));
      }
    }
    return { mapRoles, mapUsers, mapAccounts: [...this.accounts.keys()] };
  }

  /** True when the record maps the handler's `kubernetesRoleArn` (the same ARN, or the same token). */
  private isKubernetesRole(r: IdentityRecord): boolean {
    const admin = this.kubernetesRoleArn;
    if (admin === undefined || r.forms.principalArn === admin) {
      return admin !== undefined;
    }
    // Literal ARNs: aws-auth compares roles without their path and without case.
    if (Token.isUnresolved(admin) || principalArnProblem(admin) !== undefined) {
      return false;
    }
    return r.forms.awsAuthArn.toLowerCase() === awsAuthRoleArn(admin).toLowerCase();
  }

  /** The access-entry form of every identity. */
  public accessEntries(report: RenderReport): AccessEntrySpec[] {
    const entries: AccessEntrySpec[] = [];
    this.permissionSetEntries.clear();
    for (const r of this.records.values()) {
      let entry: AccessEntrySpec;
      if (r.node) {
        entry = { principalArn: r.forms.principalArn, type: r.accessEntryType, kubernetesGroups: [], accessPolicies: [] };
      } else {
        const policies = [...r.accessPolicies];
        const groups = r.groups.filter((g) => g !== SYSTEM_MASTERS);
        if (groups.length !== r.groups.length && !policies.some((p) => policyName(p.policyArn) === CLUSTER_ADMIN_POLICY && p.accessScope.type === 'cluster')) {
          // EKS forbids system: groups on access entries; the cluster-admin access policy is the equivalent.
          policies.push({ policyArn: `arn:${this.partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`, accessScope: { type: 'cluster' } });
        }
        entry = omitUndefined({
          principalArn: r.forms.principalArn,
          type: r.accessEntryType,
          username: r.username,
          kubernetesGroups: groups,
          accessPolicies: policies,
        });
      }
      if (r.permissionSet) {
        const { principalArn: _resolvedAtDeployTime, ...withoutPrincipal } = entry;
        void _resolvedAtDeployTime;
        this.permissionSetEntries.set(r.permissionSet, withoutPrincipal);
      } else {
        entries.push(entry);
      }
      if (!r.node && looksLikeNodeMapping(r)) {
        // Its system: groups and username would be refused one by one; the fix is one call.
        report.errors.push(`${r.source}: ${describe(r.forms)} is mapped as a node role (${nodeLikeParts(r).join(', ')}): map node roles with mapNodeRole(role) (windows: true for Windows nodes), which writes the aws-auth entry nodes need and an EC2_LINUX or EC2_WINDOWS access entry; access entries refuse system: groups and usernames`);
        continue;
      }
      // A deploy-time ARN or account cannot be compared now; EKS compares them at deploy time.
      const concrete = r.forms.concrete && this.clusterAccount !== undefined && !Token.isUnresolved(this.clusterAccount);
      for (const p of accessEntryProblems(checkable(entry, r.forms.concrete), concrete ? { clusterAccount: this.clusterAccount } : {})) {
        report.errors.push(`${r.source}: ${readable(p, r.forms)}`);
      }
    }
    for (const [account, source] of this.accounts) {
      report.warnings.push(`${source}: account ${account} is mapped in aws-auth only; access entries have no account-wide mapping, so it has no effect while the cluster uses access entries`);
    }
    return entries;
  }

  /**
   * The permission sets, in both forms (what the mechanism does not use is left empty): call after
   * {@link render}.
   */
  public permissionSets(): DesiredPermissionSetMapping[] {
    return [...this.records.values()].filter((r) => r.permissionSet).map((r) => ({
      permissionSetName: r.permissionSet!,
      awsAuth: this.permissionSetAwsAuth.get(r.permissionSet!) ?? { groups: [] },
      accessEntry: this.permissionSetEntries.get(r.permissionSet!) ?? { type: 'STANDARD', kubernetesGroups: [], accessPolicies: [] },
    }));
  }

  /** Errors of the mechanism-independent kind (conflicts, malformed input) and of the chosen mechanism. */
  public render(mechanism: AccessMechanism): { awsAuth: DesiredAwsAuth; accessEntries: AccessEntrySpec[]; report: RenderReport } {
    const report: RenderReport = { errors: [...this.errors], warnings: [] };
    for (const r of this.records.values()) {
      if (r.groups.includes(SYSTEM_MASTERS) && !r.allowSystemMasters) {
        report.errors.push(`${r.source}: ${describe(r.forms)} is mapped to ${SYSTEM_MASTERS} (unrestricted cluster-admin); set allowSystemMasters: true to confirm, or grant AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY / KubernetesClusterRole.CLUSTER_ADMIN instead`);
      }
    }
    const empty: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };
    if (mechanism === 'AWS_AUTH') {
      const awsAuth = this.awsAuth(report);
      // On an aws-auth-only cluster an access policy is not merely unapplied: it is a mistake.
      for (const w of report.warnings.filter((x) => x.includes('has no aws-auth equivalent'))) {
        report.errors.push(w.replace('is not applied while the cluster uses aws-auth', 'cannot be applied with AccessMechanism.AWS_AUTH'));
      }
      return { awsAuth, accessEntries: [], report: { errors: report.errors, warnings: report.warnings.filter((x) => !x.includes('has no aws-auth equivalent')) } };
    }
    if (mechanism === 'ACCESS_ENTRIES') {
      const accessEntries = this.accessEntries(report);
      for (const [account, source] of this.accounts) {
        report.errors.push(`${source}: account ${account} cannot be mapped with AccessMechanism.ACCESS_ENTRIES (access entries have no account-wide mapping); map roles or users instead`);
      }
      return { awsAuth: empty, accessEntries, report: { errors: report.errors, warnings: report.warnings.filter((x) => !x.includes('is mapped in aws-auth only')) } };
    }
    return { awsAuth: this.awsAuth(report), accessEntries: this.accessEntries(report), report };
  }
}

function conflictBetween(a: IdentityRecord, b: IdentityRecord): string | undefined {
  if (a.accessEntryType !== b.accessEntryType || Boolean(a.node) !== Boolean(b.node) || a.node?.windows !== b.node?.windows) {
    return `${a.node ? 'node role' : a.accessEntryType} vs ${b.node ? 'node role' : b.accessEntryType}`;
  }
  if ((a.username ?? '') !== (b.username ?? '') || (a.awsAuthUsername ?? a.username ?? '') !== (b.awsAuthUsername ?? b.username ?? '')) {
    return `username "${a.awsAuthUsername ?? a.username ?? '(default)'}" vs "${b.awsAuthUsername ?? b.username ?? '(default)'}"`;
  }
  const ga = [...a.groups].sort().join(',');
  const gb = [...b.groups].sort().join(',');
  if (ga !== gb) {
    return `groups [${ga}] vs [${gb}]`;
  }
  return undefined;
}

function mergePolicies(a: AccessPolicyAssociationSpec[], b: AccessPolicyAssociationSpec[]): AccessPolicyAssociationSpec[] {
  const out = [...a];
  for (const p of b) {
    if (!out.some((q) => q.policyArn === p.policyArn && sameScope(q, p))) {
      out.push(p);
    }
  }
  return out;
}

function sameScope(a: AccessPolicyAssociationSpec, b: AccessPolicyAssociationSpec): boolean {
  return a.accessScope.type === b.accessScope.type
    && (a.accessScope.namespaces ?? []).join(',') === (b.accessScope.namespaces ?? []).join(',');
}

function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function describe(forms: PrincipalForms): string {
  return forms.label;
}

/** Stand-ins for deploy-time values in the checks below; never shown (see {@link readable}). */
const PLACEHOLDER_ARN = 'arn:aws:iam::000000000000:role/resolved-at-deploy-time';
const PLACEHOLDER_USERNAME = 'resolved-at-deploy-time';

/** A copy whose tokens are replaced by valid placeholders, so only synth-known values are checked. */
function checkable(entry: AccessEntrySpec, concrete: boolean): AccessEntrySpec {
  const principalArn = concrete ? entry.principalArn : PLACEHOLDER_ARN;
  return {
    ...entry,
    principalArn,
    username: entry.username !== undefined && Token.isUnresolved(entry.username) ? PLACEHOLDER_USERNAME : entry.username,
    kubernetesGroups: entry.kubernetesGroups.filter((g) => !Token.isUnresolved(g)),
    accessPolicies: entry.accessPolicies.map((p) => ({
      ...p,
      policyArn: Token.isUnresolved(p.policyArn) ? p.policyArn.replace(/^arn:[^:]*:/, 'arn:aws:') : p.policyArn,
    })),
  };
}

/** A problem of {@link checkable}'s copy, with the principal named as the user wrote it instead of a placeholder. */
function readable(problem: string, forms: PrincipalForms): string {
  return problem.split(PLACEHOLDER_ARN).join(forms.label).split(`"${PLACEHOLDER_USERNAME}"`).join('(a username known at deploy time)');
}

/** What makes a plain mapping look like a node role's: the node groups or the node username. */
function nodeLikeParts(r: IdentityRecord): string[] {
  const username = r.awsAuthUsername ?? r.username;
  return [
    ...r.groups.filter((g) => NODE_GROUPS.includes(g)).map((g) => `group ${g}`),
    ...(username !== undefined && !Token.isUnresolved(username) && username.startsWith('system:node:') ? [`username ${username}`] : []),
  ];
}

function looksLikeNodeMapping(r: IdentityRecord): boolean {
  return nodeLikeParts(r).length > 0;
}

function omitUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The registry record of a role or user mapping. */
export function identityRecord(kind: 'role' | 'user', forms: PrincipalForms, source: string, options: KubernetesIdentityOptions, partition: string): IdentityRecord {
  return {
    source,
    kind,
    forms,
    username: options.username,
    groups: [...(options.groups ?? [])],
    accessEntryType: 'STANDARD',
    accessPolicies: (options.accessPolicies ?? []).map((g: AccessPolicyGrant) => associationSpec(g, partition)),
    allowSystemMasters: options.allowSystemMasters ?? false,
  };
}

/** The association as the EKS API (and `lib/core`) spells it. */
export function associationSpec(grant: AccessPolicyGrant, partition?: string): AccessPolicyAssociationSpec {
  const scope = grant.scope ?? AccessScope.cluster();
  return {
    policyArn: grant.policy.arnIn(partition),
    accessScope: scope.type === 'cluster'
      ? { type: 'cluster' }
      : { type: 'namespace', namespaces: [...scope.namespaceNames] },
  };
}
