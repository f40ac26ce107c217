/**
 * Planning RBAC changes without writing: every desired object is read and compared with what
 * the cluster has (unchanged objects are not written; objects of another owner are refused), the
 * objects that would change are validated by a server-side dry run, and the objects this owner
 * created and no longer wants are found by the owner label, with the content of namespaces that
 * would be deleted. The handler applies these plans (`lib/handler/rbac.ts`); `eks-access diff`
 * shows them.
 */
import { KubernetesManifest, FIELD_MANAGER, OWNER_KEY } from '../core/desired-state';
import { MANIFEST_KINDS, isNamespacedKind } from '../core/desired-state-check';
import { KUBERNETES_CONCURRENCY, mapLimited } from '../io/concurrency';
import { Deadline } from '../io/deadline';
import { KubeObject, KubernetesApi, collectionPath, kubeStatus, objectPath } from '../io/kubernetes-api';
import { Logger } from '../io/log';

export interface RbacContext {
  readonly kube: KubernetesApi;
  readonly ownerId: string;
  /** The previous owner ID after a replacement on the same cluster: its objects that are still desired are taken over. */
  readonly formerOwnerId?: string;
  readonly log: Logger;
  readonly deadline: Deadline;
}

export interface RbacResult {
  readonly applied: string[];
  readonly unchanged: string[];
  readonly deleted: string[];
  /** Owned namespaces kept because they hold objects this owner did not create. */
  readonly kept: string[];
}

