/**
 * The principal behind an aws-auth entry, as an access entry must name it: the full ARN, path
 * included. aws-auth matches a role by its name alone (the authenticator drops the path), so the
 * path has to come from IAM (`iam:GetRole`, as eksctl's migration does) unless the role has none.
 * IAM role and user names are unique within an account whatever their case and path, so account,
 * kind and lower-cased name identify a principal.
 */
import { parsePrincipalArn, principalArnProblem } from '../arn';
import { SsoRoleMatcher, ssoArnPattern } from '../aws-auth';
import { MigrationFacts } from './types';

/** IAM Identity Center's roles: `AWSReservedSSO_<permission set>_<suffix>`, under this path. */
export const SSO_ROLE_PREFIX = 'AWSReservedSSO_';
export const SSO_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';
/** IAM reserves this name prefix, and this path, for service-linked roles. */
export const SERVICE_LINKED_ROLE_PREFIX = 'AWSServiceRoleFor';
export const SERVICE_LINKED_ROLE_PATH = '/aws-service-role/';

/** What is known of a principal's full ARN. */
export type PrincipalResolution =
  /** `source`: from IAM's answer, as written in aws-auth (users keep their path there), or assumed to have no path. */
  | { readonly kind: 'resolved'; readonly principalArn: string; readonly source: 'iam' | 'aws-auth' | 'assumed' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unknown'; readonly why: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] };

/** The identity of a principal regardless of its path and letter case. */
export function principalKey(arn: string): string {
  const p = parsePrincipalArn(arn);
  return `${p.partition}:${p.accountId}:${p.kind}:${p.name.toLowerCase()}`;
}

/** A lookup over the facts' principals. */
export class PrincipalDirectory {
  private readonly known = new Map<string, string>();
  private readonly missing = new Set<string>();

  constructor(private readonly facts: MigrationFacts = {}) {
    for (const arn of facts.principals ?? []) {
      if (principalArnProblem(arn) === undefined) {
        this.known.set(principalKey(arn), arn);
      }
    }
    for (const arn of facts.missingPrincipals ?? []) {
      if (principalArnProblem(arn) === undefined) {
        this.missing.add(principalKey(arn));
      }
    }
  }

  /** The full ARN of the principal an aws-auth ARN (a valid role or user ARN) names. */
  public resolve(awsAuthArn: string): PrincipalResolution {
    const key = principalKey(awsAuthArn);
    const found = this.known.get(key);
    if (found !== undefined) {
      return { kind: 'resolved', principalArn: found, source: 'iam' };
    }
    if (this.missing.has(key)) {
      return { kind: 'missing' };
    }
    const p = parsePrincipalArn(awsAuthArn);
    if (p.kind === 'user') {
      // The authenticator compares a user's full ARN, path included: aws-auth already has it.
      return { kind: 'resolved', principalArn: awsAuthArn, source: 'aws-auth' };
    }
    if (this.facts.iamConsulted && p.accountId === this.facts.accountId) {
      return { kind: 'unknown', why: `IAM did not report role ${p.name} of account ${p.accountId}` };
    }
    if (isSsoRoleName(p.name)) {
      return { kind: 'unknown', why: `IAM Identity Center roles live under ${SSO_ROLE_PATH} (in some accounts with the region after it), which aws-auth leaves out` };
    }
    return { kind: 'resolved', principalArn: awsAuthArn, source: 'assumed' };
  }

  /** The roles an SSO matcher stands for, from the facts (IAM Identity Center creates one per permission set and account). */
  public resolveSso(sso: SsoRoleMatcher): PrincipalResolution {
    const prefix = ssoArnPattern(sso).slice(0, -1);
    const candidates = [...this.known.values()].filter((arn) => {
      const p = parsePrincipalArn(arn);
      return p.kind === 'role' && `arn:${p.partition}:iam::${p.accountId}:role/${p.name}`.toLowerCase().startsWith(prefix);
    });
    if (candidates.length === 1) {
      return { kind: 'resolved', principalArn: candidates[0], source: 'iam' };
    }
    if (candidates.length > 1) {
      return { kind: 'ambiguous', candidates };
    }
    return { kind: 'unknown', why: `no role of permission set ${sso.permissionSetName} in account ${sso.accountID} is known (IAM Identity Center names it ${SSO_ROLE_PREFIX}${sso.permissionSetName}_<suffix>, under ${SSO_ROLE_PATH})` };
  }
}

/** True for the name of a role IAM Identity Center manages. */
export function isSsoRoleName(name: string): boolean {
  return name.toLowerCase().startsWith(SSO_ROLE_PREFIX.toLowerCase());
}

/** True when the role is service-linked: by its path when known, else by the name prefix IAM reserves. */
export function isServiceLinkedRole(arn: string): boolean {
  const p = parsePrincipalArn(arn);
  return p.kind === 'role' && (p.path.startsWith(SERVICE_LINKED_ROLE_PATH) || p.name.startsWith(SERVICE_LINKED_ROLE_PREFIX));
}
