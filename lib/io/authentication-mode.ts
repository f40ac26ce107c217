/**
 * Moving a cluster's authentication mode forward: CONFIG_MAP → API_AND_CONFIG_MAP → API, one step
 * at a time (EKS allows nothing else), never backwards, never re-setting the current mode, and
 * waiting for each update to finish.
 */
import { DescribeUpdateCommand, DescribeUpdateResponse, UpdateClusterConfigCommand, UpdateClusterConfigResponse } from '@aws-sdk/client-eks';
import { isAwsError } from './aws-errors';
import { Deadline, DeadlineExceededError } from './deadline';
import { EksSender } from './eks-api';
import { Logger } from './log';
import { withRetry } from './retry';
import { AuthenticationMode, AUTHENTICATION_MODES, AccessMechanism } from '../core/desired-state';

/**
 * The modes to set, in order, to go from `current` to `target`: empty when already there, and
 * empty (the caller warns) when `target` is behind `current`, since EKS cannot go back.
 */
export function authenticationModeSteps(current: AuthenticationMode, target: AuthenticationMode | undefined): AuthenticationMode[] {
  if (target === undefined) {
    return [];
  }
  const from = AUTHENTICATION_MODES.indexOf(current);
  const to = AUTHENTICATION_MODES.indexOf(target);
  if (from < 0 || to < 0) {
    throw new Error(`unknown authentication mode ${from < 0 ? current : target}`);
  }
  return AUTHENTICATION_MODES.slice(from + 1, to + 1) as AuthenticationMode[];
}

/** The mode a cluster in `current` ends in once moved toward `target` (never backwards). */
export function modeAfter(current: AuthenticationMode, target: AuthenticationMode | undefined): AuthenticationMode {
  const steps = authenticationModeSteps(current, target);
  return steps.length > 0 ? steps[steps.length - 1] : current;
}

/** Which mechanisms the handler writes on a cluster in `mode`. */
export interface MechanismChoice {
  readonly awsAuth: boolean;
  readonly accessEntries: boolean;
}

/**
 * AWS_AUTH writes aws-auth only (refused on an API cluster, which ignores it); ACCESS_ENTRIES
 * writes access entries only (refused on a CONFIG_MAP cluster, which has no such API); AUTO
 * picks access entries when the mode has them, aws-auth otherwise.
 */
export function chooseMechanism(mechanism: AccessMechanism, mode: AuthenticationMode, clusterName: string): MechanismChoice {
  switch (mechanism) {
    case 'AWS_AUTH':
      if (mode === 'API') {
        throw new Error(`cluster "${clusterName}" uses authentication mode API, which ignores aws-auth: use the ACCESS_ENTRIES or AUTO mechanism, or set the mode to API_AND_CONFIG_MAP`);
      }
      return { awsAuth: true, accessEntries: false };
    case 'ACCESS_ENTRIES':
      if (mode === 'CONFIG_MAP') {
        throw new Error(`cluster "${clusterName}" uses authentication mode CONFIG_MAP, which has no access entries: set targetAuthenticationMode to API_AND_CONFIG_MAP (or API), or use the AWS_AUTH mechanism`);
      }
      return { awsAuth: false, accessEntries: true };
    case 'AUTO':
      return mode === 'CONFIG_MAP' ? { awsAuth: true, accessEntries: false } : { awsAuth: false, accessEntries: true };
    default:
      throw new Error(`unknown mechanism ${String(mechanism)}`);
  }
}

export interface ModeChangeOptions {
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly pollMs?: number;
  readonly random?: () => number;
}

/** Applies the steps toward `target` and returns the mode the cluster ends in. */
export async function advanceAuthenticationMode(
  eks: EksSender, clusterName: string, current: AuthenticationMode, target: AuthenticationMode | undefined, options: ModeChangeOptions,
): Promise<AuthenticationMode> {
  if (target !== undefined && AUTHENTICATION_MODES.indexOf(target) < AUTHENTICATION_MODES.indexOf(current)) {
    options.log.warn(`cluster "${clusterName}" is already in authentication mode ${current}, past the target ${target}; EKS cannot move a cluster back, so the mode is left as it is`);
  }
  let mode = current;
  for (const step of authenticationModeSteps(current, target)) {
    options.log.info('changing the authentication mode', { cluster: clusterName, from: mode, to: step });
    // Another update in progress answers ResourceInUseException: wait and try again.
    const command = new UpdateClusterConfigCommand({ name: clusterName, accessConfig: { authenticationMode: step } });
    const response = await withRetry(() => eks.send<UpdateClusterConfigResponse>(command), {
      what: `setting the authentication mode of "${clusterName}" to ${step}`,
      deadline: options.deadline,
      maxAttempts: 30,
      baseMs: 5_000,
      maxMs: 20_000,
      random: options.random,
      log: options.log,
      retryable: (e) => (isAwsError(e, 'ResourceInUseException') ? 'another cluster update is in progress' : undefined),
    });
    const updateId = response.update?.id;
    if (!updateId) {
      throw new Error(`UpdateClusterConfig for "${clusterName}" returned no update ID`);
    }
    await waitForUpdate(eks, clusterName, updateId, step, options);
    mode = step;
  }
  return mode;
}

async function waitForUpdate(
  eks: EksSender, clusterName: string, updateId: string, step: AuthenticationMode, options: ModeChangeOptions,
): Promise<void> {
  let status: string | undefined;
  const waiting = () => `waiting for the authentication mode of "${clusterName}" to become ${step} (update ${updateId} is ${status ?? 'unknown'})`;
  for (;;) {
    const update = await describeUpdate(eks, clusterName, updateId, status === undefined ? undefined : waiting());
    status = update?.status;
    if (status === 'Successful') {
      return;
    }
    if (status === 'Failed' || status === 'Cancelled') {
      const errors = (update?.errors ?? []).map((e) => `${e.errorCode}: ${e.errorMessage}`).join('; ');
      throw new Error(`changing the authentication mode of "${clusterName}" to ${step} ended ${status} (update ${updateId})${errors ? `: ${errors}` : ''}`);
    }
    await options.deadline.sleep(options.pollMs ?? 10_000, waiting());
  }
}

/**
 * One DescribeUpdate. Once the update was seen in progress, running out of time during the call is
 * reported as the wait it interrupted (`waiting`), as it is when the deadline falls between polls.
 */
async function describeUpdate(eks: EksSender, clusterName: string, updateId: string, waiting: string | undefined) {
  try {
    return (await eks.send<DescribeUpdateResponse>(new DescribeUpdateCommand({ name: clusterName, updateId }))).update;
  } catch (error) {
    if (waiting !== undefined && error instanceof DeadlineExceededError) {
      throw new DeadlineExceededError(`ran out of time while ${waiting}; the Lambda's time limit is near. Re-run the deployment once the cause is fixed (the handler is idempotent).`);
    }
    throw error;
  }
}
