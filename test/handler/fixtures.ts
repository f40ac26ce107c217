/** Desired states and handler wiring shared by the handler tests. */
import { EKSClient } from '@aws-sdk/client-eks';
import { AccessEntrySpec } from '../../lib/core/access-entry';
import { DESIRED_STATE_VERSION, DesiredClusterAccess, KubernetesManifest, physicalResourceId } from '../../lib/core/desired-state';
import { DecodedRequest, RequestType } from '../../lib/handler/event';
import { reconcile, ReconcileOutcome } from '../../lib/handler/reconcile';
import { Deadline } from '../../lib/io/deadline';
import { EksApi } from '../../lib/io/eks-api';
import { KubernetesApi } from '../../lib/io/kubernetes-api';
import { Logger } from '../../lib/io/log';

export const ACCOUNT = '111122223333';
export const HANDLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-eks-access-handler`;
export const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;
export const DEV_ROLE = `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`;
export const VIEWER_ROLE = `arn:aws:iam::${ACCOUNT}:role/viewer`;
export const OPS_USER = `arn:aws:iam::${ACCOUNT}:user/ops/olga`;
export const policy = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

export function entry(principalArn: string, overrides: Partial<AccessEntrySpec> = {}): AccessEntrySpec {
  return { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [], ...overrides };
}

export function state(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return {
    version: DESIRED_STATE_VERSION,
    clusterName: 'dev-cluster',
    region: 'us-east-1',
    ownerId: 'stack-a.access',
    mechanism: 'AUTO',
    handlerRoleArn: HANDLER_ROLE,
    awsAuth: { mapRoles: [], mapUsers: [], mapAccounts: [] },
    accessEntries: [],
    manifests: [],
    ...overrides,
  };
}

/** A namespace, a Role granting read on pods in it, and a binding for `group`. */
export function teamRbac(team: string, group = team, roleName = `${team}-read`): KubernetesManifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `${team}-read`, namespace: team }, rules: [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `${team}-write`, namespace: team }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'delete'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${team}-binding`, namespace: team }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }] },
  ];
}

export function request(requestType: RequestType, desired: DesiredClusterAccess): DecodedRequest {
  return { requestType, desired, physicalResourceId: physicalResourceId(desired), replacement: false };
}

export interface RunOptions {
  readonly eksClient: EKSClient;
  readonly kube: KubernetesApi;
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

/** Runs the reconciler with the given EKS client and Kubernetes API. */
export async function run(req: DecodedRequest, options: RunOptions): Promise<ReconcileOutcome & { log: Logger }> {
  const log = options.log ?? new Logger({}, () => undefined);
  const deadline = Deadline.in(options.timeoutMs ?? 60_000);
  const outcome = await reconcile(req, {
    eks: new EksApi(options.eksClient, deadline, log, () => 0),
    connectKubernetes: async () => options.kube,
    deadline,
    log,
    random: () => 0,
    pollMs: 5,
  });
  return { ...outcome, log };
}
