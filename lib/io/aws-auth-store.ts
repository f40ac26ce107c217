/**
 * Reading and writing the `aws-auth` ConfigMap safely, for the handler and the CLI alike: every
 * write carries the `metadata.resourceVersion` it was computed from, a concurrent change (409)
 * makes it re-read and re-compute, with bounded exponential backoff and jitter; a computation
 * that changes nothing writes nothing; the ConfigMap is never deleted.
 */
import { Deadline, DeadlineExceededError } from './deadline';
import { KubeObject, KubernetesApi, kubeReason, kubeStatus, objectPath, collectionPath } from './kubernetes-api';
import { Logger } from './log';
import { withRetry } from './retry';

export const AWS_AUTH_NAMESPACE = 'kube-system';
export const AWS_AUTH_NAME = 'aws-auth';
/** Path of the aws-auth ConfigMap. */
export const AWS_AUTH_PATH = objectPath('ConfigMap', AWS_AUTH_NAME, AWS_AUTH_NAMESPACE);

/**
 * Computes the next aws-auth from the current one (undefined: there is none yet). Returns the
 * ConfigMap to write, or undefined when nothing needs to change. Throwing aborts the update with
 * nothing written (e.g. the current ConfigMap cannot be parsed, or the change would lock out).
 */
export type AwsAuthMutation = (current: KubeObject | undefined) => KubeObject | undefined;

export interface AwsAuthUpdateResult {
  /** True when a create or replace succeeded. */
  readonly written: boolean;
  /** True when the ConfigMap did not exist and was created. */
  readonly created: boolean;
  /** Read-compute-write rounds it took (1 when no concurrent writer interfered). */
  readonly attempts: number;
  /** The ConfigMap as read in the last round (undefined: there was none). */
  readonly before?: KubeObject;
  /** The ConfigMap as written (or, when nothing changed, as read). */
  readonly after?: KubeObject;
}

export interface AwsAuthStoreOptions {
  readonly deadline: Deadline;
  readonly log?: Logger;
  /** Read-compute-write rounds at most (default 40: enough for tens of concurrent writers). */
  readonly maxAttempts?: number;
  readonly random?: () => number;
}

/** Thrown when another writer kept changing aws-auth until the attempts or the time ran out. */
export class AwsAuthConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsAuthConflictError';
  }
}

/** The aws-auth ConfigMap, or undefined when the cluster has none. */
export async function readAwsAuth(kube: KubernetesApi): Promise<KubeObject | undefined> {
  return kube.get(AWS_AUTH_PATH);
}

/** True for the answers that mean "someone else wrote first; re-read and try again". */
export function isWriteConflict(error: unknown): boolean {
  const reason = kubeReason(error);
  return kubeStatus(error) === 409 && (reason === 'Conflict' || reason === 'AlreadyExists' || reason === undefined);
}

/** Reads aws-auth, applies `mutate`, writes the result back; repeats on a write conflict. */
export async function updateAwsAuth(kube: KubernetesApi, mutate: AwsAuthMutation, options: AwsAuthStoreOptions): Promise<AwsAuthUpdateResult> {
  let rounds = 0;
  try {
    return await withRetry(async () => {
      rounds++;
      const current = await readAwsAuth(kube);
      const next = mutate(current);
      if (next === undefined) {
        return { written: false, created: false, attempts: rounds, before: current, after: current };
      }
      const body = withIdentity(next, current);
      const written = current === undefined
        ? await kube.create(collectionPath('ConfigMap', AWS_AUTH_NAMESPACE), body)
        : await kube.replace(AWS_AUTH_PATH, body);
      options.log?.info(current === undefined ? 'created aws-auth' : 'updated aws-auth', { attempt: rounds, resourceVersion: written?.metadata?.resourceVersion });
      return { written: true, created: current === undefined, attempts: rounds, before: current, after: written ?? body };
    }, {
      what: 'writing the aws-auth ConfigMap',
      deadline: options.deadline,
      maxAttempts: options.maxAttempts ?? 40,
      baseMs: 100,
      maxMs: 3_000,
      random: options.random,
      log: options.log,
      retryable: (e) => (isWriteConflict(e) ? 'aws-auth was changed by another writer since it was read' : undefined),
    });
  } catch (error) {
    // Out of time after conflicts (in the retry's pause, or in the next round's call): the writers
    // that kept changing aws-auth are the cause, whichever moment the deadline caught.
    if (isWriteConflict(error) || (error instanceof DeadlineExceededError && rounds > 1)) {
      throw new AwsAuthConflictError(`aws-auth kept changing under concurrent writers; gave up after ${rounds} read-merge-write rounds without writing. Re-run the deployment. (${(error as Error).message})`);
    }
    throw error;
  }
}

/**
 * The object to send: always the aws-auth name and namespace, and the resourceVersion of the
 * object the change was computed from (so a concurrent write makes this one fail, not vanish).
 */
function withIdentity(next: KubeObject, current: KubeObject | undefined): KubeObject {
  const metadata: Record<string, unknown> = { ...next.metadata, name: AWS_AUTH_NAME, namespace: AWS_AUTH_NAMESPACE };
  if (current?.metadata.resourceVersion !== undefined) {
    metadata.resourceVersion = current.metadata.resourceVersion;
  } else {
    delete metadata.resourceVersion;
  }
  return { ...next, apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata as KubeObject['metadata'] };
}
