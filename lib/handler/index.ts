/**
 * The deploy-time handler: the `onEvent` of aws-cdk-lib's custom resource Provider framework
 * (bundled into `assets/handler/index.js`, handler `index.onEvent`). It decodes and validates the
 * desired state, reconciles the cluster, and answers with a stable physical ID. Every failure is
 * thrown as one actionable message, which the framework reports to CloudFormation as FAILED.
 */
import { Deadline, RemainingTime } from '../io/deadline';
import { createEksClient, EksApi } from '../io/eks-api';
import { createIamClient } from '../io/iam-principals';
import { CustomResourceEvent, CustomResourceResponse, decodeEvent } from './event';
import { connectKubernetes, KubernetesConnection } from '../io/kubernetes-connection';
import { Logger } from '../io/log';
import { reconcile, ReconcileOutcome } from './reconcile';

export type { CustomResourceEvent, CustomResourceResponse } from './event';

/** CloudFormation rejects responses over 4 KB: keep the returned attributes short. */
const MAX_ATTRIBUTE_CHARS = 1000;

/** Entry point of the Lambda function. */
export async function onEvent(event: CustomResourceEvent, context?: RemainingTime): Promise<CustomResourceResponse> {
  const log = new Logger({ requestType: event?.RequestType, requestId: event?.RequestId, logicalResourceId: event?.LogicalResourceId });
  const deadline = Deadline.fromContext(context);
  const connections: KubernetesConnection[] = [];
  try {
    const request = await decodeEvent(event, log, process.env.AWS_REGION);
    const region = request.desired.region ?? process.env.AWS_REGION;
    if (!region) {
      throw new Error('no AWS region: set the desired state\'s region or AWS_REGION');
    }
    const eksClient = createEksClient(region);
    const iamClient = request.desired.migrateFromAwsAuth ? createIamClient(region) : undefined;
    try {
      const outcome = await reconcile(request, {
        eks: new EksApi(eksClient, deadline, log),
        ...(iamClient ? { iam: new EksApi(iamClient, deadline, log, Math.random, 'iam') } : {}),
        connectKubernetes: async (cluster, state, options) => {
          const connection = await connectKubernetes({
            cluster, region, deadline, log, authGraceMs: options.authGraceMs, roleArn: state.kubernetesRoleArn, sessionName: `cdk-eks-access-${state.ownerId}`.slice(0, 64),
          });
          connections.push(connection);
          return connection;
        },
        deadline,
        log,
      });
      return { PhysicalResourceId: request.physicalResourceId, Data: responseData(outcome) };
    } finally {
      eksClient.destroy();
      iamClient?.destroy();
    }
  } catch (error) {
    const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    log.error('failed', { error: message });
    throw new Error(message);
  } finally {
    connections.forEach((c) => c.close());
  }
}

/** Attributes of the custom resource (`Fn::GetAtt`), all strings. */
export function responseData(outcome: ReconcileOutcome): Record<string, string> {
  const clip = (s: string) => (s.length > MAX_ATTRIBUTE_CHARS ? `${s.slice(0, MAX_ATTRIBUTE_CHARS - 3)}...` : s);
  return {
    AuthenticationMode: outcome.authenticationMode ?? '',
    Mechanism: outcome.mechanism,
    Changed: String(outcome.awsAuthWritten || outcome.accessEntryWrites > 0 || outcome.rbacApplied.length > 0 || outcome.rbacDeleted.length > 0),
    Warnings: clip(outcome.warnings.join('\n')),
    ...(outcome.migration !== undefined ? { Migration: clip(outcome.migration) } : {}),
  };
}
