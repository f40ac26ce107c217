/**
 * Bounded retries with exponential backoff and full jitter. Every retry loop in the handler goes
 * through here, so that all of them stop at the Lambda's deadline and at a maximum number of
 * attempts, and all of them log each failed attempt.
 */
import { Deadline } from './deadline';
import { Logger } from './log';

export interface BackoffOptions {
  /** First delay cap in milliseconds. */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  readonly random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): "full jitter", a uniform value in
 * [base/2, min(max, base * 2^(attempt-1))]. Half the cap is kept as a floor so that 20 writers
 * racing on one object spread out instead of retrying together at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const floor = Math.min(cap, options.baseMs / 2);
  return Math.round(floor + random() * (cap - floor));
}

export interface RetryOptions extends BackoffOptions {
  /** What is being done, for logs and the final error ("creating access entry for arn:..."). */
  readonly what: string;
  readonly deadline: Deadline;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Why the error is worth retrying (a short reason), or undefined when it is not. */
  readonly retryable: (error: unknown) => string | undefined;
  readonly log?: Logger;
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error (rethrown as is), runs out of
 * attempts or would outlive the deadline (both rethrow the last error, its message extended
 * with how long and how often it was tried).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const reason = options.retryable(error);
      if (reason === undefined) {
        throw error;
      }
      const delay = backoffDelay(attempt, options);
      const outOfAttempts = attempt >= options.maxAttempts;
      const outOfTime = delay >= options.deadline.remainingMs();
      options.log?.warn(`retryable failure while ${options.what}`, { reason, attempt, delayMs: outOfAttempts || outOfTime ? undefined : delay, error: describeError(error) });
      if (outOfAttempts || outOfTime) {
        throw withContext(error, `gave up ${options.what} after ${attempt} attempt(s) over ${Math.round((Date.now() - started) / 1000)} s (${outOfTime ? 'the Lambda time limit is near' : 'attempt limit reached'}); last error (${reason})`);
      }
      await options.deadline.sleep(delay, options.what);
    }
  }
}

/** `name: message` of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
}

/** The same error (name, class and fields kept) with `prefix` before its message. */
export function withContext(error: unknown, prefix: string): unknown {
  if (error instanceof Error) {
    error.message = `${prefix}: ${error.message}`;
    return error;
  }
  return new Error(`${prefix}: ${String(error)}`);
}
