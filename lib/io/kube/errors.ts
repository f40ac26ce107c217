/**
 * Errors from the Kubernetes API, carrying what callers decide on: the HTTP status and the
 * `Status.reason` (`Conflict`, `AlreadyExists`, `NotFound`, `Invalid`, `Forbidden`, ...).
 */

/** Reasons the client itself assigns when no API server answered. */
export const NETWORK_ERROR = 'NetworkError';
export const TLS_VERIFICATION_FAILED = 'TLSVerificationFailed';
export const REQUEST_TIMEOUT = 'RequestTimeout';

/** `Status.reason` for each HTTP status, used when a response carries no Status object. */
const REASON_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The default reason for an HTTP status (`Unknown` when Kubernetes defines none). */
export function reasonForStatus(status: number): string {
  return REASON_BY_STATUS[status] ?? 'Unknown';
}

/** One field-level cause of an `Invalid` (422) or similar error. */
export interface KubernetesStatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export class KubernetesApiError extends Error {
  constructor(
    /** HTTP method of the failed call. */
    public readonly method: string,
    /** Request path of the failed call (no host, no token). */
    public readonly path: string,
    /** HTTP status, or 0 when no response arrived (network, TLS, timeout). */
    public readonly status: number,
    /** `Status.reason` from the server, or one of the client's own reasons when none answered. */
    public readonly reason: string,
    /** The server's (or the network layer's) message. */
    public readonly serverMessage: string,
    public readonly causes: readonly KubernetesStatusCause[] = [],
    /** Seconds the server asked to wait before retrying (Retry-After / `details.retryAfterSeconds`). */
    public readonly retryAfterSeconds?: number,
  ) {
    super(`${method} ${path}: ${status === 0 ? reason : `${status} ${reason}`}: ${serverMessage}`);
    this.name = 'KubernetesApiError';
  }
}

/** True when `error` is a {@link KubernetesApiError} with one of `reasons`. */
export function isKubernetesReason(error: unknown, ...reasons: string[]): error is KubernetesApiError {
  return error instanceof KubernetesApiError && reasons.includes(error.reason);
}
