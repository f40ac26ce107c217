/**
 * EKS bearer tokens, minted the way `aws eks get-token` and aws-iam-authenticator do: a presigned
 * STS `GetCallerIdentity` URL, with the cluster name signed in as the `x-k8s-aws-id` header,
 * base64url-encoded without padding behind the `k8s-aws-v1.` prefix. The cluster's authenticator
 * replays the URL against STS to learn who the caller is; nothing is sent to AWS here.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Prefix of every EKS token (version 1 of the authenticator's token format). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds a token to one cluster. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** Presign lifetime used by `aws eks get-token`; the authenticator accepts a token for 15 minutes after its X-Amz-Date. */
export const EKS_TOKEN_PRESIGN_SECONDS = 60;
/** The STS API version in the presigned URL. */
export const STS_API_VERSION = '2011-06-15';

export interface EksTokenOptions {
  /** The EKS cluster name (what the cluster's authenticator expects in `x-k8s-aws-id`). */
  readonly clusterName: string;
  /** Region of the cluster: the token is signed for the regional STS endpoint there. */
  readonly region: string;
  /** Credentials of the caller, or a provider of them (the SDK's default chain, an assumed role...). */
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** A minted token and when it stops being usable (the authenticator's 15 minutes, less a margin). */
export interface EksToken {
  readonly token: string;
  /** After this instant a new token must be minted. */
  readonly expiresAt: Date;
}

/** How long the authenticator accepts a token after its signing time. */
const AUTHENTICATOR_TOKEN_LIFETIME_MS = 15 * 60_000;
/** Renew a minute early, so a token never expires in the middle of a request or a retry. */
const RENEW_MARGIN_MS = 60_000;

/** DNS suffix of each partition's endpoints, by region prefix (the SDK's partition data); default `amazonaws.com`. */
const DNS_SUFFIX_BY_REGION_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'amazonaws.com.cn'],
  ['us-isob-', 'sc2s.sgov.gov'],
  ['us-isof-', 'csp.hci.ic.gov'],
  ['us-iso-', 'c2s.ic.gov'],
  ['eu-isoe-', 'cloud.adc-e.uk'],
  ['eusc-', 'amazonaws.eu'],
];

/** The regional STS host for `region` (`sts.<region>.amazonaws.com`, `.amazonaws.com.cn` in China...). */
export function stsHostname(region: string): string {
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`cannot mint an EKS token: "${region}" is not an AWS region name`);
  }
  const suffix = DNS_SUFFIX_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'amazonaws.com';
  return `sts.${region}.${suffix}`;
}

/** Mints a bearer token for the cluster `clusterName` in `region`. */
export async function mintEksToken(options: EksTokenOptions): Promise<EksToken> {
  if (!options.clusterName) {
    throw new Error('cannot mint an EKS token: the cluster name is empty');
  }
  const hostname = stsHostname(options.region);
  const signingDate = (options.now ?? (() => new Date()))();
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: STS_API_VERSION },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
  });
  const presigned = await signer.presign(request, { expiresIn: EKS_TOKEN_PRESIGN_SECONDS, signingDate });
  const url = `https://${hostname}/?${formatQuery(presigned.query as Record<string, string | string[] | null>)}`;
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    expiresAt: new Date(signingDate.getTime() + AUTHENTICATOR_TOKEN_LIFETIME_MS - RENEW_MARGIN_MS),
  };
}

/**
 * The presigned URL inside a token (the inverse of the encoding in {@link mintEksToken}). Throws
 * when `token` is not an EKS token; never includes the token in its message.
 */
export function eksTokenUrl(token: string): URL {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) {
    throw new Error(`not an EKS token: it does not start with "${EKS_TOKEN_PREFIX}"`);
  }
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new Error('not an EKS token: the payload is not unpadded base64url');
  }
  try {
    return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new Error('not an EKS token: the payload is not a URL');
  }
}

/**
 * A token source for a long-running caller: mints on first use and again shortly before the
 * current token expires.
 */
export function eksTokenProvider(options: EksTokenOptions): () => Promise<string> {
  const now = options.now ?? (() => new Date());
  let current: EksToken | undefined;
  return async () => {
    if (!current || now().getTime() >= current.expiresAt.getTime()) {
      current = await mintEksToken(options);
    }
    return current.token;
  };
}

/** RFC 3986 query string, keys sorted (the canonical order SigV4 signed). */
function formatQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const values = Array.isArray(value) ? value : [value ?? ''];
    for (const v of values) {
      parts.push(`${rfc3986(key)}=${rfc3986(v)}`);
    }
  }
  return parts.join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
