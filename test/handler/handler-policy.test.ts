/**
 * The handler with exactly the IAM permissions the constructs synthesize for it: the statements of
 * its role's policies in the template, deploy-time values resolved, become the fake's model of the
 * caller's permissions. A grant the constructs forget fails here as it would on a real deploy.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HANDLER_ROLE, NODE_ROLE, request, run } from './fixtures';
import { MemoryKube } from './memory-kube';
import { ClusterAccess } from '../../lib';
import { DesiredClusterAccess } from '../../lib/core/desired-state';
import { desiredState, newStack, skipCfnSchemaValidation } from '../constructs/helpers';
import { EksFake, IamStatement, startEksFake } from '../support/eks-fake';
import { synthesizedHandlerStatements } from '../support/handler-policy';

skipCfnSchemaValidation();
// Synthesis takes seconds on a busy machine.
jest.setTimeout(60_000);

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1'; // the region of newStack()
const WIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/win-nodes`;
const DEV_ROLE = `arn:aws:iam::${ACCOUNT}:role/dev`;

let fake: EksFake;
let eksClient: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ region: REGION, accountId: ACCOUNT });
  eksClient = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eksClient.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

/** A stack mapping a Linux and a Windows node role and a developer onto an access-entry cluster. */
function synthesize(): { stack: Stack; access: ClusterAccess } {
  const { stack } = newStack();
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'dev-cluster' });
  access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Linux', NODE_ROLE));
  access.mapNodeRole(iam.Role.fromRoleArn(stack, 'Windows', WIN_ROLE), { windows: true });
  access.mapRole(iam.Role.fromRoleArn(stack, 'Dev', DEV_ROLE), { groups: ['dev'] });
  return { stack, access };
}

/** The handler's synthesized permissions, as CloudFormation would deploy them here. */
function handlerStatements(stack: Stack, access: ClusterAccess): IamStatement[] {
  return synthesizedHandlerStatements(stack, access.handlerRole, { region: REGION, accountId: ACCOUNT, handlerRoleArn: HANDLER_ROLE });
}

/** The synthesized desired state, with the handler role's ARN as CloudFormation would give it. */
function deployedState(stack: Stack): DesiredClusterAccess {
  return JSON.parse(JSON.stringify(desiredState(stack)).replace(/"\$\{[^"}]*\.Arn\}"/g, JSON.stringify(HANDLER_ROLE))) as DesiredClusterAccess;
}

describe('the handler with the permissions the constructs give it', () => {
  test('creates the EC2_LINUX and EC2_WINDOWS entries of mapNodeRole: the synthesized policy lets it pass each node role', async () => {
    const { stack, access } = synthesize();
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.state.setCallerPolicy({ statements: handlerStatements(stack, access), callerArn: HANDLER_ROLE });
    await run(request('Create', deployedState(stack)), { eksClient, kube: new MemoryKube() });
    expect(fake.state.accessEntry('dev-cluster', NODE_ROLE)!.type).toBe('EC2_LINUX');
    expect(fake.state.accessEntry('dev-cluster', WIN_ROLE)!.type).toBe('EC2_WINDOWS');
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)!.kubernetesGroups).toEqual(['dev']);
    // The only failed call: looking up the handler's own entry before creating it.
    expect(fake.calls.calls({ ok: false }).map((c) => `${c.operation} ${c.principalArn} ${c.errorName}`)).toEqual([`DescribeAccessEntry ${HANDLER_ROLE} ResourceNotFoundException`]);
  });

  test('without the grant EKS refuses the node entry, and the handler fails at once naming it', async () => {
    const { stack, access } = synthesize();
    const withoutPassRole = handlerStatements(stack, access).filter((s) => ![s.Action].flat().includes('iam:PassRole'));
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.state.setCallerPolicy({ statements: withoutPassRole, callerArn: HANDLER_ROLE });
    await expect(run(request('Create', deployedState(stack)), { eksClient, kube: new MemoryKube() }))
      .rejects.toThrow(`EKS refused the EC2_LINUX access entry for ${NODE_ROLE}: User: ${HANDLER_ROLE} is not authorized to perform: iam:PassRole on resource: ${NODE_ROLE}`);
    expect(fake.calls.calls({ operation: 'CreateAccessEntry', principalArn: NODE_ROLE }).map((c) => c.errorName)).toEqual(['AccessDeniedException']);
  });
});
