/**
 * Service mappings: what `eksctl create iamidentitymapping --service-name` adds. Only
 * `emr-containers` exists: EMR on EKS acts in one namespace through its service-linked role,
 * mapped to the user `emr-containers`, which a Role and RoleBinding of that name authorize there.
 */
import { isDns1123Label } from '../access-entry';
import { AccessConfigError, isAccountId } from '../arn';
import { KubernetesManifest } from '../desired-state';
import { EditResult } from './edit';
import { AwsAuthConfigMap } from './types';

export const SERVICE_NAMES = ['emr-containers'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceMappingRequest {
  readonly serviceName: string;
  readonly namespace: string;
  /** Account of the cluster (where the service-linked role lives). */
  readonly accountId: string;
  readonly partition?: string;
}

/** The edit plus the RBAC objects to apply for the service (in order). */
export interface ServiceMappingResult extends EditResult {
  readonly manifests: KubernetesManifest[];
}

const EMR_ROLE_NAME = 'AWSServiceRoleForAmazonEMRContainers';
const EMR_USERNAME = 'emr-containers';
const ALL_EDIT_VERBS = ['get', 'list', 'watch', 'describe', 'create', 'edit', 'delete', 'annotate', 'patch', 'label'];

/**
 * Maps a service's role and returns its RBAC. The mapping is added only when no entry with the
 * same ARN and username exists (eksctl does the same, so repeating it for another namespace only
 * adds that namespace's RBAC).
 */
export function addServiceMapping(configMap: AwsAuthConfigMap, request: ServiceMappingRequest): ServiceMappingResult {
  if (!(SERVICE_NAMES as readonly string[]).includes(request.serviceName)) {
    throw new AccessConfigError(`unknown service name "${request.serviceName}" (valid: ${SERVICE_NAMES.join(', ')})`);
  }
  if (!request.namespace) {
    throw new AccessConfigError(`a namespace is required for ${request.serviceName}`);
  }
  if (!isDns1123Label(request.namespace)) {
    throw new AccessConfigError(`"${request.namespace}" is not a valid namespace name`);
  }
  if (!isAccountId(request.accountId)) {
    throw new AccessConfigError(`"${request.accountId}" is not a 12-digit AWS account ID`);
  }
  const rolearn = `arn:${request.partition ?? 'aws'}:iam::${request.accountId}:role/${EMR_ROLE_NAME}`;
  const manifests = emrContainersRbac(request.namespace);
  if (configMap.mapRoles.some((r) => r.rolearn === rolearn && r.username === EMR_USERNAME)) {
    return { configMap, changed: false, warnings: [`${rolearn} is already mapped to ${EMR_USERNAME}`], manifests };
  }
  const mapRoles = [...configMap.mapRoles, { rolearn, username: EMR_USERNAME }];
  return { configMap: { ...configMap, mapRoles }, changed: true, warnings: [], manifests };
}

/**
 * The Role and RoleBinding that let the `emr-containers` user run jobs in `namespace`: eksctl's
 * `pkg/authconfigmap/assets/emr-containers-rbac.yaml`, rule for rule.
 */
export function emrContainersRbac(namespace: string): KubernetesManifest[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: EMR_USERNAME, namespace },
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
        { apiGroups: [''], resources: ['serviceaccounts', 'services', 'configmaps', 'events', 'pods', 'pods/log'], verbs: [...ALL_EDIT_VERBS.slice(0, 7), 'deletecollection', ...ALL_EDIT_VERBS.slice(7)] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'patch', 'delete', 'watch'] },
        { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: [...ALL_EDIT_VERBS] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: [...ALL_EDIT_VERBS] },
        { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses'], verbs: [...ALL_EDIT_VERBS] },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: [...ALL_EDIT_VERBS.slice(0, 7), 'deletecollection', ...ALL_EDIT_VERBS.slice(7)] },
        // Spark jobs that ask for volumes (dynamic PVCs) have EMR create and remove their claims.
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'list', 'delete', 'deletecollection'] },
        // Jobs scheduled by Volcano: EMR manages their pod groups.
        { apiGroups: ['scheduling.volcano.sh'], resources: ['podgroups'], verbs: ['get', 'list', 'watch', 'create', 'delete', 'update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: EMR_USERNAME, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: EMR_USERNAME },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: EMR_USERNAME }],
    },
  ];
}
