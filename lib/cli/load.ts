/** Loading the ConfigMap from a store, with "no aws-auth" as a normal outcome. */
import { AwsAuthStore } from './io';
import { AccessConfigError } from '../core/arn';
import { AwsAuthConfigMap, emptyAwsAuth, formatProblem, loadAwsAuth, parseAwsAuth } from '../core/aws-auth';

export interface LoadedConfigMap {
  readonly configMap: AwsAuthConfigMap;
  /** The source exists but holds no aws-auth (a missing file, a cluster without the ConfigMap). */
  readonly missing: boolean;
  /** The text as loaded, for commands that lint it. */
  readonly text?: string;
}

/** Loads and parses; throws when the ConfigMap cannot be read faithfully (see `loadAwsAuth`). */
export async function loadFromStore(store: AwsAuthStore): Promise<LoadedConfigMap> {
  return parseStoreText(await store.load(), store.description);
}

/**
 * Parses text as a store holds it (undefined: there is no aws-auth); an unreadable ConfigMap is
 * reported as `cannot read <description>:` followed by its problems.
 */
export function parseStoreText(text: string | undefined, description: string): LoadedConfigMap {
  if (text === undefined) {
    return { configMap: emptyAwsAuth(), missing: true };
  }
  try {
    return { configMap: loadAwsAuth(text), missing: false, text };
  } catch (e) {
    if (e instanceof AccessConfigError) {
      throw new AccessConfigError(e.message.replace(/^cannot read aws-auth:/, `cannot read ${description}:`));
    }
    throw e;
  }
}

/**
 * Parses text as a store holds it for reading only: the ConfigMap as the authenticator reads it,
 * even where a rewrite would lose something (a value of the wrong type, an unreadable section).
 * Throws only when there is no ConfigMap to read at all.
 */
export function readStoreText(text: string | undefined, description: string): LoadedConfigMap & { readonly unreadable: readonly string[] } {
  if (text === undefined) {
    return { configMap: emptyAwsAuth(), missing: true, unreadable: [] };
  }
  const parsed = parseAwsAuth(text);
  if (!parsed.configMap) {
    throw new AccessConfigError(`cannot read ${description}:\n${parsed.rewriteBlockers.map(formatProblem).join('\n')}`);
  }
  return { configMap: parsed.configMap, missing: false, text, unreadable: parsed.rewriteBlockers.map(formatProblem) };
}
