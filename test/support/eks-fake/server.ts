/**
 * The fake EKS service over HTTP on 127.0.0.1: the EKS REST-JSON protocol for the SDK, and
 * control endpoints under `/_fake/` for tests in other processes.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallFilter, CallLog } from './call-log';
import { EksState, EksStateOptions } from './eks-state';
import { EksApiError } from './errors';
import { FaultInjector, FaultSpec } from './faults';
import { CallerPolicy } from './iam-policy';
import { AccessEntrySeed, ClusterSeed, ClusterView, UpdateOutcome } from './model';
import { routeRequest } from './routes';

/** Options of {@link startEksFake}. */
export interface EksFakeOptions extends EksStateOptions {
  /** Port on 127.0.0.1; default 0 (a free one). */
  readonly port?: number;
  /** Refuse unsigned requests (no SigV4 Authorization header) as AWS does. Default true. */
  readonly requireSignature?: boolean;
}

/** Settings tests may change at run time (in process or through `POST /_fake/settings`). */
export interface EksFakeSettings {
  readonly defaultPageSize?: number;
  readonly updateCompletesAfterDescribes?: number;
  readonly clusterActiveAfterDescribes?: number;
  /** Updates stay InProgress (their cluster UPDATING) until completed by the test. */
  readonly updatesStayInProgress?: boolean;
  /** Access entries per cluster before CreateAccessEntry answers ResourceLimitExceededException; 0 or less: no limit. */
  readonly accessEntryLimit?: number;
  readonly clusterEndpoint?: string;
  readonly certificateAuthorityData?: string;
}

/** A running fake. */
export interface EksFake {
  /** `http://127.0.0.1:<port>`: give it to `new EKSClient({ endpoint })`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The service state: seed, read synchronously, control. */
  readonly state: EksState;
  /** Every API call answered. */
  readonly calls: CallLog;
  /** Armed faults. */
  readonly faults: FaultInjector;
  /** Client settings that reach this fake with dummy credentials. */
  clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  seedCluster(seed: ClusterSeed): ClusterView;
  injectFault(spec: FaultSpec): void;
  configure(settings: EksFakeSettings): void;
  /** Clears the state, the call log and the faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Prefix of the control endpoints. */
export const CONTROL_PREFIX = '/_fake/';

/** Starts the fake on 127.0.0.1. */
export async function startEksFake(options: EksFakeOptions = {}): Promise<EksFake> {
  const state = new EksState(options);
  const calls = new CallLog();
  const faults = new FaultInjector();
  const requireSignature = options.requireSignature ?? true;
  const configure = (settings: EksFakeSettings) => applySettings(state, settings);
  const reset = () => {
    state.reset();
    calls.clear();
    faults.clear();
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      send(res, 500, { message: `fake EKS failed: ${(error as Error).message}` }, 'InternalFailure');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawPath = (req.url ?? '/').split('?')[0];
    const text = await readBody(req);
    if (rawPath.startsWith(CONTROL_PREFIX)) {
      return control(req.method ?? 'GET', rawPath.slice(CONTROL_PREFIX.length), url.searchParams, text, res);
    }
    const time = new Date().toISOString();
    const routed = routeRequest(req.method ?? 'GET', rawPath);
    const params = routed?.params ?? {};
    // Cluster operations name the cluster `name` in their path, access-entry operations `clusterName`.
    const clusterName = params.clusterName ?? params.name;
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const record = (status: number, errorName?: string, injected = false) => calls.add({
      operation: routed?.operation ?? 'Unknown',
      method: req.method ?? 'GET',
      path: rawPath,
      ...(clusterName ? { clusterName } : {}),
      ...(principalOf(routed?.operation, params, text) ? { principalArn: principalOf(routed?.operation, params, text) } : {}),
      ...(params.policyArn ? { policyArn: params.policyArn } : policyOf(text) ? { policyArn: policyOf(text) } : {}),
      time,
      status,
      ...(errorName ? { errorName } : {}),
      injected,
      ...(accessKeyId ? { accessKeyId } : {}),
    });
    const fail = (error: EksApiError, injected = false) => {
      record(error.status, error.name, injected);
      send(res, error.status, error.body(), error.name);
    };
    if (!routed) {
      return fail(new EksApiError('UnknownOperationException', `No EKS operation for ${req.method} ${rawPath}`));
    }
    if (requireSignature && !String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return fail(new EksApiError('MissingAuthenticationTokenException', 'Missing Authentication Token'));
    }
    let body: Record<string, unknown> = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return fail(new EksApiError('SerializationException', 'The request body is not valid JSON.'));
      }
    }
    const principalArn = principalOf(routed.operation, params, text);
    const injected = faults.take({ operation: routed.operation, clusterName, principalArn });
    if (injected && !injected.afterApply) {
      return fail(injected.error, true);
    }
    try {
      const answer = routed.run(state, body, url.searchParams, accessKeyId);
      if (injected) {
        return fail(injected.error, true);
      }
      record(200);
      send(res, 200, answer);
    } catch (error) {
      if (error instanceof EksApiError) {
        return fail(error);
      }
      throw error;
    }
  }

  function control(method: string, path: string, query: URLSearchParams, text: string, res: ServerResponse): void {
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return send(res, 400, { message: 'control request body is not valid JSON' });
    }
    const key = `${method} ${path.replace(/\/+$/, '')}`;
    try {
      const seedEntry = /^POST clusters\/([^/]+)\/access-entries$/.exec(key);
      if (seedEntry) {
        return send(res, 200, state.seedAccessEntry(decodeURIComponent(seedEntry[1]), body as AccessEntrySeed));
      }
      switch (key) {
        case 'GET state':
          return send(res, 200, state.snapshot());
        case 'POST reset':
          reset();
          return send(res, 200, {});
        case 'POST clusters':
          return send(res, 200, state.seedCluster(body as ClusterSeed));
        case 'POST principals/missing': {
          const b = body as { principalArn?: string; missing?: boolean };
          if (typeof b.principalArn !== 'string') {
            return send(res, 400, { message: 'principalArn is required' });
          }
          state.setPrincipalMissing(b.principalArn, b.missing ?? true);
          return send(res, 200, {});
        }
        case 'POST updates/complete':
          state.completeUpdates();
          return send(res, 200, {});
        case 'POST updates/outcome':
          state.setNextUpdateOutcome(Object.keys(body as object).length === 0 ? undefined : body as UpdateOutcome);
          return send(res, 200, {});
        case 'POST caller-policy':
          state.setCallerPolicy(body as CallerPolicy);
          return send(res, 200, {});
        case 'POST settings':
          configure(body as EksFakeSettings);
          return send(res, 200, {});
        case 'GET faults':
          return send(res, 200, { faults: faults.pending() });
        case 'POST faults':
          for (const spec of Array.isArray(body) ? body : [body]) {
            faults.add(spec as FaultSpec);
          }
          return send(res, 200, { faults: faults.pending() });
        case 'DELETE faults':
          faults.clear();
          return send(res, 200, {});
        case 'GET calls': {
          const filter = callFilter(query);
          return send(res, 200, { calls: calls.calls(filter), counts: calls.counts(filter), total: calls.count(filter) });
        }
        case 'DELETE calls':
          calls.clear();
          return send(res, 200, {});
        default:
          return send(res, 404, { message: `no control endpoint ${method} ${CONTROL_PREFIX}${path}` });
      }
    } catch (error) {
      return send(res, 400, { message: (error as Error).message });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    region: state.region,
    state,
    calls,
    faults,
    clientConfig: () => ({ endpoint, region: state.region, credentials: { accessKeyId: 'AKIAFAKEEKSTEST', secretAccessKey: 'fake-secret' } }),
    seedCluster: (seed) => state.seedCluster(seed),
    injectFault: (spec) => faults.add(spec),
    configure,
    reset,
    close: () => closeServer(server),
  };
}