/** `Kind namespace/name` */
export function describeObject(o: { kind?: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The manifests in apply order: Namespaces, ClusterRoles, Roles, ClusterRoleBindings, RoleBindings. */
export function applyOrder<T extends { kind?: string }>(manifests: readonly T[]): T[] {
  const rank = (m: T) => (MANIFEST_KINDS as readonly string[]).indexOf(m.kind ?? '');
  return [...manifests].sort((a, b) => rank(a) - rank(b));
}

/**
 * True when every field of `desired` has the same value in `live` (lists element by element, same
 * length): applying `desired` would change nothing the handler manages.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => isSubset(d, live[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) {
      return false;
    }
    return Object.entries(desired).every(([k, v]) => isSubset(v, (live as Record<string, unknown>)[k]));
  }
  return desired === live;
}

/** The manifest with the owner label added. */
export function withOwnerLabel(manifest: KubernetesManifest, ownerId: string): KubeObject {
  return {
    ...manifest,
    metadata: { ...manifest.metadata, labels: { ...(manifest.metadata.labels ?? {}), [OWNER_KEY]: ownerId } },
  } as KubeObject;
}

/** The manifest without the owner label. */
export function withoutOwnerLabel(manifest: KubernetesManifest): KubeObject {
  const labels = { ...(manifest.metadata.labels ?? {}) };
  delete labels[OWNER_KEY];
  const metadata: Record<string, unknown> = { ...manifest.metadata, labels };
  if (Object.keys(labels).length === 0) {
    delete metadata.labels;
  }
  return { ...manifest, metadata } as KubeObject;
}

export function pathOf(o: { kind?: string; metadata: { name: string; namespace?: string } }): string {
  return objectPath(o.kind!, o.metadata.name, isNamespacedKind(o.kind!) ? o.metadata.namespace : undefined);
}

export function isBinding(kind: string | undefined): boolean {
  return kind === 'RoleBinding' || kind === 'ClusterRoleBinding';
}

export interface PlannedApply {
  readonly body: KubeObject;
  readonly live?: KubeObject;
  /** A binding whose roleRef changes: delete it first (roleRef is immutable). */
  readonly recreate: boolean;
}

/**
 * Reads every desired object and decides what to write. Throws, before anything is written, when
 * an object exists that this owner did not create (a Namespace is the exception: it is used as
 * it is, without taking ownership).
 */
export async function planManifests(
  ctx: RbacContext, manifests: readonly KubernetesManifest[],
): Promise<{ writes: PlannedApply[]; unchanged: string[] }> {
  const writes: PlannedApply[] = [];
  const unchanged: string[] = [];
  const conflicts: string[] = [];
  const ordered = applyOrder(manifests);
  const paths = ordered.map((m) => pathOf(m)); // every path is validated before the first call
  const lives = await mapLimited(ordered, KUBERNETES_CONCURRENCY, (manifest, i) => {
    ctx.deadline.check(`reading ${describeObject(manifest)}`);
    return ctx.kube.get(paths[i]);
  });
  for (const [i, manifest] of ordered.entries()) {
    const live = lives[i];
    const liveOwner = live?.metadata.labels?.[OWNER_KEY];
    let body: KubeObject;
    const ours = liveOwner === ctx.ownerId || (ctx.formerOwnerId !== undefined && liveOwner === ctx.formerOwnerId);
    if (live && !ours) {
      if (manifest.kind !== 'Namespace') {
        conflicts.push(`${describeObject(manifest)} already exists and ${liveOwner ? `belongs to another access configuration (${liveOwner})` : 'was not created by this access configuration'}; rename it in the configuration or delete the existing object`);
        continue;
      }
      // A namespace that existed before is used, never owned (so never deleted): no owner label of
      // this owner's, even when the manifest carries one. Another owner's label is sent back as it
      // is: every owner applies with the same field manager, so leaving it out would remove it.
      body = liveOwner ? withOwnerLabel(manifest, liveOwner) : withoutOwnerLabel(manifest);
    } else {
      body = withOwnerLabel(manifest, ctx.ownerId);
    }
    if (live && isSubset(body, live)) {
      unchanged.push(describeObject(manifest));
      continue;
    }
    const recreate = live !== undefined && isBinding(manifest.kind) && !isSubset((manifest as { roleRef?: unknown }).roleRef, live.roleRef);
    writes.push({ body, live, recreate });
  }
  if (conflicts.length > 0) {
    throw new Error(`refusing to apply the RBAC objects (nothing was written):\n- ${conflicts.join('\n- ')}`);
  }
  return { writes, unchanged };
}

/**
 * Validates the objects with a server-side dry run (`dryRun=All`), several at a time. Objects in
 * a namespace that does not exist yet (`newNamespaces`: it is created by the same apply) cannot
 * be dry-run (the server answers 404) and are not sent. Returns every problem, in order.
 */
export async function dryRunProblems(
  ctx: RbacContext, objects: readonly KubeObject[], newNamespaces: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const namespaceWrites = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const checked = objects.filter((o) => o.metadata.namespace === undefined || !newNamespaces.has(o.metadata.namespace));
  const problems = await mapLimited(checked, KUBERNETES_CONCURRENCY, async (body) => {
    try {
      await ctx.kube.apply(pathOf(body), body, { fieldManager: FIELD_MANAGER, force: true, dryRun: true });
      return undefined;
    } catch (error) {
      const inNewNamespace = kubeStatus(error) === 404 && body.metadata.namespace !== undefined && namespaceWrites.has(body.metadata.namespace);
      // A binding whose roleRef changes fails the dry run as an update; it is re-created instead.
      const immutableRoleRef = kubeStatus(error) === 422 && isBinding(body.kind) && /roleRef/i.test((error as Error).message ?? '');
      return inNewNamespace || immutableRoleRef ? undefined : `${describeObject(body)}: ${(error as Error).message}`;
    }
  });
  return problems.filter((p): p is string => p !== undefined);
}

/** RBAC changes checked against the cluster (ownership, server-side dry run), not yet written. */
export interface PreparedManifests {
  readonly writes: readonly PlannedApply[];
  readonly unchanged: string[];
}

/**
 * Everything that can refuse the RBAC change, without writing: reads every object, refuses
 * objects of another owner, and dry-runs the objects that would change.
 */
export async function prepareManifests(ctx: RbacContext, manifests: readonly KubernetesManifest[]): Promise<PreparedManifests> {
  const { writes, unchanged } = await planManifests(ctx, manifests);
  if (writes.length > 0) {
    const newNamespaces = new Set(writes.filter((w) => w.body.kind === 'Namespace' && w.live === undefined).map((w) => w.body.metadata.name));
    const problems = await dryRunProblems(ctx, writes.map((w) => w.body), newNamespaces);
    if (problems.length > 0) {
      throw new Error(`the API server rejects these RBAC objects (nothing was written):\n- ${problems.join('\n- ')}`);
    }
  }
  return { writes, unchanged };
}

/** The objects this owner created, found by the owner label, in delete order (bindings first). */
export async function listOwned(ctx: RbacContext): Promise<KubeObject[]> {
  const owned: KubeObject[] = [];
  for (const kind of [...MANIFEST_KINDS].reverse()) {
    const items = await ctx.kube.list(collectionPath(kind), `${OWNER_KEY}=${ctx.ownerId}`);
    owned.push(...items.map((i) => ({ ...i, kind })));
  }
  return owned;
}

/**
 * Collections checked for content before a namespace is deleted when the API server offers no
 * discovery documents (every namespaced kind it serves is checked otherwise).
 */
const NAMESPACE_CONTENT = [
  '/api/v1/namespaces/{ns}/pods',
  '/api/v1/namespaces/{ns}/services',
  '/api/v1/namespaces/{ns}/configmaps',
  '/api/v1/namespaces/{ns}/secrets',
  '/api/v1/namespaces/{ns}/serviceaccounts',
  '/api/v1/namespaces/{ns}/persistentvolumeclaims',
  '/apis/apps/v1/namespaces/{ns}/deployments',
  '/apis/apps/v1/namespaces/{ns}/statefulsets',
  '/apis/apps/v1/namespaces/{ns}/daemonsets',
  '/apis/batch/v1/namespaces/{ns}/jobs',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
];

/** Namespaced resources that only record what happens to other objects: never a reason to keep a namespace. */
const RECORDS_ONLY = new Set(['/api/v1/events', '/apis/events.k8s.io/v1/events']);

/** The `resources` of an API group version's discovery document. */
interface ApiResourceList {
  readonly resources?: ReadonlyArray<{ readonly name: string; readonly namespaced?: boolean; readonly verbs?: readonly string[] }>;
}

/** Where a namespace's content may be, as the API server describes itself. */
export interface NamespacedCollections {
  /** Collection paths, `{ns}` standing for the namespace. */
  readonly collections: string[];
  /** Group versions whose resources could not be discovered (with why): their content is unknown. */
  readonly undiscovered: string[];
}

/**
 * Every namespaced collection the API server serves and lets list, from its discovery documents:
 * custom resources and kinds of any API group included, so that deleting a namespace never
 * deletes what the handler did not know to look for. The fixed {@link NAMESPACE_CONTENT} when the
 * server offers no discovery.
 */
export async function namespacedCollections(ctx: RbacContext): Promise<NamespacedCollections> {
  const core = (await ctx.kube.get('/api/v1')) as ApiResourceList | undefined;
  const apis = (await ctx.kube.get('/apis')) as { groups?: ReadonlyArray<{ preferredVersion?: { groupVersion?: string } }> } | undefined;
  if (!Array.isArray(core?.resources) || !Array.isArray(apis?.groups)) {
    return { collections: NAMESPACE_CONTENT, undiscovered: [] };
  }
  const collections: string[] = [];
  const undiscovered: string[] = [];
  const add = (base: string, list: ApiResourceList) => {
    for (const r of list.resources ?? []) {
      const listable = r.namespaced === true && !r.name.includes('/') && (r.verbs ?? []).includes('list');
      if (listable && !RECORDS_ONLY.has(`${base}/${r.name}`)) {
        collections.push(`${base}/namespaces/{ns}/${r.name}`);
      }
    }
  };
  add('/api/v1', core!);
  for (const groupVersion of apis!.groups!.map((g) => g.preferredVersion?.groupVersion).filter((gv): gv is string => !!gv)) {
    try {
      add(`/apis/${groupVersion}`, ((await ctx.kube.get(`/apis/${groupVersion}`)) ?? {}) as ApiResourceList);
    } catch (error) {
      undiscovered.push(`${groupVersion} (its resources cannot be discovered: ${(error as Error).message})`);
    }
  }
  return { collections, undiscovered };
}

/** Objects in the namespace that neither Kubernetes nor this owner created (a few of each kind). */
export async function foreignObjectsIn(ctx: RbacContext, namespace: string): Promise<string[]> {
  return (await foreignObjectsInNamespaces(ctx, [namespace])).get(namespace)!;
}

/**
 * Up to this many namespaces are checked one by one (a call per namespaced kind and namespace);
 * beyond, each namespaced kind is listed once across the cluster, whatever the number of
 * namespaces: after the discovery, 29 lists on a Kubernetes 1.36 API server for 1 namespace or
 * for 1,000 (29,000 one by one).
 */
export const PER_NAMESPACE_CHECK_LIMIT = 5;

/** Objects Kubernetes creates in every namespace by itself, left out by field selector. */
const AUTOMATIC_FIELDS: Readonly<Record<string, string>> = {
  configmaps: 'metadata.name!=kube-root-ca.crt',
  serviceaccounts: 'metadata.name!=default',
  secrets: 'type!=kubernetes.io/service-account-token',
};

/** Items shown per kind and namespace (any one is enough to keep a namespace). */
const SHOWN_PER_KIND = 5;

/**
 * For each namespace, the objects in it that neither Kubernetes nor this owner created: a few of
 * each kind, named `plural/name`, plus what could not be checked (a kind that cannot be listed,
 * an API group that cannot be discovered), which counts as content. The API server filters:
 * label selector "not this owner's", field selectors for its automatic objects, metadata only.
 */
export async function foreignObjectsInNamespaces(ctx: RbacContext, namespaces: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map(namespaces.map((ns) => [ns, [] as string[]]));
  if (namespaces.length === 0) {
    return found;
  }
  const { collections, undiscovered } = await namespacedCollections(ctx);
  found.forEach((list) => list.push(...undiscovered)); // content that cannot be checked: keep the namespace
  if (namespaces.length <= PER_NAMESPACE_CHECK_LIMIT) {
    const checks = namespaces.flatMap((namespace) => collections.map((template) => ({ namespace, template })));
    await mapLimited(checks, KUBERNETES_CONCURRENCY, async ({ namespace, template }) => {
      const path = template.replace('{ns}', encodeURIComponent(namespace));
      found.get(namespace)!.push(...(await foreignItems(ctx, path, SHOWN_PER_KIND)).map((item) => item.what));
    });
  } else {
    await mapLimited(collections, KUBERNETES_CONCURRENCY, async (template) => {
      for (const item of await foreignItems(ctx, template.replace('/namespaces/{ns}', ''))) {
        if (item.namespace === undefined) {
          found.forEach((list) => list.push(item.what)); // a kind that cannot be listed: any namespace may hold it
        } else {
          found.get(item.namespace)?.push(item.what);
        }
      }
    });
  }
  return found;
}

/**
 * The items of one collection (in one namespace or across all) that are not this owner's and not
 * Kubernetes' own; one entry with no namespace when the collection cannot be listed.
 */
async function foreignItems(ctx: RbacContext, path: string, limit?: number): Promise<Array<{ namespace?: string; what: string }>> {
  const plural = path.slice(path.lastIndexOf('/') + 1);
  ctx.deadline.check(`listing ${path}`);
  try {
    const items = await ctx.kube.list(path, {
      labelSelector: `${OWNER_KEY}!=${ctx.ownerId}`, fieldSelector: AUTOMATIC_FIELDS[plural], metadataOnly: true, limit,
    });
    return items.map((item) => ({ namespace: item.metadata.namespace ?? '', what: `${plural}/${item.metadata.name}` }));
  } catch (error) {
    if (kubeStatus(error) === 404) {
      return []; // an API group the cluster does not serve
    }
    return [{ what: `${plural} (cannot be listed: ${(error as Error).message})` }]; // cannot tell: keep the namespace
  }
}

/** The owned objects (from {@link listOwned}) that `manifests` no longer lists (all of them for an empty list), in delete order. */
export function unwantedOwned(owned: readonly KubeObject[], manifests: readonly KubernetesManifest[]): KubeObject[] {
  const wanted = new Set(manifests.map((m) => describeObject(m)));
  return owned.filter((o) => !wanted.has(describeObject(o)));
}
