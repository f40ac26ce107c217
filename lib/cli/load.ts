/** Loading the ConfigMap from a store, with "no aws-auth" as a normal outcome. */
import { AwsAuthStore } from './io';
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
  return parseStoreText(await store.load());
}

/** Parses text as a store holds it (undefined: there is no aws-auth). */
export function parseStoreText(text: string | undefined): LoadedConfigMap {
  if (text === undefined) {
    return { configMap: emptyAwsAuth(), missing: true };
  }
  return { configMap: loadAwsAuth(text), missing: false, text };
}
