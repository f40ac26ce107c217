/**
 * Opening the Kubernetes connection of one invocation: the identity (the handler's own
 * credentials, or `kubernetesRoleArn` assumed through STS), a fresh EKS token for it, the HTTPS
 * client verifying the cluster's CA, and the {@link KubernetesApi} the reconciler uses on top,
 * which logs every call and retries 401/403 while a new access entry propagates.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { awsErrorName } from './aws-errors';
import { ClusterInfo, waitForActiveCluster } from './cluster';
import { Deadline, DeadlineExceededError } from './deadline';
import { AWS_REQUEST_TIMEOUTS, AwsRequestTimeouts, createEksClient, EksApi, EksSender } from './eks-api';
import { eksTokenProvider } from './eks-token';
import { endpointOverrides } from './endpoints';
import { KubernetesClient } from './kube/client';
import { KubernetesApiError, NETWORK_ERROR, REQUEST_TIMEOUT } from './kube/errors';
import { ApplyOptions, DeleteOptions, KubeObject, KubernetesApi, kubeStatus, ListOptions } from './kubernetes-api';
import { Logger } from './log';
import { withRetry } from './retry';

/** Items per page of a list. */
const LIST_PAGE = 500;
/** The media type of a list of objects' metadata only. */
const PARTIAL_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

export interface ConnectOptions {
  readonly cluster: ClusterInfo;
  /** Role to assume for Kubernetes (`kubernetesRoleArn`); the caller's own identity when absent. */
  readonly roleArn?: string;
  /** Session name when assuming `roleArn`. */
  readonly sessionName?: string;
  readonly region: string;
  readonly deadline: Deadline;
  readonly log: Logger;
  /** Retry 401/403 for this long (default 5 s). */
  readonly authGraceMs?: number;
  /**
   * Called when the API server answers 401 or 403 after the grace period: gives the identity its
   * access again (the handler's own access entry, which another run may have just removed). True
   * when it changed something: the call is then retried for a new grace period.
   */
  readonly repairAccess?: () => Promise<boolean>;
  /** Credentials to use instead of the default chain (CLI profiles, tests). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly random?: () => number;
}

/**
 * Credentials of `roleArn`, assumed with `base` (the handler's own) through STS. Every attempt is
 * bounded by `timeouts` (those of the EKS client; tests pass shorter ones), and all of them
 * together by `deadline`, so an STS endpoint that does not answer fails the run with the role's
 * name instead of hanging until Lambda's timeout.
 */
export async function assumeRole(
  roleArn: string, region: string, sessionName: string, log: Logger, base?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  timeouts: AwsRequestTimeouts = AWS_REQUEST_TIMEOUTS, deadline?: Deadline,
): Promise<AwsCredentialIdentity> {
  const endpoint = endpointOverrides().sts;
  const sts = new STSClient({ region, requestHandler: { ...timeouts }, ...(endpoint ? { endpoint } : {}), ...(base ? { credentials: base } : {}) });
  deadline?.check(`assuming kubernetesRoleArn ${roleArn}`);
  const abortSignal = deadline ? AbortSignal.timeout(Math.max(1, deadline.attemptMs())) : undefined;
  try {
    const command = new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName.slice(0, 64), DurationSeconds: 3600 });
    const response = await sts.send(command, { abortSignal });
    log.apiCall({ api: 'sts', operation: 'AssumeRole', status: response.$metadata.httpStatusCode ?? 200 });
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new Error('STS returned no credentials');
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (error) {
    log.apiCall({ api: 'sts', operation: 'AssumeRole', status: awsErrorName(error) ?? 'Error' });
    if (abortSignal?.aborted) {
      throw new DeadlineExceededError(
        `ran out of time while assuming kubernetesRoleArn ${roleArn} (STS did not answer before the Lambda's time limit); re-run the deployment`);
    }
    throw new Error(`cannot assume kubernetesRoleArn ${roleArn}: ${(error as Error).message}${awsErrorName(error) === 'AccessDenied' ? ' (its trust policy must allow the handler role, and the handler role needs sts:AssumeRole on it)' : ''}`);
  } finally {
    sts.destroy();
  }
}

/** Connects to the cluster's API server and returns the reconciler's view of it. */
export async function connectKubernetes(options: ConnectOptions): Promise<KubernetesConnection> {
  const base = options.credentials ?? fromNodeProviderChain();
  const roleArn = options.roleArn;
  const sessionName = (options.sessionName ?? 'cdk-eks-access').replace(/[^\w+=,.@-]/g, '-');
  const credentials = roleArn
    ? await assumeRole(roleArn, options.region, sessionName, options.log, base, AWS_REQUEST_TIMEOUTS, options.deadline)
    : base;
  const client = new KubernetesClient({
    endpoint: options.cluster.endpoint,
    certificateAuthorityData: options.cluster.certificateAuthorityData,
    token: eksTokenProvider({ clusterName: options.cluster.name, region: options.region, credentials }),
    onCall: (call) => options.log.apiCall({ api: 'kubernetes', method: call.method, path: call.path, status: call.reason ? `${call.status} ${call.reason}` : call.status, attempt: call.attempt, ms: call.ms }),
    userAgent: 'cdk-eks-access-handler',
    // Every attempt ends by the deadline (which keeps a reserve for the answer), and no retry waits past it.
    timeoutMs: 20_000,
    remainingMs: () => options.deadline.attemptMs(),
  });
  const { deadline, log, random, repairAccess } = options;
  return new KubernetesConnection(client, deadline, log, options.authGraceMs ?? 5_000, random, repairAccess, options.cluster.authenticationMode);
}

