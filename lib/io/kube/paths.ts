/**
 * REST paths of the Kubernetes kinds the library manages: Namespace, ConfigMap (aws-auth), and the
 * RBAC kinds. Paths are built, never concatenated by hand elsewhere, so every name is validated
 * and escaped in one place.
 */

/** Where a kind lives in the API. */
export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  /** Lower-case plural resource name. */
  readonly resource: string;
  readonly namespaced: boolean;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/** The kinds the client knows, by kind name. */
export const KINDS: Readonly<Record<string, KindInfo>> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true },
  Role: { apiVersion: RBAC, kind: 'Role', resource: 'roles', namespaced: true },
  RoleBinding: { apiVersion: RBAC, kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  ClusterRole: { apiVersion: RBAC, kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { apiVersion: RBAC, kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
  Lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', resource: 'leases', namespaced: true },
  SelfSubjectReview: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', namespaced: false },
  SelfSubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', namespaced: false },
};

/** Identifies an object (or, without `name`, a collection) of a known kind. */
export interface ObjectRef {
  readonly kind: string;
  /** Checked against the kind's API version when given (a manifest's `apiVersion`). */
  readonly apiVersion?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The location of aws-auth. */
export const AWS_AUTH_REF: ObjectRef = { kind: 'ConfigMap', namespace: 'kube-system', name: 'aws-auth' };

// Object names: DNS-1123 subdomains, and for RBAC objects anything without `/` or `%` (e.g. `system:foo`).
const PATH_SEGMENT_NAME = /^[^/%]+$/;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Information about `kind`; throws naming the kind when the client does not know it. */
export function kindInfo(kind: string, apiVersion?: string): KindInfo {
  const info = KINDS[kind];
  if (!info) {
    throw new Error(`unsupported Kubernetes kind "${kind}" (supported: ${Object.keys(KINDS).join(', ')})`);
  }
  if (apiVersion !== undefined && apiVersion !== info.apiVersion) {
    throw new Error(`unsupported apiVersion "${apiVersion}" for kind ${kind} (expected ${info.apiVersion})`);
  }
  return info;
}

/** `/api/v1/namespaces/kube-system/configmaps/aws-auth`, `/apis/rbac.authorization.k8s.io/v1/clusterroles`... */
export function resourcePath(ref: ObjectRef): string {
  const info = kindInfo(ref.kind, ref.apiVersion);
  const base = info.apiVersion === 'v1' ? '/api/v1' : `/apis/${info.apiVersion}`;
  let path = base;
  if (info.namespaced) {
    if (ref.namespace === undefined) {
      if (ref.name !== undefined) {
        throw new Error(`${ref.kind} "${ref.name}" needs a namespace`);
      }
    } else {
      if (!NAMESPACE_NAME.test(ref.namespace)) {
        throw new Error(`"${ref.namespace}" is not a valid namespace name`);
      }
      path += `/namespaces/${ref.namespace}`;
    }
  } else if (ref.namespace !== undefined) {
    throw new Error(`${ref.kind} is cluster-scoped; it takes no namespace (got "${ref.namespace}")`);
  }
  path += `/${info.resource}`;
  if (ref.name !== undefined) {
    if (!PATH_SEGMENT_NAME.test(ref.name) || ref.name === '.' || ref.name === '..') {
      throw new Error(`"${ref.name}" is not a valid ${ref.kind} name`);
    }
    path += `/${encodeURIComponent(ref.name)}`;
  }
  return path;
}

/** The fields that identify a manifest. */
export interface ManifestIdentity {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** A manifest's identity (kind, apiVersion, namespace, name) as an {@link ObjectRef}. */
export function refOf(manifest: ManifestIdentity): ObjectRef {
  if (!manifest.kind || !manifest.metadata?.name) {
    throw new Error(`a Kubernetes manifest needs kind and metadata.name, got ${JSON.stringify({ kind: manifest.kind, name: manifest.metadata?.name })}`);
  }
  return { kind: manifest.kind, apiVersion: manifest.apiVersion, namespace: manifest.metadata.namespace, name: manifest.metadata.name };
}
