/**
 * Runs an `onEvent` handler behind aws-cdk-lib's own custom resource Provider framework code (the
 * `framework.js` and `cfn-response.js` its Provider deploys as the framework's Lambda function),
 * and returns the response body the framework would PUT to CloudFormation.
 *
 * What cannot run here is replaced at the framework's own seams (the functions of its
 * `outbound.js`, which aws-cdk-lib's tests replace the same way): invoking the handler's Lambda
 * function calls the handler in this process and reports its result or error the way Lambda's
 * Node.js runtime does (`{ errorType, errorMessage, trace: stack.split('\n') }` with
 * `FunctionError`); the PUT to the pre-signed response URL is captured. The framework's AWS SDK
 * clients, which those two functions would use, are never constructed: their modules are empty
 * stand-ins (this project does not install them).
 */
import * as path from 'node:path';

/** The JSON body CloudFormation receives. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

/** A CloudFormation custom resource request, as CloudFormation sends it to the framework. */
export interface CloudFormationRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export interface FrameworkRun {
  readonly response: CloudFormationResponse;
  /** The body as sent: its size is what CloudFormation limits (4,096 bytes). */
  readonly body: string;
  readonly bytes: number;
  /** What the handler's Lambda function reported (its result, or the runtime's error report). */
  readonly handlerPayload: unknown;
}

export interface FrameworkOptions {
  /** The handler's Lambda function name (its log group is named in failure reasons). */
  readonly functionName?: string;
  /** Milliseconds the handler's Lambda context reports as remaining. */
  readonly remainingMs?: number;
}

type Handler = (event: Record<string, unknown>, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;

const RUNTIME_DIR = path.join(__dirname, '..', '..', 'node_modules', 'aws-cdk-lib', 'custom-resources', 'lib', 'provider-framework', 'runtime');

/** Invokes the framework's `onEvent` for `request`, with `handler` as the user function. */
export async function runThroughFramework(request: CloudFormationRequest, handler: Handler, options: FrameworkOptions = {}): Promise<FrameworkRun> {
  const { framework, outbound } = loadFramework();
  const functionName = options.functionName ?? 'Platform-ClusterAccessProviderHandler1A2B3C4D-AbCdEfGhIjKl';
  const sent: string[] = [];
  let handlerPayload: unknown;
  const saved = { invokeFunction: outbound.invokeFunction, httpRequest: outbound.httpRequest, env: process.env.USER_ON_EVENT_FUNCTION_ARN };
  outbound.invokeFunction = async (req: { FunctionName: string; Payload: string }) => {
    const reported = await invokeLikeLambda(handler, JSON.parse(req.Payload) as Record<string, unknown>, options.remainingMs ?? 600_000);
    handlerPayload = reported.payload;
    return { Payload: Buffer.from(JSON.stringify(reported.payload)), ...(reported.functionError ? { FunctionError: reported.functionError } : {}) };
  };
  outbound.httpRequest = async (_options: unknown, body: string) => {
    sent.push(body);
  };
  process.env.USER_ON_EVENT_FUNCTION_ARN = `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`;
  try {
    await framework.onEvent({ ...request, ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/response?signed' });
  } finally {
    outbound.invokeFunction = saved.invokeFunction;
    outbound.httpRequest = saved.httpRequest;
    if (saved.env === undefined) delete process.env.USER_ON_EVENT_FUNCTION_ARN;
    else process.env.USER_ON_EVENT_FUNCTION_ARN = saved.env;
  }
  if (sent.length !== 1) {
    throw new Error(`the framework sent ${sent.length} responses`);
  }
  return { response: JSON.parse(sent[0]) as CloudFormationResponse, body: sent[0], bytes: Buffer.byteLength(sent[0], 'utf8'), handlerPayload };
}

/** The handler's outcome as Lambda's Node.js runtime reports it to the invoker. */
async function invokeLikeLambda(
  handler: Handler, event: Record<string, unknown>, remainingMs: number,
): Promise<{ payload: unknown; functionError?: string }> {
  const deadline = Date.now() + remainingMs;
  try {
    const result = await handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
    return { payload: result ?? null };
  } catch (error) {
    const e = error as Error;
    return { payload: { errorType: e.name, errorMessage: e.message, trace: String(e.stack).split('\n') }, functionError: 'Unhandled' };
  }
}

interface FrameworkModules {
  readonly framework: { onEvent(event: Record<string, unknown>): Promise<void> };
  readonly outbound: {
    invokeFunction: (req: { FunctionName: string; Payload: string }) => Promise<unknown>;
    httpRequest: (options: unknown, body: string) => Promise<void>;
  };
}

let loaded: FrameworkModules | undefined;

function loadFramework(): FrameworkModules {
  if (!loaded) {
    for (const client of ['@aws-sdk/client-lambda', '@aws-sdk/client-sfn']) {
      jest.doMock(client, () => ({}), { virtual: true });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = { framework: require(path.join(RUNTIME_DIR, 'framework.js')), outbound: require(path.join(RUNTIME_DIR, 'outbound.js')) };
  }
  return loaded;
}
