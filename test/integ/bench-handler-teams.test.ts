/**
 * Smoke test of the handler benchmark (bench/handler-teams.ts) with 12 teams in batches of 5: in
 * both layouts every step succeeds, and the outcome it reports is what the cluster holds.
 */
import { useHandlerEnvironment } from './handler-support';
import { runLayout } from '../../bench/handler-teams';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(300_000);
useSharedCluster();
useHandlerEnvironment();

test.each(['batches', 'one'] as const)('%s layout: Create, a replayed Update, Delete', async (layout) => {
  const [create, update, remove] = await runLayout(12, layout, 5);
  expect([create.errors, update.errors, remove.errors]).toEqual([[], [], []]);
  expect(create.check).toBe('12 namespaces, 0 terminating, 12 bindings, 12 access entries');
  expect(create.phases).toHaveLength(layout === 'batches' ? 2 : 1);
  expect(update.check).toBe(create.check);
  // The test API server runs no namespace controller: the bindings stay in the terminating namespaces.
  expect(remove.check).toMatch(/^0 namespaces, 12 terminating, \d+ bindings, 0 access entries$/);
  expect(remove.kubeCalls).toBeGreaterThan(0);
  expect(remove.eksCalls).toBeGreaterThan(0);
});
