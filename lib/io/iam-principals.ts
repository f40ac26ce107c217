/**
 * The full ARNs of the principals an aws-auth ConfigMap names, from IAM: aws-auth names a role
 * without its path, an access entry needs it. As eksctl's migration does, each role is looked up
 * by name (`iam:GetRole`), each user too (`iam:GetUser`); the roles IAM Identity Center made for a
 * permission set are listed under their path (`iam:ListRoles`). IAM answers for its own account
 * only: principals of other accounts are left to the planner.
 */
import { GetRoleCommand, GetRoleCommandOutput, GetUserCommand, GetUserCommandOutput, IAMClient, ListRolesCommand, ListRolesCommandOutput } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { mapLimited } from './access-entries';
import { awsErrorName, isAwsError } from './aws-errors';
import { AWS_REQUEST_TIMEOUTS, EksSender } from './eks-api';
import { endpointOverrides } from './endpoints';
import { parsePrincipalArn, principalArnProblem } from '../core/arn';
import { SSO_ROLE_PATH, SSO_ROLE_PREFIX } from '../core/migration';

/** Calls at most this many IAM operations at once. */
const IAM_CONCURRENCY = 4;

/** The IAM client (endpoint overridden only by the test variable), no SDK retries (the caller's sender retries). */
export function createIamClient(region: string | undefined, credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider): IAMClient {
  const endpoint = endpointOverrides().iam;
  return new IAMClient({
    region, maxAttempts: 1, requestHandler: { ...AWS_REQUEST_TIMEOUTS }, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}),
  });
}

/** What IAM said. */
export interface PrincipalLookup {
  /** Full ARNs of the principals IAM knows. */
  readonly principals: string[];
  /** aws-auth ARNs IAM does not know (NoSuchEntity). */
  readonly missing: string[];
  /** False when IAM could not be asked (e.g. AccessDenied): nothing above is complete. */
  readonly consulted: boolean;
  /** Why not, for the person reading the plan. */
  readonly notes: string[];
}

export interface LookupRequest {
  /** The account IAM answers for (the caller's, which is the cluster's). */
  readonly accountId: string;
  /** Role and user ARNs as aws-auth writes them. */
  readonly arns: readonly string[];
  /** Permission sets of the SSO matchers of this account. */
  readonly permissionSets: readonly string[];
}

/** Looks up the principals of `request.accountId`; other accounts' ARNs are skipped. */
export async function lookUpPrincipals(iam: EksSender, request: LookupRequest): Promise<PrincipalLookup> {
  const inAccount = (arn: string) => principalArnProblem(arn) === undefined && parsePrincipalArn(arn).accountId === request.accountId;
  const own = [...new Set(request.arns.filter(inAccount))];
  try {
    const found = await mapLimited(own, IAM_CONCURRENCY, (arn) => lookUp(iam, arn));
    const sso = request.permissionSets.length > 0 ? await ssoRoles(iam, request.permissionSets) : [];
    return {
      principals: [...found.flatMap((f) => (f.arn ? [f.arn] : [])), ...sso],
      missing: own.filter((_, i) => found[i].arn === undefined),
      consulted: true,
      notes: [],
    };
  } catch (error) {
    if (isAwsError(error, 'AccessDenied') || isAwsError(error, 'AccessDeniedException')) {
      return { principals: [], missing: [], consulted: false, notes: [`IAM could not be consulted (${awsErrorName(error)}: ${(error as Error).message}); role paths are taken to be none, and IAM Identity Center roles are blocked. Allow iam:GetRole, iam:GetUser and iam:ListRoles, or give --principal-arn.`] };
    }
    throw error;
  }
}

/** The principal's full ARN, or undefined when IAM does not know it. */
async function lookUp(iam: EksSender, arn: string): Promise<{ arn?: string }> {
  const p = parsePrincipalArn(arn);
  try {
    if (p.kind === 'role') {
      const out = await iam.send<GetRoleCommandOutput>(new GetRoleCommand({ RoleName: p.name }));
      return { arn: out.Role?.Arn };
    }
    const out = await iam.send<GetUserCommandOutput>(new GetUserCommand({ UserName: p.name }));
    return { arn: out.User?.Arn };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity') || isAwsError(error, 'NoSuchEntityException')) {
      return {};
    }
    throw error;
  }
}

/** The IAM Identity Center roles of these permission sets. */
async function ssoRoles(iam: EksSender, permissionSets: readonly string[]): Promise<string[]> {
  const prefixes = permissionSets.map((s) => `${SSO_ROLE_PREFIX}${s}_`.toLowerCase());
  const roles = await identityCenterRoleArns(iam);
  return roles.filter((arn) => prefixes.some((prefix) => arn.slice(arn.lastIndexOf('/') + 1).toLowerCase().startsWith(prefix)));
}

/**
 * Full ARNs of every role IAM Identity Center made in the caller's account (all under
 * `/aws-reserved/sso.amazonaws.com/`, every page): where the handler finds a permission set's role.
 */
export async function identityCenterRoleArns(iam: EksSender): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send<ListRolesCommandOutput>(new ListRolesCommand({ PathPrefix: SSO_ROLE_PATH, Marker: marker }));
    for (const r of page.Roles ?? []) {
      if (r.Arn && r.RoleName) {
        arns.push(r.Arn);
      }
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return arns;
}
