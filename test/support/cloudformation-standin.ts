/**
 * A stand-in for CloudFormation's DescribeStacks and DescribeStackResource on 127.0.0.1, speaking
 * the service's query protocol (form-encoded requests, XML answers), with the stacks and resources
 * a test declares. Enough for the handler's check that an event comes from its own stack.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StandInStack {
  readonly stackId: string;
  /** The root stack's ID (absent: the stack is not nested). */
  readonly rootId?: string;
  readonly stackStatus: string;
  /** Logical ID → type and status. */
  readonly resources: Record<string, { readonly type: string; readonly status: string }>;
}

export interface CloudFormationStandIn {
  readonly endpoint: string;
  /** The stacks it knows; tests change them between calls. */
  readonly stacks: StandInStack[];
  /** `Action StackName` of every request. */
  readonly requests: string[];
  close(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function stackName(stackId: string): string {
  return stackId.split('/')[1] ?? stackId;
}

function error(code: string, message: string): { status: number; body: string } {
  return { status: 400, body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>` };
}

function answer(stacks: readonly StandInStack[], params: URLSearchParams): { status: number; body: string } {
  const name = params.get('StackName') ?? '';
  const stack = stacks.find((s) => s.stackId === name || stackName(s.stackId) === name);
  if (!stack) {
    return error('ValidationError', `Stack with id ${name} does not exist`);
  }
  switch (params.get('Action')) {
    case 'DescribeStacks':
      return {
        status: 200,
        body: `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member><StackId>${escape(stack.stackId)}</StackId>`
          + `<StackName>${escape(stackName(stack.stackId))}</StackName>${stack.rootId ? `<RootId>${escape(stack.rootId)}</RootId><ParentId>${escape(stack.rootId)}</ParentId>` : ''}`
          + `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${stack.stackStatus}</StackStatus></member></Stacks></DescribeStacksResult>`
          + '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>',
      };
    case 'DescribeStackResource': {
      const logicalId = params.get('LogicalResourceId') ?? '';
      const resource = stack.resources[logicalId];
      if (!resource) {
        return error('ValidationError', `Resource ${logicalId} does not exist for stack ${stackName(stack.stackId)}`);
      }
      return {
        status: 200,
        body: `<DescribeStackResourceResponse xmlns="${NS}"><DescribeStackResourceResult><StackResourceDetail><StackId>${escape(stack.stackId)}</StackId>`
          + `<StackName>${escape(stackName(stack.stackId))}</StackName><LogicalResourceId>${escape(logicalId)}</LogicalResourceId><PhysicalResourceId>p</PhysicalResourceId>`
          + `<ResourceType>${escape(resource.type)}</ResourceType><LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>${resource.status}</ResourceStatus>`
          + '</StackResourceDetail></DescribeStackResourceResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStackResourceResponse>',
      };
    }
    default:
      return error('InvalidAction', `the stand-in does not serve ${params.get('Action')}`);
  }
}

/** Starts the stand-in with `stacks`. */
export async function startCloudFormationStandIn(stacks: StandInStack[] = []): Promise<CloudFormationStandIn> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      requests.push(`${params.get('Action')} ${params.get('StackName')}`);
      const { status, body: xml } = answer(stacks, params);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stacks,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
