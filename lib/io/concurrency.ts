/**
 * Bounded parallelism for the calls of one run. Thousands of teams make thousands of Kubernetes
 * calls; made one after the other they take minutes, made all at once they would meet the API
 * server's flow control (429) and the cluster's other clients. Every fan-out goes through
 * {@link mapLimited} with one of these limits.
 *
 * - {@link KUBERNETES_CONCURRENCY} = 8: the HTTPS client keeps at most 8 sockets per API server
 *   (`kube/client.ts`), so 8 requests in flight use them all and queue nothing in the client. The
 *   API server's API Priority and Fairness gives the handler's requests (an authenticated user:
 *   flow schema `global-default`; exempt when mapped to `system:masters`) a share of its seats:
 *   20 of the 245 nominal shares of the default priority levels, 49 of the 600 seats of a server
 *   with the default `--max-requests-inflight` 400 and `--max-mutating-requests-inflight` 200 (EKS
 *   sizes its servers larger), and it may borrow more. Ten handlers of one app running at once
 *   (one per nested stack) stay near that share, and APF queues (128 queues of 50) rather than
 *   rejects what exceeds it; a 429 is retried after its `Retry-After`, within the deadline.
 * - {@link EKS_READ_CONCURRENCY} = 4 and {@link EKS_WRITE_CONCURRENCY} = 4: the EKS API throttles
 *   per account and region (`ThrottlingException`, retried with backoff by `eks-api.ts`), with
 *   rates it does not publish per operation, shared with every other EKS client of the account.
 *   Reads fan out to 4; writes to 4 principals at once, each principal's writes in order, and
 *   one handler at a time per cluster (the cluster lease serializes access-entry writes).
 */

/** Kubernetes requests one run keeps in flight at most. */
export const KUBERNETES_CONCURRENCY = 8;
/** EKS read requests one run keeps in flight at most. */
export const EKS_READ_CONCURRENCY = 4;
/** Principals whose access entries one run writes at once. */
export const EKS_WRITE_CONCURRENCY = 4;

/**
 * `fn` over `items` with at most `limit` running at once, results in the order of `items`. The
 * first failure is rethrown once the calls already running have settled; no new call starts
 * after it.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) {
    throw failure;
  }
  return results;
}
