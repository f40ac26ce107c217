/**
 * Kubernetes RBAC objects as plain manifests: Namespace, ClusterRole, Role, ClusterRoleBinding,
 * RoleBinding. Pure functions with no CDK import, so that the constructs, the deploy-time handler
 * and the CLI build and check the very same objects.
 */
import { dump } from 'js-yaml';
import { isDns1123Label } from '../core/access-entry';
import { KubernetesManifest, OWNER_KEY } from '../core/desired-state';

export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_API_VERSION = `${RBAC_API_GROUP}/v1`;

/** The ClusterRoles every Kubernetes cluster has (user-facing roles of the RBAC docs). */
export const BUILT_IN_CLUSTER_ROLES = ['cluster-admin', 'admin', 'edit', 'view'] as const;

/** The label that says which tool manages an object. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'cdk-eks-access';

/** One rule of a Role or ClusterRole, as the Kubernetes API spells it. */
export interface PolicyRuleSpec {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}

/** A subject of a binding: a Kubernetes user or group (what aws-auth or an access entry maps to). */
export interface SubjectSpec {
  readonly kind: 'User' | 'Group';
  readonly name: string;
}

export interface RoleRefSpec {
  readonly kind: 'ClusterRole' | 'Role';
  readonly name: string;
}

/** Labels every object this library writes carries: the owner and the managing tool. */
export function ownershipLabels(ownerId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [OWNER_KEY]: ownerId };
}

export function namespaceManifest(name: string, ownerId: string): KubernetesManifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: ownershipLabels(ownerId) } };
}

export function clusterRoleManifest(name: string, rules: PolicyRuleSpec[], ownerId: string): KubernetesManifest {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: { name, labels: ownershipLabels(ownerId) },
    rules: rules.map(cleanRule),
  };
}

export function roleManifest(name: string, namespace: string, rules: PolicyRuleSpec[], ownerId: string): KubernetesManifest {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'Role',
    metadata: { name, namespace, labels: ownershipLabels(ownerId) },
    rules: rules.map(cleanRule),
  };
}

export function clusterRoleBindingManifest(name: string, clusterRole: string, subjects: SubjectSpec[], ownerId: string): KubernetesManifest {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: ownershipLabels(ownerId) },
    roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name: clusterRole },
    subjects: subjects.map(subjectOf),
  };
}

export function roleBindingManifest(
  name: string, namespace: string, roleRef: RoleRefSpec, subjects: SubjectSpec[], ownerId: string,
): KubernetesManifest {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: ownershipLabels(ownerId) },
    roleRef: { apiGroup: RBAC_API_GROUP, kind: roleRef.kind, name: roleRef.name },
    subjects: subjects.map(subjectOf),
  };
}

