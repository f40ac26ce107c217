/**
 * The access entry that reproduces one aws-auth mapping, or why none can. eksctl's rules where
 * they are right (pkg/actions/accessentry, `utils migrate-to-access-entry`): the node username
 * `system:node:{{EC2PrivateDNSName}}` makes an `EC2_LINUX` entry, `EC2_WINDOWS` with
 * `eks:kube-proxy-windows`; `system:masters` becomes `AmazonEKSClusterAdminPolicy` at cluster
 * scope; everything else a `STANDARD` entry with the same username and groups. Unlike eksctl, the
 * other groups of a `system:masters` mapping are kept, and the EKS User Guide's rules for entries
 * are checked here instead of failing the API call: no `system:` groups, no reserved username
 * prefixes, a colon before `{{SessionName}}`, and only the templates entries document.
 */
import { AccessEntrySpec, AccessEntryType, RESERVED_USERNAME_PREFIXES, accessEntryProblems } from '../access-entry';
import { parsePrincipalArn } from '../arn';
import {
  EC2_NODE_USERNAME, NODE_PROXIER, SESSION_NODE_USERNAME, SYSTEM_BOOTSTRAPPERS, SYSTEM_MASTERS, SYSTEM_NODES, WINDOWS_PROXY_GROUP,
  clusterAdminPolicyArn,
} from './identity';
import { MigrationRule } from './types';

/** The mapping's identity as written in aws-auth. */
export interface MappingIdentity {
  readonly username?: string;
  readonly groups: readonly string[];
}

/** The outcome: the entry, or why there is none and what to do. */
export type EntryForm =
  | { readonly entry: AccessEntrySpec; readonly rule: MigrationRule; readonly reason: string }
  | { readonly blocked: true; readonly rule: MigrationRule; readonly reason: string; readonly fix: string };

/** Templates access-entry usernames take (EKS User Guide, "Create access entries"). */
const ENTRY_TEMPLATES = ['{{SessionName}}', '{{SessionNameRaw}}'];

/** The access entry for `mapping` of the principal `principalArn` (full ARN). */
export function accessEntryFor(mapping: MappingIdentity, principalArn: string, clusterAccount?: string): EntryForm {
  if (mapping.username === EC2_NODE_USERNAME || mapping.username === SESSION_NODE_USERNAME) {
    return nodeEntryFor(mapping, principalArn, clusterAccount);
  }
  return standardEntryFor(mapping, principalArn);
}

/** A node mapping: its type from the username and groups; nodes take no username, groups or policies. */
function nodeEntryFor(mapping: MappingIdentity, principalArn: string, clusterAccount: string | undefined): EntryForm {
  const p = parsePrincipalArn(principalArn);
  const ec2 = mapping.username === EC2_NODE_USERNAME;
  const groups = new Set(mapping.groups);
  const type: AccessEntryType = ec2 ? (groups.has(WINDOWS_PROXY_GROUP) ? 'EC2_WINDOWS' : 'EC2_LINUX') : groups.has(NODE_PROXIER) ? 'FARGATE_LINUX' : 'HYBRID_LINUX';
  const allowed = new Set([SYSTEM_NODES, SYSTEM_BOOTSTRAPPERS, ...(type === 'EC2_WINDOWS' ? [WINDOWS_PROXY_GROUP] : []), ...(type === 'FARGATE_LINUX' ? [NODE_PROXIER] : [])]);
  const extra = [...groups].filter((g) => !allowed.has(g));
  if (p.kind !== 'role') {
    return blocked('node-groups', `the node username ${mapping.username} is mapped to an IAM user; node access entries take roles only`, 'map the node role instead of the user, or give this user a username that is not a node\'s');
  }
  if (!groups.has(SYSTEM_NODES) || extra.length > 0) {
    const what = !groups.has(SYSTEM_NODES) ? `lacks ${SYSTEM_NODES}` : `also has ${extra.join(', ')}`;
    return blocked('node-groups', `a node mapping that ${what}: a ${type} access entry gives exactly the groups EKS sets for nodes (${SYSTEM_NODES}${type === 'EC2_WINDOWS' ? `, ${WINDOWS_PROXY_GROUP}` : ''}${type === 'FARGATE_LINUX' ? `, ${NODE_PROXIER}` : ''}) and takes no others`,
      `bind what those groups grant to ${SYSTEM_NODES} (or drop them), then map the role with the node groups only`);
  }
  if (clusterAccount !== undefined && p.accountId !== clusterAccount) {
    return blocked('node-account', `node access entries must name a role of the cluster's account (${clusterAccount}), and this role is in ${p.accountId}`, 'run these nodes with a node role of the cluster\'s account');
  }
  const rule: MigrationRule = type === 'EC2_WINDOWS' ? 'node-windows' : type === 'EC2_LINUX' ? 'node-linux' : type === 'FARGATE_LINUX' ? 'fargate' : 'hybrid-node';
  const article = type.startsWith('E') ? 'an' : 'a';
  const reason = `username ${mapping.username}${type === 'EC2_WINDOWS' ? ` with ${WINDOWS_PROXY_GROUP}` : type === 'FARGATE_LINUX' ? ` with ${NODE_PROXIER}` : ''} is a node mapping: ${article} ${type} entry (EKS sets its username and groups)`;
  return { entry: { principalArn, type, kubernetesGroups: [], accessPolicies: [] }, rule, reason };
}

