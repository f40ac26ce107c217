/**
 * Kubernetes RBAC, evaluated as the API server's RBAC authorizer does: a request is allowed when a
 * rule of a role bound to the user (by name) or to one of its groups matches it. A
 * ClusterRoleBinding applies everywhere; a RoleBinding only to requests in its own namespace,
 * whether it refers to a Role there or to a ClusterRole. Rules only allow: nothing denies.
 */

/** One `rules[]` item of a Role or ClusterRole. */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** A Role or ClusterRole. */
export interface RbacRole {
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
  readonly namespace?: string;
  readonly rules: readonly PolicyRule[];
  readonly labels?: Readonly<Record<string, string>>;
  /** ClusterRole label selectors whose roles' rules this one aggregates. */
  readonly aggregateFrom?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** One of Kubernetes' default roles, assumed where the cluster's own objects are not read. */
  readonly builtIn?: boolean;
}

/** A binding subject. */
export interface RbacSubject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** A RoleBinding or ClusterRoleBinding. */
export interface RbacBinding {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly name: string;
  readonly namespace?: string;
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly RbacSubject[];
  readonly builtIn?: boolean;
}

/** The RBAC objects of a cluster, or of a set of manifests. */
export interface RbacObjects {
  readonly roles: readonly RbacRole[];
  readonly bindings: readonly RbacBinding[];
}

/** The attributes of one request, as the API server's authorizers see them. */
export interface AccessRequest {
  readonly verb: string;
  /** API group (`""` for the core group); resource requests only. */
  readonly apiGroup?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly name?: string;
  /** Empty or absent: a cluster-scoped request, or one across all namespaces. */
  readonly namespace?: string;
  /** Set for non-resource requests (`/healthz`, `/version`). */
  readonly path?: string;
}

/** What a binding gives one user: the role's rules, where they apply, and through which subject. */
export interface Grant {
  readonly binding: RbacBinding;
  /** Undefined when the binding refers to a role that does not exist (it grants nothing). */
  readonly role?: RbacRole;
  /** The namespace the rules apply in; undefined for a ClusterRoleBinding (everywhere). */
  readonly namespace?: string;
  /** `User alice` or `Group developers`. */
  readonly subject: string;
}

/** The user a request is made as. */
export interface KubernetesUser {
  readonly username: string;
  readonly groups: readonly string[];
}

/** Reads RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) from Kubernetes JSON; other kinds are skipped. */
export function rbacFromManifests(objects: readonly unknown[]): RbacObjects {
  const roles: RbacRole[] = [];
  const bindings: RbacBinding[] = [];
  for (const o of objects) {
    const object = o as { kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };
    const name = object?.metadata?.name;
    if (!object || typeof name !== 'string') {
      continue;
    }
    const namespace = object.metadata?.namespace;
    if (object.kind === 'Role' || object.kind === 'ClusterRole') {
      const aggregation = object.aggregationRule as { clusterRoleSelectors?: Array<{ matchLabels?: Record<string, string> }> } | undefined;
      roles.push({
        kind: object.kind,
        name,
        ...(object.kind === 'Role' && namespace ? { namespace } : {}),
        rules: Array.isArray(object.rules) ? (object.rules as PolicyRule[]).filter((r) => r && Array.isArray(r.verbs)) : [],
        ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}),
        ...(aggregation?.clusterRoleSelectors ? { aggregateFrom: aggregation.clusterRoleSelectors.map((s) => s.matchLabels ?? {}) } : {}),
      });
    } else if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') {
      const roleRef = object.roleRef as { kind?: string; name?: string } | undefined;
      bindings.push({
        kind: object.kind,
        name,
        ...(object.kind === 'RoleBinding' && namespace ? { namespace } : {}),
        roleRef: { kind: String(roleRef?.kind ?? ''), name: String(roleRef?.name ?? '') },
        subjects: Array.isArray(object.subjects) ? (object.subjects as RbacSubject[]).filter((s) => s && typeof s.name === 'string') : [],
      });
    }
  }
  return { roles, bindings };
}

