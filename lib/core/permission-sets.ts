/**
 * IAM Identity Center permission sets as cluster identities. IAM Identity Center creates one role
 * per permission set in each account it is assigned to, named `AWSReservedSSO_<set>_<suffix>`
 * (a 16-hex-digit suffix nobody knows before) under `/aws-reserved/sso.amazonaws.com/` (in some
 * accounts with the region after it). The constructs therefore carry a permission set's mapping
 * without a principal; the handler lists the account's Identity Center roles at deploy time and
 * turns each mapping into an aws-auth entry (the role ARN without its path) and an access entry
 * (the full ARN) before it plans anything. Pure: no I/O.
 */
import { AccessEntrySpec } from './access-entry';
import { awsAuthRoleArn, parsePrincipalArn, principalArnProblem } from './arn';
import { DesiredClusterAccess, DesiredRoleMapping } from './desired-state';

/** The roles of IAM Identity Center: their name prefix and path. */
export const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';
export const IDENTITY_CENTER_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';

/** A permission set name as IAM Identity Center allows it (1-32 of `[\w+=,.@-]`). */
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** One permission set mapped into the cluster, in both forms but for the role ARN, which is resolved at deploy time. */
export interface DesiredPermissionSetMapping {
  /** The permission set's name, as IAM Identity Center shows it (case-sensitive). */
  readonly permissionSetName: string;
  /** The aws-auth entry, without `rolearn`. */
  readonly awsAuth: Omit<DesiredRoleMapping, 'rolearn'>;
  /** The access entry, without `principalArn`. */
  readonly accessEntry: Omit<AccessEntrySpec, 'principalArn'>;
}

/** True for a valid permission set name. */
export function isPermissionSetName(name: string): boolean {
  return PERMISSION_SET_NAME.test(name);
}

/** The ARNs among `roleArns` of the role IAM Identity Center made for the permission set. */
export function identityCenterRolesOf(permissionSetName: string, roleArns: readonly string[]): string[] {
  const name = new RegExp(`^${IDENTITY_CENTER_ROLE_PREFIX}${escapeRegExp(permissionSetName)}_[0-9a-f]{16}$`);
  return roleArns.filter((arn) => {
    if (principalArnProblem(arn) !== undefined) {
      return false;
    }
    const p = parsePrincipalArn(arn);
    return p.kind === 'role' && p.path.startsWith(IDENTITY_CENTER_ROLE_PATH) && name.test(p.name);
  });
}

/** The state with its permission sets resolved, or why they cannot be. */
export interface PermissionSetResolution {
  readonly state: DesiredClusterAccess;
  /** One line per mapping that cannot be resolved (empty when all were). */
  readonly problems: string[];
  /** Each permission set and the role it resolved to. */
  readonly resolved: ReadonlyArray<{ readonly permissionSetName: string; readonly roleArn: string }>;
}

/**
 * Resolves every permission set of `state` against the Identity Center roles of the cluster's
 * account (`roleArns`, full ARNs): each becomes an aws-auth `mapRoles` entry (its role without the
 * path) and an access entry (the full ARN); `permissionSets` is emptied. A set without its role,
 * with several, or whose role the state also maps otherwise is a problem.
 */
export function resolvePermissionSets(state: DesiredClusterAccess, roleArns: readonly string[]): PermissionSetResolution {
  const mappings = state.permissionSets ?? [];
  const problems: string[] = [];
  const resolved: Array<{ permissionSetName: string; roleArn: string }> = [];
  const mapRoles = [...state.awsAuth.mapRoles];
  const accessEntries = [...state.accessEntries];
  for (const mapping of mappings) {
    const roles = identityCenterRolesOf(mapping.permissionSetName, roleArns);
    const where = `permission set ${mapping.permissionSetName}`;
    if (roles.length !== 1) {
      problems.push(roles.length === 0
        ? `${where}: IAM Identity Center has no role for it in account ${state.account ?? 'of the cluster'} (${IDENTITY_CENTER_ROLE_PREFIX}${mapping.permissionSetName}_<suffix> under ${IDENTITY_CENTER_ROLE_PATH}): it makes the role when the permission set is assigned to a user or group in this account; assign it first (the name is case-sensitive)`
        : `${where}: several roles match (${roles.join(', ')}); map one of them with mapRole instead`);
      continue;
    }
    const roleArn = roles[0];
    if (accessEntries.some((e) => e.principalArn.toLowerCase() === roleArn.toLowerCase())) {
      problems.push(`${where}: its role ${roleArn} is also mapped otherwise by this configuration; map it once`);
      continue;
    }
    // The authenticator has no default username: the role's own ARN, as for any mapped role.
    mapRoles.push({ rolearn: awsAuthRoleArn(roleArn), ...mapping.awsAuth, username: mapping.awsAuth.username ?? awsAuthRoleArn(roleArn) });
    accessEntries.push({ principalArn: roleArn, ...mapping.accessEntry });
    resolved.push({ permissionSetName: mapping.permissionSetName, roleArn });
  }
  const { permissionSets: _resolved, ...rest } = state;
  void _resolved;
  return { state: { ...rest, awsAuth: { ...state.awsAuth, mapRoles }, accessEntries }, problems, resolved };
}

/** Why the permission set mappings of a desired state are malformed (for the handler's validation). */
export function permissionSetProblems(mappings: unknown): string[] {
  if (mappings === undefined) {
    return [];
  }
  if (!Array.isArray(mappings)) {
    return ['permissionSets must be a list'];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of mappings as DesiredPermissionSetMapping[]) {
    if (m === null || typeof m !== 'object' || typeof m.permissionSetName !== 'string' || !isPermissionSetName(m.permissionSetName)) {
      problems.push(`permission set mapping ${JSON.stringify(m)}: permissionSetName must be 1-32 characters of letters, digits and +=,.@_-`);
      continue;
    }
    const entry = m.accessEntry;
    if (!m.awsAuth || !Array.isArray(m.awsAuth.groups) || !entry || !Array.isArray(entry.kubernetesGroups) || !Array.isArray(entry.accessPolicies)) {
      problems.push(`permission set ${m.permissionSetName}: awsAuth (with groups) and accessEntry (with kubernetesGroups and accessPolicies) are required`);
    }
    if (seen.has(m.permissionSetName)) {
      problems.push(`permission set ${m.permissionSetName} is mapped twice`);
    }
    seen.add(m.permissionSetName);
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
