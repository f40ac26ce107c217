/**
 * Events are bound to their stack: the handler (and the Provider framework in front of it) gives
 * cluster-admin rights to whatever payload it is asked to apply, so it applies only what a
 * deployment of its own stack asks for, now. Before any write it checks, with CloudFormation, that
 * the event's stack is its own stack or one nested in it, that the stack holds the custom resource
 * the event names, and that this resource is being created, updated or deleted at this moment.
 *
 * The constructs give the handler its stack's ID in {@link STACK_ID_ENV}; a handler without it (run
 * by hand, in tests) does not check.
 */
import { CustomResourceEvent } from './event';
import { STACK_ID_ENV } from '../core/desired-state';

export { STACK_ID_ENV };
import { StackOrigin } from '../io/stack-origin';


/** The resource type of the constructs' custom resources. */
export const RESOURCE_TYPE = 'Custom::EksClusterAccess';

/** Stack statuses in which CloudFormation deletes old or removed resources. */
const DELETING_STACK = /_CLEANUP_IN_PROGRESS$|^ROLLBACK_IN_PROGRESS$|^DELETE_IN_PROGRESS$|^UPDATE_ROLLBACK_IN_PROGRESS$|^IMPORT_ROLLBACK_IN_PROGRESS$/;

/** The resource statuses in which each request type is expected. */
const IN_PROGRESS: Record<CustomResourceEvent['RequestType'], string> = {
  Create: 'CREATE_IN_PROGRESS',
  Update: 'UPDATE_IN_PROGRESS',
  Delete: 'DELETE_IN_PROGRESS',
};

/** Why the event does not come from a deployment of `ownStackId` in progress, or undefined when it does. */
export function originProblem(event: CustomResourceEvent, ownStackId: string, origin: StackOrigin): string | undefined {
  if (origin.stackId !== ownStackId && origin.rootId !== ownStackId) {
    return `the event comes from stack ${event.StackId}, which is neither this handler's stack (${ownStackId}) nor nested in it`;
  }
  if (!origin.resource) {
    return `stack ${origin.stackId} has no resource ${event.LogicalResourceId}`;
  }
  if (origin.resource.resourceType !== RESOURCE_TYPE) {
    return `resource ${event.LogicalResourceId} of stack ${origin.stackId} is a ${origin.resource.resourceType}, not a ${RESOURCE_TYPE}`;
  }
  const expected = IN_PROGRESS[event.RequestType];
  const deleting = event.RequestType === 'Delete' && DELETING_STACK.test(origin.stackStatus);
  if (origin.resource.resourceStatus !== expected && !deleting) {
    return `resource ${event.LogicalResourceId} of stack ${origin.stackId} is ${origin.resource.resourceStatus} (stack ${origin.stackStatus}), not ${expected}: the event is not part of a deployment in progress`;
  }
  return undefined;
}

/** The region of a stack ARN (`arn:aws:cloudformation:<region>:...`), if it is one. */
export function stackRegion(stackId: string | undefined): string | undefined {
  const region = stackId?.split(':')[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}
