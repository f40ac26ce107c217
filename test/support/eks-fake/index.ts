/** A stateful fake of the Amazon EKS API for tests (see README.md). */
export { startEksFake, CONTROL_PREFIX } from './server';
export type { EksFake, EksFakeOptions, EksFakeSettings } from './server';
export { EksState, defaultIdentity } from './eks-state';
export type { EksStateOptions } from './eks-state';
export { EksFakeControl } from './control-client';
export { faults, FaultInjector } from './faults';
export type { FaultSpec } from './faults';
export { CallLog, WRITE_OPERATIONS } from './call-log';
export type { CallRecord, CallFilter } from './call-log';
export { EksApiError, ERROR_STATUS } from './errors';
export { ACCESS_POLICY_NAMES, CLUSTER_ADMIN_POLICY, accessPolicyArn } from './access-policies';
export { AUTHENTICATION_MODES, ACCESS_ENTRY_TYPES } from './model';
export type {
  AccessEntrySeed, AccessEntryType, AccessEntryView, AccessPolicySeed, AccessScope, AuthenticationMode,
  ClusterSeed, ClusterStatus, ClusterView, EksFakeSnapshot,
} from './model';
