/**
 * IAM Identity Center permission sets: before a Create or Update plans anything, each permission
 * set of the desired state is resolved to the role IAM Identity Center made for it in the cluster's
 * account (`iam:ListRoles` under `/aws-reserved/sso.amazonaws.com/`), and becomes an aws-auth entry
 * and an access entry like any mapped role. A set without its role fails the request before any
 * write. A Delete needs no resolution: what to remove is recorded in the cluster.
 */
import { DecodedRequest } from './event';
import type { ReconcileDeps } from './reconcile';
import { AccessConfigError } from '../core/arn';
import { assertValidDesiredState } from '../core/desired-state-check';
import { resolvePermissionSets } from '../core/permission-sets';
import { identityCenterRoleArns } from '../io/iam-principals';

/** The request with its permission sets resolved into role mappings (unchanged when it has none, or on Delete). */
export async function resolveRequestPermissionSets(request: DecodedRequest, deps: Pick<ReconcileDeps, 'iam' | 'log'>): Promise<DecodedRequest> {
  const { desired } = request;
  if (request.requestType === 'Delete' || (desired.permissionSets ?? []).length === 0) {
    return request;
  }
  if (!deps.iam) {
    throw new Error('the desired state maps IAM Identity Center permission sets, but the handler has no IAM client to resolve their roles');
  }
  const roles = await identityCenterRoleArns(deps.iam);
  const { state, problems, resolved } = resolvePermissionSets(desired, roles);
  if (problems.length > 0) {
    throw new AccessConfigError(`cannot resolve the IAM Identity Center permission sets; nothing was written:\n- ${problems.join('\n- ')}`);
  }
  assertValidDesiredState(state);
  deps.log.info('resolved IAM Identity Center permission sets', { roles: resolved.map((r) => `${r.permissionSetName}: ${r.roleArn}`) });
  return { ...request, desired: state };
}
