/** Entry point of the `eks-access` bundle (assets/cli/eks-access.js). */
import { processIo } from './io';
import { main } from './main';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`eks-access: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
