/**
 * Pagination of the List operations: `maxResults` (1-100) and an opaque `nextToken`.
 * Items are paged in key order and the token holds the last key returned, so a page boundary
 * stays correct when items are added or removed between calls (as with the real service, an
 * item added before the cursor during a listing is not seen).
 */
import { errors } from './errors';

/** One page of keys and the token for the next one (absent on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/** The largest `maxResults` EKS accepts on its List operations. */
export const MAX_RESULTS_LIMIT = 100;

/**
 * Pages `items` (sorted by `key`). `maxResults` comes from the query string (undefined when
 * absent); `defaultPageSize` applies when it is absent.
 */
export function page<T>(items: T[], key: (item: T) => string, maxResults: number | undefined,
  nextToken: string | undefined, defaultPageSize: number, scope: string): Page<T> {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_LIMIT)) {
    throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_RESULTS_LIMIT}, got ${maxResults}.`);
  }
  const size = maxResults ?? defaultPageSize;
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)));
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = decodeToken(nextToken, scope);
    start = sorted.findIndex((item) => compare(key(item), after) > 0);
    if (start < 0) {
      start = sorted.length;
    }
  }
  const slice = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  return more ? { items: slice, nextToken: encodeToken(key(slice[slice.length - 1]), scope) } : { items: slice };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The token names the listing it belongs to, so a token of another listing is refused. */
function encodeToken(lastKey: string, scope: string): string {
  return Buffer.from(JSON.stringify({ s: scope, k: lastKey }), 'utf8').toString('base64url');
}

function decodeToken(token: string, scope: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; k?: unknown };
    if (parsed.s === scope && typeof parsed.k === 'string') {
      return parsed.k;
    }
  } catch {
    // fall through
  }
  throw errors.invalidNextToken();
}
