/**
 * The `aws-auth` engine: parse, lint, edit, resolve, render and merge the ConfigMap exactly as
 * aws-iam-authenticator reads it and eksctl edits it. Pure: no I/O.
 */
export * from './types';
export * from './parse';
export * from './lint';
export * from './edit';
export * from './service';
export * from './templates';
export * from './resolve';
export * from './render';
export * from './merge';
export * from './positions';
export { roleMappingProblem, userMappingProblem } from './entry-rules';
export * from './owner-records';