function applySettings(state: EksState, settings: EksFakeSettings): void {
  const count = (name: string, value: unknown, min: number) => {
    if (!Number.isInteger(value) || (value as number) < min) {
      throw new Error(`${name} must be an integer >= ${min}, got ${String(value)}`);
    }
    return value as number;
  };
  if (settings.defaultPageSize !== undefined) {
    state.defaultPageSize = count('defaultPageSize', settings.defaultPageSize, 1);
  }
  if (settings.updateCompletesAfterDescribes !== undefined) {
    state.updateCompletesAfterDescribes = count('updateCompletesAfterDescribes', settings.updateCompletesAfterDescribes, 0);
  }
  if (settings.clusterActiveAfterDescribes !== undefined) {
    state.clusterActiveAfterDescribes = count('clusterActiveAfterDescribes', settings.clusterActiveAfterDescribes, 0);
  }
  if (settings.updatesStayInProgress !== undefined) {
    state.updatesStayInProgress = settings.updatesStayInProgress === true;
  }
  if (settings.accessEntryLimit !== undefined) {
    state.accessEntryLimit = settings.accessEntryLimit > 0 ? count('accessEntryLimit', settings.accessEntryLimit, 1) : undefined;
  }
  if (settings.clusterEndpoint !== undefined) {
    state.clusterEndpoint = settings.clusterEndpoint;
  }
  if (settings.certificateAuthorityData !== undefined) {
    state.certificateAuthorityData = settings.certificateAuthorityData;
  }
}

/** The principal a call is about: from the path, or the body of CreateAccessEntry. */
function principalOf(operation: string | undefined, params: Record<string, string>, text: string): string | undefined {
  if (params.principalArn) {
    return params.principalArn;
  }
  if (operation === 'CreateAccessEntry') {
    try {
      const value = (JSON.parse(text) as { principalArn?: unknown }).principalArn;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function policyOf(text: string): string | undefined {
  if (!text.includes('policyArn')) {
    return undefined;
  }
  try {
    const value = (JSON.parse(text) as { policyArn?: unknown }).policyArn;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function callFilter(query: URLSearchParams): CallFilter {
  const bool = (name: string) => (query.has(name) ? query.get(name) === 'true' : undefined);
  return {
    ...(query.has('operation') ? { operation: query.get('operation')! } : {}),
    ...(query.has('clusterName') ? { clusterName: query.get('clusterName')! } : {}),
    ...(query.has('principalArn') ? { principalArn: query.get('principalArn')! } : {}),
    ...(query.has('write') ? { write: bool('write') } : {}),
    ...(query.has('ok') ? { ok: bool('ok') } : {}),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
