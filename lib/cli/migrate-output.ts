/** `eks-access migrate plan` output: the plan as a table with its reasons, or as JSON or YAML. */
import { formatJson, formatYaml } from './output';
import { AccessEntrySpec } from '../core/access-entry';
import { MigrationItem, MigrationPlan } from '../core/migration';

/** A plan and where it was made. */
export interface PlanReport {
  readonly plan: MigrationPlan;
  /** `EKS cluster "prod" in eu-west-1` or `file cm.yaml`. */
  readonly source: string;
  /** Notes on how the plan was made (facts that could not be read), besides the plan's own. */
  readonly notes: readonly string[];
}

/** The plan as JSON or YAML: every item, the entries to create, the API verdict, the notes. */
export function planDocument(report: PlanReport): object {
  const { plan } = report;
  return { source: report.source, mode: plan.mode, items: plan.items, entries: plan.entries, api: plan.api, notes: [...report.notes, ...plan.notes] };
}

export function formatPlanJson(report: PlanReport): string {
  return formatJson(planDocument(report));
}

export function formatPlanYaml(report: PlanReport): string {
  return formatYaml(planDocument(report));
}

/**
 * One row per aws-auth entry (ARN, username, groups, verdict, the access entry), then each
 * verdict's reason (and fix), then whether the cluster may move to API and who would lose access.
 */
export function formatPlanTable(report: PlanReport): string {
  const { plan } = report;
  const header = ['ENTRY', 'ARN', 'USERNAME', 'GROUPS', 'VERDICT', 'ACCESS ENTRY'];
  const rows = plan.items.map((i) => [i.source, i.arn, i.username ?? '', i.groups.join(','), i.verdict, accessEntryCell(i)]);
  const lines = [align([header, ...rows]), ''];
  for (const item of plan.items) {
    lines.push(`${item.source}: ${item.verdict} (${item.rule}): ${item.reason}`);
    if (item.fix) {
      lines.push(`  fix: ${item.fix}`);
    }
  }
  lines.push('', ...apiLines(plan));
  const notes = [...report.notes, ...plan.notes];
  if (notes.length > 0) {
    lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  }
  return `Migration plan for ${report.source} (authentication mode ${plan.mode})\n\n${lines.join('\n')}\n`;
}

/** What the last column shows: the entry to create, the one that covers it, or nothing. */
function accessEntryCell(item: MigrationItem): string {
  switch (item.verdict) {
    case 'migrate':
      return describeEntry(item.entry!);
    case 'covered':
      return `${item.rule === 'declared' ? 'declared' : 'exists'}: ${item.principalArn}${item.differences && item.differences.length > 0 ? ' (differs)' : ''}`;
    case 'skip':
      return '(EKS creates it)';
    case 'blocked':
      return '-';
  }
}

/** `STANDARD arn; username u; groups a,b; AmazonEKSClusterAdminPolicy (cluster)`. */
export function describeEntry(entry: AccessEntrySpec): string {
  const parts = [`${entry.type} ${entry.principalArn}`];
  if (entry.username !== undefined) {
    parts.push(`username ${entry.username}`);
  }
  if (entry.kubernetesGroups.length > 0) {
    parts.push(`groups ${entry.kubernetesGroups.join(',')}`);
  }
  for (const p of entry.accessPolicies) {
    const scope = p.accessScope.type === 'cluster' ? 'cluster' : `namespaces ${(p.accessScope.namespaces ?? []).join(',')}`;
    parts.push(`${p.policyArn.slice(p.policyArn.lastIndexOf('/') + 1)} (${scope})`);
  }
  return parts.join('; ');
}

function apiLines(plan: MigrationPlan): string[] {
  if (plan.mode === 'API') {
    return ['Authentication mode API: the cluster is already there.'];
  }
  const lines = plan.api.allowed
    ? ['Authentication mode API: allowed once the entries above exist (nothing is blocked).']
    : ['Authentication mode API: not allowed yet:', ...plan.api.reasons.map((r) => `- ${r}`)];
  const who = (list: MigrationPlan['api']['loseAccessNow']) => list.map((l) => `- ${l.arn} (${l.source}${l.username ? `, ${l.username}` : ''})`);
  if (plan.api.loseAccessNow.length > 0) {
    lines.push('Would lose access if the mode moved to API now:', ...who(plan.api.loseAccessNow));
  }
  if (plan.api.loseAccessAfterMigration.length > 0) {
    lines.push('Would still lose access after this migration:', ...who(plan.api.loseAccessAfterMigration));
  }
  return lines;
}

/** Columns padded to their widest cell; the last column is not padded. */
function align(cells: string[][]): string {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}
