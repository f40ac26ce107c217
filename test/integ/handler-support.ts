/**
 * Runs the deploy-time handler's `onEvent` as Lambda would, against the shared API server and the
 * EKS fake of the test harness, and records what it did: its log lines (one per API call), the
 * EKS fake's write calls, and the Kubernetes writes.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DESIRED_STATE_VERSION, DesiredClusterAccess, physicalResourceId } from '../../lib/core/desired-state';
import { CustomResourceResponse, onEvent } from '../../lib/handler/index';
import { LEASE_NAMESPACE } from '../../lib/io/cluster-lease';
import { EKS_ENDPOINT_ENV, STS_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { KubernetesApiError } from '../../lib/io/kube/errors';
import { collectionPath } from '../../lib/io/kubernetes-api';
import { clientAs, credentialsOf, eksFake, freshCredentialsOf, kubeHarness } from '../support/kube/env';
import { TestPrincipal } from '../support/kube/principals';

export interface Invocation {
  readonly response?: CustomResourceResponse;
  readonly error?: Error;
  /** Every JSON log line of the run. */
  readonly lines: Record<string, unknown>[];
  /**
   * Kubernetes calls that change cluster state (POST, PUT, PATCH without dry run, DELETE); the
   * coordination lease the handler takes is not state, and its writes are not listed.
   */
  readonly kubeWrites: Record<string, unknown>[];
  /** All Kubernetes calls. */
  readonly kubeCalls: Record<string, unknown>[];
  /** EKS calls the fake answered during the run, and its write calls. */
  readonly eksCalls: number;
  readonly eksWrites: { operation: string; principalArn?: string; errorName?: string }[];
  readonly ms: number;
}

