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
}

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
  const response = await fetch(url, { method: 'GET', headers: signed.headers as Record<string, string> });
  log.apiCall({ api: 's3', method: 'GET', path: `${location.bucket}/${location.key}`, status: response.status });
  const body = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP ${response.status}`;
    throw new S3ReadError(`cannot read the desired state from s3://${location.bucket}/${location.key}: ${code}${code === 'AccessDenied' ? ' (the handler role needs s3:GetObject on it)' : ''}`, code);
  }
  return body;
}

/** The AWS DNS suffix of a region (China regions have their own). */
function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}
