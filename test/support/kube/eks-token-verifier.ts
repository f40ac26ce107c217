/**
 * Verifies `k8s-aws-v1.` tokens as EKS's authenticator does, with STS emulated: instead of sending
 * the presigned URL to STS, the signature is recomputed with the test credentials of the access
 * key that signed it. A rejected token gives a {@link TokenRejectedError} saying why.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CallerIdentity, callerIdentityOf, lookUpAccessKey, TestPrincipal } from './principals';
import { CLUSTER_ID_HEADER, EKS_TOKEN_PREFIX, STS_API_VERSION } from '../../../lib/io/eks-token';

/** The authenticator accepts a token this long after its X-Amz-Date. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Largest X-Amz-Expires accepted. */
export const MAX_PRESIGN_SECONDS = 900;
/** Tolerated clock skew for a token signed "in the future". */
const CLOCK_SKEW_MS = 5 * 60_000;

const STS_HOST = /^sts(\.([a-z]{2,4}(-[a-z]+)+-\d+))?\.amazonaws\.com(\.cn)?$/;
/** Query parameters the authenticator allows in the presigned URL (lower-cased). */
const ALLOWED_PARAMS = new Set([
  'action', 'version', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires',
  'x-amz-security-token', 'x-amz-signature', 'x-amz-signedheaders',
]);

export class TokenRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

export interface TokenVerifierOptions {
  /** The cluster name the authenticator is configured with. */
  readonly clusterName: string;
  /** The principals emulated STS knows (their base keys and the keys derived from their seeds). */
  readonly principals: readonly TestPrincipal[];
  readonly now?: () => Date;
}

/** Who signed `token`, or throws {@link TokenRejectedError}. */
export async function verifyEksToken(token: string, options: TokenVerifierOptions): Promise<CallerIdentity> {
  const now = (options.now ?? (() => new Date()))();
  if (!token.startsWith(EKS_TOKEN_PREFIX)) {
    throw new TokenRejectedError(`token does not start with ${EKS_TOKEN_PREFIX}`);
  }
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new TokenRejectedError('token payload is not unpadded base64url');
  }
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejectedError('token payload is not a URL');
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new TokenRejectedError(`presigned URL must be plain https, got ${url.protocol}//${url.host}`);
  }
  const hostMatch = STS_HOST.exec(url.hostname);
  if (!hostMatch) {
    throw new TokenRejectedError(`unexpected STS host "${url.hostname}"`);
  }
  if (url.pathname !== '/') {
    throw new TokenRejectedError(`unexpected path "${url.pathname}" in presigned URL`);
  }
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!ALLOWED_PARAMS.has(key.toLowerCase())) {
      throw new TokenRejectedError(`non-allowlisted query parameter "${key}"`);
    }
    if (query.has(key)) {
      throw new TokenRejectedError(`query parameter "${key}" appears twice`);
    }
    query.set(key, value);
  }
  const param = (name: string): string => {
    const v = query.get(name);
    if (v === undefined) {
      throw new TokenRejectedError(`presigned URL lacks ${name}`);
    }
    return v;
  };
  if (param('Action') !== 'GetCallerIdentity') {
    throw new TokenRejectedError(`unexpected action "${param('Action')}"`);
  }
  if (param('Version') !== STS_API_VERSION) {
    throw new TokenRejectedError(`unexpected STS version "${param('Version')}"`);
  }
  if (param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new TokenRejectedError(`unexpected signing algorithm "${param('X-Amz-Algorithm')}"`);
  }
  const signedHeaders = param('X-Amz-SignedHeaders').split(';');
  if (!signedHeaders.includes(CLUSTER_ID_HEADER)) {
    throw new TokenRejectedError(`${CLUSTER_ID_HEADER} is not among the signed headers`);
  }
  const unknownHeader = signedHeaders.find((h) => h !== 'host' && h !== CLUSTER_ID_HEADER);
  if (unknownHeader !== undefined || !signedHeaders.includes('host')) {
    throw new TokenRejectedError(`signed headers must be host and ${CLUSTER_ID_HEADER}, got ${signedHeaders.join(';')}`);
  }

  const expires = Number(param('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires <= 0 || expires > MAX_PRESIGN_SECONDS) {
    throw new TokenRejectedError(`X-Amz-Expires must be 1..${MAX_PRESIGN_SECONDS}, got "${param('X-Amz-Expires')}"`);
  }
  const signedAt = parseAmzDate(param('X-Amz-Date'));
  if (signedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new TokenRejectedError(`token is signed in the future (${signedAt.toISOString()})`);
  }
  if (now.getTime() - signedAt.getTime() > TOKEN_LIFETIME_MS) {
    throw new TokenRejectedError(`token expired (signed ${signedAt.toISOString()})`);
  }

  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator, ...extra] = param('X-Amz-Credential').split('/');
  if (extra.length > 0 || scopeService !== 'sts' || terminator !== 'aws4_request' || !scopeDate || !scopeRegion) {
    throw new TokenRejectedError('malformed X-Amz-Credential');
  }
  if (scopeDate !== param('X-Amz-Date').slice(0, 8)) {
    throw new TokenRejectedError('credential scope date differs from X-Amz-Date');
  }
  const hostRegion = hostMatch[2] ?? 'us-east-1';
  if (scopeRegion !== hostRegion) {
    throw new TokenRejectedError(`credential scope region ${scopeRegion} does not match STS host ${url.hostname}`);
  }

  // --- emulated STS: the access key must exist and the signature must be its own ---
  const known = lookUpAccessKey(accessKeyId, options.principals);
  if (!known) {
    throw new TokenRejectedError(`STS: the security token included in the request is invalid (unknown access key ${accessKeyId})`);
  }
  const { principal, credentials } = known;
  if ((credentials.sessionToken ?? undefined) !== query.get('X-Amz-Security-Token')) {
    throw new TokenRejectedError(`STS: the security token included in the request is invalid (session token does not belong to ${accessKeyId})`);
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    region: scopeRegion,
    service: 'sts',
    sha256: Sha256,
  });
  // The authenticator sends x-k8s-aws-id with its own configured cluster name: a token minted for
  // another cluster fails the signature check, as it does at STS.
  const expected = await signer.presign(new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: url.hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: STS_API_VERSION },
    headers: { host: url.hostname, [CLUSTER_ID_HEADER]: options.clusterName },
  }), { expiresIn: expires, signingDate: signedAt });
  const expectedSignature = Buffer.from(String(expected.query?.['X-Amz-Signature'] ?? ''));
  const givenSignature = Buffer.from(param('X-Amz-Signature'));
  if (expectedSignature.length !== givenSignature.length || !timingSafeEqual(expectedSignature, givenSignature)) {
    throw new TokenRejectedError(`STS: signature does not match (wrong secret, or the token is for a cluster other than "${options.clusterName}")`);
  }
  return callerIdentityOf(principal, accessKeyId);
}

/** `YYYYMMDDTHHMMSSZ` → Date. */
function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) {
    throw new TokenRejectedError(`malformed X-Amz-Date "${value}"`);
  }
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}