/**
 * How long an API endpoint that refuses or drops connections is tried again (an ACTIVE cluster's
 * endpoint may do so for a few seconds, e.g. while its control plane scales).
 */
const NETWORK_GRACE_MS = 120_000;

/** How long a new access entry may take to be honoured after a repair. */
const REPAIRED_ACCESS_GRACE_MS = 120_000;
/** A repair is tried at most this often. */
const REPAIR_INTERVAL_MS = 30_000;

/**
 * {@link KubernetesApi} over the HTTPS client. 401 and 403 are retried for `authGraceMs` (EKS
 * takes a moment to honour a new access entry), and once access is repaired; then the error
 * explains what access is missing, for the cluster's authentication mode.
 */
export class KubernetesConnection implements KubernetesApi {
  private graceUntil: number;
  private lastRepair = 0;
  /** When the current run of network failures began (undefined while calls get answers). */
  private unreachableSince?: number;

  constructor(
    public readonly client: KubernetesClient,
    private readonly deadline: Deadline,
    private readonly log: Logger,
    authGraceMs: number,
    private readonly random: () => number = Math.random,
    private readonly repairAccess?: () => Promise<boolean>,
    private readonly authenticationMode?: string,
  ) {
    this.graceUntil = Date.now() + authGraceMs;
  }

  public get(path: string): Promise<KubeObject | undefined> {
    return this.call('GET', `reading ${path}`, async () => {
      try {
        return await this.client.request<KubeObject>('GET', path);
      } catch (e) {
        if (e instanceof KubernetesApiError && e.status === 404) {
          return undefined;
        }
        throw e;
      }
    });
  }

  public create(collectionPath: string, body: KubeObject): Promise<KubeObject> {
    return this.call('POST', `creating ${collectionPath}/${body.metadata.name}`, () => this.client.request<KubeObject>('POST', collectionPath, { body }));
  }

  public replace(path: string, body: KubeObject): Promise<KubeObject> {
    return this.call('PUT', `replacing ${path}`, () => this.client.request<KubeObject>('PUT', path, { body }));
  }

  public apply(path: string, body: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const query = { fieldManager: options.fieldManager, force: String(options.force), dryRun: options.dryRun ? 'All' : undefined };
    return this.call('PATCH', `applying ${path}`, () => this.client.request<KubeObject>('PATCH', path, { body, contentType: 'application/apply-patch+yaml', query }));
  }

