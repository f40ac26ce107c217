/**
 * An in-memory stand-in for the Kubernetes API with the semantics the aws-auth store relies on
 * (resourceVersion compare-and-swap, AlreadyExists on create), for unit tests. Every call yields
 * to the event loop first, so concurrent writers really interleave. Deleting a namespace deletes
 * its content, as the namespace controller does.
 */
import { AWS_AUTH_PATH } from '../../lib/io/aws-auth-store';
import { LEASE_NAMESPACE, LEASE_PATH } from '../../lib/io/cluster-lease';
import { ApplyOptions, collectionPath as kindPath, DeleteOptions, KubeObject, KubernetesApi, ListOptions } from '../../lib/io/kubernetes-api';

const LEASE_COLLECTION = kindPath('Lease', LEASE_NAMESPACE);

export class KubeTestError extends Error {
  constructor(public readonly status: number, public readonly reason: string, message: string) {
    super(`${status} ${reason}: ${message}`);
  }
}

export class MemoryKube implements KubernetesApi {
  public readonly objects = new Map<string, KubeObject>();
  public readonly calls: { method: string; path: string }[] = [];
  private version = 1;

  /** Puts an aws-auth ConfigMap with this `data` (and annotations) in place, as if found on the cluster. */
  public seedAwsAuth(data: Record<string, string>, annotations?: Record<string, string>): void {
    this.objects.set(AWS_AUTH_PATH, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '1', ...(annotations ? { annotations } : {}) },
      data,
    } as KubeObject);
  }

  /**
   * Writes of cluster state (to `path` only, when given). The coordination lease the handler takes
   * on access-entry clusters is not state: its writes are not counted.
   */
  public writes(path?: string): number {
    return this.calls.filter((c) => c.method !== 'GET' && c.method !== 'LIST' && c.path !== LEASE_PATH && !c.path.startsWith(`${LEASE_COLLECTION}/`) && c.path !== LEASE_COLLECTION && (path === undefined || c.path === path)).length;
  }

  public async get(path: string): Promise<KubeObject | undefined> {
    await tick();
    this.calls.push({ method: 'GET', path });
    const o = this.objects.get(path);
    return o && clone(o);
  }

  public async create(collectionPath: string, body: KubeObject): Promise<KubeObject> {
    await tick();
    this.calls.push({ method: 'POST', path: collectionPath });
    const path = `${collectionPath}/${body.metadata.name}`;
    if (this.objects.has(path)) {
      throw new KubeTestError(409, 'AlreadyExists', `${path} already exists`);
    }
    return this.store(path, body);
  }

  public async replace(path: string, body: KubeObject): Promise<KubeObject> {
    await tick();
    this.calls.push({ method: 'PUT', path });
    const live = this.objects.get(path);
    if (!live) {
      throw new KubeTestError(404, 'NotFound', `${path} not found`);
    }
    if (body.metadata.resourceVersion !== undefined && body.metadata.resourceVersion !== live.metadata.resourceVersion) {
      throw new KubeTestError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.store(path, body);
  }

  public async apply(path: string, body: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    await tick();
    this.calls.push({ method: options.dryRun ? 'DRYRUN' : 'PATCH', path });
    if (options.dryRun) {
      return clone(body);
    }
    const live = this.objects.get(path);
    return this.store(path, { ...(live ?? {}), ...body, metadata: { ...(live?.metadata ?? {}), ...body.metadata } } as KubeObject);
  }

  public async delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    await tick();
    this.calls.push({ method: 'DELETE', path });
    const live = this.objects.get(path);
    if (live && options.resourceVersion !== undefined && live.metadata.resourceVersion !== options.resourceVersion) {
      throw new KubeTestError(409, 'Conflict', `Precondition failed: UID in precondition: ${options.resourceVersion}`);
    }
    const namespace = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path)?.[1];
    if (live && namespace !== undefined) {
      // A namespace's content goes with it (at once here; the namespace controller's work).
      [...this.objects.keys()].filter((p) => p.includes(`/namespaces/${namespace}/`)).forEach((p) => this.objects.delete(p));
    }
    return this.objects.delete(path);
  }

  public async list(collectionPath: string, selector?: string | ListOptions): Promise<KubeObject[]> {
    await tick();
    this.calls.push({ method: 'LIST', path: collectionPath });
    const options: ListOptions = typeof selector === 'string' ? { labelSelector: selector } : selector ?? {};
    const matches = selectorMatcher(options.labelSelector);
    const fieldsMatch = selectorMatcher(options.fieldSelector);
    // `/apis/g/v1/roles` lists across namespaces: `/apis/g/v1/namespaces/<ns>/roles/<name>` too.
    const plural = collectionPath.slice(collectionPath.lastIndexOf('/') + 1);
    const group = collectionPath.slice(0, collectionPath.lastIndexOf('/'));
    const anyNamespace = new RegExp(`^${escape(group)}/namespaces/[^/]+/${escape(plural)}/[^/]+$`);
    return [...this.objects.entries()]
      .filter(([p]) => (p.startsWith(`${collectionPath}/`) && !p.slice(collectionPath.length + 1).includes('/')) || (!group.includes('/namespaces/') && anyNamespace.test(p)))
      .map(([p, o]) => ({ ...clone(o), metadata: { namespace: /\/namespaces\/([^/]+)\//.exec(p)?.[1], ...clone(o.metadata) } }))
      .filter((o) => matches(o.metadata.labels ?? {}) && fieldsMatch(fieldsOf(o)))
      .slice(0, options.limit)
      .map((o) => (options.metadataOnly ? { metadata: o.metadata } as KubeObject : o));
  }

  private store(path: string, body: KubeObject): KubeObject {
    const stored = clone({ ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } });
    this.objects.set(path, stored);
    return clone(stored);
  }
}

/** The fields a field selector may name: `metadata.name`, `metadata.namespace`, and a Secret's `type`. */
function fieldsOf(o: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': o.metadata.name };
  if (o.metadata.namespace !== undefined) fields['metadata.namespace'] = o.metadata.namespace;
  if (typeof o.type === 'string') fields.type = o.type;
  return fields;
}

function clone<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** `k=v`, `k!=v` and `k` (exists) terms, comma-separated, all of which must hold. */
function selectorMatcher(selector: string | undefined): (labels: Record<string, string>) => boolean {
  const terms = (selector ?? '').split(',').filter((t) => t !== '').map((t) => {
    const m = /^([^!=]+)(!=|=)?(.*)$/.exec(t)!;
    return { key: m[1], op: m[2], value: m[3] };
  });
  return (labels) => terms.every((t) => (t.op === '=' ? labels[t.key] === t.value : t.op === '!=' ? labels[t.key] !== t.value : t.key in labels));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
