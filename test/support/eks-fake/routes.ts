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
  /** @param accessKeyId the access key the request was signed with */
  readonly run: (state: EksState, body: Json, query: URLSearchParams, accessKeyId?: string) => Json;
}

type Run = (state: EksState, p: Record<string, string>, body: Json, query: URLSearchParams, accessKeyId?: string) => Json;

/** One operation: its HTTP method and path template, spelled as the service model spells them. */
export interface Route {
  readonly method: string;
  /** As in the model: `/clusters/{name}/updates/{updateId}`. */
  readonly path: string;
  readonly operation: string;
  /** Query parameters the fake reads (the model's `httpQuery` names). */
  readonly query: readonly string[];
  readonly segments: string[];
  readonly run: Run;
}

function route(method: string, path: string, operation: string, query: string[], run: Run): Route {
  return { method, path, operation, query, segments: path.split('/').filter(Boolean), run };
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

const PAGING = ['maxResults', 'nextToken'];

/** Every operation the fake serves (test/eks-fake/service-model.test.ts checks them against the SDK's model). */
export const ROUTES: readonly Route[] = [
  route('POST', '/clusters', 'CreateCluster', [], (s, _p, b) => s.createCluster(b)),
  route('GET', '/clusters', 'ListClusters', PAGING, (s, _p, _b, q) => s.listClusters(maxResults(q), nextToken(q))),
  route('GET', '/clusters/{name}', 'DescribeCluster', [], (s, p) => s.describeCluster(p.name)),
  route('POST', '/clusters/{name}/update-config', 'UpdateClusterConfig', [], (s, p, b) => s.updateClusterConfig(p.name, b)),
  route('GET', '/clusters/{name}/updates', 'ListUpdates', PAGING, (s, p, _b, q) => s.listUpdates(p.name, maxResults(q), nextToken(q))),
  route('GET', '/clusters/{name}/updates/{updateId}', 'DescribeUpdate', [], (s, p) => s.describeUpdate(p.name, p.updateId)),
  route('GET', '/clusters/{clusterName}/node-groups', 'ListNodegroups', PAGING, (s, p, _b, q) => s.listNodegroups(p.clusterName, maxResults(q), nextToken(q))),
  route('GET', '/clusters/{clusterName}/node-groups/{nodegroupName}', 'DescribeNodegroup', [], (s, p) => s.describeNodegroup(p.clusterName, p.nodegroupName)),
  route('GET', '/clusters/{clusterName}/fargate-profiles', 'ListFargateProfiles', PAGING, (s, p, _b, q) => s.listFargateProfiles(p.clusterName, maxResults(q), nextToken(q))),
  route('GET', '/clusters/{clusterName}/fargate-profiles/{fargateProfileName}', 'DescribeFargateProfile', [], (s, p) => s.describeFargateProfile(p.clusterName, p.fargateProfileName)),
  route('POST', '/clusters/{clusterName}/access-entries', 'CreateAccessEntry', [], (s, p, b, _q, key) => s.createAccessEntry(p.clusterName, b, key)),
  route('GET', '/clusters/{clusterName}/access-entries', 'ListAccessEntries', ['associatedPolicyArn', ...PAGING], (s, p, _b, q) => s.listAccessEntries(p.clusterName, {
    associatedPolicyArn: q.get('associatedPolicyArn') ?? undefined, maxResults: maxResults(q), nextToken: nextToken(q),
  })),
  route('GET', '/clusters/{clusterName}/access-entries/{principalArn}', 'DescribeAccessEntry', [], (s, p) => s.describeAccessEntry(p.clusterName, p.principalArn)),
  route('POST', '/clusters/{clusterName}/access-entries/{principalArn}', 'UpdateAccessEntry', [], (s, p, b) => s.updateAccessEntry(p.clusterName, p.principalArn, b)),
  route('DELETE', '/clusters/{clusterName}/access-entries/{principalArn}', 'DeleteAccessEntry', [], (s, p) => s.deleteAccessEntry(p.clusterName, p.principalArn)),
  route('POST', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies', 'AssociateAccessPolicy', [],
    (s, p, b) => s.associateAccessPolicy(p.clusterName, p.principalArn, b)),
  route('GET', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies', 'ListAssociatedAccessPolicies', PAGING,
    (s, p, _b, q) => s.listAssociatedAccessPolicies(p.clusterName, p.principalArn, maxResults(q), nextToken(q))),
  route('DELETE', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies/{policyArn}', 'DisassociateAccessPolicy', [],
    (s, p) => s.disassociateAccessPolicy(p.clusterName, p.principalArn, p.policyArn)),
  route('GET', '/access-policies', 'ListAccessPolicies', PAGING, (s, _p, _b, q) => s.listAccessPolicies(maxResults(q), nextToken(q))),
  route('GET', '/tags/{resourceArn}', 'ListTagsForResource', [], (s, p) => s.listTagsForResource(p.resourceArn)),
  route('POST', '/tags/{resourceArn}', 'TagResource', [], (s, p, b) => s.tagResource(p.resourceArn, b)),
  route('DELETE', '/tags/{resourceArn}', 'UntagResource', ['tagKeys'], (s, p, _b, q) => s.untagResource(p.resourceArn, q.getAll('tagKeys'))),
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
      if (want.startsWith('{') && want.endsWith('}')) {
        params[want.slice(1, -1)] = safeDecode(segments[i]);
      } else {
        ok = want === segments[i];
      }
    }
    if (ok) {
      return { operation: r.operation, params, run: (state, body, query, accessKeyId) => r.run(state, params, body, query, accessKeyId) };
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