/** Apply order: namespaces, then roles, then bindings (a binding may name a role created here). */
const KIND_ORDER = ['Namespace', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'];

/** Stable order for applying (and for stable templates): by kind, then namespace, then name. */
export function sortManifests(manifests: KubernetesManifest[]): KubernetesManifest[] {
  const rank = (m: KubernetesManifest) => {
    const i = KIND_ORDER.indexOf(m.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...manifests].sort((a, b) => rank(a) - rank(b)
    || (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '')
    || a.metadata.name.localeCompare(b.metadata.name));
}

/** A multi-document YAML stream, as `kubectl apply -f` reads it. */
export function manifestsToYaml(manifests: KubernetesManifest[]): string {
  return manifests.map((m) => dump(m, { noRefs: true, lineWidth: -1, sortKeys: false })).join('---\n');
}

/** A stable identity of an object: kind, namespace and name. */
export function manifestKey(m: KubernetesManifest): string {
  return `${m.kind}/${m.metadata.namespace ? m.metadata.namespace + '/' : ''}${m.metadata.name}`;
}

/**
 * Whether `name` may name an RBAC object: Kubernetes accepts any path segment name for Roles,
 * ClusterRoles and bindings (no `/` or `%`, not `.` or `..`), up to 253 characters.
 */
export function isRbacObjectName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && !/[/%]/.test(name) && name !== '.' && name !== '..' && name.trim() === name;
}

/** Every problem with one manifest this library generates, naming the object and the value. */
export function manifestProblems(m: KubernetesManifest): string[] {
  const problems: string[] = [];
  const what = manifestKey(m);
  if (m.kind === 'Namespace') {
    if (!isDns1123Label(m.metadata.name)) {
      problems.push(`${what}: namespace name "${m.metadata.name}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric)`);
    }
  } else if (!isRbacObjectName(m.metadata.name)) {
    problems.push(`${what}: "${m.metadata.name}" is not a valid object name (no '/' or '%', at most 253 characters)`);
  }
  const namespaced = m.kind === 'Role' || m.kind === 'RoleBinding';
  if (namespaced && m.metadata.namespace === undefined) {
    problems.push(`${what}: a ${m.kind} needs metadata.namespace`);
  }
  if (!namespaced && m.metadata.namespace !== undefined) {
    problems.push(`${what}: a ${m.kind} is cluster-scoped and takes no metadata.namespace`);
  }
  if (m.metadata.namespace !== undefined && !isDns1123Label(m.metadata.namespace)) {
    problems.push(`${what}: namespace "${m.metadata.namespace}" is not a DNS-1123 label`);
  }
  if (m.kind === 'ClusterRole' || m.kind === 'Role') {
    const rules = (m.rules ?? []) as PolicyRuleSpec[];
    rules.forEach((rule, i) => problems.push(...ruleProblems(rule, m.kind === 'ClusterRole').map((p) => `${what}: rule ${i + 1}: ${p}`)));
  }
  if (m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding') {
    const subjects = (m.subjects ?? []) as SubjectSpec[];
    if (subjects.length === 0) {
      problems.push(`${what}: a binding needs at least one subject`);
    }
    for (const s of subjects) {
      if (s.name.trim() === '') {
        problems.push(`${what}: empty ${s.kind} subject name`);
      }
    }
  }
  return problems;
}

/** Problems with one policy rule. */
export function ruleProblems(rule: PolicyRuleSpec, clusterScoped: boolean): string[] {
  const problems: string[] = [];
  if (!rule.verbs || rule.verbs.length === 0) {
    problems.push('a rule needs at least one verb');
  }
  const hasResources = (rule.resources ?? []).length > 0;
  const hasUrls = (rule.nonResourceURLs ?? []).length > 0;
  if (hasUrls && !clusterScoped) {
    problems.push(`nonResourceURLs (${rule.nonResourceURLs!.join(', ')}) are only allowed in a ClusterRole`);
  }
  if (hasUrls && hasResources) {
    problems.push('a rule covers either resources or nonResourceURLs, not both');
  }
  if (!hasUrls && !hasResources) {
    problems.push('a rule needs resources (with apiGroups) or nonResourceURLs');
  }
  if (hasResources && rule.apiGroups === undefined) {
    problems.push(`rule on resources ${rule.resources!.join(', ')} needs apiGroups ("" is the core group)`);
  }
  return problems;
}

function cleanRule(rule: PolicyRuleSpec): PolicyRuleSpec {
  const out: { -readonly [K in keyof PolicyRuleSpec]: PolicyRuleSpec[K] } = { verbs: [...rule.verbs] };
  if (rule.apiGroups !== undefined) out.apiGroups = [...rule.apiGroups];
  if (rule.resources !== undefined && rule.resources.length > 0) out.resources = [...rule.resources];
  if (rule.resourceNames !== undefined && rule.resourceNames.length > 0) out.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs !== undefined && rule.nonResourceURLs.length > 0) out.nonResourceURLs = [...rule.nonResourceURLs];
  return out;
}

function subjectOf(s: SubjectSpec): Record<string, string> {
  return { apiGroup: RBAC_API_GROUP, kind: s.kind, name: s.name };
}
