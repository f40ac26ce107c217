/**
 * The Lambda's time limit, as one object every wait and retry consults. The handler stops with a
 * clear error a few seconds before Lambda would kill it, so that the Provider framework can still
 * answer CloudFormation with FAILED and a reason instead of a timeout an hour later.
 */

/** Thrown when an operation cannot finish before the Lambda's time limit. */
export class DeadlineExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineExceededError';
  }
}

/** The part of the Lambda context the handler uses. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** Time kept in reserve to report a failure before Lambda's own limit. */
export const DEFAULT_RESERVE_MS = 15_000;

/**
 * How long past the deadline a single attempt started before it may run (the reserve covers it):
 * an answer that is on its way is not thrown away, and no attempt outlives the reserve.
 */
export const ATTEMPT_GRACE_MS = 1_000;

export class Deadline {
  /** From the Lambda context, keeping `reserveMs` for the failure report. */
  public static fromContext(context: RemainingTime | undefined, reserveMs = DEFAULT_RESERVE_MS, now: () => number = Date.now): Deadline {
    const remaining = context?.getRemainingTimeInMillis?.() ?? 14 * 60_000;
    return new Deadline(now() + Math.max(0, remaining - reserveMs), now);
  }

  /** A deadline `ms` from now (tests, CLI). */
  public static in(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }

  constructor(public readonly at: number, private readonly now: () => number = Date.now) {}

  /** A deadline `ms` from now, or this one when it comes first (a step with its own budget). */
  public within(ms: number): Deadline {
    return new Deadline(Math.min(this.at, this.now() + Math.floor(ms)), this.now);
  }

  public remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  /** How long an attempt started now may take: until the deadline, plus {@link ATTEMPT_GRACE_MS}. */
  public attemptMs(): number {
    return Math.max(0, this.at + ATTEMPT_GRACE_MS - this.now());
  }

  public expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** Throws {@link DeadlineExceededError} naming `what` when no time is left. */
  public check(what: string): void {
    if (this.expired()) {
      throw new DeadlineExceededError(`ran out of time while ${what}; the Lambda's time limit is near. Nothing after this step was changed; re-run the deployment (the handler is idempotent).`);
    }
  }

  /**
   * Sleeps `ms`, or throws {@link DeadlineExceededError} at once when the sleep would end after
   * the deadline (waiting only to fail later helps no one).
   */
  public async sleep(ms: number, what: string): Promise<void> {
    if (ms >= this.remainingMs()) {
      throw new DeadlineExceededError(`ran out of time while ${what}; the Lambda's time limit is near. Re-run the deployment once the cause is fixed (the handler is idempotent).`);
    }
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