  public delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Background',
      ...(options.resourceVersion ? { preconditions: { resourceVersion: options.resourceVersion } } : {}),
    };
    return this.call('DELETE', `deleting ${path}`, async () => {
      try {
        await this.client.request('DELETE', path, { body });
        return true;
      } catch (e) {
        if (e instanceof KubernetesApiError && e.status === 404) {
          return false;
        }
        throw e;
      }
    });
  }

  public list(collectionPath: string, selector?: string | ListOptions): Promise<KubeObject[]> {
    const options: ListOptions = typeof selector === 'string' ? { labelSelector: selector } : selector ?? {};
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    // Metadata only when asked; servers that cannot convert (some aggregated APIs) send the full list.
    const accept = options.metadataOnly ? `${PARTIAL_METADATA_LIST},application/json` : undefined;
    return this.call('GET', `listing ${collectionPath}`, async () => {
      const items: KubeObject[] = [];
      let token: string | undefined;
      do {
        const pageSize = String(Math.min(LIST_PAGE, limit));
        const query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: pageSize, continue: token };
        const page = await this.client.request<{ items: KubeObject[]; metadata?: { continue?: string } }>('GET', collectionPath, { query, accept });
        items.push(...(page.items ?? []));
        token = page.metadata?.continue || undefined;
      } while (token && items.length < limit);
      return items.slice(0, limit);
    });
  }

  /** Closes idle connections. */
  public close(): void {
    this.client.close();
  }

  private call<T>(method: string, what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(async () => {
      this.deadline.check(what);
      try {
        const result = await fn();
        this.unreachableSince = undefined;
        return result;
      } catch (error) {
        await this.repairAfter(error);
        throw error;
      }
    }, {
      what,
      deadline: this.deadline,
      maxAttempts: 1000, // bounded by the grace period below and the deadline
      baseMs: 1_000,
      maxMs: 8_000,
      random: this.random,
      log: this.log,
      retryable: (e) => {
        const status = kubeStatus(e);
        if ((status === 401 || status === 403) && Date.now() < this.graceUntil) {
          return `Kubernetes answered ${status}; new access may still be propagating`;
        }
        return this.unreachable(method, e);
      },
    }).catch((e) => {
      const status = kubeStatus(e);
      if (status === 401 || status === 403) {
        (e as Error).message += status === 401 ? this.unauthorizedHint() : ' (the handler\'s identity lacks permission: it needs cluster-admin, e.g. AmazonEKSClusterAdminPolicy or system:masters)';
      }
      throw e;
    });
  }

  /**
   * Why a network failure is worth another try, within {@link NETWORK_GRACE_MS} of the first one: a
   * refused connection was never processed; a reset or a timeout only for calls that are safe to
   * repeat (everything but POST).
   */
  private unreachable(method: string, e: unknown): string | undefined {
    if (!(e instanceof KubernetesApiError) || e.status !== 0 || (e.reason !== NETWORK_ERROR && e.reason !== REQUEST_TIMEOUT)) {
      return undefined;
    }
    const refused = /ECONNREFUSED|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(e.serverMessage);
    if (!refused && method === 'POST') {
      return undefined;
    }
    this.unreachableSince ??= Date.now();
    if (Date.now() - this.unreachableSince > NETWORK_GRACE_MS) {
      return undefined;
    }
    return `the API endpoint did not answer (${e.serverMessage.split(':')[0]}); it may be briefly unavailable`;
  }

  /** After a 401/403, repairs access (at most every 30 s); a repair that changed something opens a new grace period. */
  private async repairAfter(error: unknown): Promise<void> {
    const status = kubeStatus(error);
    if ((status !== 401 && status !== 403) || !this.repairAccess || Date.now() - this.lastRepair < REPAIR_INTERVAL_MS) {
      return;
    }
    this.lastRepair = Date.now();
    this.log.warn(`Kubernetes answered ${status}: giving the handler its access again`);
    if (await this.repairAccess()) {
      this.graceUntil = Date.now() + REPAIRED_ACCESS_GRACE_MS;
    }
  }

  /** Why the API server may not accept the identity, for the cluster's authentication mode. */
  private unauthorizedHint(): string {
    switch (this.authenticationMode) {
      case 'CONFIG_MAP':
        return ' (the API server did not accept the handler\'s identity: on a CONFIG_MAP cluster, the role it uses (kubernetesRoleArn, or else its own role) must be mapped to system:masters in aws-auth)';
      case 'API':
        return ' (the API server did not accept the handler\'s identity: on an API cluster, it needs an access entry)';
      case 'API_AND_CONFIG_MAP':
        return ' (the API server did not accept the handler\'s identity: on an API_AND_CONFIG_MAP cluster, it needs an access entry, or kubernetesRoleArn a system:masters mapping in aws-auth)';
      default:
        return ' (the API server did not accept the handler\'s identity: it needs an access entry, or a system:masters mapping in aws-auth)';
    }
  }
}

export interface OpenClusterOptions {
  readonly clusterName: string;
  readonly region: string;
  /** Role to assume for Kubernetes; the caller's own identity when absent. */
  readonly roleArn?: string;
  /** Credentials instead of the default chain (e.g. a CLI profile's). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Default: 5 minutes from now. */
  readonly deadline?: Deadline;
  /** Default: JSON lines on stderr. */
  readonly log?: Logger;
  /** Retry Kubernetes 401/403 for this long (default 5 s; 0 fails at once). */
  readonly authGraceMs?: number;
  /** Keep the EKS client for further calls (`OpenCluster.eks`, closed by `close()`). */
  readonly keepEks?: boolean;
}

/** An open connection to one cluster's Kubernetes API, for the CLI's live mode. */
export interface OpenCluster {
  readonly cluster: ClusterInfo;
  readonly kube: KubernetesConnection;
  /** The EKS API, with `keepEks`. */
  readonly eks?: EksSender;
  close(): void;
}

/**
 * Describes the cluster (waiting until it is ACTIVE) and connects to its API server: what the CLI
 * needs to read and write aws-auth with {@link readAwsAuth} and {@link updateAwsAuth}
 * (`aws-auth-store.ts`) exactly as the handler does.
 */
export async function openCluster(options: OpenClusterOptions): Promise<OpenCluster> {
  const deadline = options.deadline ?? Deadline.in(5 * 60_000);
  const log = options.log ?? new Logger({}, (line) => process.stderr.write(line + '\n'));
  const client = createEksClient(options.region, options.credentials);
  let kept = false;
  try {
    const eks = new EksApi(client, deadline, log);
    const cluster = await waitForActiveCluster(eks, options.clusterName, { deadline, log, region: options.region });
    const kube = await connectKubernetes({
      cluster, region: options.region, deadline, log, roleArn: options.roleArn, sessionName: 'eks-access-cli', credentials: options.credentials, authGraceMs: options.authGraceMs,
    });
    kept = options.keepEks === true;
    return kept
      ? { cluster, kube, eks, close: () => { kube.close(); client.destroy(); } }
      : { cluster, kube, close: () => kube.close() };
  } finally {
    if (!kept) {
      client.destroy();
    }
  }
}
