/**
 * Pointing an access configuration at another cluster or region: the constructs make it a
 * remove-and-add (a new custom resource, with its own IAM policy; the old one is deleted after,
 * with its policy still in place). Here the handler's side, against two EKS fakes (two regions)
 * and two in-memory Kubernetes APIs: the new resource's Create and the old one's Delete each touch
 * only their own cluster; and an owner taken over by a resource of another logical ID on the same
 * cluster is not removed by the old resource's Delete.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { DEV_ROLE, entry, HANDLER_ROLE, run, state, teamRbac } from './fixtures';
import { MemoryKube } from './memory-kube';
import { DesiredClusterAccess, OWNER_KEY, physicalResourceId } from '../../lib/core/desired-state';
import { decodeEvent, DecodedRequest, RequestType } from '../../lib/handler/event';
import { Logger } from '../../lib/io/log';
import { EksFake, startEksFake } from '../support/eks-fake';

let east: EksFake;
let west: EksFake;
let eastClient: EKSClient;
let westClient: EKSClient;

beforeAll(async () => {
  east = await startEksFake({ region: 'us-east-1' });
  west = await startEksFake({ region: 'eu-west-1' });
  eastClient = new EKSClient({ ...east.clientConfig(), maxAttempts: 1 });
  westClient = new EKSClient({ ...west.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eastClient.destroy();
  westClient.destroy();
  await east.close();
  await west.close();
});
beforeEach(() => {
  east.reset();
  west.reset();
});

const devEntry = entry(DEV_ROLE, { kubernetesGroups: ['dev'] });

function event(requestType: RequestType, desired: DesiredClusterAccess, logicalResourceId: string, physicalId?: string) {
  return {
    RequestType: requestType,
    LogicalResourceId: logicalResourceId,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/platform/0a1b',
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ResourceProperties: { inline: JSON.stringify(desired) },
  };
}

const quiet = new Logger({}, () => undefined);
const decode = (e: ReturnType<typeof event>): Promise<DecodedRequest> => decodeEvent(e, quiet, 'us-east-1');
const ownedObjects = (kube: MemoryKube) => [...kube.objects.values()].filter((o) => o.metadata.labels?.[OWNER_KEY] === 'stack-a.access');

test('another region: the new resource\'s Create writes only the new cluster, the old one\'s Delete removes only from the old', async () => {
  east.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  west.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  const eastKube = new MemoryKube();
  const westKube = new MemoryKube();
  const before = state({ region: 'us-east-1', accessEntries: [devEntry], manifests: teamRbac('dev') });
  const after = state({ region: 'eu-west-1', accessEntries: [devEntry], manifests: teamRbac('dev') });
  await run(await decode(event('Create', before, 'AccessDefaultResource1a2b3c4d')), { eksClient: eastClient, kube: eastKube });

  // The move: a new resource (another logical ID) is created, then the old one is deleted.
  const created = await decode(event('Create', after, 'AccessDefaultResource5e6f7a8b'));
  expect(created.physicalResourceId).toBe('111122223333/eu-west-1/dev-cluster/stack-a.access');
  await run(created, { eksClient: westClient, kube: westKube });
  await run(await decode(event('Delete', before, 'AccessDefaultResource1a2b3c4d', physicalResourceId(before))), { eksClient: eastClient, kube: eastKube });

  expect(east.state.accessEntry('dev-cluster', DEV_ROLE)).toBeUndefined();
  expect(east.state.accessEntry('dev-cluster', HANDLER_ROLE)).toBeUndefined();
  expect(ownedObjects(eastKube)).toEqual([]);
  expect(west.state.accessEntry('dev-cluster', DEV_ROLE)!.kubernetesGroups).toEqual(['dev']);
  expect(ownedObjects(westKube)).toHaveLength(teamRbac('dev').length);
});

test('another region through an in-place Update: a replacement, and the old physical ID\'s Delete cleans the old cluster', async () => {
  east.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  west.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  const eastKube = new MemoryKube();
  const westKube = new MemoryKube();
  const before = state({ region: 'us-east-1', accessEntries: [devEntry] });
  const after = state({ region: 'eu-west-1', accessEntries: [devEntry] });
  await run(await decode(event('Create', before, 'AccessDefaultResource1a2b3c4d')), { eksClient: eastClient, kube: eastKube });
  const update = await decode(event('Update', after, 'AccessDefaultResource1a2b3c4d', physicalResourceId(before)));
  expect(update).toMatchObject({ replacement: true, physicalResourceId: '111122223333/eu-west-1/dev-cluster/stack-a.access' });
  expect(update.formerOwnerId).toBeUndefined();
  await run(update, { eksClient: westClient, kube: westKube });
  await run(await decode(event('Delete', before, 'AccessDefaultResource1a2b3c4d', physicalResourceId(before))), { eksClient: eastClient, kube: eastKube });
  expect(east.state.accessEntry('dev-cluster', DEV_ROLE)).toBeUndefined();
  expect(west.state.accessEntry('dev-cluster', DEV_ROLE)).toBeDefined();
});

test('the same cluster taken over by a resource of another logical ID: the old resource\'s Delete removes nothing', async () => {
  east.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
  const kube = new MemoryKube();
  const desired = state({ accessEntries: [devEntry], manifests: teamRbac('dev') });
  await run(await decode(event('Create', desired, 'AccessDefaultResourceOld')), { eksClient: eastClient, kube });
  // A remove-and-add that keeps the cluster (the library's logical IDs changed, or the cluster's
  // name is now written another way): the new resource's Create, then the old one's Delete.
  await run(await decode(event('Create', desired, 'AccessDefaultResourceNew')), { eksClient: eastClient, kube });
  const superseded = await run(await decode(event('Delete', desired, 'AccessDefaultResourceOld', physicalResourceId(desired))), { eksClient: eastClient, kube });
  expect(superseded.warnings).toEqual([expect.stringMatching(/is now managed by AccessDefaultResourceNew, which replaced this resource \(AccessDefaultResourceOld\): nothing to remove/)]);
  expect(east.state.accessEntry('dev-cluster', DEV_ROLE)!.kubernetesGroups).toEqual(['dev']);
  expect(ownedObjects(kube)).toHaveLength(teamRbac('dev').length);
  // The resource that manages it now removes it all.
  await run(await decode(event('Delete', desired, 'AccessDefaultResourceNew', physicalResourceId(desired))), { eksClient: eastClient, kube });
  expect(east.state.accessEntry('dev-cluster', DEV_ROLE)).toBeUndefined();
  expect(ownedObjects(kube)).toEqual([]);
});
