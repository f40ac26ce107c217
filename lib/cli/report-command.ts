/**
 * `eks-access report (--cluster NAME | --file CM.yaml … | --app cdk.out) [-o table|json|html] [--out FILE]`:
 * everyone who can reach the cluster and what they get, with the problems found on the way.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { modeFlag, viewFromFlags } from './access-sources';
import { viewsFromApp } from './app-source';
import { CliIo, EXIT_OK, UsageError } from './io';
import { LiveStoreDeps } from './live-store';
import { Flags, outputFlag, stringFlag } from './options';
import { formatJson } from './output';
import { reportHtml } from './report-html';
import { accessGraph, AccessGraph, reportCluster, ReportProblem, ReportRow } from '../core/access';

export const REPORT_FLAGS = {
  app: { type: 'string' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
} as const;

/** The whole report: every cluster's rows and problems, and the graph of the active rows. */
export interface AccessReport {
  /** What was read: `EKS cluster "prod" in us-west-2`, `the given files`, `app cdk.out`. */
  readonly source: string;
  readonly clusters: string[];
  /** Assumptions made while reading (an app's unknown authentication mode). */
  readonly notes: string[];
  readonly rows: ReportRow[];
  readonly problems: ReportProblem[];
  readonly graph: AccessGraph;
}

export async function reportCommand(flags: Flags, io: CliIo, deps: LiveStoreDeps = {}): Promise<number> {
  const output = outputFlag(flags, ['table', 'json', 'html'], 'table');
  const report = await buildReport(flags, io, deps);
  const text = output === 'json' ? formatJson(report) : output === 'html' ? reportHtml(report) : reportTable(report);
  const out = stringFlag(flags, 'out');
  if (out === undefined || out === '-') {
    io.stdout(text);
  } else {
    const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, out);
    io.stderr(`wrote ${out}\n`);
  }
  return EXIT_OK;
}

async function buildReport(flags: Flags, io: CliIo, deps: LiveStoreDeps): Promise<AccessReport> {
  const app = stringFlag(flags, 'app');
  if (app !== undefined) {
    for (const other of ['cluster', 'file', 'access-entries', 'rbac']) {
      if (flags[other] !== undefined) {
        throw new UsageError(`--app cannot be combined with --${other}: report on a synthesized app, a cluster, or files`);
      }
    }
    const views = viewsFromApp(app, modeFlag(flags));
    const parts = views.map((v) => reportCluster(v.view, v.facts));
    return assemble(`app ${app}`, views.map((v) => v.view.description), views.flatMap((v) => v.notes), parts);
  }
  const source = await viewFromFlags(flags, io, deps);
  try {
    return assemble(source.views.map((v) => v.description).join(', '), source.views.map((v) => v.description), [], source.views.map((v) => reportCluster(v)));
  } finally {
    await source.close();
  }
}

type ReportPart = { rows: ReportRow[]; problems: ReportProblem[] };

function assemble(source: string, clusters: string[], notes: string[], parts: readonly ReportPart[]): AccessReport {
  const rows = parts.flatMap((p) => p.rows);
  return { source, clusters, notes, rows, problems: parts.flatMap((p) => p.problems), graph: accessGraph(rows) };
}

/** One line per principal, then the problems. */
export function reportTable(report: AccessReport): string {
  const many = report.clusters.length > 1;
  const header = [...(many ? ['CLUSTER'] : []), 'PRINCIPAL', 'MECHANISM', 'STATUS', 'USERNAME', 'GROUPS', 'ACCESS POLICIES', 'RBAC'];
  const cells = [header, ...report.rows.map((r) => [
    ...(many ? [r.cluster] : []),
    r.label ? `${r.principal} (${r.label})` : r.principal,
    r.mechanism,
    r.status,
    r.username,
    r.groups.join(',') || '-',
    r.accessPolicies.map((p) => `${p.policy} (${p.scope})`).join('; ') || '-',
    r.bindings.map((b) => `${b.role} (${b.scope}${b.problem ? `, ${b.problem}` : ''})`).join('; ') || '-',
  ])];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const lines = [`access to ${report.clusters.join(', ')} (${report.rows.length} principal${report.rows.length === 1 ? '' : 's'})`, ''];
  lines.push(...cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()));
  const assumers = report.rows.filter((r) => r.assumableBy && r.assumableBy.length > 0);
  if (assumers.length > 0) {
    lines.push('', 'who may assume each role:');
    assumers.forEach((r) => lines.push(`  ${r.label ?? r.principal}: ${r.assumableBy!.join('; ')}`));
  }
  report.notes.forEach((n) => lines.push('', `note: ${n}`));
  lines.push('', report.problems.length === 0 ? 'no problems found' : `problems (${report.problems.length}):`);
  report.problems.forEach((p) => lines.push(`  ${p.severity}: [${p.kind}] ${p.message}`));
  return lines.join('\n') + '\n';
}
