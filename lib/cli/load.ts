/** Loading the ConfigMap from a store, with "no aws-auth" as a normal outcome. */
import { AwsAuthStore } from './io';
import { AccessConfigError } from '../core/arn';
import { AwsAuthConfigMap, emptyAwsAuth, loadAwsAuth } from '../core/aws-auth';

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
