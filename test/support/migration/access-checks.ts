/**
 * What a test principal may do on the shared API server, asked with its own EKS token: who it is
 * (SelfSubjectReview) and a fixed set of SelfSubjectAccessReviews. Before and after each step of a
 * migration, every migrated identity must be allowed exactly the same.
 */
import { KubernetesClient, KubeObject } from '../../../lib/io/kube/client';
import { KubernetesApiError } from '../../../lib/io/kube/errors';
import { clientAs } from '../kube/env';

/** One question to the authorizer. */
export interface AccessCheck {
  readonly label: string;
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly namespace?: string;
}

export const ACCESS_CHECKS: readonly AccessCheck[] = [
  { label: 'get pods -n dev', verb: 'get', resource: 'pods', namespace: 'dev' },
  { label: 'create configmaps -n dev', verb: 'create', resource: 'configmaps', namespace: 'dev' },
  { label: 'get secrets -n dev', verb: 'get', resource: 'secrets', namespace: 'dev' },
  { label: 'list pods -A', verb: 'list', resource: 'pods' },
  { label: 'list nodes', verb: 'list', resource: 'nodes' },
  { label: 'get configmaps -n partner', verb: 'get', resource: 'configmaps', namespace: 'partner' },
  { label: 'get secrets -n kube-system', verb: 'get', resource: 'secrets', namespace: 'kube-system' },
  { label: 'list namespaces', verb: 'list', resource: 'namespaces' },
  { label: 'create clusterrolebindings', verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
  { label: 'delete namespaces', verb: 'delete', resource: 'namespaces' },
];

/** What one principal gets: its identity and the checks it passes, or why it is not let in. */
export type AccessProfile =
  | { readonly authenticated: true; readonly username: string; readonly groups: string[]; readonly allowed: string[] }
  | { readonly authenticated: false; readonly status: number };

/** The profile of test principal `who`, with a fresh token. */
export async function accessProfile(who: string): Promise<AccessProfile> {
  const client = clientAs(who, { maxAttempts: 1 });
  try {
    let identity: { username: string; groups: string[] };
    try {
      identity = await client.whoAmI();
    } catch (e) {
      if (e instanceof KubernetesApiError && e.status === 401) {
        return { authenticated: false, status: 401 };
      }
      throw e;
    }
    const allowed: string[] = [];
    for (const check of ACCESS_CHECKS) {
      if (await isAllowed(client, check)) {
        allowed.push(check.label);
      }
    }
    return { authenticated: true, username: identity.username, groups: identity.groups.filter((g) => g !== 'system:authenticated').sort(), allowed };
  } finally {
    client.close();
  }
}

/** Profiles of several principals, by name. */
export async function accessProfiles(names: readonly string[]): Promise<Record<string, AccessProfile>> {
  const out: Record<string, AccessProfile> = {};
  for (const name of names) {
    out[name] = await accessProfile(name);
  }
  return out;
}

async function isAllowed(client: KubernetesClient, check: AccessCheck): Promise<boolean> {
  const review = await client.request<KubeObject>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: check.verb, resource: check.resource, group: check.group ?? '', ...(check.namespace ? { namespace: check.namespace } : {}) } },
    },
  });
  return (review.status as { allowed?: boolean } | undefined)?.allowed === true;
}

/** A Markdown table of profiles (for the record of a run). */
export function profileTable(title: string, profiles: Record<string, AccessProfile>): string {
  const rows = Object.entries(profiles).map(([name, p]) => (p.authenticated
    ? `| ${name} | ${p.username} | ${p.groups.join(', ')} | ${p.allowed.join('; ') || '(nothing)'} |`
    : `| ${name} | not authenticated (${p.status}) | | |`));
  return [`### ${title}`, '', '| principal | username | groups | allowed |', '|---|---|---|---|', ...rows, ''].join('\n');
}

/**
 * The same access, as the migration promises it: the same username and the same allowed checks;
 * the same groups but for the documented equivalences (`system:masters` replaced by the
 * cluster-admin access policy, `system:bootstrappers` not given to node entries by EKS).
 */
export function sameAccess(before: AccessProfile, after: AccessProfile): string[] {
  if (!before.authenticated || !after.authenticated) {
    return before.authenticated === after.authenticated ? [] : [`authenticated ${before.authenticated} -> ${after.authenticated}`];
  }
  const problems: string[] = [];
  if (before.username !== after.username) {
    problems.push(`username ${before.username} -> ${after.username}`);
  }
  const equivalent = (groups: string[]) => groups.filter((g) => g !== 'system:masters' && g !== 'system:bootstrappers');
  if (equivalent(before.groups).join(',') !== equivalent(after.groups).join(',')) {
    problems.push(`groups ${before.groups.join(',')} -> ${after.groups.join(',')}`);
  }
  if (before.allowed.join(',') !== after.allowed.join(',')) {
    problems.push(`allowed ${before.allowed.join(',')} -> ${after.allowed.join(',')}`);
  }
  return problems;
}
