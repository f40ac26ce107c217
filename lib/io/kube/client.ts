/**
 * A small Kubernetes API client over HTTPS: just the calls the handler and the CLI make, each a
 * single request with JSON in and out. TLS is always verified against the cluster's CA; the
 * bearer token comes from a provider (EKS tokens expire) and never appears in errors or logs.
 */
import * as https from 'node:https';
import { URL } from 'node:url';
import { KubernetesApiError, KubernetesStatusCause, NETWORK_ERROR, reasonForStatus, REQUEST_TIMEOUT, TLS_VERIFICATION_FAILED } from './errors';
import { ObjectRef, refOf, resourcePath } from './paths';

/** One line of the call log: what was called and how it went. Never contains the token. */
export interface KubernetesCallRecord {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** `Status.reason` on failure. */
  readonly reason?: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly ms: number;
}

export interface KubernetesClientOptions {
  /** `https://...` API server endpoint (DescribeCluster's `endpoint`). */
  readonly endpoint: string;
  /** Base64 of the PEM CA bundle (DescribeCluster's `certificateAuthority.data`). */
  readonly certificateAuthorityData: string;
  /** Bearer token source, called before every request (an {@link eksTokenProvider} caches). */
  readonly token: () => Promise<string> | string;
  /** Called once per HTTP attempt. */
  readonly onCall?: (call: KubernetesCallRecord) => void;
  /** Per-attempt timeout, from sending the request to the end of the response; default 30 s. */
  readonly timeoutMs?: number;
  /**
   * The time left for calls (the caller's deadline): each attempt is cut to it, no retry waits
   * past it, and a call with no time left fails at once with reason `RequestTimeout`.
   * @default - no limit but `timeoutMs` per attempt
   */
  readonly remainingMs?: () => number;
  /**
   * Attempts for transient failures (429; and for GET, PUT, PATCH and DELETE also connection
   * errors, timeouts and 502/503/504); default 3. A POST that may have reached the server is not
   * repeated. TLS failures are never retried.
   */
  readonly maxAttempts?: number;
  /** Delay before retry `attempt` (1-based) in ms; default 200 ms doubling, max 2 s, or the server's Retry-After (max 10 s). */
  readonly retryDelayMs?: (attempt: number, error: KubernetesApiError) => number;
  readonly userAgent?: string;
}

/** Options shared by the writing calls. */
export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated and admitted, never persisted. */
  readonly dryRun?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** Server-side apply field manager. */
  readonly fieldManager: string;
  /** Take ownership of fields other managers own (default true). */
  readonly force?: boolean;
}

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface DeleteOptions extends WriteOptions {
  /** Delete only this exact version (`preconditions.resourceVersion`): a 409 Conflict otherwise. */
  readonly resourceVersion?: string;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

/** A Kubernetes object as JSON. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly uid?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** A list response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

/** Options of {@link KubernetesClient.request}. */
export interface RequestOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Default `application/json`. */
  readonly contentType?: string;
  /** Default `application/json`. */
  readonly accept?: string;
  /** Query parameters; undefined and empty values are left out. */
  readonly query?: Record<string, string | undefined>;
}

/** The parts of a `Status` error body the client reads. */
interface StatusBody {
  readonly kind?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly causes?: KubernetesStatusCause[]; readonly retryAfterSeconds?: number };
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const LIST_PAGE_SIZE = 500;

export class KubernetesClient {
  private readonly endpoint: URL;
  private readonly agent: https.Agent;

