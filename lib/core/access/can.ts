/**
 * `--can VERB RESOURCE [-n NS]`: whether the explained caller may make one request, decided in the
 * order the API server asks: `system:masters` first, then RBAC, then (EKS's authorizer) the access
 * policies of the caller's access entry. RESOURCE reads like kubectl's: `pods`, `pods/log`,
 * `deployments.apps`, a short name (`deploy`), or a non-resource URL (`/healthz`).
 */
import { AccessConfigError } from '../arn';
import { accessPolicyAllows } from './access-policies';
import { Explanation } from './explain';
import { AccessRequest, grantAllows, PolicyRule } from './rbac';

interface KnownResource {
  readonly group: string;
  readonly namespaced: boolean;
}

const CORE_NAMESPACED = 'pods services configmaps secrets serviceaccounts endpoints events persistentvolumeclaims replicationcontrollers limitranges resourcequotas podtemplates bindings';
const CORE_CLUSTER = 'namespaces nodes persistentvolumes componentstatuses';
const GROUPS: ReadonlyArray<[string, string, boolean]> = [
  ['apps', 'deployments replicasets statefulsets daemonsets controllerrevisions', true],
  ['batch', 'jobs cronjobs', true],
  ['autoscaling', 'horizontalpodautoscalers', true],
  ['networking.k8s.io', 'ingresses networkpolicies', true],
  ['networking.k8s.io', 'ingressclasses', false],
  ['policy', 'poddisruptionbudgets', true],
  ['discovery.k8s.io', 'endpointslices', true],
  ['coordination.k8s.io', 'leases', true],
  ['rbac.authorization.k8s.io', 'roles rolebindings', true],
  ['rbac.authorization.k8s.io', 'clusterroles clusterrolebindings', false],
  ['storage.k8s.io', 'storageclasses csidrivers csinodes volumeattachments', false],
  ['apiextensions.k8s.io', 'customresourcedefinitions', false],
  ['admissionregistration.k8s.io', 'validatingwebhookconfigurations mutatingwebhookconfigurations', false],
  ['scheduling.k8s.io', 'priorityclasses', false],
  ['certificates.k8s.io', 'certificatesigningrequests', false],
  ['authorization.k8s.io', 'localsubjectaccessreviews', true],
  ['authorization.k8s.io', 'selfsubjectaccessreviews selfsubjectrulesreviews subjectaccessreviews', false],
  ['authentication.k8s.io', 'tokenreviews selfsubjectreviews', false],
];

/** Resources a request can name without their API group, as kubectl finds them through discovery. */
const KNOWN: ReadonlyMap<string, KnownResource> = new Map([
  ...CORE_NAMESPACED.split(' ').map((r): [string, KnownResource] => [r, { group: '', namespaced: true }]),
  ...CORE_CLUSTER.split(' ').map((r): [string, KnownResource] => [r, { group: '', namespaced: false }]),
  ...GROUPS.flatMap(([group, names, namespaced]) => names.split(' ').map((r): [string, KnownResource] => [r, { group, namespaced }])),
]);

