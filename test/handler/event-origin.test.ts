/**
 * The handler applies only events of deployments of its own stack (and the stacks nested in it),
 * in progress now: anyone else who may invoke it (or the Provider framework in front of it) must
 * not get cluster-admin by sending a payload. Checked through `onEvent`, with a CloudFormation
 * stand-in and the EKS fake: a refused event makes no EKS call at all.
 */
import { state } from './fixtures';
import { physicalResourceId, STACK_ID_ENV } from '../../lib/core/desired-state';
import { originProblem } from '../../lib/handler/event-origin';
import { onEvent } from '../../lib/handler/index';
import { CLOUDFORMATION_ENDPOINT_ENV, EKS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { CloudFormationStandIn, startCloudFormationStandIn } from '../support/cloudformation-standin';
import { EksFake, startEksFake } from '../support/eks-fake';

const OWN = 'arn:aws:cloudformation:us-east-1:111122223333:stack/platform/0a1b2c3d';
const NESTED = 'arn:aws:cloudformation:us-east-1:111122223333:stack/platform-AccessTeams1NestedStack-XYZ/4e5f6a7b';
const OTHER = 'arn:aws:cloudformation:us-east-1:111122223333:stack/someone-else/9c8d7e6f';
const RESOURCE = 'AccessResource513CFE76A28F0AA9';
const TYPE = 'Custom::EksClusterAccess';

let fake: EksFake;
let cfn: CloudFormationStandIn;
const saved = { ...process.env };

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  fake = await startEksFake({ region: 'us-east-1' });
  cfn = await startCloudFormationStandIn();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    [EKS_ENDPOINT_ENV]: fake.endpoint,
    [CLOUDFORMATION_ENDPOINT_ENV]: cfn.endpoint,
    [STACK_ID_ENV]: OWN,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
  await cfn.close();
});
beforeEach(() => {
  fake.reset();
  cfn.requests.length = 0;
  cfn.stacks.splice(0, cfn.stacks.length,
    { stackId: OWN, stackStatus: 'UPDATE_IN_PROGRESS', resources: { [RESOURCE]: { type: TYPE, status: 'CREATE_IN_PROGRESS' } } },
    { stackId: NESTED, rootId: OWN, stackStatus: 'CREATE_IN_PROGRESS', resources: { [RESOURCE]: { type: TYPE, status: 'CREATE_IN_PROGRESS' } } },
    { stackId: OTHER, stackStatus: 'UPDATE_IN_PROGRESS', resources: { [RESOURCE]: { type: TYPE, status: 'CREATE_IN_PROGRESS' } } },
  );
});

const context = { getRemainingTimeInMillis: () => 30_000 };
const props = { inline: JSON.stringify(state()) };
const event = (RequestType: 'Create' | 'Update' | 'Delete', StackId: string, LogicalResourceId = RESOURCE) => ({
  RequestType, StackId, LogicalResourceId, ...(RequestType === 'Create' ? {} : { PhysicalResourceId: physicalResourceId(state()) }), ResourceProperties: props,
});
const eksCalls = () => fake.calls.calls().length;
const resourceOf = (stackId: string) => cfn.stacks.find((s) => s.stackId === stackId)!.resources[RESOURCE] as { type: string; status: string };

test('an event of its own stack, its resource being created, goes on to EKS', async () => {
  // The cluster does not exist in the fake: reaching EKS shows the event was let through.
  await expect(onEvent(event('Create', OWN), context)).rejects.toThrow(/EKS cluster "dev-cluster" does not exist/);
  expect(cfn.requests).toEqual([`DescribeStacks ${OWN}`, `DescribeStackResource ${OWN}`]);
  expect(eksCalls()).toBeGreaterThan(0);
});

test('an event of a stack nested in its own stack goes on', async () => {
  await expect(onEvent(event('Create', NESTED), context)).rejects.toThrow(/does not exist/);
  expect(eksCalls()).toBeGreaterThan(0);
});

