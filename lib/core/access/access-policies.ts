/**
 * What each EKS access policy allows, as the EKS User Guide's "Review access policy permissions"
 * page lists it (API groups, resources, verbs), and Kubernetes' default user-facing ClusterRoles
 * (`view`, `edit`, `admin`, `cluster-admin`), whose rules the view, edit, admin and cluster-admin
 * access policies mirror. EKS authorizes access policies outside RBAC, like a role bound through a
 * ClusterRoleBinding (cluster scope) or through a RoleBinding in each namespace of the scope
 * (namespace scope; `dev-*` matches every namespace starting with `dev-`).
 */
import { AccessScopeSpec } from '../access-entry';
import { AccessRequest, PolicyRule, RbacBinding, RbacObjects, RbacRole, ruleAllows } from './rbac';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function rule(verbs: readonly string[], apiGroup: string, resources: string): PolicyRule {
  return { verbs, apiGroups: [apiGroup], resources: resources.split(/\s+/).filter((r) => r !== '') };
}

/** Reading the workload and configuration objects of a namespace, not Secrets. */
const VIEW_RULES: readonly PolicyRule[] = [
  rule(READ, 'apps', 'controllerrevisions daemonsets daemonsets/status deployments deployments/scale deployments/status replicasets replicasets/scale replicasets/status statefulsets statefulsets/scale statefulsets/status'),
  rule(READ, 'autoscaling', 'horizontalpodautoscalers horizontalpodautoscalers/status'),
  rule(READ, 'batch', 'cronjobs cronjobs/status jobs jobs/status'),
  rule(READ, 'discovery.k8s.io', 'endpointslices'),
  rule(READ, 'extensions', 'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status networkpolicies replicasets replicasets/scale replicasets/status replicationcontrollers/scale'),
  rule(READ, 'networking.k8s.io', 'ingresses ingresses/status networkpolicies'),
  rule(READ, 'policy', 'poddisruptionbudgets poddisruptionbudgets/status'),
  rule(READ, '', 'configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status'),
  rule(READ, '', 'bindings events limitranges namespaces/status pods/log pods/status replicationcontrollers/status resourcequotas resourcequotas/status'),
  rule(READ, '', 'namespaces'),
];

/** Edit adds writing those objects, Secrets, exec and port-forward into pods, impersonating service accounts. */
const EDIT_RULES: readonly PolicyRule[] = [
  ...VIEW_RULES,
  rule(WRITE, 'apps', 'daemonsets deployments deployments/rollback deployments/scale replicasets replicasets/scale statefulsets statefulsets/scale'),
  rule(WRITE, 'autoscaling', 'horizontalpodautoscalers'),
  rule(WRITE, 'batch', 'cronjobs jobs'),
  rule(WRITE, 'extensions', 'daemonsets deployments deployments/rollback deployments/scale ingresses networkpolicies replicasets replicasets/scale replicationcontrollers/scale'),
  rule(WRITE, 'networking.k8s.io', 'ingresses networkpolicies'),
  rule(WRITE, 'policy', 'poddisruptionbudgets'),
  rule(READ, '', 'pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy'),
  rule(['impersonate'], '', 'serviceaccounts'),
  rule(WRITE, '', 'pods pods/attach pods/exec pods/portforward pods/proxy'),
  rule(WRITE, '', 'configmaps events persistentvolumeclaims replicationcontrollers replicationcontrollers/scale secrets serviceaccounts services services/proxy'),
];

/** Admin adds Roles and RoleBindings (granting access within its scope) and local access reviews. */
const ADMIN_RULES: readonly PolicyRule[] = [
  ...EDIT_RULES,
  rule(['create'], 'authorization.k8s.io', 'localsubjectaccessreviews'),
  rule([...READ, ...WRITE], 'rbac.authorization.k8s.io', 'rolebindings roles'),
];

const EVERYTHING: readonly PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** What one access policy allows. */
export interface AccessPolicyModel {
  readonly name: string;
  /** One line on what it is for. */
  readonly summary: string;
  /** Its rules; undefined when EKS does not publish them (policies for EKS's own components). */
  readonly rules?: readonly PolicyRule[];
}

