// Public API of cdk-eks-access.
export { ClusterAccess, ClusterAccessProps } from './cluster-access';
export { AccessTeam, AccessTeamOptions, AccessTeamProps } from './access-team';
export { AccessPolicy, AccessScope, AccessPolicyGrant } from './access-policy';
export { AccessMechanism, KubernetesIdentityOptions, NodeRoleMappingOptions } from './kubernetes-identity';
export { KubernetesClusterRole, PolicyRule } from './kubernetes-role';
export { ClusterAccessProvider, ClusterAccessProviderProps, ClusterPermissions } from './cluster-access-provider';
