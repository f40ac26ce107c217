/**
 * The report as a graph of paths: IAM group → principal → Kubernetes group (or user) →
 * (Cluster)Role or access policy → namespace (or the whole cluster). Each path is one way access
 * flows, so that a viewer can highlight every path through a node.
 */
import { ReportRow } from './report';

export type GraphNodeKind = 'iam-group' | 'principal' | 'k8s-group' | 'k8s-user' | 'role' | 'access-policy' | 'scope';

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
}

export interface AccessGraph {
  readonly nodes: GraphNode[];
  readonly edges: Array<{ readonly from: string; readonly to: string }>;
  /** Each path as node IDs, from its first column to its last. */
  readonly paths: string[][];
}

/** The graph of the active rows. */
export function accessGraph(rows: readonly ReportRow[]): AccessGraph {
  const nodes = new Map<string, GraphNode>();
  const paths: string[][] = [];
  const node = (kind: GraphNodeKind, key: string, label: string): string => {
    const id = `${kind}:${key}`;
    if (!nodes.has(id)) {
      nodes.set(id, { id, kind, label });
    }
    return id;
  };
  for (const row of rows.filter((r) => r.status === 'active')) {
    const principal = node('principal', `${row.cluster}|${row.principal}`, row.label ?? row.principal);
    const heads = (row.assumableBy ?? []).map((who) => [node('iam-group', who, who), principal]);
    const starts = heads.length > 0 ? heads : [[principal]];
    const tails: string[][] = [];
    for (const policy of row.accessPolicies) {
      for (const scope of splitScope(policy.scope)) {
        tails.push([node('access-policy', policy.policy, policy.policy), scopeNode(node, row.cluster, scope)]);
      }
    }
    for (const binding of row.bindings.filter((b) => !b.problem)) {
      const via = binding.via.startsWith('Group ')
        ? node('k8s-group', binding.via.slice(6), binding.via.slice(6))
        : node('k8s-user', binding.via.replace(/^\w+ /, ''), binding.via.replace(/^\w+ /, ''));
      tails.push([via, node('role', binding.role, binding.role), scopeNode(node, row.cluster, binding.scope)]);
    }
    for (const group of row.groups.filter((g) => !row.bindings.some((b) => b.via === `Group ${g}`))) {
      tails.push([node('k8s-group', group, group)]); // a group nothing binds: a dead end worth seeing
    }
    for (const start of starts) {
      for (const tail of tails.length > 0 ? tails : [[]]) {
        paths.push([...start, ...tail]);
      }
    }
  }
  const edges = new Map<string, { from: string; to: string }>();
  for (const path of paths) {
    for (let i = 1; i < path.length; i++) {
      edges.set(`${path[i - 1]}>${path[i]}`, { from: path[i - 1], to: path[i] });
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], paths };
}

/** `namespaces a, b` as `namespace a` and `namespace b`. */
function splitScope(scope: string): string[] {
  const many = /^namespaces (.*)$/.exec(scope);
  return many ? many[1].split(', ').map((ns) => `namespace ${ns}`) : [scope];
}

function scopeNode(node: (kind: GraphNodeKind, key: string, label: string) => string, cluster: string, scope: string): string {
  return node('scope', `${cluster}|${scope}`, scope === 'cluster' ? 'whole cluster' : scope);
}
