/**
 * The REST paths of the EKS operations the fake serves (as the SDK's serializers send them)
 * and how each maps onto {@link EksState}.
 */
import { EksState } from './eks-state';
import { errors } from './errors';

type Json = Record<string, unknown>;

/** A request routed to an operation. */
export interface RoutedCall {
  readonly operation: string;
  readonly params: Readonly<Record<string, string>>;
  readonly run: (state: EksState, body: Json, query: URLSearchParams) => Json;
}

interface Route {
  readonly method: string;
  readonly segments: string[];
  readonly operation: string;
  readonly run: (state: EksState, p: Record<string, string>, body: Json, query: URLSearchParams) => Json;
}

function route(method: string, path: string, operation: string, run: Route['run']): Route {
  return { method, segments: path.split('/').filter(Boolean), operation, run };
}

/** `maxResults` from the query string (undefined when absent; NaN refused by paging). */
function maxResults(query: URLSearchParams): number | undefined {
  const value = query.get('maxResults');
  if (value === null) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw errors.invalidParameter(`maxResults must be an integer, got ${value}.`);
  }
  return n;
}

function nextToken(query: URLSearchParams): string | undefined {
  return query.get('nextToken') ?? undefined;
}

const ROUTES: Route[] = [
  route('POST', 'clusters', 'CreateCluster', (s, _p, b) => s.createCluster(b)),
  route('GET', 'clusters', 'ListClusters', (s, _p, _b, q) => s.listClusters(maxResults(q), nextToken(q))),
  route('GET', 'clusters/:clusterName', 'DescribeCluster', (s, p) => s.describeCluster(p.clusterName)),
  route('POST', 'clusters/:clusterName/update-config', 'UpdateClusterConfig', (s, p, b) => s.updateClusterConfig(p.clusterName, b)),
  route('GET', 'clusters/:clusterName/updates', 'ListUpdates', (s, p, _b, q) => s.listUpdates(p.clusterName, maxResults(q), nextToken(q))),
  route('GET', 'clusters/:clusterName/updates/:updateId', 'DescribeUpdate', (s, p) => s.describeUpdate(p.clusterName, p.updateId)),
  route('GET', 'clusters/:clusterName/node-groups', 'ListNodegroups', (s, p, _b, q) => s.listNodegroups(p.clusterName, maxResults(q), nextToken(q))),
  route('GET', 'clusters/:clusterName/node-groups/:nodegroupName', 'DescribeNodegroup', (s, p) => s.describeNodegroup(p.clusterName, p.nodegroupName)),
  route('GET', 'clusters/:clusterName/fargate-profiles', 'ListFargateProfiles', (s, p, _b, q) => s.listFargateProfiles(p.clusterName, maxResults(q), nextToken(q))),
  route('GET', 'clusters/:clusterName/fargate-profiles/:fargateProfileName', 'DescribeFargateProfile', (s, p) => s.describeFargateProfile(p.clusterName, p.fargateProfileName)),
  route('POST', 'clusters/:clusterName/access-entries', 'CreateAccessEntry', (s, p, b) => s.createAccessEntry(p.clusterName, b)),
  route('GET', 'clusters/:clusterName/access-entries', 'ListAccessEntries', (s, p, _b, q) => s.listAccessEntries(p.clusterName, {
    associatedPolicyArn: q.get('associatedPolicyArn') ?? undefined, maxResults: maxResults(q), nextToken: nextToken(q),
  })),
  route('GET', 'clusters/:clusterName/access-entries/:principalArn', 'DescribeAccessEntry', (s, p) => s.describeAccessEntry(p.clusterName, p.principalArn)),
  route('POST', 'clusters/:clusterName/access-entries/:principalArn', 'UpdateAccessEntry', (s, p, b) => s.updateAccessEntry(p.clusterName, p.principalArn, b)),
  route('DELETE', 'clusters/:clusterName/access-entries/:principalArn', 'DeleteAccessEntry', (s, p) => s.deleteAccessEntry(p.clusterName, p.principalArn)),
  route('POST', 'clusters/:clusterName/access-entries/:principalArn/access-policies', 'AssociateAccessPolicy',
    (s, p, b) => s.associateAccessPolicy(p.clusterName, p.principalArn, b)),
  route('GET', 'clusters/:clusterName/access-entries/:principalArn/access-policies', 'ListAssociatedAccessPolicies',
    (s, p, _b, q) => s.listAssociatedAccessPolicies(p.clusterName, p.principalArn, maxResults(q), nextToken(q))),
  route('DELETE', 'clusters/:clusterName/access-entries/:principalArn/access-policies/:policyArn', 'DisassociateAccessPolicy',
    (s, p) => s.disassociateAccessPolicy(p.clusterName, p.principalArn, p.policyArn)),
  route('GET', 'access-policies', 'ListAccessPolicies', (s, _p, _b, q) => s.listAccessPolicies(maxResults(q), nextToken(q))),
  route('GET', 'tags/:resourceArn', 'ListTagsForResource', (s, p) => s.listTagsForResource(p.resourceArn)),
  route('POST', 'tags/:resourceArn', 'TagResource', (s, p, b) => s.tagResource(p.resourceArn, b)),
  route('DELETE', 'tags/:resourceArn', 'UntagResource', (s, p, _b, q) => s.untagResource(p.resourceArn, q.getAll('tagKeys'))),
];

/**
 * The operation for a method and raw path (path labels still percent-encoded), or undefined.
 * Labels are decoded after splitting, so an encoded `/` inside an ARN stays in its label.
 */
export function routeRequest(method: string, rawPath: string): RoutedCall | undefined {
  const segments = rawPath.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== segments.length) {
      continue;
    }
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = r.segments[i];
      if (want.startsWith(':')) {
        params[want.slice(1)] = safeDecode(segments[i]);
      } else {
        ok = want === segments[i];
      }
    }
    if (ok) {
      return { operation: r.operation, params, run: (state, body, query) => r.run(state, params, body, query) };
    }
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
