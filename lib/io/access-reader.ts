/**
 * Reading who can do what on a live cluster, without writing anything: the access entries with
 * their policy associations (EKS), and the RBAC objects (Kubernetes). Used by the CLI's `explain`,
 * `report` and `diff`.
 */
import {
  DescribeAccessEntryCommand, DescribeAccessEntryResponse, ListAccessEntriesCommand, ListAccessEntriesResponse,
  ListAssociatedAccessPoliciesCommand, ListAssociatedAccessPoliciesResponse,
} from '@aws-sdk/client-eks';
import { isAwsError } from './aws-errors';
import { EksSender } from './eks-api';
import { collectionPath, KubeObject, KubernetesApi } from './kubernetes-api';
import { AccessScopeSpec } from '../core/access-entry';

/** An access entry as EKS reports it, with its policy associations and tags. */
export interface ReadAccessEntry {
  readonly principalArn: string;
  readonly type: string;
  readonly username?: string;
  readonly kubernetesGroups: string[];
  readonly tags: Record<string, string>;
  readonly accessEntryArn?: string;
  readonly accessPolicies: Array<{ policyArn: string; accessScope: AccessScopeSpec }>;
}

/** Calls at most this many EKS operations at once. */
const CONCURRENCY = 4;

/** Every access entry of the cluster, with its policies. */
export async function readAccessEntries(eks: EksSender, clusterName: string): Promise<ReadAccessEntry[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send<ListAccessEntriesResponse>(new ListAccessEntriesCommand({ clusterName, nextToken }));
    arns.push(...(page.accessEntries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const entries: Array<ReadAccessEntry | undefined> = new Array(arns.length);
  let next = 0;
  const worker = async () => {
    while (next < arns.length) {
      const i = next++;
      entries[i] = await readAccessEntry(eks, clusterName, arns[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, arns.length) }, worker));
  return entries.filter((e): e is ReadAccessEntry => e !== undefined);
}

/** One entry with its policies, or undefined when it is gone. */
export async function readAccessEntry(eks: EksSender, clusterName: string, principalArn: string): Promise<ReadAccessEntry | undefined> {
  let response: DescribeAccessEntryResponse;
  try {
    response = await eks.send<DescribeAccessEntryResponse>(new DescribeAccessEntryCommand({ clusterName, principalArn }));
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      return undefined; // deleted since it was listed
    }
    throw error;
  }
  const entry = response.accessEntry;
  if (!entry) {
    return undefined;
  }
  return {
    principalArn: entry.principalArn ?? principalArn,
    type: entry.type ?? 'STANDARD',
    ...(entry.username !== undefined ? { username: entry.username } : {}),
    kubernetesGroups: entry.kubernetesGroups ?? [],
    tags: entry.tags ?? {},
    ...(entry.accessEntryArn ? { accessEntryArn: entry.accessEntryArn } : {}),
    accessPolicies: await readPolicies(eks, clusterName, principalArn),
  };
}

async function readPolicies(eks: EksSender, clusterName: string, principalArn: string): Promise<ReadAccessEntry['accessPolicies']> {
  const policies: ReadAccessEntry['accessPolicies'] = [];
  let nextToken: string | undefined;
  do {
    const command = new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, nextToken });
    const page = await eks.send<ListAssociatedAccessPoliciesResponse>(command);
    for (const p of page.associatedAccessPolicies ?? []) {
      if (p.policyArn) {
        const accessScope: AccessScopeSpec = p.accessScope?.type === 'namespace' ? { type: 'namespace', namespaces: p.accessScope.namespaces ?? [] } : { type: 'cluster' };
        policies.push({ policyArn: p.policyArn, accessScope });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return policies;
}

/** Every Role, ClusterRole, RoleBinding and ClusterRoleBinding of the cluster (all namespaces), as JSON objects with their kind. */
export async function readRbacObjects(kube: KubernetesApi): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) {
    for (const item of await kube.list(collectionPath(kind))) {
      objects.push({ ...item, kind }); // list items carry no kind
    }
  }
  return objects;
}
