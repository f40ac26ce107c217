/** The rows `mapping get` prints, and their table, JSON and YAML forms. */
import * as yaml from 'js-yaml';
import { AwsAuthConfigMap, RoleMapping, UserMapping, roleMappingProblem, ssoArnPattern, userMappingProblem } from '../core/aws-auth';

/** One row: a role or user mapping, or an account. Field names follow eksctl's JSON output. */
export interface MappingRow {
  readonly rolearn?: string;
  readonly userarn?: string;
  readonly sso?: RoleMapping['sso'];
  readonly userid?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly account?: string;
  /**
   * Set when the authenticator drops the entry (it is no mapping, and never matches): why. A row
   * with it is shown for what it is, never as a mapping.
   */
  readonly dropped?: string;
  /** Where the entry is: `mapRoles[0]`. */
  readonly source: string;
}

/** Every row of the ConfigMap: roles, then users, then accounts. */
export function mappingRows(configMap: AwsAuthConfigMap): MappingRow[] {
  return [
    ...configMap.mapRoles.map((r, i) => roleRow(r, `mapRoles[${i}]`)),
    ...configMap.mapUsers.map((u, i) => userRow(u, `mapUsers[${i}]`)),
    ...configMap.mapAccounts.map((account, i) => ({ account, source: `mapAccounts[${i}]` })),
  ];
}

export function roleRow(r: RoleMapping, source: string): MappingRow {
  return {
    ...(r.rolearn !== undefined ? { rolearn: r.rolearn } : {}),
    ...(r.sso !== undefined ? { sso: r.sso } : {}),
    ...(r.userid !== undefined ? { userid: r.userid } : {}),
    ...(r.username !== undefined ? { username: r.username } : {}),
    ...(r.groups !== undefined ? { groups: r.groups } : {}),
    ...dropped(roleMappingProblem(r)),
    source,
  };
}

export function userRow(u: UserMapping, source: string): MappingRow {
  return {
    ...(u.userarn !== undefined ? { userarn: u.userarn } : {}),
    ...(u.userid !== undefined ? { userid: u.userid } : {}),
    ...(u.username !== undefined ? { username: u.username } : {}),
    ...(u.groups !== undefined ? { groups: u.groups } : {}),
    ...dropped(userMappingProblem(u)),
    source,
  };
}

function dropped(problem: string | undefined): { dropped?: string } {
  return problem === undefined ? {} : { dropped: problem };
}

/** The ARN column: the ARN, the SSO matcher's pattern, or the role ID. */
function arnCell(row: MappingRow): string {
  if (row.rolearn !== undefined) return row.rolearn;
  if (row.userarn !== undefined) return row.userarn;
  if (row.sso !== undefined) return `${ssoArnPattern(row.sso)} (sso)`;
  if (row.userid !== undefined) return `userid:${row.userid}`;
  return '';
}

/**
 * An aligned table with the columns ARN, USERNAME, GROUPS, ACCOUNT, and DROPPED (why the
 * authenticator drops the entry) when any entry is dropped.
 */
export function formatTable(rows: readonly MappingRow[]): string {
  const withDropped = rows.some((r) => r.dropped !== undefined);
  const header = ['ARN', 'USERNAME', 'GROUPS', 'ACCOUNT', ...(withDropped ? ['DROPPED'] : [])];
  const cells = [header, ...rows.map((r) => [arnCell(r), r.username ?? '', (r.groups ?? []).join(','), r.account ?? '', ...(withDropped ? [r.dropped ?? ''] : [])])];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ').trimEnd() + '\n').join('');
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, undefined, 2) + '\n';
}

export function formatYaml(value: unknown): string {
  return yaml.dump(value, { lineWidth: -1, noRefs: true });
}
