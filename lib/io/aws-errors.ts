/**
 * AWS errors, told apart by their error name (the `name` the SDK sets from the service's error
 * code), never by HTTP status alone: a 400 is a throttle or a bad parameter depending on the name.
 */

/** Error names AWS services use for throttling. */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/** Error names of transient service-side failures. */
export const SERVER_ERRORS: ReadonlySet<string> = new Set([
  'ServerException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'ServiceException',
]);

/** Node and SDK names (or codes) of connection failures worth retrying. */
export const NETWORK_ERRORS: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'NetworkingError',
]);

/**
 * The SDK's retry layer replaces an error that is not an `Error` of its own JavaScript realm (one
 * made by Node's sockets seen from a VM context, or by another copy of a library) with a plain
 * Error whose message is this prefix and the original's text, `<name>: <message>`.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for (\w+)(?:: (.*))?$/s;

/** The name of an AWS (or network) error, or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') {
    return undefined;
  }
  const e = error as { name?: unknown; code?: unknown; Code?: unknown; message?: unknown };
  for (const candidate of [e.name, e.Code, e.code]) {
    if (typeof candidate === 'string' && candidate !== 'Error') {
      return candidate;
    }
  }
  return typeof e.message === 'string' ? wrappedErrorName(e.message) : undefined;
}

/** The name inside the SDK's wrapper text, or its network code when the name is only `Error`. */
function wrappedErrorName(message: string): string | undefined {
  const [, name, text] = SDK_WRAPPER.exec(message) ?? [];
  if (name !== 'Error') {
    return name;
  }
  return [...NETWORK_ERRORS].find((code) => code.startsWith('E') && new RegExp(`\\b${code}\\b`).test(text ?? ''));
}

/** True when the error has the given AWS error name. */
export function isAwsError(error: unknown, name: string): boolean {
  return awsErrorName(error) === name;
}

/**
 * Why a call that failed with `error` may succeed if repeated (throttling, a transient service
 * failure, a dropped connection), or undefined when repeating it cannot help.
 */
export function transientAwsErrorReason(error: unknown): string | undefined {
  const name = awsErrorName(error);
  if (name === undefined) {
    return undefined;
  }
  if (THROTTLING_ERRORS.has(name)) {
    return `throttled (${name})`;
  }
  if (SERVER_ERRORS.has(name)) {
    return `service error (${name})`;
  }
  // Unmodelled error names from the server side: the SDK marks them with $fault "server".
  if ((error as { $fault?: string }).$fault === 'server' && (error as { $retryable?: unknown }).$retryable !== undefined) {
    return `service error (${name})`;
  }
  if (NETWORK_ERRORS.has(name)) {
    return `connection failure (${name})`;
  }
  return undefined;
}

/**
 * What EKS answers (InvalidParameterException) for a principal IAM does not know: one created
 * moments ago that IAM has not propagated yet, or one that does not exist at all. Public reports
 * of CreateAccessEntry show this exact message for both. Every other refusal of a principal
 * (a malformed ARN: "The principalArn parameter format is not valid"; a service-linked role; a
 * node role of another account) is permanent and has other wording. (A retry that gave up puts
 * its own words before the service's message, hence the `: ` alternative.)
 */
export const PRINCIPAL_NOT_FOUND_MESSAGE = /(^|: )The specified principalArn is invalid: invalid principal\.?$/;

/**
 * True for the error EKS returns while IAM has not yet propagated a principal that was just
 * created, which is also what a principal that does not exist at all returns: callers retry it
 * for a bounded time only. Any other InvalidParameterException is not retried.
 */
export function isPrincipalNotYetVisible(error: unknown): boolean {
  return isAwsError(error, 'InvalidParameterException') && PRINCIPAL_NOT_FOUND_MESSAGE.test(((error as Error).message ?? '').trim());
}