/** Any other mapping: STANDARD, same username and groups, `system:masters` as the cluster-admin policy. */
function standardEntryFor(mapping: MappingIdentity, principalArn: string): EntryForm {
  const account = parsePrincipalArn(principalArn).accountId;
  // {{AccountID}} always expands to the principal's own account: write it out.
  const expand = (s: string) => s.split('{{AccountID}}').join(account);
  const groups = mapping.groups.map(expand);
  const templated = groups.filter((g) => g.includes('{{'));
  if (templated.length > 0) {
    return blocked('template', `groups ${templated.join(', ')} use a template, and access entries take literal group names`, 'replace the template by the group names it stands for');
  }
  const otherSystem = groups.filter((g) => g.startsWith('system:') && g !== SYSTEM_MASTERS);
  if (otherSystem.length > 0) {
    return blocked('system-group', `groups ${otherSystem.join(', ')} start with system:, which access entries refuse (only ${SYSTEM_MASTERS} has an equivalent, the cluster-admin access policy)`,
      'bind what those groups grant to a group of your own (a ClusterRoleBinding naming it), and map that group instead');
  }
  const username = mapping.username === undefined || mapping.username === '' ? undefined : expand(mapping.username);
  const usernameProblem = username === undefined ? undefined : entryUsernameProblem(username);
  if (usernameProblem) {
    return usernameProblem;
  }
  const masters = groups.includes(SYSTEM_MASTERS);
  const entry: AccessEntrySpec = {
    principalArn,
    type: 'STANDARD',
    ...(username !== undefined ? { username } : {}),
    kubernetesGroups: groups.filter((g) => g !== SYSTEM_MASTERS),
    accessPolicies: masters ? [{ policyArn: clusterAdminPolicyArn(principalArn), accessScope: { type: 'cluster' } }] : [],
  };
  const problems = accessEntryProblems(entry);
  if (problems.length > 0) {
    return blocked('invalid-entry', `EKS would refuse the access entry: ${problems.join('; ')}`, 'change the mapping so that its access entry is valid');
  }
  const others = entry.kubernetesGroups.length > 0 ? `, keeping ${entry.kubernetesGroups.join(', ')}` : '';
  const reason = masters
    ? `${SYSTEM_MASTERS} becomes AmazonEKSClusterAdminPolicy at cluster scope${others}${username === undefined ? '; no username in aws-auth, so EKS sets its default' : ''}`
    : `a STANDARD entry with the same username and groups${username === undefined ? ' (no username in aws-auth, where Kubernetes gets an empty one: EKS sets its default)' : ''}`;
  return { entry, rule: masters ? 'cluster-admin' : 'standard', reason };
}

/** Why EKS would refuse `username` in an access entry, or undefined. */
function entryUsernameProblem(username: string): EntryForm | undefined {
  const prefix = RESERVED_USERNAME_PREFIXES.find((p) => username.startsWith(p));
  if (prefix) {
    return blocked('reserved-username', `username "${username}" starts with ${prefix}, which access entries reserve`,
      `choose a username without the prefix (e.g. "${username.slice(prefix.length)}") and update the RBAC bindings that name "${username}"`);
  }
  const templates = [...username.matchAll(/\{\{[^}]*\}\}/g)].map((m) => m[0]).filter((t) => !ENTRY_TEMPLATES.includes(t));
  if (templates.length > 0) {
    return blocked('template', `username "${username}" uses ${[...new Set(templates)].join(', ')}, which access-entry usernames do not take (only ${ENTRY_TEMPLATES.join(' and ')})`,
      'replace the template by a fixed text or {{SessionName}}, and update the RBAC bindings that name the user');
  }
  const session = username.indexOf('{{SessionName');
  if (session >= 0 && !username.slice(0, session).includes(':')) {
    return blocked('session-name-colon', `username "${username}" has no colon before {{SessionName}}, which access entries require`,
      `add one (e.g. "${username.slice(0, session).replace(/[-_.@]+$/, '')}:${username.slice(session)}") and update the RBAC bindings that name the user`);
  }
  return undefined;
}

function blocked(rule: MigrationRule, reason: string, fix: string): EntryForm {
  return { blocked: true, rule, reason, fix };
}