/** kubectl's short names. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  po: 'pods',
  svc: 'services',
  cm: 'configmaps',
  sa: 'serviceaccounts',
  ep: 'endpoints',
  ev: 'events',
  pvc: 'persistentvolumeclaims',
  rc: 'replicationcontrollers',
  limits: 'limitranges',
  quota: 'resourcequotas',
  ns: 'namespaces',
  no: 'nodes',
  pv: 'persistentvolumes',
  deploy: 'deployments',
  rs: 'replicasets',
  sts: 'statefulsets',
  ds: 'daemonsets',
  cj: 'cronjobs',
  hpa: 'horizontalpodautoscalers',
  ing: 'ingresses',
  netpol: 'networkpolicies',
  pdb: 'poddisruptionbudgets',
  sc: 'storageclasses',
  crd: 'customresourcedefinitions',
  csr: 'certificatesigningrequests',
};

/** The request `--can VERB RESOURCE [-n NS]` stands for, with notes on how it was read. */
export function parseCanRequest(verb: string, resource: string, namespace: string | undefined): { request: AccessRequest; notes: string[] } {
  if (verb.trim() === '' || resource.trim() === '') {
    throw new AccessConfigError('--can needs a verb and a resource (e.g. --can get pods -n dev)');
  }
  const notes: string[] = [];
  if (resource.startsWith('/')) {
    if (namespace !== undefined) {
      notes.push(`${resource} is not a resource: -n ${namespace} is ignored`);
    }
    return { request: { verb, path: resource }, notes };
  }
  const [typed, ...sub] = resource.split('/');
  const dot = typed.indexOf('.');
  const name = SHORT_NAMES[dot < 0 ? typed : typed.slice(0, dot)] ?? (dot < 0 ? typed : typed.slice(0, dot));
  const known = KNOWN.get(name);
  const apiGroup = dot >= 0 ? typed.slice(dot + 1) : known?.group ?? '';
  if (dot < 0 && !known) {
    notes.push(`"${name}" is not a resource eks-access knows: taken as a core (v1) resource; name its group as RESOURCE.GROUP`);
  }
  const namespaced = known && known.group === apiGroup ? known.namespaced : true;
  let ns = namespace;
  if (!namespaced && ns !== undefined) {
    notes.push(`${name} is cluster-scoped: -n ${ns} is ignored (as kubectl auth can-i does)`);
    ns = undefined;
  } else if (namespaced && ns === undefined) {
    notes.push(`no -n: the request is for ${name} in every namespace, which only cluster-wide permissions allow`);
  }
  return { request: { verb, apiGroup, resource: name, ...(sub.length > 0 ? { subresource: sub.join('/') } : {}), ...(ns !== undefined ? { namespace: ns } : {}) }, notes };
}

/** The answer to one `--can`. */
export interface CanAnswer {
  readonly allowed: boolean;
  /** What allows it (`RoleBinding dev/dev-edit → ClusterRole edit (namespace dev)`), or why not. */
  readonly reason: string;
  /** The rule that allows it. */
  readonly rule?: PolicyRule;
  /** Which authorizer: `system:masters`, `RBAC`, `EKS access policy`. */
  readonly by?: string;
}

/** Whether the explained caller may make the request, and what allows it. */
export function canCaller(explanation: Explanation, request: AccessRequest): CanAnswer {
  if (!explanation.identity) {
    return { allowed: false, reason: explanation.summary };
  }
  for (const source of explanation.permissions) {
    if (source.kind === 'system:masters') {
      return { allowed: true, reason: 'group system:masters: the API server allows it every request', by: 'system:masters' };
    }
  }
  for (const source of explanation.permissions) {
    const rule = source.kind === 'rbac' && source.grant ? grantAllows(source.grant, request) : undefined;
    if (rule) {
      return { allowed: true, reason: `${source.label} (${source.scope}) through ${source.via}`, rule, by: 'RBAC' };
    }
  }
  for (const source of explanation.permissions) {
    const rule = source.kind === 'access-policy' && source.policy ? accessPolicyAllows(source.policy.policyArn, source.policy.accessScope, request) : undefined;
    if (rule) {
      return { allowed: true, reason: `access policy ${source.label} (${source.scope})`, rule, by: 'EKS access policy' };
    }
  }
  const unknown = explanation.permissions.filter((s) => s.kind === 'access-policy' && !s.rules).map((s) => s.label);
  return {
    allowed: false,
    reason: `no RBAC rule${explanation.identity.mechanism === 'access-entry' ? ' and no access policy' : ''} allows it${unknown.length > 0 ? ` (not counting ${unknown.join(', ')}, whose rules EKS does not publish)` : ''}`,
  };
}

/** The request as kubectl would write it: `get pods -n dev`, `create deployments.apps/scale`. */
export function describeRequest(request: AccessRequest): string {
  if (request.path !== undefined) {
    return `${request.verb} ${request.path}`;
  }
  const resource = `${request.resource}${request.apiGroup ? `.${request.apiGroup}` : ''}${request.subresource ? `/${request.subresource}` : ''}`;
  return `${request.verb} ${resource}${request.namespace ? ` -n ${request.namespace}` : ''}`;
}
