/**
 * The deploy-time handler: the `onEvent` of aws-cdk-lib's custom resource Provider framework
 * (bundled into `assets/handler/index.js`, handler `index.onEvent`). It decodes and validates the
 * desired state, reconciles the cluster, and answers with a stable physical ID. Every failure is
 * thrown as one actionable message, which the framework reports to CloudFormation as FAILED;
 * a failed Create is undone first. A Delete always answers SUCCESS, listing what it left behind.
 */
import { CustomResourceEvent, CustomResourceResponse, decodeEvent, DecodedRequest } from './event';
import { originProblem, STACK_ID_ENV, stackRegion } from './event-origin';
import { failedAfterWriting, reconcile, ReconcileOutcome } from './reconcile';
import { failureError, fitResponseData } from './response';
import { Deadline, RemainingTime } from '../io/deadline';
import { createEksClient, EksApi } from '../io/eks-api';
import { createIamClient } from '../io/iam-principals';
import { connectKubernetes, KubernetesConnection } from '../io/kubernetes-connection';
import { Logger } from '../io/log';
import { describeStackOrigin, StackOrigin } from '../io/stack-origin';

export type { CustomResourceEvent, CustomResourceResponse } from './event';

/** Attributes stay short (the whole response must fit CloudFormation's 4 KB, see `response.ts`). */
const MAX_ATTRIBUTE_CHARS = 1000;
/** Time kept for answering CloudFormation after undoing a failed request. */
const UNDO_RESERVE_MS = 5_000;

/** Entry point of the Lambda function. */
export async function onEvent(event: CustomResourceEvent, context?: RemainingTime): Promise<CustomResourceResponse> {
  const log = new Logger({ requestType: event?.RequestType, requestId: event?.RequestId, logicalResourceId: event?.LogicalResourceId });
  const deadline = Deadline.fromContext(context);
  let request: DecodedRequest | undefined;
  try {
    const refused = await checkOrigin(event, deadline, log);
    if (refused) {
      return refused;
    }
    request = await decodeEvent(event, log, process.env.AWS_REGION, deadline);
    const outcome = await run(request, deadline, log);
    return { PhysicalResourceId: request.physicalResourceId, Data: fitResponseData(event, request.physicalResourceId, responseData(outcome)) };
  } catch (error) {
    const message = describeError(error);
    if (event?.RequestType === 'Delete') {
      // A stuck DELETE_FAILED stack is worse than a leftover: say what remains, and let it go.
      log.error('Delete could not finish; answering SUCCESS so that the stack is not blocked', { error: message });
      const physicalResourceId = event.PhysicalResourceId ?? request?.physicalResourceId ?? 'unknown';
      const data = { Leftovers: clip(`Delete could not finish, everything this configuration wrote may remain: ${message}`) };
      return { PhysicalResourceId: physicalResourceId, Data: fitResponseData(event, physicalResourceId, data) };
    }
    log.error('failed', { error: message });
    const undone = request && undoesOnFailure(request) && failedAfterWriting(error) ? await undo(request, context, log) : '';
    if (undone) {
      log.error('failed, and undid what it had written', { error: message, undo: undone.trim() });
    }
    // The full message is in the log; CloudFormation gets what fits in its 4 KB, the undo's outcome kept.
    throw failureError(event, message, undone);
  }
}

/**
 * Checks that the event comes from a deployment of the handler's own stack, in progress (see
 * `event-origin.ts`). A Create or Update that does not is refused (thrown); a Delete that does not
 * is answered with SUCCESS and nothing done (the answer goes to whoever sent it). A Delete whose
 * origin CloudFormation cannot tell goes on: deleting what its owner wrote takes no one's access
 * but that owner's, and a stack must never be blocked.
 */
async function checkOrigin(event: CustomResourceEvent, deadline: Deadline, log: Logger): Promise<CustomResourceResponse | undefined> {
  const ownStackId = process.env[STACK_ID_ENV];
  if (!ownStackId) {
    return undefined;
  }
  const region = stackRegion(event?.StackId) ?? process.env.AWS_REGION;
  let origin: StackOrigin;
  try {
    if (!event?.StackId || !event.LogicalResourceId || !region) {
      throw new Error('the event names no stack or no logical resource');
    }
    origin = await describeStackOrigin(event.StackId, event.LogicalResourceId, region, deadline, log);
  } catch (error) {
    if (event?.RequestType === 'Delete') {
      log.warn('cannot tell where this Delete comes from; going on, as a Delete only removes what its owner wrote', { error: describeError(error) });
      return undefined;
    }
    throw new Error(`refusing the request: cannot check with CloudFormation that it comes from this handler's stack (${describeError(error)})`);
  }
  const problem = originProblem(event, ownStackId, origin);
  if (!problem) {
    return undefined;
  }
  log.error('refusing an event that is not part of a deployment of this handler\'s stack', { problem, stackId: event.StackId });
  if (event.RequestType === 'Delete') {
    const physicalResourceId = event.PhysicalResourceId ?? 'unknown';
    return { PhysicalResourceId: physicalResourceId, Data: fitResponseData(event, physicalResourceId, { Leftovers: clip(`refused, nothing was done: ${problem}`) }) };
  }
  throw new Error(`refusing the request, nothing was written: ${problem}. The handler applies only what a deployment of its own stack asks for.`);
}