const MODELS: Readonly<Record<string, Omit<AccessPolicyModel, 'name'>>> = {
  AmazonEKSClusterAdminPolicy: { summary: 'everything (like cluster-admin)', rules: EVERYTHING },
  AmazonEKSAdminPolicy: { summary: 'most objects, Roles and RoleBindings included (like admin)', rules: ADMIN_RULES },
  AmazonEKSEditPolicy: { summary: 'write most objects and Secrets (like edit)', rules: EDIT_RULES },
  AmazonEKSViewPolicy: { summary: 'read most objects, not Secrets (like view)', rules: VIEW_RULES },
  AmazonEKSAdminViewPolicy: { summary: 'read every object, Secrets included', rules: [{ verbs: READ, apiGroups: ['*'], resources: ['*'] }] },
  AmazonEKSSecretReaderPolicy: { summary: 'read Secrets', rules: [rule(READ, '', 'secrets')] },
};

/** The name of an access policy ARN (`arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`). */
export function accessPolicyName(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf('/') + 1);
}

/** What the access policy (by ARN or name) allows. */
export function accessPolicyModel(policyArnOrName: string): AccessPolicyModel {
  const name = accessPolicyName(policyArnOrName);
  return { name, ...(MODELS[name] ?? { summary: 'permissions for EKS components, not published rule by rule' }) };
}

/** True when a namespace scope entry (`dev` or `dev-*`) covers the namespace. */
export function namespaceInScope(pattern: string, namespace: string): boolean {
  return pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}

/** The rule of the policy that allows the request within the scope, or undefined. */
export function accessPolicyAllows(policyArn: string, scope: AccessScopeSpec, request: AccessRequest): PolicyRule | undefined {
  const rules = accessPolicyModel(policyArn).rules ?? [];
  if (scope.type !== 'cluster') {
    const ns = request.namespace ?? '';
    if (request.path !== undefined || ns === '' || !(scope.namespaces ?? []).some((p) => namespaceInScope(p, ns))) {
      return undefined;
    }
  }
  return rules.find((r) => ruleAllows(r, request));
}

/**
 * Kubernetes' default RBAC objects that matter for people: the user-facing ClusterRoles
 * (`cluster-admin`, `admin`, `edit`, `view`, with the rules of the access policies of the same
 * level), `cluster-admin` bound to `system:masters`, and what every authenticated user may do
 * (discover the API, review its own access). Assumed when RBAC comes from manifests, not a cluster.
 */
export function defaultRbac(): RbacObjects {
  const role = (name: string, rules: readonly PolicyRule[]): RbacRole => ({ kind: 'ClusterRole', name, rules, builtIn: true });
  const binding = (name: string, group: string): RbacBinding => ({
    kind: 'ClusterRoleBinding', name, roleRef: { kind: 'ClusterRole', name }, subjects: [{ kind: 'Group', name: group }], builtIn: true,
  });
  return {
    roles: [
      role('cluster-admin', EVERYTHING),
      role('admin', ADMIN_RULES),
      role('edit', EDIT_RULES),
      role('view', VIEW_RULES),
      role('system:discovery', [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] }]),
      role('system:basic-user', [rule(['create'], 'authorization.k8s.io', 'selfsubjectaccessreviews selfsubjectrulesreviews'), rule(['create'], 'authentication.k8s.io', 'selfsubjectreviews')]),
      role('system:public-info-viewer', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }]),
    ],
    bindings: [
      binding('cluster-admin', 'system:masters'),
      binding('system:discovery', 'system:authenticated'),
      binding('system:basic-user', 'system:authenticated'),
      binding('system:public-info-viewer', 'system:authenticated'),
    ],
  };
}

/** `objects` with the default RBAC objects added where the objects do not define one of that name. */
export function withDefaultRbac(objects: RbacObjects): RbacObjects {
  const defaults = defaultRbac();
  const key = (o: { kind: string; name: string; namespace?: string }) => `${o.kind}/${o.namespace ?? ''}/${o.name}`;
  const roleKeys = new Set(objects.roles.map(key));
  const bindingKeys = new Set(objects.bindings.map(key));
  return {
    roles: [...objects.roles, ...defaults.roles.filter((r) => !roleKeys.has(key(r)))],
    bindings: [...objects.bindings, ...defaults.bindings.filter((b) => !bindingKeys.has(key(b)))],
  };
}
