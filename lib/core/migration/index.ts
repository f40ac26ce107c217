/**
 * The migration from `aws-auth` to access entries: the planner, the identity comparison that
 * verifies a migrated principal, and the pruning of migrated entries from aws-auth. Pure: no I/O.
 */
export * from './types';
export * from './plan';
export * from './identity';
export * from './principal';
export * from './entry-form';
export * from './verify';
