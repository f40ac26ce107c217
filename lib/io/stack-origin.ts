/**
 * Where a custom resource event claims to come from, as CloudFormation itself describes it: the
 * stack the event names (its root stack, its status) and the custom resource in it (its type and
 * status). The handler asks before any write, so that an event that does not come from a deployment
 * of its own stack, in progress now, is refused (see `lib/handler/event-origin.ts`).
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStackResourceOutput, DescribeStacksCommand, DescribeStacksOutput } from '@aws-sdk/client-cloudformation';
import { Deadline } from './deadline';
import { AWS_REQUEST_TIMEOUTS, EksApi } from './eks-api';
import { endpointOverrides } from './endpoints';
import { Logger } from './log';

/** What CloudFormation says of the event's stack and resource. */
export interface StackOrigin {
  /** The stack's own ID, its root stack's ID (itself when it is not nested) and status. */
  readonly stackId: string;
  readonly rootId: string;
  readonly stackStatus: string;
  /** The logical resource: its type and status; undefined when the stack has no such resource. */
  readonly resource?: { readonly resourceType: string; readonly resourceStatus: string };
}

/**
 * The most of the remaining time the check may take (and at most 20 s): retries of an unreachable
 * CloudFormation must leave a Delete, which goes on without the answer, the time to do its work.
 */
export const ORIGIN_CHECK_SHARE = 0.25;
const ORIGIN_CHECK_MAX_MS = 20_000;

/**
 * Describes the event's stack and resource, within its own share of the time left. Throws when
 * CloudFormation cannot be asked.
 */
export async function describeStackOrigin(
  stackId: string, logicalResourceId: string, region: string, deadline: Deadline, log: Logger,
): Promise<StackOrigin> {
  const endpoint = endpointOverrides().cloudformation;
  const client = new CloudFormationClient({ region, maxAttempts: 1, requestHandler: { ...AWS_REQUEST_TIMEOUTS }, ...(endpoint ? { endpoint } : {}) });
  const budget = deadline.within(Math.min(ORIGIN_CHECK_MAX_MS, deadline.remainingMs() * ORIGIN_CHECK_SHARE));
  const cfn = new EksApi(client, budget, log, Math.random, 'cloudformation');
  try {
    const stacks = await cfn.send<DescribeStacksOutput>(new DescribeStacksCommand({ StackName: stackId }));
    const stack = stacks.Stacks?.[0];
    if (!stack?.StackId) {
      throw new Error(`CloudFormation does not describe stack ${stackId}`);
    }
    let resource: StackOrigin['resource'];
    try {
      const command = new DescribeStackResourceCommand({ StackName: stack.StackId, LogicalResourceId: logicalResourceId });
      const detail = await cfn.send<DescribeStackResourceOutput>(command);
      const r = detail.StackResourceDetail;
      resource = r ? { resourceType: r.ResourceType ?? '', resourceStatus: r.ResourceStatus ?? '' } : undefined;
    } catch (error) {
      if (!/does not exist/i.test((error as Error).message ?? '')) {
        throw error;
      }
    }
    return { stackId: stack.StackId, rootId: stack.RootId ?? stack.StackId, stackStatus: stack.StackStatus ?? '', ...(resource ? { resource } : {}) };
  } finally {
    client.destroy();
  }
}
