/**
 * EKS access policies, emulated as an authorization webhook (`authorization.k8s.io/v1`
 * SubjectAccessReview). EKS authorizes access-policy permissions outside RBAC; this does the same
 * for callers whose identity came from an access entry (the authenticator marks them with the
 * `accessEntryPrincipalArn` extra). RBAC is consulted first by the API server; this only adds
 * allows, so anything it does not allow stays denied.
 *
 * The policies are approximations of the managed ones, close enough for the library's tests:
 * cluster admin = everything; admin = everything namespaced in scope plus reading namespaces;
 * edit = namespaced writes except RBAC; view = namespaced reads except Secrets; admin view = reads.
 */
import { AccessEntryIdentity } from './identity';

/** The SubjectAccessReview spec fields this authorizer reads. */
export interface AccessReviewSpec {
  readonly user?: string;
  readonly groups?: string[];
  readonly extra?: Record<string, string[]>;
  readonly resourceAttributes?: {
    readonly namespace?: string;
    readonly verb?: string;
    readonly group?: string;
    readonly resource?: string;
    readonly subresource?: string;
    readonly name?: string;
  };
  readonly nonResourceAttributes?: { readonly path?: string; readonly verb?: string };
}

/** The extra key through which the authenticator names the access entry that authenticated a caller. */
export const ACCESS_ENTRY_EXTRA = 'accessEntryPrincipalArn';

const READ_VERBS = new Set(['get', 'list', 'watch']);
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Why the review is allowed (the policy that allows it), or undefined for no opinion. */
export function accessPolicyDecision(spec: AccessReviewSpec, entry: AccessEntryIdentity | undefined): string | undefined {
  if (!entry?.accessPolicies) {
    return undefined;
  }
  for (const policy of entry.accessPolicies) {
    const name = policy.policyArn.split('/').pop() ?? '';
    const scope = policy.accessScope;
    if (allows(name, scope, spec)) {
      return `${name} (${scope.type === 'cluster' ? 'cluster' : `namespaces ${(scope.namespaces ?? []).join(',')}`})`;
    }
  }
  return undefined;
}

function allows(policy: string, scope: { type: string; namespaces?: readonly string[] }, spec: AccessReviewSpec): boolean {
  const res = spec.resourceAttributes;
  if (!res) {
    // Non-resource URLs (/healthz, /version, /api discovery): readable by any policy holder.
    return READ_VERBS.has(spec.nonResourceAttributes?.verb ?? '') || (policy === 'AmazonEKSClusterAdminPolicy' && scope.type === 'cluster');
  }
  const verb = res.verb ?? '';
  const namespaced = res.namespace !== undefined && res.namespace !== '';
  const inScope = scope.type === 'cluster' || (namespaced && (scope.namespaces ?? []).some((ns) => namespaceMatches(ns, res.namespace!)));
  const isNamespaceObject = (res.group ?? '') === '' && res.resource === 'namespaces';
  switch (policy) {
    case 'AmazonEKSClusterAdminPolicy':
      return inScope || (scope.type === 'namespace' && isNamespaceObject && READ_VERBS.has(verb));
    case 'AmazonEKSAdminPolicy':
      return (namespaced && inScope) || (isNamespaceObject && READ_VERBS.has(verb));
    case 'AmazonEKSEditPolicy':
      return namespaced && inScope && res.group !== RBAC_GROUP;
    case 'AmazonEKSViewPolicy':
      return namespaced && inScope && READ_VERBS.has(verb) && res.resource !== 'secrets';
    case 'AmazonEKSAdminViewPolicy':
      return inScope && READ_VERBS.has(verb);
    default:
      return false;
  }
}

/** EKS namespace scopes accept a trailing `*`. */
function namespaceMatches(pattern: string, namespace: string): boolean {
  return pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}
