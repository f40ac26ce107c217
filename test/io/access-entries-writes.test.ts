/**
 * Writing many access entries: principals several at a time (a run of 1,000 teams made 1,000
 * CreateAccessEntry calls one after the other), each principal's writes in order, and the plan's
 * phases in order (every grant before any removal). Real SDK, the EKS fake over HTTP.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { AccessEntryAction } from '../../lib/core/access-entries-plan';
import { applyAccessEntryPlan } from '../../lib/io/access-entries';
import { EKS_WRITE_CONCURRENCY } from '../../lib/io/concurrency';
import { Deadline } from '../../lib/io/deadline';
import { EksApi } from '../../lib/io/eks-api';
import { Logger } from '../../lib/io/log';
import { entry, policy } from '../handler/fixtures';
import { EksFake, startEksFake } from '../support/eks-fake';

let fake: EksFake;
let eksClient: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ region: 'us-east-1' });
  eksClient = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eksClient.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

const team = (i: number) => `arn:aws:iam::111122223333:role/teams/team-${i}`;

test('creates 40 teams\' entries 4 principals at a time, each created before its policy is associated', async () => {
  fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  let inFlight = 0;
  let most = 0;
  // The real client, counting the calls it has in flight.
  const counting = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      most = Math.max(most, ++inFlight);
      try {
        return await eksClient.send(command as never, options);
      } finally {
        inFlight--;
      }
    },
  };
  const ctx = { eks: new EksApi(counting, Deadline.in(60_000), new Logger({}, () => undefined)), clusterName: 'dev-cluster', ownerId: 'owner-a', log: new Logger({}, () => undefined) };
  const view = { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' as const } };
  const desired = Array.from({ length: 40 }, (_, i) => entry(team(i), { kubernetesGroups: [`team-${i}`], accessPolicies: [view] }));
  const actions: AccessEntryAction[] = [
    ...desired.map((e) => ({ action: 'create' as const, entry: { ...e, accessPolicies: [] } })),
    ...desired.map((e) => ({ action: 'associate' as const, principalArn: e.principalArn, policyArn: view.policyArn, accessScope: view.accessScope })),
  ];
  const result = await applyAccessEntryPlan(ctx, { actions, adopted: [], warnings: [], problems: [], record: [] }, desired);
  expect(result).toEqual({ writes: 80, adopted: [] });
  expect(most).toBe(EKS_WRITE_CONCURRENCY);
  const calls = fake.calls.calls({ write: true });
  const lastCreate = Math.max(...calls.filter((c) => c.operation === 'CreateAccessEntry').map((c) => c.seq));
  const firstAssociate = Math.min(...calls.filter((c) => c.operation === 'AssociateAccessPolicy').map((c) => c.seq));
  expect(lastCreate).toBeLessThan(firstAssociate);
  const teams = fake.state.cluster('dev-cluster')!.accessEntries.filter((e) => e.principalArn.includes(':role/teams/'));
  expect(teams.map((e) => e.accessPolicies.map((p) => p.policyArn))).toEqual(desired.map(() => [view.policyArn]));
});
