/**
 * Edits with eksctl's semantics (`eksctl create|delete iamidentitymapping`). Every edit returns a
 * new ConfigMap and never mutates its input; entries it does not target stay exactly as they
 * were, in order.
 */
import { AccessConfigError, awsAuthRoleArn, isAccountId, parsePrincipalArn } from '../arn';
import { equalFold } from './resolve';
import { AwsAuthConfigMap, RoleMapping, UserMapping } from './types';

/** The outcome of an edit. */
export interface EditResult {
  readonly configMap: AwsAuthConfigMap;
  /** False when the edit found nothing to do (the ConfigMap is returned unchanged). */
  readonly changed: boolean;
  /** Things the user should know (shadowed mappings, remaining duplicates). */
  readonly warnings: string[];
}

/** A role or user mapping to add. */
export interface IdentityMappingRequest {
  /** IAM role ARN (without path) or IAM user ARN. */
  readonly arn: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  /**
   * Refuse when the ARN is already mapped (eksctl `--no-duplicate-arns`); an identical mapping
   * (same ARN, username and groups in any order) is then left as it is.
   */
  readonly noDuplicateArns?: boolean;
}

/**
 * Adds a role or user mapping (by the ARN's kind). Without `noDuplicateArns`, a mapping for an ARN
 * already present is appended all the same, with a warning: the authenticator uses the last one,
 * so the new mapping shadows the old. With it, as eksctl's `create iamidentitymapping` does, the
 * first existing mapping of the ARN decides: the same mapping (same section, username and groups
 * in any order) is left as it is, another one refuses the edit. ARNs are compared
 * case-insensitively, as the authenticator compares them (eksctl compares them exactly).
 */
export function addIdentityMapping(configMap: AwsAuthConfigMap, request: IdentityMappingRequest): EditResult {
  const parsed = parsePrincipalArn(request.arn);
  if (parsed.kind === 'role' && parsed.path !== '/') {
    throw new AccessConfigError(`role ARN "${request.arn}" has the path "${parsed.path}": aws-auth matches roles by name only; use "${awsAuthRoleArn(request.arn)}"`);
  }
  const groups = [...(request.groups ?? [])];
  if ((request.username === undefined || request.username === '') && groups.length === 0) {
    throw new AccessConfigError(`a mapping of "${request.arn}" needs a username or at least one group: with neither it maps the caller to nothing`);
  }
  const entry = {
    ...(request.username !== undefined ? { username: request.username } : {}),
    ...(groups.length > 0 ? { groups } : {}),
  };
  const section = parsed.kind === 'role' ? 'mapRoles' : 'mapUsers';
  const existing = identityEntries(configMap).filter((e) => e.arn !== undefined && equalFold(e.arn, request.arn));
  const warnings: string[] = [];
  if (existing.length > 0) {
    if (request.noDuplicateArns) {
      const first = existing[0];
      if (first.section === section && (first.entry.username ?? '') === (request.username ?? '') && sameSet(first.entry.groups ?? [], groups)) {
        return { configMap, changed: false, warnings: [`an identical mapping for "${request.arn}" already exists (${first.location}); nothing to do`] };
      }
      throw new AccessConfigError(`"${request.arn}" is already mapped (${existing.map((e) => e.location).join(', ')}) and duplicate ARNs are refused`);
    }
    warnings.push(`"${request.arn}" is already mapped (${existing.map((e) => e.location).join(', ')}); the new mapping shadows it`);
  }
  if (request.username === undefined || request.username === '') {
    warnings.push(`no username for "${request.arn}": the authenticator has no default and hands Kubernetes an empty username (give one, e.g. the ARN or a {{SessionName}} template)`);
  }
  const next: AwsAuthConfigMap = parsed.kind === 'role'
    ? { ...configMap, mapRoles: [...configMap.mapRoles, { rolearn: request.arn, ...entry }] }
    : { ...configMap, mapUsers: [...configMap.mapUsers, { userarn: request.arn, ...entry }] };
  return { configMap: next, changed: true, warnings };
}

/**
 * Removes the first mapping of `arn` (roles before users, in order), or with `all` every one.
 * Without `all`, a missing ARN is an error; a warning says how many mappings of it remain. ARNs
 * are compared case-insensitively, as the authenticator compares them: `role/contractor` removes
 * `role/Contractor` too.
 */
export function removeIdentityMapping(configMap: AwsAuthConfigMap, arn: string, options: { readonly all?: boolean } = {}): EditResult {
  const matches = identityEntries(configMap).filter((e) => e.arn !== undefined && equalFold(e.arn, arn));
  if (matches.length === 0) {
    if (options.all) {
      return { configMap, changed: false, warnings: [`no mapping for "${arn}"; nothing to do`] };
    }
    throw new AccessConfigError(`no mapping for "${arn}" in aws-auth`);
  }
  const doomed = new Set(options.all ? matches.map((m) => m.location) : [matches[0].location]);
  const next: AwsAuthConfigMap = {
    ...configMap,
    mapRoles: configMap.mapRoles.filter((_, i) => !doomed.has(`mapRoles[${i}]`)),
    mapUsers: configMap.mapUsers.filter((_, i) => !doomed.has(`mapUsers[${i}]`)),
  };
  const left = matches.length - doomed.size;
  const warnings = left > 0 ? [`${left} more mapping${left === 1 ? '' : 's'} of "${arn}" remain${left === 1 ? 's' : ''} (use all to remove every one)`] : [];
  return { configMap: next, changed: true, warnings };
}

/** Adds an account to `mapAccounts`; an account already listed is left as it is. */
export function addAccount(configMap: AwsAuthConfigMap, account: string): EditResult {
  if (!isAccountId(account)) {
    throw new AccessConfigError(`"${account}" is not a 12-digit AWS account ID`);
  }
  if (configMap.mapAccounts.includes(account)) {
    return { configMap, changed: false, warnings: [`account ${account} is already in mapAccounts; nothing to do`] };
  }
  return { configMap: { ...configMap, mapAccounts: [...configMap.mapAccounts, account] }, changed: true, warnings: [] };
}

/** Removes an account (every occurrence) from `mapAccounts`; a missing account is an error. */
export function removeAccount(configMap: AwsAuthConfigMap, account: string): EditResult {
  if (!configMap.mapAccounts.includes(account)) {
    throw new AccessConfigError(`account "${account}" is not in mapAccounts`);
  }
  return { configMap: { ...configMap, mapAccounts: configMap.mapAccounts.filter((a) => a !== account) }, changed: true, warnings: [] };
}

/** One role or user entry with its ARN and location, roles first (eksctl's order). */
export interface LocatedEntry {
  readonly arn: string | undefined;
  readonly location: string;
  readonly entry: RoleMapping | UserMapping;
  readonly section: 'mapRoles' | 'mapUsers';
}

/** Every role and user entry with its ARN and location. */
export function identityEntries(configMap: AwsAuthConfigMap): LocatedEntry[] {
  return [
    ...configMap.mapRoles.map((entry, i) => ({ arn: entry.rolearn, location: `mapRoles[${i}]`, entry, section: 'mapRoles' as const })),
    ...configMap.mapUsers.map((entry, i) => ({ arn: entry.userarn, location: `mapUsers[${i}]`, entry, section: 'mapUsers' as const })),
  ];
}

/** eksctl's CompareIdentity compares groups as sorted lists. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((g, i) => g === y[i]);
}
