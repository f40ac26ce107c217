/** Entry point of the `eks-access` bundle (assets/cli/eks-access.js). */
import { processIo } from './io';
import { main } from './main';

// The bundle carries its own copy of the AWS SDK, so the SDK's notice that its future releases
// need a newer Node is not actionable here; on Node 20 it would clutter every run's standard error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`eks-access: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
