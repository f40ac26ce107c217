/**
 * The only place that reads endpoint overrides. In Lambda none is set and every client uses the
 * AWS endpoint of its region; tests point the clients at local fakes through these variables.
 */

/** Endpoint of the EKS API for tests (e.g. `http://127.0.0.1:4566`); unset in production. */
export const EKS_ENDPOINT_ENV = 'CDK_EKS_ACCESS_EKS_ENDPOINT';
/** Endpoint of the STS API for tests; unset in production. */
export const STS_ENDPOINT_ENV = 'CDK_EKS_ACCESS_STS_ENDPOINT';
/** Endpoint of S3 for tests (path-style); unset in production. */
export const S3_ENDPOINT_ENV = 'CDK_EKS_ACCESS_S3_ENDPOINT';
/** Endpoint of the IAM API for tests; unset in production. */
export const IAM_ENDPOINT_ENV = 'CDK_EKS_ACCESS_IAM_ENDPOINT';

export interface EndpointOverrides {
  readonly eks?: string;
  readonly sts?: string;
  readonly s3?: string;
  readonly iam?: string;
}

/** Reads the overrides from the environment. */
export function endpointOverrides(env: NodeJS.ProcessEnv = process.env): EndpointOverrides {
  return {
    eks: env[EKS_ENDPOINT_ENV] || undefined,
    sts: env[STS_ENDPOINT_ENV] || undefined,
    s3: env[S3_ENDPOINT_ENV] || undefined,
    iam: env[IAM_ENDPOINT_ENV] || undefined,
  };
}
