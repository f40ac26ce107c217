/**
 * `useSharedCluster()` in a test file that touches the shared API server: the file waits for its
 * turn (one such file at a time), starts from a clean cluster and a clean EKS fake, and lets the
 * next file in when done.
 */
import { adminClient, eksFake, kubeHarness } from './env';
import { acquireLock } from './lock';
import { resetCluster } from './reset';
import { KubernetesClient } from '../../../lib/io/kube/client';

/** Registers beforeAll/afterAll hooks; returns the admin client (valid inside tests). */
export function useSharedCluster(): { admin: () => KubernetesClient } {
  let release: (() => void) | undefined;
  let admin: KubernetesClient | undefined;
  beforeAll(async () => {
    release = await acquireLock(kubeHarness().lockDir);
    admin = adminClient();
    await resetCluster(admin);
    await eksFake().reset();
  }, 600_000);
  afterAll(() => {
    admin?.close();
    release?.();
  });
  return {
    admin: () => {
      if (!admin) {
        throw new Error('useSharedCluster: the admin client exists only inside tests (after beforeAll)');
      }
      return admin;
    },
  };
}
