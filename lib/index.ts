// Public API of cdk-eks-access.
export * from './cluster-access';
export * from './access-team';
export * from './access-policy';
export * from './kubernetes-identity';
export * from './kubernetes-role';
export * from './cluster-access-provider';
