/**
 * The CloudFormation custom resource event as the Provider framework passes it to `onEvent`, and
 * its decoding into the desired states the handler reconciles.
 */
import { AccessConfigError } from '../core/arn';
import { applyDesiredStateOverrides, applyDesiredStateSubstitutions, DESIRED_STATE_VERSION, DesiredClusterAccess, DesiredStateLocation, parsePhysicalResourceId, physicalResourceId } from '../core/desired-state';
import { assertValidDesiredState } from '../core/desired-state-check';
import { Deadline } from '../io/deadline';
import { endpointOverrides } from '../io/endpoints';
import { Logger } from '../io/log';
import { readS3Object, S3_READ_TIMEOUT_MS } from '../io/s3-object';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The fields of the Provider framework's event the handler reads. */
export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly StackId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** What `onEvent` returns to the Provider framework. */
export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** A decoded request: what to do, to which state, and what the resource looked like before. */
export interface DecodedRequest {
  readonly requestType: RequestType;
  /**
   * The state to reach. The previous state (OldResourceProperties) is never read: what to remove
   * is known from the ownership records in the cluster.
   */
  readonly desired: DesiredClusterAccess;
  /** The physical ID this request leaves the resource with. */
  readonly physicalResourceId: string;
  /** True for an Update whose physical ID changes (another cluster or owner): it acts like a Create, and CloudFormation then deletes the old resource. */
  readonly replacement: boolean;
  /**
   * On a replacement that keeps the cluster but changes the owner ID (the construct moved), the old
   * owner ID: what it created and is still desired is taken over, so the old resource's Delete
   * does not remove it.
   */
  readonly formerOwnerId?: string;
  /** The custom resource's logical ID and stack: the owner's record names the resource that manages it. */
  readonly logicalResourceId?: string;
  readonly stackId?: string;
}

/** Decodes and validates the event; throws {@link AccessConfigError} for any bad input. */
export async function decodeEvent(
  event: CustomResourceEvent, log: Logger, defaultRegion: string | undefined, deadline?: Deadline,
): Promise<DecodedRequest> {
  if (!event || !['Create', 'Update', 'Delete'].includes(event.RequestType)) {
    throw new AccessConfigError(`unknown custom resource request type ${JSON.stringify(event?.RequestType)}`);
  }
  let desired: DesiredClusterAccess;
  try {
    desired = await loadDesiredState(event.ResourceProperties, log, defaultRegion, deadline);
    assertValidDesiredState(desired);
  } catch (error) {
    const fallback = event.RequestType === 'Delete' ? stateToDelete(event, log, error as Error) : undefined;
    if (!fallback) {
      throw error;
    }
    desired = fallback;
  }
  const newId = physicalResourceId(desired, defaultRegion);
  const old = parsePhysicalResourceId(event.PhysicalResourceId);
  // An ID of the earlier `<cluster>/<owner>` form that names the same cluster and owner is kept:
  // upgrading the library must not look like a move to another cluster.
  const sameAsLegacy = old !== undefined && old.account === undefined && old.clusterName === desired.clusterName && old.ownerId === desired.ownerId;
  const replacement = event.RequestType === 'Update' && event.PhysicalResourceId !== undefined && event.PhysicalResourceId !== newId && !sameAsLegacy;
  // Delete keeps the ID CloudFormation knows, as does an Update that is no replacement.
  const keepsId = event.PhysicalResourceId !== undefined && (event.RequestType === 'Delete' || (event.RequestType === 'Update' && !replacement));
  const id = keepsId ? event.PhysicalResourceId! : newId;
  const region = desired.region ?? defaultRegion;
  const sameCluster = old !== undefined && old.clusterName === desired.clusterName && (old.region === undefined || old.region === region);
  const formerOwnerId = replacement && sameCluster && old.ownerId !== desired.ownerId ? old.ownerId : undefined;
  return {
    requestType: event.RequestType,
    desired,
    physicalResourceId: id,
    replacement,
    ...(formerOwnerId ? { formerOwnerId } : {}),
    ...(event.LogicalResourceId ? { logicalResourceId: event.LogicalResourceId } : {}),
    ...(event.StackId ? { stackId: event.StackId } : {}),
  };
}

