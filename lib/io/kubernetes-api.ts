/**
 * The Kubernetes operations the reconciler uses, as an interface over the HTTPS client in
 * `kube/`: the reconciler and the aws-auth store depend on this port only, so that they read as
 * plain logic and the CLI can reuse them with any connection.
 */
import { kindInfo, resourcePath } from './kube/paths';

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly resourceVersion?: string;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly force: boolean;
  /** Server-side dry run (`dryRun=All`): validate and default, persist nothing. */
  readonly dryRun?: boolean;
}

export interface DeleteOptions {
  /** Delete only this version of the object (`preconditions.resourceVersion`). */
  readonly resourceVersion?: string;
}

/** What a list returns and how much of it. */
export interface ListOptions {
  readonly labelSelector?: string;
  /** `metadata.name!=x`, `type!=y` ...: every kind supports `metadata.name` and `metadata.namespace`. */
  readonly fieldSelector?: string;
  /** Only the objects' metadata (a `PartialObjectMetadataList`): a check for what exists needs no more. */
  readonly metadataOnly?: boolean;
  /** Stop once this many items are found (pages are followed until then or the end). */
  readonly limit?: number;
}

/** Kubernetes API operations on object paths (`/api/v1/namespaces/kube-system/configmaps/aws-auth`). */
export interface KubernetesApi {
  /** The object, or undefined when it does not exist (404). */
  get(path: string): Promise<KubeObject | undefined>;
  /** POST to the collection path; fails with reason AlreadyExists when present. */
  create(collectionPath: string, body: KubeObject): Promise<KubeObject>;
  /** PUT; with `metadata.resourceVersion` set, fails with reason Conflict when it changed. */
  replace(path: string, body: KubeObject): Promise<KubeObject>;
  /** Server-side apply (PATCH `application/apply-patch+yaml`). */
  apply(path: string, body: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  /**
   * DELETE; true when it deleted something, false when it was already gone (404). With
   * `resourceVersion`, only that exact version is deleted (reason Conflict otherwise).
   */
  delete(path: string, options?: DeleteOptions): Promise<boolean>;
  /** The items of a collection, filtered by a label selector (or by the options). */
  list(collectionPath: string, selector?: string | ListOptions): Promise<KubeObject[]>;
}

/** A failed Kubernetes API call: HTTP status plus the Status object's `reason`. */
export interface KubeErrorShape {
  readonly status?: number;
  readonly statusCode?: number;
  readonly code?: number;
  readonly reason?: string;
}

/** The HTTP status of a failed Kubernetes call, if any. */
export function kubeStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') {
    return undefined;
  }
  const e = error as KubeErrorShape;
  for (const candidate of [e.status, e.statusCode, e.code]) {
    if (typeof candidate === 'number') {
      return candidate;
    }
  }
  return undefined;
}

/** The Status `reason` of a failed Kubernetes call (Conflict, AlreadyExists, NotFound, Invalid, ...). */
export function kubeReason(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') {
    return undefined;
  }
  const reason = (error as KubeErrorShape).reason;
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * The collection path of a kind, in one namespace or (namespaced kinds, no namespace) across all.
 * Built by the validated path builder of `kube/paths.ts`: a namespace that is not a valid
 * namespace name (`.`, `..`, anything with `/`) is refused, never sent.
 */
export function collectionPath(kind: string, namespace?: string): string {
  return resourcePath({ kind, namespace: scoped(kind, namespace) });
}

/**
 * The path of one object. Names and namespaces are validated (`.` and `..` are refused: they
 * would make the path name another object) and escaped by `kube/paths.ts`.
 */
export function objectPath(kind: string, name: string, namespace?: string): string {
  if (kindInfo(kind).namespaced && namespace === undefined) {
    throw new Error(`${kind} ${name} needs a namespace`);
  }
  return resourcePath({ kind, name, namespace: scoped(kind, namespace) });
}

/** The namespace for a kind's path: none for cluster-scoped kinds, whatever a manifest says. */
function scoped(kind: string, namespace: string | undefined): string | undefined {
  return kindInfo(kind).namespaced ? namespace : undefined;
}
