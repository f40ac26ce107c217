/**
 * RBAC objects (Namespaces, ClusterRoles, Roles and their bindings) applied with server-side
 * apply under the handler's fixed field manager, labelled with the owner, and removed again by
 * that label. The plan comes from `lib/plan/rbac-plan.ts`: every object is read first, unchanged
 * objects are not written at all, objects of another owner are never taken over, and all checks
 * run before the first write.
 */
import { KubernetesManifest, FIELD_MANAGER, OWNER_KEY } from '../core/desired-state';
import { MANIFEST_KINDS } from '../core/desired-state-check';
import { KUBERNETES_CONCURRENCY, mapLimited } from '../io/concurrency';
import { collectionPath, KubeObject, kubeReason, kubeStatus } from '../io/kubernetes-api';
import {
  describeObject, foreignObjectsInNamespaces, isBinding, listOwned, pathOf, PlannedApply, PreparedManifests, prepareManifests, RbacContext,
  RbacResult, unwantedOwned,
} from '../plan/rbac-plan';

/** Applies the desired RBAC objects; unchanged ones are not written. */
export async function applyManifests(ctx: RbacContext, manifests: readonly KubernetesManifest[]): Promise<Pick<RbacResult, 'applied' | 'unchanged'>> {
  return applyPrepared(ctx, await prepareManifests(ctx, manifests));
}

/**
 * Writes prepared changes kind by kind (namespaces first, bindings last), the objects of one kind
 * several at a time.
 */
export async function applyPrepared(ctx: RbacContext, prepared: PreparedManifests): Promise<Pick<RbacResult, 'applied' | 'unchanged'>> {
  const { writes, unchanged } = prepared;
  if (writes.length === 0) {
    return { applied: [], unchanged };
  }
  const applied: string[] = [];
  for (const kind of MANIFEST_KINDS) {
    const ofKind = writes.filter((w) => w.body.kind === kind);
    await mapLimited(ofKind, KUBERNETES_CONCURRENCY, (write) => applyOne(ctx, write));
    applied.push(...ofKind.map((w) => describeObject(w.body)));
  }
  ctx.log.info('applied RBAC objects', { applied: applied.length, unchanged: unchanged.length });
  return { applied, unchanged };
}

/** Applies one object; a binding whose roleRef changes is deleted and created again. */
async function applyOne(ctx: RbacContext, write: PlannedApply): Promise<void> {
  ctx.deadline.check(`applying ${describeObject(write.body)}`);
  const path = pathOf(write.body);
  if (write.recreate) {
    ctx.log.info('re-creating a binding whose roleRef changed', { object: describeObject(write.body) });
    await ctx.kube.delete(path);
  }
  try {
    await ctx.kube.apply(path, write.body, { fieldManager: FIELD_MANAGER, force: true });
  } catch (error) {
    // roleRef is immutable: the API server answers 422 Invalid. Delete and create again.
    if (kubeStatus(error) === 422 && kubeReason(error) === 'Invalid' && isBinding(write.body.kind) && !write.recreate) {
      ctx.log.info('re-creating a binding the API server refused to change in place', { object: describeObject(write.body) });
      await ctx.kube.delete(path);
      await ctx.kube.apply(path, write.body, { fieldManager: FIELD_MANAGER, force: true });
    } else {
      throw error;
    }
  }
}

/**
 * Deletes the objects this owner created that `manifests` no longer lists (all of them for an
 * empty list). An owned namespace is deleted only when nothing but this owner's objects is left in
 * it; otherwise it is kept and the owner label removed, so that no workload is ever deleted. The
 * owner's objects in a namespace that is deleted go with it (Kubernetes deletes a namespace's
 * content before the namespace): they need no call of their own. Calls run several at a time,
 * bindings before roles before namespaces.
 */
export async function deleteUnwanted(ctx: RbacContext, manifests: readonly KubernetesManifest[]): Promise<Pick<RbacResult, 'deleted' | 'kept'>> {
  const unwanted = unwantedOwned(await listOwned(ctx), manifests);
  const namespaces = unwanted.filter((o) => o.kind === 'Namespace');
  const foreign = await foreignObjectsInNamespaces(ctx, namespaces.map((n) => n.metadata.name));
  const going = new Set(namespaces.map((n) => n.metadata.name).filter((n) => foreign.get(n)!.length === 0));
  const gone = new Set<KubeObject>();
  const kept: string[] = [];
  const remove = async (object: KubeObject) => {
    ctx.deadline.check(`deleting ${describeObject(object)}`);
    if (await ctx.kube.delete(pathOf(object))) {
      gone.add(object);
    }
  };
  for (const kinds of [['RoleBinding', 'ClusterRoleBinding'], ['Role', 'ClusterRole']]) {
    const batch = unwanted.filter((o) => kinds.includes(o.kind!));
    batch.filter((o) => o.metadata.namespace !== undefined && going.has(o.metadata.namespace)).forEach((o) => gone.add(o));
    await mapLimited(batch.filter((o) => !gone.has(o)), KUBERNETES_CONCURRENCY, remove);
  }
  await mapLimited(namespaces, KUBERNETES_CONCURRENCY, async (namespace) => {
    const name = namespace.metadata.name;
    if (going.has(name)) {
      return remove(namespace);
    }
    const found = foreign.get(name)!;
    ctx.log.warn(`keeping namespace ${name}: it holds objects this access configuration did not create (${found.slice(0, 5).join(', ')}${found.length > 5 ? ', ...' : ''}); only its owner label is removed`);
    ctx.deadline.check(`removing the owner label of namespace ${name}`);
    await ctx.kube.apply(pathOf(namespace), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: FIELD_MANAGER, force: true });
    kept.push(describeObject(namespace));
  });
  const deleted = unwanted.filter((o) => gone.has(o)).map((o) => describeObject(o));
  if (deleted.length + kept.length > 0) {
    const withNamespace = unwanted.filter((o) => o.kind !== 'Namespace' && going.has(o.metadata.namespace ?? '')).map((o) => describeObject(o));
    ctx.log.info('removed RBAC objects no longer desired', { deleted, kept, deletedWithTheirNamespace: withNamespace });
  }
  return { deleted, kept: kept.sort() };
}

/**
 * Owner IDs of the RBAC objects and namespaces that other owners created (and that are not being
 * deleted: an object in a terminating namespace goes with it, as an owner's objects do when its
 * namespaces are deleted).
 */
export async function otherOwnerIds(ctx: RbacContext): Promise<Set<string>> {
  const found = new Set<string>();
  const terminatingNamespaces = await ctx.kube.list(collectionPath('Namespace'), { fieldSelector: 'status.phase=Terminating', metadataOnly: true });
  const terminating = new Set(terminatingNamespaces.map((n) => n.metadata.name));
  const going = (i: KubeObject) =>
    i.metadata.deletionTimestamp !== undefined || (i.metadata.namespace !== undefined && terminating.has(i.metadata.namespace));
  for (const kind of MANIFEST_KINDS) {
    const items = await ctx.kube.list(collectionPath(kind), `${OWNER_KEY},${OWNER_KEY}!=${ctx.ownerId}`);
    items.filter((i) => !going(i)).forEach((i) => found.add(i.metadata.labels?.[OWNER_KEY] ?? ''));
  }
  found.delete('');
  return found;
}
