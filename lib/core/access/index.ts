/**
 * Who can do what on a cluster: EKS's access policies, Kubernetes RBAC, and the walk of one caller
 * (`explain`) or of everyone (`report`) through access entries, aws-auth and RBAC. Pure: no I/O.
 */
export * from './access-policies';
export * from './caller';
export * from './can';
export * from './cluster-view';
export * from './entries';
export * from './explain';
export * from './graph';
export * from './rbac';
export * from './report';
export * from './summary';
