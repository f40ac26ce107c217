/**
 * What CloudFormation receives from the handler, as aws-cdk-lib's Provider framework composes it
 * (`custom-resources/lib/provider-framework/runtime`: `cfn-response.js`, `framework.js`): one JSON
 * body of `Status`, `Reason`, `StackId`, `RequestId`, `PhysicalResourceId`, `LogicalResourceId`
 * and `Data`. CloudFormation refuses a body over 4,096 bytes ("Response object is too long") and
 * then shows that instead of the reason, so the handler fits its answer into what the rest of
 * the body leaves, and logs the full text.
 *
 * On a failure the framework builds the reason from the Lambda runtime's error report: the error
 * message, a blank line, `Logs: /aws/lambda/<function name>`, then every line of the error's
 * stack after the first. The handler's errors carry a one-line stack, so that the reason is the
 * message and the log group only (a multi-line message would otherwise appear twice).
 */
import type { CustomResourceEvent } from './event';

/** CloudFormation's limit on a custom resource response. */
export const MAX_RESPONSE_BYTES = 4096;
/** Kept free below the limit, for what a later version of the framework might add. */
const SPARE_BYTES = 96;
/** The framework's physical ID of a Create that failed without one. */
export const CREATE_FAILED_PHYSICAL_ID = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
const MISSING_PHYSICAL_ID = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';
/** Lambda function names are at most 64 characters; the reason names the handler's. */
const MAX_FUNCTION_NAME = 64;

/** The body the framework sends CloudFormation (the fields it sets, in its order). */
export function responseBody(event: CustomResourceEvent, status: 'SUCCESS' | 'FAILED', fields: { reason?: string; physicalResourceId?: string; data?: Record<string, string> }): string {
  return JSON.stringify({
    Status: status,
    Reason: fields.reason || status,
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: fields.physicalResourceId || MISSING_PHYSICAL_ID,
    LogicalResourceId: event.LogicalResourceId,
    Data: fields.data,
  });
}

/** The reason the framework makes of a handler error with a one-line stack. */
export function failureReason(message: string, functionName = 'f'.repeat(MAX_FUNCTION_NAME)): string {
  return [message, '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
}

/** The physical ID the framework answers a failure with. */
function failedPhysicalId(event: CustomResourceEvent): string {
  return event.PhysicalResourceId || (event.RequestType === 'Create' ? CREATE_FAILED_PHYSICAL_ID : MISSING_PHYSICAL_ID);
}

/**
 * The error to throw for a failure: `message` clipped so that the framework's whole FAILED
 * response fits with `tail` after it (what undoing the failed run left, kept whole when it fits),
 * with a one-line stack. The full message goes to the log beforehand.
 */
export function failureError(event: CustomResourceEvent, message: string, tail = ''): Error {
  const budget = MAX_RESPONSE_BYTES - SPARE_BYTES;
  const size = (m: string) => Buffer.byteLength(responseBody(event, 'FAILED', { reason: failureReason(m), physicalResourceId: failedPhysicalId(event) }));
  const where = 'the full message is in the handler\'s log';
  const head = clipToFit(message, (m) => size(`${m}${tail}`) <= budget, where);
  const clipped = head !== '' || size(tail) <= budget ? `${head}${tail}` : clipToFit(`${message}${tail}`, (m) => size(m) <= budget, where);
  const error = new Error(clipped);
  error.stack = clipped.split('\n', 1)[0];
  return error;
}

/**
 * The attributes clipped so that the framework's SUCCESS response fits: every value longer than
 * a common length is cut to it (the largest length that fits), each with a note that the rest is
 * in the log; shorter values are left whole.
 */
export function fitResponseData(event: CustomResourceEvent, physicalResourceId: string, data: Record<string, string>): Record<string, string> {
  const budget = MAX_RESPONSE_BYTES - SPARE_BYTES;
  const capped = (cap: number) => Object.fromEntries(Object.entries(data).map(([k, v]) =>
    [k, v.length <= cap ? v : clipToFit(v, (c) => c.length <= cap, 'the rest is in the handler\'s log')]));
  const fits = (cap: number) => Buffer.byteLength(responseBody(event, 'SUCCESS', { physicalResourceId, data: capped(cap) })) <= budget;
  let low = 0;
  let high = Math.max(0, ...Object.values(data).map((v) => v.length));
  if (fits(high)) {
    return { ...data };
  }
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return capped(low);
}

/**
 * The longest head of `text` (whole lines where possible) that `fits` with a note of what was
 * left out; `text` itself when it fits; the note alone, or nothing, when nothing else fits.
 */
export function clipToFit(text: string, fits: (candidate: string) => boolean, where: string): string {
  if (fits(text)) {
    return text;
  }
  const lines = text.split('\n');
  const note = (head: string) => {
    const shownLines = head === '' ? 0 : head.split('\n').length;
    const more = lines.length - shownLines;
    return `${head}${head === '' ? '' : '\n'}... (clipped: ${more > 0 ? `${more} more line(s)` : 'the rest of the text'}; ${where})`;
  };
  // Whole lines first: the largest number of lines that fits.
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(note(lines.slice(0, mid).join('\n')))) low = mid;
    else high = mid - 1;
  }
  const wholeLines = lines.slice(0, low).join('\n');
  // Then as much of the next line as fits (a single long line would otherwise vanish).
  const next = lines[low] ?? '';
  let lo = 0;
  let hi = next.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(note(joinHead(wholeLines, next.slice(0, mid))))) lo = mid;
    else hi = mid - 1;
  }
  const head = joinHead(wholeLines, next.slice(0, lo));
  if (fits(note(head))) {
    return note(head);
  }
  return fits(note('')) ? note('') : '';
}

function joinHead(lines: string, partial: string): string {
  if (partial === '') {
    return lines;
  }
  return lines === '' ? partial : `${lines}\n${partial}`;
}
