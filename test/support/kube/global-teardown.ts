/** Jest global teardown: stops the Kubernetes test harness and removes its temporary directory. */
import { stopHarnessFromGlobal } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await stopHarnessFromGlobal();
}
