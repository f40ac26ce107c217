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
export { EksApiError, ERROR_MEMBERS, ERROR_STATUS, PRINCIPAL_NOT_FOUND_MESSAGE } from './errors';
export { ACCESS_POLICIES, ACCESS_POLICY_NAMES, AUTO_NODE_POLICY, CLUSTER_ADMIN_POLICY, accessPolicyArn, knownAccessPolicy } from './access-policies';
export type { AccessPolicyInfo } from './access-policies';
export {
  ACCESS_CONFIG_UPDATE, ACCESS_ENTRY_TYPES, ACCESS_SCOPE_TYPES, AUTHENTICATION_MODES, CLUSTER_STATUSES,
  PASS_ROLE_TYPES, ROLE_ONLY_TYPES, UPDATE_STATUSES,
} from './model';
export { ROUTES } from './routes';
export type { Route } from './routes';
export { parsePrincipal } from './principals';
export type { Principal } from './principals';
export { isAllowed } from './iam-policy';
export type { CallerPolicy, IamStatement } from './iam-policy';
export type {
  AccessEntrySeed, AccessEntryType, AccessEntryView, AccessPolicySeed, AccessScope, AuthenticationMode,
  ClusterSeed, ClusterStatus, ClusterView, EksFakeSnapshot, UpdateError, UpdateOutcome,
} from './model';