/** Points the handler's AWS clients at the harness (region, EKS endpoint, handler credentials). */
export function useHandlerEnvironment(): void {
  const saved: Record<string, string | undefined> = {};
  const set = (k: string, v: string | undefined) => {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  beforeAll(() => {
    const creds = credentialsOf('handler');
    set('AWS_REGION', kubeHarness().region);
    set(EKS_ENDPOINT_ENV, kubeHarness().eksEndpoint);
    set('AWS_ACCESS_KEY_ID', creds.accessKeyId);
    set('AWS_SECRET_ACCESS_KEY', creds.secretAccessKey);
    set('AWS_SESSION_TOKEN', creds.sessionToken);
    set('AWS_PROFILE', undefined);
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** The custom resource event for `desired`. */
export function eventFor(requestType: 'Create' | 'Update' | 'Delete', desired: DesiredClusterAccess, old?: DesiredClusterAccess) {
  return {
    RequestType: requestType,
    RequestId: `req-${Math.random().toString(36).slice(2)}`,
    LogicalResourceId: 'ClusterAccess',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: physicalResourceId(old ?? desired) }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:provider', inline: JSON.stringify(desired) },
    ...(old ? { OldResourceProperties: { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:provider', inline: JSON.stringify(old) } } : {}),
  } as const;
}

const LEASE_COLLECTION = collectionPath('Lease', LEASE_NAMESPACE);

let consoleLock: Promise<void> = Promise.resolve();

/** Invokes `onEvent` and collects what it did (runs one at a time: it captures console output). */
export async function invoke(requestType: 'Create' | 'Update' | 'Delete', desired: DesiredClusterAccess, old?: DesiredClusterAccess, remainingMs = 120_000): Promise<Invocation> {
  const [result] = await invokeMany([{ requestType, desired, old }], remainingMs);
  return result;
}

/** Invokes several handlers at the same time (like concurrent stacks) and collects each one's run. */
export async function invokeMany(runs: { requestType: 'Create' | 'Update' | 'Delete'; desired: DesiredClusterAccess; old?: DesiredClusterAccess }[], remainingMs = 120_000): Promise<Invocation[]> {
  const previous = consoleLock;
  let done!: () => void;
  consoleLock = new Promise((resolve) => (done = resolve));
  await previous;
  // New credentials for every run, as a new Lambda session has: kube-apiserver caches a token's
  // identity for 10 s, and a token equal to one of a moment ago (same keys, same second) would
  // carry the identity of the previous test's cluster mode (see test/support/README.md).
  const fresh = freshCredentialsOf('handler');
  process.env.AWS_ACCESS_KEY_ID = fresh.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fresh.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = fresh.sessionToken;
  const fake = eksFake();
  const lines: Record<string, unknown>[] = [];
  const original = console.log;
  console.log = (line: unknown) => {
    try {
      lines.push(JSON.parse(String(line)) as Record<string, unknown>);
    } catch {
      original(line);
    }
  };
  try {
    const before = (await fake.calls()).calls.length;
    const started = Date.now();
    const deadline = started + remainingMs;
    const outcomes = await Promise.all(runs.map(async (r) => {
      const event = eventFor(r.requestType, r.desired, r.old);
      try {
        return { response: await onEvent(event as never, { getRemainingTimeInMillis: () => deadline - Date.now() }) };
      } catch (error) {
        return { error: error as Error };
      }
    }));
    const ms = Date.now() - started;
    // HANDLER_DEBUG=1 prints each run's log in short form.
    if (process.env.HANDLER_DEBUG) {
      original(JSON.stringify(lines.map((l) => [l.time, l.msg, l.method ?? l.operation, l.path, l.status, l.reason ?? l.error])));
    }
    const all = (await fake.calls()).calls.slice(before);
    const kubeCalls = lines.filter((l) => l.api === 'kubernetes');
    const kubeWrites = kubeCalls.filter((l) => l.method !== 'GET' && !String(l.path).includes('dryRun=All') && !String(l.path).startsWith(LEASE_COLLECTION));
    return outcomes.map((o) => ({
      ...o,
      lines,
      kubeCalls,
      kubeWrites,
      eksCalls: all.length,
      eksWrites: all.filter((c) => c.write).map((c) => ({ operation: c.operation, principalArn: c.principalArn, errorName: c.errorName })),
      ms,
    }));
  } finally {
    console.log = original;
    done();
  }
}

/** A desired state for the harness's cluster, owned by `stack-a.access`, with nothing in it but `overrides`. */
export function desiredState(overrides: Partial<DesiredClusterAccess> = {}): DesiredClusterAccess {
  return {
    version: DESIRED_STATE_VERSION,
    clusterName: kubeHarness().clusterName,
    region: kubeHarness().region,
    ownerId: 'stack-a.access',
    mechanism: 'AUTO',
    awsAuth: { mapRoles: [], mapUsers: [], mapAccounts: [] },
    accessEntries: [],
    manifests: [],
    ...overrides,
  };
}

/** The HTTP status the test principal `who` gets for `method path` (200 when allowed). */
export async function statusAs(who: string, method: string, path: string, body?: unknown): Promise<number> {
  const client = clientAs(who, { maxAttempts: 1 });
  try {
    await client.request(method, path, body === undefined ? {} : { body });
    return 200;
  } catch (e) {
    return (e as KubernetesApiError).status;
  } finally {
    client.close();
  }
}

/** A stand-in for STS on 127.0.0.1 that answers every AssumeRole with `principal`'s test credentials. */
export interface StsStandIn {
  /** `AssumeRole <role ARN> signed=<true|false>` for each request. */
  readonly assumed: string[];
  close(): Promise<void>;
}

/** Starts the STS stand-in and points the handler's STS client at it until `close()`. */
export async function startStsStandIn(principal: TestPrincipal): Promise<StsStandIn> {
  const assumed: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      assumed.push(`${params.get('Action')} ${params.get('RoleArn')} signed=${String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256')}`);
      const role = principal.principalArn.split('/').pop();
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>'
        + `<AccessKeyId>${principal.accessKeyId}</AccessKeyId><SecretAccessKey>${principal.secretAccessKey}</SecretAccessKey>`
        + `<SessionToken>${principal.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>`
        + `<AssumedRoleUser><Arn>arn:aws:sts::${principal.principalArn.split(':')[4]}:assumed-role/${role}/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>`
        + '</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = process.env[STS_ENDPOINT_ENV];
  process.env[STS_ENDPOINT_ENV] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    assumed,
    close: async () => {
      if (saved === undefined) delete process.env[STS_ENDPOINT_ENV];
      else process.env[STS_ENDPOINT_ENV] = saved;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes that are not to owner records (`kube-system/cdk-eks-access-owner-*`). */
export function besidesOwnerRecords(writes: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return writes.filter((w) => !/\/namespaces\/kube-system\/configmaps(\/cdk-eks-access-owner-|\?|$)/.test(String(w.path)));
}
