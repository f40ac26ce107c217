/**
 * The only place that reads endpoint overrides, which point the clients at local fakes in tests.
 * They are compiled out of the shipped bundles: `scripts/bundle.mjs` defines
 * `CDK_EKS_ACCESS_TEST_ENDPOINTS` as false there, and {@link endpointOverrides} then returns none
 * whatever the environment says (esbuild drops the code that reads it). Run from the sources (the
 * tests) the identifier is undeclared, and the overrides are read.
 */

/** Replaced by `scripts/bundle.mjs` (false in shipped bundles); undeclared when run from the sources. */
declare const CDK_EKS_ACCESS_TEST_ENDPOINTS: boolean | undefined;

/** Whether this build reads the overrides at all. */
export const TEST_ENDPOINTS_LIVE: boolean = typeof CDK_EKS_ACCESS_TEST_ENDPOINTS === 'undefined' ? true : CDK_EKS_ACCESS_TEST_ENDPOINTS;

/** Endpoint of the EKS API for tests (e.g. `http://127.0.0.1:4566`); unset in production. */
export const EKS_ENDPOINT_ENV = 'CDK_EKS_ACCESS_EKS_ENDPOINT';
/** Endpoint of the STS API for tests; unset in production. */
export const STS_ENDPOINT_ENV = 'CDK_EKS_ACCESS_STS_ENDPOINT';
/** Endpoint of S3 for tests (path-style); unset in production. */
export const S3_ENDPOINT_ENV = 'CDK_EKS_ACCESS_S3_ENDPOINT';
/** Endpoint of the IAM API for tests; unset in production. */
export const IAM_ENDPOINT_ENV = 'CDK_EKS_ACCESS_IAM_ENDPOINT';
/** Endpoint of CloudFormation for tests; unset in production. */
export const CLOUDFORMATION_ENDPOINT_ENV = 'CDK_EKS_ACCESS_CLOUDFORMATION_ENDPOINT';

export interface EndpointOverrides {
  readonly eks?: string;
  readonly sts?: string;
  readonly s3?: string;
  readonly iam?: string;
  readonly cloudformation?: string;
}

/** Reads the overrides from the environment (none in shipped bundles). */
export function endpointOverrides(env: NodeJS.ProcessEnv = process.env): EndpointOverrides {
  if (!TEST_ENDPOINTS_LIVE) {
    return {};
  }
  return {
    eks: env[EKS_ENDPOINT_ENV] || undefined,
    sts: env[STS_ENDPOINT_ENV] || undefined,
    s3: env[S3_ENDPOINT_ENV] || undefined,
    iam: env[IAM_ENDPOINT_ENV] || undefined,
    cloudformation: env[CLOUDFORMATION_ENDPOINT_ENV] || undefined,
  };
}
