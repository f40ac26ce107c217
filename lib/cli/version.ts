/** The version of `eks-access`: the package's version, fixed into the bundle when it is built. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Replaced by `scripts/bundle.mjs` with the package's version; undeclared when run from the sources. */
declare const CDK_EKS_ACCESS_VERSION: string | undefined;

/** The version `eks-access --version` prints. */
export function cliVersion(): string {
  if (typeof CDK_EKS_ACCESS_VERSION === 'string') {
    return CDK_EKS_ACCESS_VERSION;
  }
  // Run from the sources (lib/cli): the package.json two levels up.
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}
