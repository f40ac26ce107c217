/**
 * `eks-access migrate plan -o cdk`: the plan as TypeScript for this library, ready to paste into a
 * platform repository. One `ClusterAccess` call per migrated entry reproduces it (same principal,
 * type, username, groups and access policies); every other verdict is a comment with its reason.
 */
import { PlanReport } from './migrate-output';
import { AccessEntrySpec, AccessPolicyAssociationSpec } from '../core/access-entry';
import { parsePrincipalArn } from '../core/arn';
import { MigrationItem } from '../core/migration';

/** Module the generated code imports the constructs from. */
export const LIBRARY_MODULE = 'cdk-eks-access';
/** The function the generated code exports. */
export const MIGRATED_ACCESS_FUNCTION = 'addMigratedAccess';

/** Access policies with a constant on `AccessPolicy`, by name. */
const POLICY_CONSTANTS: Record<string, string> = {
  AmazonEKSClusterAdminPolicy: 'AMAZON_EKS_CLUSTER_ADMIN_POLICY',
  AmazonEKSAdminPolicy: 'AMAZON_EKS_ADMIN_POLICY',
  AmazonEKSAdminViewPolicy: 'AMAZON_EKS_ADMIN_VIEW_POLICY',
  AmazonEKSEditPolicy: 'AMAZON_EKS_EDIT_POLICY',
  AmazonEKSViewPolicy: 'AMAZON_EKS_VIEW_POLICY',
};

/** The TypeScript module. */
export function formatPlanCdk(report: PlanReport): string {
  const calls: string[] = [];
  const skipped: string[] = [];
  const used = new Set<string>();
  for (const item of report.plan.items) {
    const call = item.verdict === 'migrate' ? callFor(item, used) : undefined;
    if (call) {
      calls.push(`  // ${item.source}: ${item.reason}`, ...call);
    } else if (item.verdict === 'migrate') {
      const { principalArn, type } = item.entry!;
      skipped.push(`  // ${item.source} (${item.arn}): ClusterAccess has no mapping for ${type} entries: create it with aws eks create-access-entry --principal-arn ${principalArn} --type ${type}`);
    } else {
      skipped.push(`  // ${item.source} (${item.arn}): ${item.verdict} (${item.rule}): ${item.reason}${item.fix ? ` Fix: ${item.fix}` : ''}`);
    }
  }
  const body = [...calls, ...(skipped.length > 0 ? [...(calls.length > 0 ? [''] : []), '  // Not migrated here:', ...skipped] : [])];
  const constructs = ['ClusterAccess', ...['AccessPolicy', 'AccessScope'].filter((n) => used.has(n))];
  return [
    `// The access entries that replace aws-auth on ${report.source}, from \`eks-access migrate plan -o cdk\`.`,
    `// Call ${MIGRATED_ACCESS_FUNCTION}(scope, access) with the ClusterAccess of that cluster; its mechanism must`,
    '// give access entries (AccessMechanism.ACCESS_ENTRIES, or AUTO on a cluster in API_AND_CONFIG_MAP or API).',
    ...(used.has('iam') ? ['import * as iam from \'aws-cdk-lib/aws-iam\';'] : []),
    'import { Construct } from \'constructs\';',
    `import { ${constructs.join(', ')} } from '${LIBRARY_MODULE}';`,
    '',
    '/** The identities aws-auth mapped, as access entries of `access`. */',
    `export function ${MIGRATED_ACCESS_FUNCTION}(scope: Construct, access: ClusterAccess): void {`,
    ...(used.has('iam') ? [] : ['  void scope;', '  void access;']),
    ...body,
    '}',
    '',
  ].join('\n');
}

/** The call that reproduces the item's entry, or undefined when `ClusterAccess` has none for its type. */
function callFor(item: MigrationItem, used: Set<string>): string[] | undefined {
  const entry = item.entry!;
  const id = quote(`Migrated${item.source.replace(/^map/, '').replace(/[^A-Za-z0-9]/g, '')}`);
  const kind = parsePrincipalArn(entry.principalArn).kind;
  const principal = kind === 'role'
    ? `iam.Role.fromRoleArn(scope, ${id}, ${quote(entry.principalArn)})`
    : `iam.User.fromUserArn(scope, ${id}, ${quote(entry.principalArn)})`;
  if (entry.type === 'EC2_LINUX' || entry.type === 'EC2_WINDOWS') {
    used.add('iam');
    return [`  access.mapNodeRole(${principal}${entry.type === 'EC2_WINDOWS' ? ', { windows: true }' : ''});`];
  }
  if (entry.type !== 'STANDARD') {
    return undefined;
  }
  used.add('iam');
  const options = optionLines(entry, used);
  const method = kind === 'role' ? 'mapRole' : 'mapUser';
  return options.length === 0 ? [`  access.${method}(${principal});`] : [`  access.${method}(${principal}, {`, ...options, '  });'];
}

/** `username`, `groups` and `accessPolicies` of a STANDARD entry. */
function optionLines(entry: AccessEntrySpec, used: Set<string>): string[] {
  const lines: string[] = [];
  if (entry.username !== undefined) {
    lines.push(`    username: ${quote(entry.username)},`);
  }
  if (entry.kubernetesGroups.length > 0) {
    lines.push(`    groups: [${entry.kubernetesGroups.map(quote).join(', ')}],`);
  }
  if (entry.accessPolicies.length > 0) {
    lines.push(`    accessPolicies: [${entry.accessPolicies.map((p) => grant(p, used)).join(', ')}],`);
  }
  return lines;
}

function grant(p: AccessPolicyAssociationSpec, used: Set<string>): string {
  used.add('AccessPolicy');
  const name = p.policyArn.slice(p.policyArn.lastIndexOf('/') + 1);
  const policy = POLICY_CONSTANTS[name] ? `AccessPolicy.${POLICY_CONSTANTS[name]}` : `AccessPolicy.of(${quote(name)})`;
  if (p.accessScope.type === 'cluster') {
    return `{ policy: ${policy} }`;
  }
  used.add('AccessScope');
  return `{ policy: ${policy}, scope: AccessScope.namespaces(${(p.accessScope.namespaces ?? []).map(quote).join(', ')}) }`;
}

/** A single-quoted TypeScript string literal. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/\n/g, '\\n')}'`;
}