/**
 * Fills in the rules of aggregated ClusterRoles (what the cluster's controller does), for objects
 * read from manifests rather than from a running cluster. Roles that already have rules keep them.
 */
export function withAggregatedRules(rbac: RbacObjects): RbacObjects {
  const clusterRoles = rbac.roles.filter((r) => r.kind === 'ClusterRole');
  const roles = rbac.roles.map((role) => {
    if (!role.aggregateFrom || role.rules.length > 0) {
      return role;
    }
    const selects = (sel: Readonly<Record<string, string>>, r: RbacRole) =>
      Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => r.labels?.[k] === v);
    const matches = (r: RbacRole) => r !== role && role.aggregateFrom!.some((sel) => selects(sel, r));
    return { ...role, rules: clusterRoles.filter(matches).flatMap((r) => r.rules) };
  });
  return { roles, bindings: rbac.bindings };
}

/** The bindings that name the user or one of its groups, with the roles they refer to. */
export function grantsFor(rbac: RbacObjects, user: KubernetesUser): Grant[] {
  const grants: Grant[] = [];
  for (const binding of rbac.bindings) {
    const subject = binding.subjects.find((s) => subjectMatches(s, user, binding.namespace));
    if (!subject) {
      continue;
    }
    grants.push({
      binding,
      role: referencedRole(rbac, binding),
      ...(binding.kind === 'RoleBinding' ? { namespace: binding.namespace ?? 'default' } : {}),
      subject: `${subject.kind} ${subject.kind === 'ServiceAccount' ? `${subject.namespace ?? binding.namespace}/` : ''}${subject.name}`,
    });
  }
  return grants;
}

/** The role a binding refers to: a Role in the binding's namespace, or a ClusterRole. */
export function referencedRole(rbac: RbacObjects, binding: RbacBinding): RbacRole | undefined {
  if (binding.roleRef.kind === 'Role') {
    return rbac.roles.find((r) => r.kind === 'Role' && r.name === binding.roleRef.name && (r.namespace ?? 'default') === (binding.namespace ?? 'default'));
  }
  return binding.roleRef.kind === 'ClusterRole' ? rbac.roles.find((r) => r.kind === 'ClusterRole' && r.name === binding.roleRef.name) : undefined;
}

/** The subjects that name a group, across all bindings: who is expected to be in which group. */
export function boundGroups(rbac: RbacObjects): Set<string> {
  return new Set(rbac.bindings.flatMap((b) => b.subjects.filter((s) => s.kind === 'Group').map((s) => s.name)));
}

function subjectMatches(subject: RbacSubject, user: KubernetesUser, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name}`;
    default:
      return false;
  }
}

/** The rule of the grant that allows the request, or undefined. */
export function grantAllows(grant: Grant, request: AccessRequest): PolicyRule | undefined {
  if (!grant.role) {
    return undefined;
  }
  if (grant.namespace !== undefined && (request.path !== undefined || grant.namespace !== request.namespace)) {
    return undefined; // a RoleBinding applies only to resource requests in its namespace
  }
  return grant.role.rules.find((rule) => ruleAllows(rule, request));
}

/** True when the rule allows the request (the RBAC authorizer's matching). */
export function ruleAllows(rule: PolicyRule, request: AccessRequest): boolean {
  if (!matchesAny(rule.verbs, request.verb)) {
    return false;
  }
  if (request.path !== undefined) {
    return (rule.nonResourceURLs ?? []).some((url) => url === '*' || url === request.path || (url.endsWith('*') && request.path!.startsWith(url.slice(0, -1))));
  }
  if (!matchesAny(rule.apiGroups ?? [], request.apiGroup ?? '')) {
    return false;
  }
  if (!resourceMatches(rule.resources ?? [], request.resource ?? '', request.subresource)) {
    return false;
  }
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && request.name !== '' && names.includes(request.name));
}

function matchesAny(values: readonly string[], wanted: string): boolean {
  return values.some((v) => v === '*' || v === wanted);
}

/** `*`, the exact `resource/subresource`, or `*\/subresource`. */
function resourceMatches(resources: readonly string[], resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return resources.some((r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`));
}
