/**
 * IAM's account quotas on the objects teams create (IAM User Guide, "IAM and AWS STS quotas", IAM
 * object quotas): by default 300 groups and 1,000 roles per account; Service Quotas raises them to
 * at most 500 groups and 5,000 roles. An app that creates more in one account fails to deploy when
 * CloudFormation reaches the quota, after part of it was created: warn at synth instead.
 * Internal: not part of the public API.
 */
import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** IAM's quotas per account: the default, and the most Service Quotas grants. */
export const IAM_QUOTAS = {
  'AWS::IAM::Role': { noun: 'roles', default: 1000, maximum: 5000 },
  'AWS::IAM::Group': { noun: 'groups', default: 300, maximum: 500 },
} as const;

type QuotaType = keyof typeof IAM_QUOTAS;

/** Accounts already warned about, per app (several ClusterAccess constructs warn once). */
const warned = new WeakMap<IConstruct, Set<string>>();

/**
 * Adds a warning to `access` for each IAM object type the app creates more of in `access`'s
 * account than IAM allows by default, once per app and account.
 */
export function warnOfIamQuotas(access: IConstruct): void {
  const root = access.node.root;
  const account = accountOf(access);
  const done = warned.get(root) ?? new Set<string>();
  warned.set(root, done);
  if (done.has(account)) {
    return;
  }
  done.add(account);
  const counts = countIamObjects(root, account);
  for (const type of Object.keys(IAM_QUOTAS) as QuotaType[]) {
    const quota = IAM_QUOTAS[type];
    const n = counts[type];
    if (n <= quota.default) {
      continue;
    }
    const where = account === UNKNOWN ? 'the account it deploys to' : `account ${account}`;
    const ceiling = n > quota.maximum
      ? `more than even the ${quota.maximum.toLocaleString('en-US')} Service Quotas grants at most: the deployment will fail`
      : `request an increase through Service Quotas (up to ${quota.maximum.toLocaleString('en-US')}) before deploying`;
    Annotations.of(access).addWarningV2('cdk-eks-access:iam-quota', `this app creates ${n.toLocaleString('en-US')} IAM ${quota.noun} in ${where}, more than the ${quota.default.toLocaleString('en-US')} IAM allows per account by default (and the account may hold others already); ${ceiling}. `
      + 'Teams need none of their own with an IAM Identity Center permission set (permissionSet), an existing role (role), an existing group (group) or no group (createGroup: false). See docs/quotas-and-batching.md');
  }
}

const UNKNOWN = 'unknown';

function accountOf(scope: IConstruct): string {
  const account = Stack.of(scope).account;
  return Token.isUnresolved(account) ? UNKNOWN : account;
}

function countIamObjects(root: IConstruct, account: string): Record<QuotaType, number> {
  const counts: Record<QuotaType, number> = { 'AWS::IAM::Role': 0, 'AWS::IAM::Group': 0 };
  for (const c of root.node.findAll()) {
    if (CfnResource.isCfnResource(c) && c.cfnResourceType in counts && accountOf(c) === account) {
      counts[c.cfnResourceType as QuotaType]++;
    }
  }
  return counts;
}