/** Reconciles one request with the clients of its region, closing every connection afterwards. */
async function run(request: DecodedRequest, deadline: Deadline, log: Logger): Promise<ReconcileOutcome> {
  const region = request.desired.region ?? process.env.AWS_REGION;
  if (!region) {
    throw new Error('no AWS region: set the desired state\'s region or AWS_REGION');
  }
  const eksClient = createEksClient(region);
  const usesIam = request.desired.migrateFromAwsAuth === true || (request.desired.permissionSets ?? []).length > 0;
  const iamClient = usesIam ? createIamClient(region) : undefined;
  const connections: KubernetesConnection[] = [];
  try {
    return await reconcile(request, {
      eks: new EksApi(eksClient, deadline, log),
      ...(iamClient ? { iam: new EksApi(iamClient, deadline, log, Math.random, 'iam') } : {}),
      connectKubernetes: async (cluster, state, options) => {
        const connection = await connectKubernetes({
          cluster, region, deadline, log, authGraceMs: options.authGraceMs, repairAccess: options.repairAccess, roleArn: state.kubernetesRoleArn, sessionName: `cdk-eks-access-${state.ownerId}`.slice(0, 64),
        });
        connections.push(connection);
        return connection;
      },
      deadline,
      log,
    });
  } finally {
    eksClient.destroy();
    iamClient?.destroy();
    connections.forEach((c) => c.close());
  }
}

/**
 * A failed Create, or a failed Update that replaced the resource (another cluster or owner), is
 * answered with a physical ID CloudFormation never deletes through this handler: the Provider
 * framework acknowledges the rollback's Delete of a failed Create by itself, and the rollback of a
 * replacement updates the old resource. What the failed run wrote would stay, owned by nobody.
 */
function undoesOnFailure(request: DecodedRequest): boolean {
  return request.requestType === 'Create' || request.replacement;
}

/**
 * Runs this owner's Delete on the cluster the failed run wrote to, within the time left, and says
 * in a sentence what it removed or could not remove (added to the failure's reason).
 */
async function undo(request: DecodedRequest, context: RemainingTime | undefined, log: Logger): Promise<string> {
  const undoLog = log.child({ undo: true });
  undoLog.info('undoing what the failed request wrote: running this owner\'s Delete');
  try {
    const deleteRequest: DecodedRequest = { requestType: 'Delete', desired: request.desired, physicalResourceId: request.physicalResourceId, replacement: false };
    const outcome = await run(deleteRequest, Deadline.fromContext(context, UNDO_RESERVE_MS), undoLog);
    return outcome.leftovers.length === 0
      ? ' What this run had written was removed again (nothing is left behind).'
      : ` Undoing what this run had written left: ${outcome.leftovers.join('; ')}.`;
  } catch (error) {
    undoLog.error('could not undo the failed request', { error: describeError(error) });
    return ` Undoing what this run had written failed (${describeError(error)}): remove what owner ${request.desired.ownerId} wrote by hand, or deploy again and delete the stack.`;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
}

function clip(s: string): string {
  return s.length > MAX_ATTRIBUTE_CHARS ? `${s.slice(0, MAX_ATTRIBUTE_CHARS - 3)}...` : s;
}

/** Attributes of the custom resource (`Fn::GetAtt`), all strings. */
export function responseData(outcome: ReconcileOutcome): Record<string, string> {
  return {
    AuthenticationMode: outcome.authenticationMode ?? '',
    Mechanism: outcome.mechanism,
    Changed: String(outcome.awsAuthWritten || outcome.accessEntryWrites > 0 || outcome.rbacApplied.length > 0 || outcome.rbacDeleted.length > 0),
    Warnings: clip(outcome.warnings.join('\n')),
    ...(outcome.leftovers.length > 0 ? { Leftovers: clip(outcome.leftovers.join('\n')) } : {}),
    ...(outcome.migration !== undefined ? { Migration: clip(outcome.migration) } : {}),
  };
}
