/**
 * The EKS API as the handler uses it: one place that sends every command, retries the transient
 * errors (by error name) with bounded backoff, and logs one line per call. The SDK's own retries
 * are turned off so that each HTTP attempt is logged and bounded by the Lambda's deadline: an
 * attempt is aborted when the deadline comes, whatever its own timeouts.
 */
import { EKSClient, EKSClientConfig } from '@aws-sdk/client-eks';
import { transientAwsErrorReason, awsErrorName } from './aws-errors';
import { Deadline, DeadlineExceededError } from './deadline';
import { endpointOverrides } from './endpoints';
import { ApiName, Logger } from './log';
import { withRetry } from './retry';

/** A command of the EKS client (any of them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = any;

/** Sends EKS commands; the reconciler depends on this, tests may substitute it. */
export interface EksSender {
  send<T>(command: AnyCommand, options?: SendOptions): Promise<T>;
}

export interface SendOptions {
  /** Extra reason to retry an error (e.g. a principal IAM has not yet propagated). */
  readonly alsoRetry?: (error: unknown) => string | undefined;
  /** What the call does, for the error message when it gives up. */
  readonly what?: string;
}

/**
 * Creates the EKS client for a region (endpoint overridden only by the test variable), with the
 * default credential chain unless `credentials` are given (the CLI's `--profile`).
 */
export function createEksClient(region: string | undefined, credentials?: EKSClientConfig['credentials']): EKSClient {
  const endpoint = endpointOverrides().eks;
  // No SDK retries (EksApi retries, logging each attempt) and no request that can hang past the deadline.
  const requestHandler = { ...AWS_REQUEST_TIMEOUTS };
  return new EKSClient({ region, maxAttempts: 1, requestHandler, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) });
}

/** Timeouts of every AWS client of the handler (ms): no connection or request can hang. */
export interface AwsRequestTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  /** Without it, the SDK's HTTP handler only logs a warning when `requestTimeout` passes. */
  readonly throwOnRequestTimeout: true;
}

/** 5 s to connect, 20 s for the whole request, after which the request fails. */
export const AWS_REQUEST_TIMEOUTS: AwsRequestTimeouts = { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true };

export class EksApi implements EksSender {
  constructor(
    private readonly client: { send(command: AnyCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown> },
    private readonly deadline: Deadline,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
    /** The `api` of the log lines (another AWS service's client may be sent through this class). */
    private readonly api: ApiName = 'eks',
  ) {}

  public async send<T>(command: AnyCommand, options: SendOptions = {}): Promise<T> {
    const operation = String(command?.constructor?.name ?? 'Command').replace(/Command$/, '');
    return withRetry(async (attempt) => {
      this.deadline.check(`calling ${this.api.toUpperCase()} ${operation}`);
      const started = Date.now();
      // The attempt ends by the deadline at the latest (its own timeouts may be longer).
      const abortSignal = AbortSignal.timeout(Math.max(1, this.deadline.attemptMs()));
      try {
        const result = (await this.client.send(command, { abortSignal })) as T & { $metadata?: { httpStatusCode?: number } };
        this.log.apiCall({ api: this.api, operation, status: result?.$metadata?.httpStatusCode ?? 200, attempt, ms: Date.now() - started });
        return result;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        this.log.apiCall({ api: this.api, operation, status: `${status ?? '-'} ${awsErrorName(error) ?? 'Error'}`, attempt, ms: Date.now() - started });
        if (abortSignal.aborted) {
          throw new DeadlineExceededError(`ran out of time while calling ${this.api.toUpperCase()} ${operation} (no answer before the Lambda's time limit); re-run the deployment (the handler is idempotent)`);
        }
        throw error;
      }
    }, {
      what: options.what ?? `calling ${this.api.toUpperCase()} ${operation}`,
      deadline: this.deadline,
      maxAttempts: 8,
      baseMs: 500,
      maxMs: 10_000,
      random: this.random,
      log: this.log,
      retryable: (error) => transientAwsErrorReason(error) ?? options.alsoRetry?.(error),
    });
  }
}
