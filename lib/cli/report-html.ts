/**
 * `report -o html`: one self-contained page (no network: inline CSS, inline script, the graph
 * pre-rendered as SVG). The graph is laid out here with dagre (layered, left to right: IAM group →
 * principal → Kubernetes group → role or access policy → namespace); the page's small script
 * filters the table and, when a node is clicked, highlights every path through it.
 */
import type * as Dagre from '@dagrejs/dagre' with { 'resolution-mode': 'require' };
import type { AccessReport } from './report-command';
import { AccessGraph, GraphNode } from '../core/access';

const NODE_HEIGHT = 30;
const CHAR_WIDTH = 7;

/** The page. */
export function reportHtml(report: AccessReport): string {
  const data = { paths: report.graph.paths, rows: report.rows.map((r) => `principal:${r.cluster}|${r.principal}`) };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>EKS access: ${esc(report.clusters.join(', '))}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Who can do what: ${esc(report.clusters.join(', '))}</h1><p>From ${esc(report.source)}. ${report.rows.length} principal(s), ${report.problems.length} problem(s). Click a node to highlight its paths; click it again (or the background) to clear.</p></header>
${report.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<section><h2>Graph</h2><div class="graph-wrap">${graphSvg(report.graph)}</div>
<p class="legend">${LEGEND.map(([kind, label]) => `<span class="key ${kind}">${label}</span>`).join(' → ')}</p></section>
<section><h2>Principals</h2>
<p><input id="filter" type="search" placeholder="Filter rows (any text)" aria-label="Filter rows"> <label><input id="active-only" type="checkbox"> active only</label> <span id="shown"></span></p>
${tableHtml(report)}</section>
<section><h2>Problems</h2>${problemsHtml(report)}</section>
<script type="application/json" id="report-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>(${pageScript.toString()})();</script>
</body>
</html>
`;
}

const LEGEND: ReadonlyArray<[string, string]> = [
  ['iam-group', 'IAM group'], ['principal', 'IAM role or user'], ['k8s-group', 'Kubernetes group or user'], ['role', '(Cluster)Role or access policy'], ['scope', 'namespace or cluster'],
];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tableHtml(report: AccessReport): string {
  const head = ['Principal', 'Mechanism', 'Status', 'Username', 'Groups', 'Access policies', 'RBAC', 'Assumable by'];
  const rows = report.rows.map((r) => {
    const id = `principal:${r.cluster}|${r.principal}`;
    const cells = [
      `${esc(r.principal)}${r.label ? `<br><small>${esc(r.label)}</small>` : ''}`,
      esc(r.mechanism),
      `<span class="status ${r.status}" title="${esc(r.statusReason ?? '')}">${r.status}</span>`,
      esc(r.username),
      esc(r.groups.join(', ')),
      esc(r.accessPolicies.map((p) => `${p.policy} (${p.scope})`).join('; ')),
      r.bindings.map((b) => `${esc(b.role)} <small>(${esc(b.scope)}, ${esc(b.binding)}${b.problem ? `: ${esc(b.problem)}` : ''})</small>`).join('<br>'),
      esc((r.assumableBy ?? []).join('; ')),
    ];
    return `<tr data-principal="${esc(id)}" data-status="${r.status}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table id="principals"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function problemsHtml(report: AccessReport): string {
  if (report.problems.length === 0) {
    return '<p>No problems found.</p>';
  }
  return `<ul id="problems">${report.problems.map((p) => `<li class="${p.severity}" data-kind="${esc(p.kind)}"><b>${p.severity}</b> [${esc(p.kind)}] ${esc(p.message)}</li>`).join('\n')}</ul>`;
}

/** The graph laid out by dagre, as SVG. */
export function graphSvg(graph: AccessGraph): string {
  if (graph.nodes.length === 0) {
    return '<p>Nobody has access.</p>';
  }
  // dagre ships CommonJS beside its ES module; require keeps this module CommonJS like the rest of the CLI.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dagre = require('@dagrejs/dagre') as typeof Dagre;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.id, { width: Math.min(60, node.label.length) * CHAR_WIDTH + 20, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    g.setEdge(edge.from, edge.to);
  }
  dagre.layout(g);
  const size = g.graph();
  const edges = graph.edges.map((e) => {
    const points = g.edge(e.from, e.to).points ?? [];
    const d = points.map((p: { x: number; y: number }, i: number) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return `<path class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${d}" marker-end="url(#arrow)"/>`;
  });
  const nodes = graph.nodes.map((n) => nodeSvg(n, g.node(n.id)));
  return `<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(size.width ?? 0)}" height="${Math.ceil(size.height ?? 0)}" viewBox="0 0 ${Math.ceil(size.width ?? 0)} ${Math.ceil(size.height ?? 0)}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
<rect class="background" width="100%" height="100%"/>
${edges.join('\n')}
${nodes.join('\n')}
</svg>`;
}

function nodeSvg(node: GraphNode, at: { x: number; y: number; width: number; height: number }): string {
  const label = node.label.length > 60 ? `${node.label.slice(0, 57)}...` : node.label;
  return `<g class="node ${node.kind}" data-id="${esc(node.id)}" data-kind="${node.kind}" tabindex="0" role="button" transform="translate(${(at.x - at.width / 2).toFixed(1)},${(at.y - at.height / 2).toFixed(1)})"><title>${esc(node.label)}</title><rect width="${at.width}" height="${at.height}" rx="6"/><text x="10" y="${NODE_HEIGHT / 2 + 4}">${esc(label)}</text></g>`;
}

/**
 * The page's script, serialized into the page: self-contained (no imports, no closures), written
 * for the browser's own DOM API.
 */
function pageScript(): void {
  const doc = (globalThis as unknown as { document: any }).document;
  const data = JSON.parse(doc.getElementById('report-data').textContent) as { paths: string[][] };
  const nodes: any[] = Array.from(doc.querySelectorAll('#graph g.node'));
  const edges: any[] = Array.from(doc.querySelectorAll('#graph path.edge'));
  const rows: any[] = Array.from(doc.querySelectorAll('#principals tbody tr'));
  let selected: string | undefined;

  const highlight = (id: string | undefined) => {
    selected = id;
    const on = new Set<string>();
    const onEdges = new Set<string>();
    if (id !== undefined) {
      for (const path of data.paths) {
        if (path.includes(id)) {
          path.forEach((n, i) => {
            on.add(n);
            if (i > 0) onEdges.add(`${path[i - 1]}>${n}`);
          });
        }
      }
    }
    for (const n of nodes) {
      const lit = on.has(n.getAttribute('data-id'));
      n.classList.toggle('highlighted', id !== undefined && lit);
      n.classList.toggle('dimmed', id !== undefined && !lit);
      n.classList.toggle('selected', n.getAttribute('data-id') === id);
    }
    for (const e of edges) {
      const lit = onEdges.has(`${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`);
      e.classList.toggle('highlighted', id !== undefined && lit);
      e.classList.toggle('dimmed', id !== undefined && !lit);
    }
    for (const r of rows) {
      r.classList.toggle('highlighted', id !== undefined && on.has(r.getAttribute('data-principal')));
    }
  };
  for (const n of nodes) {
    const pick = (event: any) => {
      event.stopPropagation();
      const id = n.getAttribute('data-id');
      highlight(selected === id ? undefined : id);
    };
    n.addEventListener('click', pick);
    n.addEventListener('keydown', (event: any) => {
      if (event.key === 'Enter' || event.key === ' ') pick(event);
    });
  }
  doc.getElementById('graph').addEventListener('click', () => highlight(undefined));

  const filter = doc.getElementById('filter');
  const activeOnly = doc.getElementById('active-only');
  const shown = doc.getElementById('shown');
  const apply = () => {
    const words = String(filter.value).toLowerCase().split(/\s+/).filter((w: string) => w !== '');
    let count = 0;
    for (const r of rows) {
      const text = String(r.textContent).toLowerCase();
      const visible = words.every((w: string) => text.includes(w)) && (!activeOnly.checked || r.getAttribute('data-status') === 'active');
      r.hidden = !visible;
      count += visible ? 1 : 0;
    }
    shown.textContent = `${count} of ${rows.length} shown`;
  };
  filter.addEventListener('input', apply);
  activeOnly.addEventListener('change', apply);
  apply();
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2433; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
.note { background: #fff7e0; padding: .4em .6em; border-left: 3px solid #e0a800; }
.graph-wrap { overflow: auto; border: 1px solid #d5d9e2; border-radius: 6px; max-height: 80vh; }
svg .background { fill: #fbfcfe; }
svg .edge { fill: none; stroke: #9aa3b5; stroke-width: 1.4; }
svg marker path { fill: #9aa3b5; }
svg .node { cursor: pointer; }
svg .node rect { stroke: #5b6475; stroke-width: 1; }
svg .node text { font: 12px system-ui, sans-serif; fill: #1d2433; pointer-events: none; }
svg .iam-group rect, .key.iam-group { fill: #e8defc; background: #e8defc; }
svg .principal rect, .key.principal { fill: #fde2c8; background: #fde2c8; }
svg .k8s-group rect, svg .k8s-user rect, .key.k8s-group { fill: #d3ecfb; background: #d3ecfb; }
svg .role rect, svg .access-policy rect, .key.role { fill: #d8f3dc; background: #d8f3dc; }
svg .scope rect, .key.scope { fill: #eceff4; background: #eceff4; }
svg .node.highlighted rect { stroke: #d9480f; stroke-width: 2.5; }
svg .node.selected rect { stroke-width: 3.5; }
svg .edge.highlighted { stroke: #d9480f; stroke-width: 2.5; }
svg .dimmed { opacity: .25; }
.key { padding: .1em .4em; border-radius: 4px; border: 1px solid #5b6475; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e3e6ec; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f1f3f7; position: sticky; top: 0; }
tr.highlighted td { background: #fff1e6; }
small { color: #5b6475; }
.status { padding: 0 .35em; border-radius: 3px; }
.status.active { background: #d8f3dc; } .status.shadowed, .status.overridden, .status.ignored { background: #fff3bf; } .status.dead { background: #ffd6d6; }
#problems li.error b { color: #c92a2a; } #problems li.warning b { color: #b35c00; }
input[type=search] { width: 22em; padding: .25em .4em; }
`;
