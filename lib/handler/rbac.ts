/**
 * RBAC objects (Namespaces, ClusterRoles, Roles and their bindings) applied with server-side
 * apply under the handler's fixed field manager, labelled with the owner, and removed again by
 * that label. The plan comes from `lib/plan/rbac-plan.ts`: every object is read first, unchanged
 * objects are not written at all, objects of another owner are never taken over, and all checks
 * run before the first write.
 */
import { KubernetesManifest, FIELD_MANAGER, OWNER_KEY } from '../core/desired-state';
import { MANIFEST_KINDS } from '../core/desired-state-check';
import { collectionPath, kubeReason, kubeStatus } from '../io/kubernetes-api';
import {
  describeObject, foreignObjectsIn, isBinding, listOwned, pathOf, PreparedManifests, prepareManifests, RbacContext, RbacResult, unwantedOwned,
} from '../plan/rbac-plan';

/** Applies the desired RBAC objects; unchanged ones are not written. */
export async function applyManifests(ctx: RbacContext, manifests: readonly KubernetesManifest[]): Promise<Pick<RbacResult, 'applied' | 'unchanged'>> {
  return applyPrepared(ctx, await prepareManifests(ctx, manifests));
}

/** Writes prepared changes (namespaces first, bindings last). */
export async function applyPrepared(ctx: RbacContext, prepared: PreparedManifests): Promise<Pick<RbacResult, 'applied' | 'unchanged'>> {
  const { writes, unchanged } = prepared;
  if (writes.length === 0) {
    return { applied: [], unchanged };
  }
  const applied: string[] = [];
  for (const write of writes) {
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
    applied.push(describeObject(write.body));
  }
  ctx.log.info('applied RBAC objects', { applied: applied.length, unchanged: unchanged.length });
  return { applied, unchanged };
}

/**
 * Deletes the objects this owner created that `manifests` no longer lists (all of them for an
 * empty list). An owned namespace is deleted only when nothing but this owner's objects is left in
 * it; otherwise it is kept and the owner label removed, so that no workload is ever deleted.
 */
export async function deleteUnwanted(ctx: RbacContext, manifests: readonly KubernetesManifest[]): Promise<Pick<RbacResult, 'deleted' | 'kept'>> {
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const object of unwantedOwned(await listOwned(ctx), manifests)) {
    const name = describeObject(object);
    ctx.deadline.check(`deleting ${name}`);
    if (object.kind === 'Namespace') {
      const foreign = await foreignObjectsIn(ctx, object.metadata.name);
      if (foreign.length > 0) {
        ctx.log.warn(`keeping namespace ${object.metadata.name}: it holds objects this access configuration did not create (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}); only its owner label is removed`);
        await ctx.kube.apply(pathOf(object), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: object.metadata.name } }, { fieldManager: FIELD_MANAGER, force: true });
        kept.push(name);
        continue;
      }
    }
    if (await ctx.kube.delete(pathOf(object))) {
      deleted.push(name);
    }
  }
  if (deleted.length + kept.length > 0) {
    ctx.log.info('removed RBAC objects no longer desired', { deleted, kept });
  }
  return { deleted, kept };
}

/** Owner IDs of the RBAC objects and namespaces that other owners created (and that are not being deleted). */
export async function otherOwnerIds(ctx: RbacContext): Promise<Set<string>> {
  const found = new Set<string>();
  for (const kind of MANIFEST_KINDS) {
    const items = await ctx.kube.list(collectionPath(kind), `${OWNER_KEY},${OWNER_KEY}!=${ctx.ownerId}`);
    items.filter((i) => i.metadata.deletionTimestamp === undefined).forEach((i) => found.add(i.metadata.labels?.[OWNER_KEY] ?? ''));
  }
  found.delete('');
  return found;
}
