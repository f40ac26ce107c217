/**
 * Reads one S3 object with a SigV4-signed GET. The desired state is in S3 only when it is too
 * large for the custom resource's properties; a hand-signed GET keeps the S3 client (hundreds of
 * kilobytes) out of the bundle.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Logger } from './log';

export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** Path-style endpoint for tests; the regional virtual-hosted endpoint otherwise. */
  readonly endpoint?: string;
  /** Give up on a request that has not answered after this long (default 20 s). */
  readonly timeoutMs?: number;
}

/** As the EKS client's request timeout: a read never hangs until Lambda kills the handler. */
export const S3_READ_TIMEOUT_MS = 20_000;

/** Thrown when the object cannot be read, with bucket, key and the S3 error code. */
export class S3ReadError extends Error {
  constructor(message: string, public readonly code: string) {
    super(message);
    this.name = 'S3ReadError';
  }
}

/** The object's body as text. */
export async function readS3Object(location: S3ObjectLocation, log: Logger): Promise<string> {
  const url = location.endpoint
    ? new URL(`${location.endpoint.replace(/\/$/, '')}/${location.bucket}/${location.key.split('/').map(encodeURIComponent).join('/')}`)
    : new URL(`https://${location.bucket}.s3.${location.region}.${dnsSuffix(location.region)}/${location.key.split('/').map(encodeURIComponent).join('/')}`);
  const signer = new SignatureV4({ service: 's3', region: location.region, credentials: fromNodeProviderChain(), sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const request = new HttpRequest({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { 'host': url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const signed = await signer.sign(request);
  const where = `s3://${location.bucket}/${location.key}`;
  const timeoutMs = location.timeoutMs ?? S3_READ_TIMEOUT_MS;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { method: 'GET', headers: signed.headers as Record<string, string>, signal: AbortSignal.timeout(timeoutMs) });
    body = await response.text();
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    log.apiCall({ api: 's3', method: 'GET', path: `${location.bucket}/${location.key}`, status: e.name === 'TimeoutError' ? 'timeout' : 'network error' });
    throw new S3ReadError(`cannot read the desired state from ${where}: ${reason}; re-run the deployment`, e.name === 'TimeoutError' ? 'Timeout' : 'NetworkError');
  }
  log.apiCall({ api: 's3', method: 'GET', path: `${location.bucket}/${location.key}`, status: response.status });
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP ${response.status}`;
    throw new S3ReadError(`cannot read the desired state from ${where}: ${code}${code === 'AccessDenied' ? ' (the handler role needs s3:GetObject on it)' : ''}`, code);
  }
  return body;
}

/** The AWS DNS suffix of a region (China regions have their own). */
function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}