  constructor(private readonly options: KubernetesClientOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== 'https:') {
      throw new Error(`the Kubernetes endpoint must be https://, got "${options.endpoint}"`);
    }
    this.endpoint = endpoint;
    const ca = Buffer.from(options.certificateAuthorityData ?? '', 'base64').toString('utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error('the cluster certificate authority data is not a base64-encoded PEM certificate');
    }
    // Verification stays on: the CA is the only trust anchor for this endpoint.
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8, rejectUnauthorized: true });
  }

  /** The object at `ref`, or undefined when it does not exist (404). */
  public async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(ref));
    } catch (e) {
      if (e instanceof KubernetesApiError && e.status === 404) {
        return undefined;
      }
      throw e;
    }
  }

  /** Every object of `ref.kind` (in `ref.namespace`, or all namespaces), following `continue` pages. */
  public async list<T extends KubeObject = KubeObject>(ref: ObjectRef, options: ListOptions = {}): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page: KubeList<T> = await this.request<KubeList<T>>('GET', resourcePath({ ...ref, name: undefined }), {
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: String(LIST_PAGE_SIZE), continue: token },
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /** Creates `object` (POST); 409 `AlreadyExists` when it exists. */
  public async create<T extends KubeObject = KubeObject>(object: KubeObject, options: WriteOptions = {}): Promise<T> {
    const ref = refOf(object);
    return this.request<T>('POST', resourcePath({ ...ref, name: undefined }), { body: object, query: { dryRun: dryRun(options) } });
  }

  /**
   * Replaces `object` (PUT). With `metadata.resourceVersion` set this is a compare-and-swap: a
   * 409 `Conflict` when the object changed since it was read.
   */
  public async replace<T extends KubeObject = KubeObject>(object: KubeObject, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', resourcePath(refOf(object)), { body: object, query: { dryRun: dryRun(options) } });
  }

  /** Server-side apply of `object` (PATCH `application/apply-patch+yaml`); creates it when absent. */
  public async apply<T extends KubeObject = KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T> {
    if (!options.fieldManager) {
      throw new Error('server-side apply needs a field manager');
    }
    if (!object.apiVersion || !object.kind) {
      throw new Error('server-side apply needs apiVersion and kind in the object');
    }
    return this.request<T>('PATCH', resourcePath(refOf(object)), {
      body: object,
      contentType: 'application/apply-patch+yaml', // JSON is YAML
      query: { fieldManager: options.fieldManager, force: String(options.force ?? true), dryRun: dryRun(options) },
    });
  }

  /** Deletes the object at `ref`: true when deleted, false when it did not exist (404). */
  public async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.resourceVersion) {
      body.preconditions = { resourceVersion: options.resourceVersion };
    }
    if (options.propagationPolicy) {
      body.propagationPolicy = options.propagationPolicy;
    }
    try {
      await this.request('DELETE', resourcePath(ref), { body, query: { dryRun: dryRun(options) } });
      return true;
    } catch (e) {
      if (e instanceof KubernetesApiError && e.status === 404) {
        return false;
      }
      throw e;
    }
  }

  /** Who the server thinks the caller is (`SelfSubjectReview`). */
  public async whoAmI(): Promise<{ username: string; groups: string[]; extra: Record<string, string[]> }> {
    const review = await this.create<KubeObject>({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { name: 'self' } } as KubeObject, {});
    const status = review.status as { userInfo?: { username?: string; groups?: string[]; extra?: Record<string, string[]> } } | undefined;
    const info = status?.userInfo ?? {};
    return { username: info.username ?? '', groups: info.groups ?? [], extra: info.extra ?? {} };
  }

  /** Closes idle keep-alive connections (call at the end of a Lambda invocation or CLI run). */
  public close(): void {
    this.agent.destroy();
  }

  /** One API call with retries for transient failures. `path` is absolute (`/api/v1/...`). */
  public async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const fullPath = path + queryString(options.query ?? {});
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const result = await this.once<T>(method, fullPath, this.attemptTimeout(method, fullPath), options);
        this.options.onCall?.({ method, path: fullPath, status: result.status, attempt, ms: Date.now() - started });
        return result.body;
      } catch (e) {
        if (!(e instanceof KubernetesApiError)) {
          throw e;
        }
        this.options.onCall?.({ method, path: fullPath, status: e.status, reason: e.reason, attempt, ms: Date.now() - started });
        if (attempt >= maxAttempts || !isRetryable(method, e)) {
          throw e;
        }
        const delay = this.options.retryDelayMs?.(attempt, e)
          ?? (e.retryAfterSeconds !== undefined ? Math.min(10_000, e.retryAfterSeconds * 1000) : Math.min(2000, 200 * 2 ** (attempt - 1)));
        if (delay >= this.remaining()) {
          throw e; // waiting would outlive the deadline
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private remaining(): number {
    return this.options.remainingMs ? this.options.remainingMs() : Number.POSITIVE_INFINITY;
  }

  /** This attempt's timeout: `timeoutMs`, or less when the deadline is nearer. */
  private attemptTimeout(method: string, path: string): number {
    const left = this.remaining();
    if (left <= 0) {
      throw new KubernetesApiError(method, path, 0, REQUEST_TIMEOUT, 'not sent: no time left before the deadline');
    }
    return Math.min(this.options.timeoutMs ?? 30_000, left);
  }

  private async once<T>(method: string, path: string, timeoutMs: number, options: RequestOptions): Promise<{ status: number; body: T }> {
    const token = await this.options.token();
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const headers: Record<string, string> = {
      'Accept': options.accept ?? 'application/json',
      'Authorization': `Bearer ${token}`,
      'User-Agent': this.options.userAgent ?? 'cdk-eks-access',
    };
    if (payload) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const basePath = this.endpoint.pathname.replace(/\/$/, '');
    return new Promise((settleResolve, settleReject) => {
      // One timer for the whole exchange (a socket timeout would restart with every chunk).
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      const resolve = (value: { status: number; body: T }) => {
        clearTimeout(timer);
        settleResolve(value);
      };
      const reject = (error: unknown) => {
        clearTimeout(timer);
        settleReject(error);
      };
      const req = https.request({
        protocol: 'https:',
        hostname: this.endpoint.hostname,
        port: this.endpoint.port || 443,
        method,
        path: basePath + path,
        headers,
        agent: this.agent,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => reject(networkError(method, path, err)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) {
            try {
              resolve({ status, body: (text ? JSON.parse(text) : undefined) as T });
            } catch {
              reject(new KubernetesApiError(method, path, status, 'InvalidResponse', `response is not JSON: ${text.slice(0, 200)}`));
            }
            return;
          }
          reject(statusError(method, path, status, text, res.headers['retry-after']));
        });
      });
      req.on('error', (err) => reject(networkError(method, path, err)));
      req.end(payload);
    });
  }
}

