/**
 * Live mode (`--cluster`): the `aws-auth` ConfigMap of a running EKS cluster, reached with the
 * handler's own client code. DescribeCluster gives the API endpoint, CA and authentication mode;
 * the Kubernetes connection carries an EKS token minted in-process from the caller's AWS
 * credentials (or a profile, or a role assumed with them) and verifies TLS against the cluster's
 * CA. Writes go through the handler's conflict-safe aws-auth store: each carries the
 * resourceVersion it was computed from, a concurrent change makes the edit run again on the
 * newest ConfigMap, an edit that changes nothing writes nothing, and aws-auth is never deleted.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsAuthStore, CliIo, LiveCluster, StoreUpdate, UsageError } from './io';
import { AccessConfigError } from '../core/arn';
import { FIELD_MANAGER } from '../core/desired-state';
import { AWS_AUTH_NAMESPACE, AWS_AUTH_PATH, AwsAuthConflictError, readAwsAuth, updateAwsAuth } from '../io/aws-auth-store';
import type { ClusterInfo } from '../io/cluster';
import { Deadline, DeadlineExceededError } from '../io/deadline';
import type { EksSender } from '../io/eks-api';
import { KubernetesApiError } from '../io/kube/errors';
import { collectionPath, KubeObject, KubernetesApi, kubeStatus, objectPath } from '../io/kubernetes-api';
import type { OpenClusterOptions } from '../io/kubernetes-connection';
import { Logger } from '../io/log';

/** How long one command may take, all retries included. */
export const LIVE_TIMEOUT_MS = 120_000;