test('an event of another stack is refused before any call to EKS', async () => {
  await expect(onEvent(event('Create', OTHER), context)).rejects.toThrow(/refusing the request, nothing was written: the event comes from stack .*someone-else.*, which is neither this handler's stack .* nor nested in it/);
  expect(eksCalls()).toBe(0);
});

test('a replayed event (its resource is no longer being updated) is refused', async () => {
  resourceOf(OWN).status = 'UPDATE_COMPLETE';
  cfn.stacks[0] = { ...cfn.stacks[0], stackStatus: 'UPDATE_COMPLETE' };
  await expect(onEvent(event('Update', OWN), context)).rejects.toThrow(/is UPDATE_COMPLETE \(stack UPDATE_COMPLETE\), not UPDATE_IN_PROGRESS: the event is not part of a deployment in progress/);
  expect(eksCalls()).toBe(0);
});

test('an event naming a resource the stack does not have, or one of another type, is refused', async () => {
  await expect(onEvent(event('Create', OWN, 'Invented'), context)).rejects.toThrow(/has no resource Invented/);
  resourceOf(OWN).type = 'AWS::CloudFormation::CustomResource';
  await expect(onEvent(event('Create', OWN), context)).rejects.toThrow(/is a AWS::CloudFormation::CustomResource, not a Custom::EksClusterAccess/);
  expect(eksCalls()).toBe(0);
});

test('the Delete of a replaced resource, while the stack cleans up, goes on', async () => {
  resourceOf(OWN).status = 'UPDATE_COMPLETE';
  cfn.stacks[0] = { ...cfn.stacks[0], stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' };
  const response = await onEvent(event('Delete', OWN), context);
  expect(response.Data?.Leftovers).toBeUndefined();
  expect(fake.calls.calls().map((c) => c.operation)).toEqual(['DescribeCluster']); // gone already: nothing to remove
});

test('a Delete from another stack does nothing and answers SUCCESS (the answer goes to whoever sent it)', async () => {
  const response = await onEvent(event('Delete', OTHER), context);
  expect(response.Data?.Leftovers).toMatch(/refused, nothing was done: the event comes from stack/);
  expect(eksCalls()).toBe(0);
});

test('when CloudFormation cannot be asked, a Create is refused and a Delete goes on', async () => {
  process.env[CLOUDFORMATION_ENDPOINT_ENV] = 'http://127.0.0.1:9';
  try {
    await expect(onEvent(event('Create', OWN), context)).rejects.toThrow(/refusing the request: cannot check with CloudFormation that it comes from this handler's stack/);
    expect(eksCalls()).toBe(0);
    await onEvent(event('Delete', OWN), context);
    expect(eksCalls()).toBeGreaterThan(0);
  } finally {
    process.env[CLOUDFORMATION_ENDPOINT_ENV] = cfn.endpoint;
  }
}, 30_000);

describe('originProblem', () => {
  const origin = (stackId: string, rootId: string, stackStatus: string, resourceStatus?: string) => ({
    stackId, rootId, stackStatus, ...(resourceStatus ? { resource: { resourceType: TYPE, resourceStatus } } : {}),
  });
  const e = (RequestType: 'Create' | 'Update' | 'Delete') => ({ RequestType, StackId: OWN, LogicalResourceId: RESOURCE, ResourceProperties: {} });

  test('each request type in its own in-progress status', () => {
    expect(originProblem(e('Create'), OWN, origin(OWN, OWN, 'CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS'))).toBeUndefined();
    expect(originProblem(e('Update'), OWN, origin(OWN, OWN, 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_IN_PROGRESS'))).toBeUndefined();
    expect(originProblem(e('Delete'), OWN, origin(OWN, OWN, 'DELETE_IN_PROGRESS', 'DELETE_IN_PROGRESS'))).toBeUndefined();
    expect(originProblem(e('Create'), OWN, origin(OWN, OWN, 'UPDATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS'))).toMatch(/not CREATE_IN_PROGRESS/);
  });

  test('a Delete of an old resource during cleanup or rollback', () => {
    for (const status of ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']) {
      expect(originProblem(e('Delete'), OWN, origin(OWN, OWN, status, 'UPDATE_COMPLETE'))).toBeUndefined();
    }
    expect(originProblem(e('Delete'), OWN, origin(OWN, OWN, 'UPDATE_COMPLETE', 'UPDATE_COMPLETE'))).toMatch(/not DELETE_IN_PROGRESS/);
  });
});