/** Reads may always be retried; a write only when the server certainly did not act on it. */
function isRetryable(method: string, e: KubernetesApiError): boolean {
  if (e.reason === TLS_VERIFICATION_FAILED) {
    return false;
  }
  const notProcessed = e.status === 429 || (e.status === 0 && e.reason === NETWORK_ERROR && /ECONNREFUSED|EAI_AGAIN|ENOTFOUND/.test(e.serverMessage));
  if (notProcessed) {
    return true;
  }
  // PATCH apply and PUT with resourceVersion are idempotent; a repeated DELETE gives 404 (false).
  const idempotent = method === 'GET' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
  return idempotent && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504);
}

function statusError(method: string, path: string, status: number, text: string, retryAfter: string | string[] | undefined): KubernetesApiError {
  let reason = reasonForStatus(status);
  let message = text.trim().slice(0, 1000) || `HTTP ${status}`;
  let causes: KubernetesStatusCause[] = [];
  let retryAfterSeconds = retryAfter !== undefined && /^\d+$/.test(String(retryAfter)) ? Number(retryAfter) : undefined;
  try {
    const parsed = JSON.parse(text) as StatusBody;
    if (parsed.kind === 'Status') {
      reason = parsed.reason || reason;
      message = parsed.message || message;
      causes = [...(parsed.details?.causes ?? [])];
      retryAfterSeconds = parsed.details?.retryAfterSeconds ?? retryAfterSeconds;
    }
  } catch {
    // not a Status object: keep the status-derived reason and the raw text
  }
  return new KubernetesApiError(method, path, status, reason, message, causes, retryAfterSeconds);
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME|ALTNAME/;

function networkError(method: string, path: string, err: NodeJS.ErrnoException): KubernetesApiError {
  const code = err.code ?? '';
  if (TLS_CODES.test(code)) {
    return new KubernetesApiError(method, path, 0, TLS_VERIFICATION_FAILED,
      `the API server's TLS certificate did not verify against the cluster CA (${code}: ${err.message}); check that the endpoint and certificate authority belong to the same cluster`);
  }
  if (code === 'ETIMEDOUT') {
    return new KubernetesApiError(method, path, 0, REQUEST_TIMEOUT, err.message);
  }
  return new KubernetesApiError(method, path, 0, NETWORK_ERROR, `${code ? code + ': ' : ''}${err.message}`);
}

function dryRun(options: WriteOptions): string | undefined {
  return options.dryRun ? 'All' : undefined;
}

function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') {
      params.set(k, v);
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