/**
 * On a Delete whose desired state cannot be read (its S3 object is gone, or it was written by
 * another version), what Delete needs, from the physical ID (cluster, owner, region) and the inline
 * overrides: a Delete only removes what the owner recorded in the cluster, so the stack's
 * deletion is not blocked. Undefined when the physical ID does not name a cluster and an owner.
 */
function stateToDelete(event: CustomResourceEvent, log: Logger, error: Error): DesiredClusterAccess | undefined {
  const location = parsePhysicalResourceId(event.PhysicalResourceId);
  if (!location) {
    return undefined;
  }
  const clusterName = location.clusterName;
  const bare: DesiredClusterAccess = {
    version: DESIRED_STATE_VERSION,
    clusterName,
    ownerId: location.ownerId,
    ...(location.region ? { region: location.region } : {}),
    ...(location.account ? { account: location.account } : {}),
    mechanism: 'AUTO',
    awsAuth: { mapRoles: [], mapUsers: [], mapAccounts: [] },
    accessEntries: [],
    manifests: [],
  };
  let state = bare;
  try {
    const overrides = event.ResourceProperties?.overrides;
    state = applyDesiredStateOverrides(bare, typeof overrides === 'string' ? overrides : undefined);
    assertValidDesiredState(state);
  } catch {
    return undefined;
  }
  if (state.clusterName !== clusterName) {
    return undefined; // the overrides name another cluster than the physical ID: no guessing
  }
  log.warn(`cannot read the desired state (${error.message}); deleting what owner "${state.ownerId}" recorded on cluster "${clusterName}"`);
  return state;
}

/** The desired state from the resource properties: inline JSON, or an S3 object. */
export async function loadDesiredState(
  properties: Record<string, unknown> | undefined, log: Logger, defaultRegion: string | undefined, deadline?: Deadline,
): Promise<DesiredClusterAccess> {
  const location = (properties ?? {}) as DesiredStateLocation;
  let text: string;
  let source: string;
  let overrides: string | undefined;
  let substitutions: string | undefined;
  if (typeof location.inline === 'string') {
    text = location.inline;
    source = 'the inline desired state';
  } else if (typeof location.s3Bucket === 'string' && typeof location.s3Key === 'string') {
    const region = process.env.AWS_REGION ?? defaultRegion;
    if (!region) {
      throw new AccessConfigError('cannot read the desired state from S3: no AWS region (AWS_REGION is not set)');
    }
    deadline?.check(`reading the desired state from s3://${location.s3Bucket}/${location.s3Key}`);
    // A read that hangs ends by the deadline at the latest.
    const timeoutMs = deadline ? Math.min(S3_READ_TIMEOUT_MS, deadline.attemptMs()) : undefined;
    text = await readS3Object({ bucket: location.s3Bucket, key: location.s3Key, region, endpoint: endpointOverrides().s3, timeoutMs }, log);
    source = `s3://${location.s3Bucket}/${location.s3Key}`;
    // Deploy-time values (ARNs of roles created in the same app) travel inline beside the file.
    overrides = typeof location.overrides === 'string' ? location.overrides : undefined;
    substitutions = typeof location.substitutions === 'string' ? location.substitutions : undefined;
  } else {
    throw new AccessConfigError('the custom resource has no desired state: expected the property "inline" (JSON) or "s3Bucket" and "s3Key"');
  }
  let state: DesiredClusterAccess;
  try {
    state = JSON.parse(text) as DesiredClusterAccess;
  } catch (e) {
    throw new AccessConfigError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return applyDesiredStateSubstitutions(applyDesiredStateOverrides(state, overrides), substitutions);
  } catch (e) {
    throw new AccessConfigError(`${source}: ${(e as Error).message}`);
  }
}
