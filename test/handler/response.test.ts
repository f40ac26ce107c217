/**
 * What CloudFormation receives, through aws-cdk-lib's own Provider framework code: the whole
 * response stays within CloudFormation's 4,096 bytes (otherwise CloudFormation shows "Response
 * object is too long" instead of the reason), and the full reason is in the handler's log.
 */
import { state } from './fixtures';
import { KubernetesManifest } from '../../lib/core/desired-state';
import { onEvent } from '../../lib/handler/index';
import { CREATE_FAILED_PHYSICAL_ID, failureError, fitResponseData, MAX_RESPONSE_BYTES, responseBody } from '../../lib/handler/response';
import { runThroughFramework } from '../support/provider-framework';

/** The longest envelope CloudFormation can send: stack name 128, logical ID 255 characters. */
const envelope = {
  StackId: `arn:aws:cloudformation:ap-southeast-2:111122223333:stack/${'s'.repeat(128)}/0b6e0a60-8f1a-11ef-8e1b-0a1b2c3d4e5f`,
  RequestId: '6f1c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  LogicalResourceId: `Access${'L'.repeat(249)}`,
  ResourceType: 'Custom::EksClusterAccess',
};
const FUNCTION_NAME = 'f'.repeat(64);

/** 40 manifests of a kind the handler does not manage: 40 problems, one line each. */
function manifests(count: number): KubernetesManifest[] {
  return Array.from({ length: count }, (_, i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `payments-team-${i}-database-credentials`, namespace: 'payments' } }) as unknown as KubernetesManifest);
}

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logged.push(String(line));
  });
});
afterEach(() => jest.restoreAllMocks());

const handlerLog = () => logged.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a failure with many problems', () => {
  test('a failed Create: the response fits 4 KB with the CREATE_FAILED marker, the reason says it is clipped, the log has every problem', async () => {
    const desired = state({ clusterName: `c${'x'.repeat(99)}`, manifests: manifests(40) });
    const run = await runThroughFramework(
      { ...envelope, RequestType: 'Create', ResourceProperties: { ServiceToken: 'arn:aws:lambda:x', inline: JSON.stringify(desired) } },
      onEvent as never, { functionName: FUNCTION_NAME });
    expect(run.response.Status).toBe('FAILED');
    expect(run.response.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID);
    expect(run.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(run.response.Reason).toMatch(/^AccessConfigError: invalid desired state/);
    expect(run.response.Reason).toContain('manifest Secret payments-team-0-database-credentials: kind must be one of');
    expect(run.response.Reason).toMatch(/\.\.\. \(clipped: \d+ more line\(s\); the full message is in the handler's log\)\n\nLogs: \/aws\/lambda\/f{64}\n$/);
    // Every problem once: the reason does not repeat the message as a stack trace.
    expect(run.response.Reason.match(/payments-team-1-database-credentials/g)).toHaveLength(1);
    const failed = handlerLog().find((l) => l.msg === 'failed')!;
    for (let i = 0; i < 40; i++) {
      expect(failed.error).toContain(`payments-team-${i}-database-credentials: kind must be one of`);
    }
  });

  test('a failed Update with the longest physical ID also fits', async () => {
    const desired = state({ clusterName: `c${'x'.repeat(99)}`, ownerId: `o${'x'.repeat(61)}z`, manifests: manifests(60) });
    const physicalId = `${desired.clusterName}/${desired.ownerId}`;
    const run = await runThroughFramework(
      { ...envelope, RequestType: 'Update', PhysicalResourceId: physicalId, ResourceProperties: { inline: JSON.stringify(desired) }, OldResourceProperties: {} },
      onEvent as never, { functionName: FUNCTION_NAME });
    expect(run.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
    expect(run.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  test('a short failure reaches CloudFormation whole, once, with the log group', async () => {
    const desired = { ...state(), version: 7 };
    const run = await runThroughFramework(
      { ...envelope, RequestType: 'Create', ResourceProperties: { inline: JSON.stringify(desired) } }, onEvent as never, { functionName: 'handler-fn' });
    expect(run.response.Reason).toBe('AccessConfigError: invalid desired state for the access configuration:\n- desired state version 7 is not supported by this handler (it reads version 1); deploy the construct and its handler from the same library version\n\nLogs: /aws/lambda/handler-fn\n');
  });
});

describe('failureError', () => {
  test('keeps what undoing a failed Create left, whole, after the clipped message', () => {
    const event = { RequestType: 'Create' as const, ...envelope, ResourceProperties: {} };
    const message = Array.from({ length: 80 }, (_, i) => `- problem ${i}: ${'x'.repeat(60)}`).join('\n');
    const tail = ' Undoing what this run had written left: ClusterRole team-reader (it is bound by another owner).';
    const error = failureError(event, message, tail);
    expect(error.message).toMatch(/^- problem 0: x+\n[\s\S]*\.\.\. \(clipped: \d+ more line\(s\); the full message is in the handler's log\) Undoing what this run had written left: ClusterRole team-reader/);
    expect(error.message.endsWith(tail)).toBe(true);
    expect(error.stack).toBe('- problem 0: ' + 'x'.repeat(60));
    const body = responseBody(event, 'FAILED', { reason: `${error.message}\n\nLogs: /aws/lambda/${FUNCTION_NAME}\n`, physicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });
});

describe('fitResponseData', () => {
  test('shortens the longest attributes until the SUCCESS response fits, counting JSON escapes and UTF-8 bytes', () => {
    const event = { RequestType: 'Update' as const, ...envelope, PhysicalResourceId: 'p'.repeat(170), ResourceProperties: {} };
    const data = { Mechanism: 'ACCESS_ENTRIES', Warnings: '"quoted" ünïcödé\n'.repeat(300), Leftovers: 'ClusterRole team-reader kept\n'.repeat(200) };
    const fitted = fitResponseData(event, event.PhysicalResourceId, data);
    expect(Buffer.byteLength(responseBody(event, 'SUCCESS', { physicalResourceId: event.PhysicalResourceId, data: fitted }))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(fitted.Mechanism).toBe('ACCESS_ENTRIES');
    expect(fitted.Warnings).toMatch(/^"quoted" ünïcödé\n[\s\S]*\.\.\. \(clipped: \d+ more line\(s\); the rest is in the handler's log\)$/);
    expect(fitted.Leftovers).toMatch(/^ClusterRole team-reader kept\n/);
    const small = { Mechanism: 'NONE', Warnings: '' };
    expect(fitResponseData(event, 'id', small)).toEqual(small);
  });
});
