/**
 * Checks a decoded desired state before the handler calls any API: the constructs validate at
 * synth time, but a payload edited by hand or written by another version must fail here, with
 * every problem listed, and before the first write.
 */
import { accessEntryProblems } from './access-entry';
import { AccessConfigError, principalArnProblem, isAccountId } from './arn';
import { AUTHENTICATION_MODES, DESIRED_STATE_VERSION, DesiredClusterAccess } from './desired-state';
import { permissionSetProblems } from './permission-sets';

/** Kinds the handler applies, in the order it applies them (namespaces first, bindings last). */
export const MANIFEST_KINDS = ['Namespace', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

const MECHANISMS = ['AWS_AUTH', 'ACCESS_ENTRIES', 'AUTO'];
const OWNER_ID = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const API_VERSION: Record<ManifestKind, string> = {
  Namespace: 'v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
};
const NAMESPACED: ReadonlySet<string> = new Set(['Role', 'RoleBinding']);

/** True for the kinds that live in a namespace. */
export function isNamespacedKind(kind: string): boolean {
  return NAMESPACED.has(kind);
}

/** Every problem with the desired state (empty when it is usable). */
export function desiredStateProblems(state: DesiredClusterAccess): string[] {
  const problems: string[] = [];
  if (state === null || typeof state !== 'object') {
    return ['the desired state is not a JSON object'];
  }
  if (state.version !== DESIRED_STATE_VERSION) {
    return [`desired state version ${JSON.stringify(state.version)} is not supported by this handler (it reads version ${DESIRED_STATE_VERSION}); deploy the construct and its handler from the same library version`];
  }
  if (typeof state.clusterName !== 'string' || !CLUSTER_NAME.test(state.clusterName)) {
    problems.push(`cluster name ${JSON.stringify(state.clusterName)} is not a valid EKS cluster name`);
  }
  if (typeof state.ownerId !== 'string' || !OWNER_ID.test(state.ownerId)) {
    problems.push(`owner ID ${JSON.stringify(state.ownerId)} must be 1-63 characters of [a-z0-9.-], starting and ending with a letter or digit (it becomes a Kubernetes label value)`);
  }
  if (state.account !== undefined && !isAccountId(state.account)) {
    problems.push(`account ${JSON.stringify(state.account)} is not an AWS account ID (12 digits)`);
  }
  if (!MECHANISMS.includes(state.mechanism)) {
    problems.push(`mechanism ${JSON.stringify(state.mechanism)} is not one of ${MECHANISMS.join(', ')}`);
  }
  if (state.targetAuthenticationMode !== undefined && !(AUTHENTICATION_MODES as readonly string[]).includes(state.targetAuthenticationMode)) {
    problems.push(`target authentication mode ${JSON.stringify(state.targetAuthenticationMode)} is not one of ${AUTHENTICATION_MODES.join(', ')}`);
  }
  for (const [field, arn] of [['kubernetesRoleArn', state.kubernetesRoleArn], ['handlerRoleArn', state.handlerRoleArn]] as const) {
    const problem = arn === undefined ? undefined : principalArnProblem(arn);
    if (problem) {
      problems.push(`${field}: ${problem}`);
    }
  }
  problems.push(...awsAuthProblems(state));
  if (!Array.isArray(state.accessEntries)) {
    problems.push('accessEntries must be a list');
  } else {
    const seen = new Set<string>();
    for (const entry of state.accessEntries) {
      problems.push(...accessEntryProblems(entry));
      if (entry === null || typeof entry !== 'object') {
        continue;
      }
      if (seen.has(entry.principalArn)) {
        problems.push(`access entry for ${entry.principalArn} is listed twice`);
      }
      seen.add(entry.principalArn);
    }
  }
  problems.push(...manifestProblems(state));
  problems.push(...migrationProblems(state));
  problems.push(...permissionSetProblems(state.permissionSets));
  return problems;
}

/** Throws {@link AccessConfigError} listing every problem. */
export function assertValidDesiredState(state: DesiredClusterAccess): void {
  const problems = desiredStateProblems(state);
  if (problems.length > 0) {
    throw new AccessConfigError(`invalid desired state for the access configuration:\n- ${problems.join('\n- ')}`);
  }
}

function awsAuthProblems(state: DesiredClusterAccess): string[] {
  const problems: string[] = [];
  const auth = state.awsAuth;
  if (!auth || !Array.isArray(auth.mapRoles) || !Array.isArray(auth.mapUsers) || !Array.isArray(auth.mapAccounts)) {
    return ['awsAuth must have the lists mapRoles, mapUsers and mapAccounts'];
  }
  for (const mapping of [...auth.mapRoles, ...auth.mapUsers]) {
    problems.push(...mappingShapeProblems(mapping));
  }
  if (problems.length > 0) {
    return problems;
  }
  for (const role of auth.mapRoles) {
    const problem = principalArnProblem(role.rolearn);
    if (problem) {
      problems.push(`aws-auth mapRoles: ${problem}`);
    } else if (role.rolearn.split('/').length > 2) {
      problems.push(`aws-auth mapRoles: role ARN "${role.rolearn}" keeps its path; aws-auth matches roles without their path`);
    }
  }
  for (const user of auth.mapUsers) {
    const problem = principalArnProblem(user.userarn);
    if (problem) {
      problems.push(`aws-auth mapUsers: ${problem}`);
    }
  }
  for (const account of auth.mapAccounts) {
    if (!isAccountId(account)) {
      problems.push(`aws-auth mapAccounts: "${account}" is not a 12-digit account ID`);
    }
  }
  return problems;
}

/** Why an aws-auth mapping of the payload is not an object with a string username and string groups. */
function mappingShapeProblems(mapping: { rolearn?: string; userarn?: string; username?: unknown; groups?: unknown }): string[] {
  if (mapping === null || typeof mapping !== 'object') {
    return [`aws-auth mapping ${JSON.stringify(mapping)} is not an object`];
  }
  const who = `aws-auth mapping for ${mapping.rolearn ?? mapping.userarn}`;
  const problems: string[] = [];
  if (mapping.username !== undefined && typeof mapping.username !== 'string') {
    problems.push(`${who}: username must be a string, got ${JSON.stringify(mapping.username)}`);
  }
  if (!Array.isArray(mapping.groups) || mapping.groups.some((g) => typeof g !== 'string')) {
    problems.push(`${who}: groups must be a list of strings, got ${JSON.stringify(mapping.groups)}`);
  }
  return problems;
}

function manifestProblems(state: DesiredClusterAccess): string[] {
  if (!Array.isArray(state.manifests)) {
    return ['manifests must be a list'];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of state.manifests) {
    const name = m?.metadata?.name;
    const what = `manifest ${m?.kind ?? '?'} ${name ?? '?'}`;
    if (!(MANIFEST_KINDS as readonly string[]).includes(m?.kind)) {
      problems.push(`${what}: kind must be one of ${MANIFEST_KINDS.join(', ')}`);
      continue;
    }
    const kind = m.kind as ManifestKind;
    if (m.apiVersion !== API_VERSION[kind]) {
      problems.push(`${what}: apiVersion must be ${API_VERSION[kind]}, got ${JSON.stringify(m.apiVersion)}`);
    }
    if (typeof name !== 'string' || name === '') {
      problems.push(`${what}: metadata.name is required`);
    }
    if (isNamespacedKind(kind) !== (m.metadata?.namespace !== undefined)) {
      problems.push(`${what}: ${isNamespacedKind(kind) ? 'metadata.namespace is required' : 'is cluster-scoped and takes no metadata.namespace'}`);
    }
    const key = `${kind}/${m.metadata?.namespace ?? ''}/${name}`;
    if (seen.has(key)) {
      problems.push(`${what}: listed twice`);
    }
    seen.add(key);
  }
  return problems;
}

/** The migration switches: booleans, pruning only with the migration, never on an AWS_AUTH mechanism. */
function migrationProblems(state: DesiredClusterAccess): string[] {
  const problems: string[] = [];
  for (const field of ['migrateFromAwsAuth', 'pruneMigratedAwsAuthEntries'] as const) {
    if (state[field] !== undefined && typeof state[field] !== 'boolean') {
      problems.push(`${field} must be true or false, got ${JSON.stringify(state[field])}`);
    }
  }
  if (state.pruneMigratedAwsAuthEntries === true && state.migrateFromAwsAuth !== true) {
    problems.push('pruneMigratedAwsAuthEntries needs migrateFromAwsAuth');
  }
  if (state.migrateFromAwsAuth === true && state.mechanism === 'AWS_AUTH') {
    problems.push('migrateFromAwsAuth moves aws-auth to access entries, which the AWS_AUTH mechanism does not write');
  }
  return problems;
}
