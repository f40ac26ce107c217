/**
 * The cluster as the handler needs it: status (waited on until ACTIVE, within the deadline),
 * API endpoint, certificate authority and authentication mode.
 */
import { DescribeClusterCommand, DescribeClusterResponse } from '@aws-sdk/client-eks';
import { isAwsError } from './aws-errors';
import { Deadline } from './deadline';
import { EksSender } from './eks-api';
import { Logger } from './log';
import { AuthenticationMode, AUTHENTICATION_MODES } from '../core/desired-state';

export interface ClusterInfo {
  readonly name: string;
  readonly arn?: string;
  readonly status: string;
  /** `https://...` */
  readonly endpoint: string;
  /** Base64 of the PEM of the cluster's certificate authority (as DescribeCluster returns it). */
  readonly certificateAuthorityData: string;
  readonly authenticationMode: AuthenticationMode;
}

/** The cluster does not exist (DescribeCluster answered ResourceNotFoundException). */
export class ClusterNotFoundError extends Error {
  constructor(public readonly clusterName: string, region: string | undefined) {
    super(`EKS cluster "${clusterName}" does not exist${region ? ` in ${region}` : ''} (or the handler's role cannot see it)`);
    this.name = 'ClusterNotFoundError';
  }
}

/** Statuses the handler waits through. */
const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'PENDING']);

/** How often the status is polled while waiting. */
export const CLUSTER_POLL_MS = 10_000;

/** Describes the cluster once; throws {@link ClusterNotFoundError} when it does not exist. */
export async function describeCluster(eks: EksSender, name: string, region?: string): Promise<DescribeClusterResponse['cluster'] & object> {
  try {
    const response = await eks.send<DescribeClusterResponse>(new DescribeClusterCommand({ name }));
    if (!response.cluster) {
      throw new Error(`DescribeCluster returned no cluster for "${name}"`);
    }
    return response.cluster;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      throw new ClusterNotFoundError(name, region);
    }
    throw error;
  }
}

/** True when the cluster is gone (used to tell a missing cluster from a missing access entry). */
export async function clusterExists(eks: EksSender, name: string): Promise<boolean> {
  try {
    await describeCluster(eks, name);
    return true;
  } catch (error) {
    if (error instanceof ClusterNotFoundError) {
      return false;
    }
    throw error;
  }
}

export interface WaitOptions {
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly region?: string;
  readonly pollMs?: number;
}

/** Waits (bounded by the deadline) until the cluster is ACTIVE, then returns what the handler needs. */
export async function waitForActiveCluster(eks: EksSender, name: string, options: WaitOptions): Promise<ClusterInfo> {
  for (;;) {
    const cluster = await describeCluster(eks, name, options.region);
    const status = cluster.status ?? 'UNKNOWN';
    if (status === 'ACTIVE') {
      return toClusterInfo(name, cluster);
    }
    if (!TRANSITIONAL.has(status)) {
      throw new Error(`EKS cluster "${name}" is ${status}; access can only be configured on an ACTIVE cluster`);
    }
    options.log.info('waiting for the cluster to become ACTIVE', { cluster: name, status });
    await options.deadline.sleep(options.pollMs ?? CLUSTER_POLL_MS, `waiting for EKS cluster "${name}" to become ACTIVE (it is ${status})`);
  }
}

/** The fields the handler needs, checked. */
export function toClusterInfo(name: string, cluster: NonNullable<DescribeClusterResponse['cluster']>): ClusterInfo {
  if (!cluster.endpoint) {
    throw new Error(`EKS cluster "${name}" has no API endpoint yet`);
  }
  const ca = cluster.certificateAuthority?.data;
  if (!ca) {
    throw new Error(`EKS cluster "${name}" has no certificate authority data`);
  }
  // Clusters created before access entries existed report no access config: they read aws-auth only.
  const mode = (cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP') as AuthenticationMode;
  if (!(AUTHENTICATION_MODES as readonly string[]).includes(mode)) {
    throw new Error(`EKS cluster "${name}" reports an unknown authentication mode "${mode}"`);
  }
  return {
    name,
    arn: cluster.arn,
    status: cluster.status ?? 'ACTIVE',
    endpoint: cluster.endpoint,
    certificateAuthorityData: ca,
    authenticationMode: mode,
  };
}
