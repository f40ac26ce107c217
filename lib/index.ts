// Public API of cdk-eks-access.
export * from './core/public';