export interface LiveStoreOptions {
  /** The EKS cluster's name. */
  readonly clusterName: string;
  /** Its region. */
  readonly region: string;
  /** A named profile of the shared AWS config and credentials files, instead of the default credential chain. */
  readonly profile?: string;
  /** A role to assume (with the caller's credentials) for the Kubernetes API; DescribeCluster uses the caller's own. */
  readonly roleArn?: string;
  /** Print one JSON line per API call (and every retry) to standard error. */
  readonly verbose?: boolean;
  /** Time limit of the command (default {@link LIVE_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** The cluster as described, and a Kubernetes connection to it. */
export interface LiveSession {
  readonly cluster: ClusterInfo;
  readonly kube: KubernetesApi;
  /** The EKS API, when the session was opened with `keepEks`. */
  readonly eks?: EksSender;
  close(): void;
}

export interface LiveStoreDeps {
  /**
   * Describes the cluster and connects to it (default: the handler's `openCluster`). Callers may
   * wrap the connection, e.g. to observe or interleave its calls.
   */
  readonly openCluster?: (options: OpenClusterOptions) => Promise<LiveSession>;
}

/** What every live command starts with: the cluster as messages name it, its log (standard error with --verbose), its time limit. */
export interface LiveCommandContext {
  readonly where: string;
  readonly log: Logger;
  readonly deadline: Deadline;
}

/** The {@link LiveCommandContext} of `options`, its deadline starting now. */
export function liveCommandContext(options: LiveStoreOptions, io: CliIo): LiveCommandContext {
  return {
    where: `EKS cluster "${options.clusterName}" in ${options.region}`,
    log: new Logger({ cluster: options.clusterName }, options.verbose ? (line) => io.stderr(`${line}\n`) : () => undefined),
    deadline: Deadline.in(options.timeoutMs ?? LIVE_TIMEOUT_MS),
  };
}

/** The aws-auth store of a live cluster. Nothing is contacted until the first call. */
export function liveStore(options: LiveStoreOptions, io: CliIo, deps: LiveStoreDeps = {}): AwsAuthStore {
  const name = options.clusterName;
  const { where, log, deadline } = liveCommandContext(options, io);
  const description = `kube-system/aws-auth on ${where}`;
  let session: Promise<LiveSession> | undefined;
  let credentials: AwsCredentialIdentityProvider | undefined;
  let clients: { eks: LiveCluster['eks']; iam: LiveCluster['iam']; destroy: () => void } | undefined;

  // The AWS SDK loads only here (require, not import, so it stays lazy in the CommonJS output and
  // the bundle), so that file mode starts as fast as it did without live mode.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy; the CLI is bundled by esbuild */
  const callerCredentials = (): AwsCredentialIdentityProvider => {
    const { fromNodeProviderChain } = require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
    credentials ??= options.profile !== undefined ? fromNodeProviderChain({ profile: options.profile }) : fromNodeProviderChain();
    return credentials;
  };

  const open = (): Promise<LiveSession> => {
    session ??= (async () => {
      const opener = deps.openCluster ?? (require('../io/kubernetes-connection') as typeof import('../io/kubernetes-connection')).openCluster;
      // A person is waiting: no grace period for access that may still be propagating.
      return opener({
        clusterName: name, region: options.region, roleArn: options.roleArn, credentials: callerCredentials(), deadline, log, authGraceMs: 0,
      });
    })();
    return session;
  };

  /** EKS and IAM clients with the caller's own credentials (not `roleArn`'s, which is for Kubernetes). */
  const awsClients = () => {
    if (!clients) {
      const { createEksClient, EksApi } = require('../io/eks-api') as typeof import('../io/eks-api');
      const { createIamClient } = require('../io/iam-principals') as typeof import('../io/iam-principals');
      const eks = createEksClient(options.region, callerCredentials());
      const iam = createIamClient(options.region, callerCredentials());
      clients = { eks: new EksApi(eks, deadline, log), iam: new EksApi(iam, deadline, log, Math.random, 'iam'), destroy: () => { eks.destroy(); iam.destroy(); } };
    }
    return clients;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */

  /** Runs `fn` on the session, turning failures into messages that name the cluster and what to do. */
  const run = async <T>(action: string, fn: (s: LiveSession) => Promise<T>): Promise<T> => {
    try {
      return await fn(await open());
    } catch (error) {
      throw explainLiveFailure(error, action, where, options);
    }
  };

  return {
    description,
    load: () => run('read kube-system/aws-auth', async ({ cluster, kube }) => {
      if (cluster.authenticationMode === 'API') {
        io.stderr(`warning: ${where} uses authentication mode API: EKS ignores aws-auth there, so these mappings grant no access (access entries do)\n`);
      }
      const current = await readAwsAuth(kube);
      return current === undefined ? undefined : JSON.stringify(current);
    }),

    /** A single conditional write: the text's resourceVersion must still be current (409 otherwise). */
    save: (text) => run('write kube-system/aws-auth', async ({ cluster, kube }) => {
      refuseApiMode(cluster, where);
      const body = JSON.parse(text) as KubeObject;
      await (body.metadata?.resourceVersion === undefined
        ? kube.create(collectionPath('ConfigMap', AWS_AUTH_NAMESPACE), body)
        : kube.replace(AWS_AUTH_PATH, body));
    }),

    update: (edit) => run('write kube-system/aws-auth', async ({ cluster, kube }): Promise<StoreUpdate> => {
      refuseApiMode(cluster, where);
      const result = await updateAwsAuth(kube, (current) => {
        const next = edit(current === undefined ? undefined : JSON.stringify(current));
        return next === undefined ? undefined : (JSON.parse(next) as KubeObject);
      }, { deadline, log });
      return { written: result.written, created: result.created, attempts: result.attempts };
    }),

    clusterArn: () => run('describe the cluster', async ({ cluster }) => cluster.arn),

    applyObjects: (objects) => run('apply the RBAC', async ({ kube }) => {
      const applied: string[] = [];
      for (const object of objects as KubeObject[]) {
        const { kind, metadata } = object;
        await kube.apply(objectPath(String(kind), metadata.name, metadata.namespace), object, { fieldManager: FIELD_MANAGER, force: false });
        applied.push(`${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`);
      }
      return applied;
    }),

    withCluster: (action, fn) => run(action, async ({ cluster, kube }) => {
      const { eks, iam } = awsClients();
      return fn({ info: cluster, kube, eks, iam, log, deadline });
    }),

    close: async () => {
      clients?.destroy();
      clients = undefined;
      const opened = session;
      session = undefined;
      if (opened) {
        try {
          (await opened).close();
        } catch {
          // opening failed: that error was already reported
        }
      }
    },
  };
}

/** aws-auth writes are refused where EKS would ignore them. */
function refuseApiMode(cluster: ClusterInfo, where: string): void {
  if (cluster.authenticationMode === 'API') {
    throw new AccessConfigError(`${where} uses authentication mode API: EKS ignores aws-auth there, so eks-access does not write it (nothing was written). `
      + `Grant access with an access entry instead (aws eks create-access-entry --cluster-name ${cluster.name} --principal-arn ARN, then aws eks associate-access-policy), `
      + 'or move the cluster to API_AND_CONFIG_MAP to use aws-auth alongside access entries.');
  }
}

/**
 * Describes the cluster and connects to it with the caller's credentials (a profile's, or a role
 * assumed with them); with `keepEks`, the session keeps its EKS client for further reads.
 */
export function connectLive(options: LiveStoreOptions, deps: LiveStoreDeps, log: Logger, deadline: Deadline, keepEks = false): Promise<LiveSession> {
  // The AWS SDK loads only here (require, not import, so it stays lazy in the CommonJS
  // output and the bundle), so that file mode starts as fast as it did without live mode.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy; the CLI is bundled by esbuild */
  const { fromNodeProviderChain } = require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
  const opener = deps.openCluster ?? (require('../io/kubernetes-connection') as typeof import('../io/kubernetes-connection')).openCluster;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const credentials = options.profile !== undefined ? fromNodeProviderChain({ profile: options.profile }) : fromNodeProviderChain();
  const { clusterName, region, roleArn } = options;
  // A person is waiting: no grace period for access that may still be propagating.
  return opener({ clusterName, region, roleArn, credentials, deadline, log, authGraceMs: 0, keepEks });
}

/** A failure as the person at the terminal needs it: which cluster, which value, what to do. */
export function explainLiveFailure(error: unknown, action: string, where: string, options: LiveStoreOptions): Error {
  if (error instanceof AccessConfigError || error instanceof UsageError) {
    return error;
  }
  if ((error as Error | undefined)?.name === 'ClusterNotFoundError') { // cluster.ts's class, not imported: it loads the SDK
    return new AccessConfigError(`EKS cluster "${options.clusterName}" not found in ${options.region} (ResourceNotFoundException): check --cluster and --region (or AWS_REGION), and that your credentials may call eks:DescribeCluster on it`);
  }
  if (error instanceof AwsAuthConflictError) {
    return new AccessConfigError(`kube-system/aws-auth on ${where} kept changing under other writers until the time limit (${seconds(options)} s): gave up with nothing written; run the command again`);
  }
  if (error instanceof DeadlineExceededError) {
    const what = /^ran out of time while ([^;]*)/.exec(error.message)?.[1] ?? action;
    return new AccessConfigError(`gave up after ${seconds(options)} s while ${what} on ${where}`);
  }
  const status = kubeStatus(error);
  const server = error instanceof KubernetesApiError ? error.serverMessage : (error as Error).message;
  const identity = options.roleArn ? `role ${options.roleArn}` : options.profile !== undefined ? `the identity of profile ${options.profile}` : 'your AWS identity';
  if (status === 401) {
    return new AccessConfigError(`the Kubernetes API of ${where} did not accept ${identity} (401 Unauthorized; could not ${action}): map it in aws-auth or give it an access entry, or use --profile or --role-arn with an identity that has one`);
  }
  if (status === 403) {
    return new AccessConfigError(`${identity} may not ${action} on ${where} (403 Forbidden: ${server}); it needs ${needs(action)}, e.g. through system:masters or AmazonEKSClusterAdminPolicy`);
  }
  if (error instanceof KubernetesApiError) {
    return new AccessConfigError(`could not ${action} on ${where}: ${withoutLambdaWording(error.message)}`);
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return new AccessConfigError(`could not ${action} on ${where}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${withoutLambdaWording(e.message)}`);
}

/** The Kubernetes rights an action needs. */
function needs(action: string): string {
  if (action.startsWith('apply')) {
    return 'the right to create and update Roles and RoleBindings in the namespace';
  }
  return `${action.startsWith('read') ? 'read' : 'write'} access to ConfigMaps in kube-system`;
}

/** The command's time limit in seconds. */
function seconds(options: LiveStoreOptions): number {
  return Math.round((options.timeoutMs ?? LIVE_TIMEOUT_MS) / 1000);
}

/** The shared retry code speaks of the Lambda's time limit; here it is the command's. */
function withoutLambdaWording(message: string): string {
  return message.replace(/the Lambda(?:'s)? time limit is near/g, 'the time limit of eks-access is near');
}
