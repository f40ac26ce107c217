/**
 * A realistic aws-auth of a cluster about to move to access entries, in the test harness's account:
 * self-managed nodes, a managed node group, admins, teams, an IAM Identity Center role, a partner
 * role of another account and that account itself, EMR on EKS's service-linked role, an IAM user,
 * and an old entry that a later one shadows. Roles that have a path in IAM appear without it, as
 * aws-auth requires.
 */
export const ACCOUNT = '111122223333';
export const PARTNER_ACCOUNT = '444455556666';

/** Full ARNs (path included) of the principals, as IAM and access entries name them. */
export const PRINCIPALS = {
  node: `arn:aws:iam::${ACCOUNT}:role/eks-node-role`,
  managedNodeGroup: `arn:aws:iam::${ACCOUNT}:role/eks-managed-ng-role`,
  admin: `arn:aws:iam::${ACCOUNT}:role/platform/cluster-admin`,
  dev: `arn:aws:iam::${ACCOUNT}:role/teams/dev/developer`,
  viewer: `arn:aws:iam::${ACCOUNT}:role/viewer`,
  sso: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef`,
  ops: `arn:aws:iam::${ACCOUNT}:user/ops/olga`,
  partner: `arn:aws:iam::${PARTNER_ACCOUNT}:role/outsider`,
  emr: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers`,
} as const;

/** The `data` of the ConfigMap. */
export const REALISTIC_AWS_AUTH: Record<'mapRoles' | 'mapUsers' | 'mapAccounts', string> = {
  mapRoles: `- rolearn: arn:aws:iam::${ACCOUNT}:role/eks-node-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::${ACCOUNT}:role/eks-managed-ng-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::${ACCOUNT}:role/cluster-admin
  username: admin:{{SessionName}}
  groups:
    - system:masters
    - platform-admins
- rolearn: arn:aws:iam::${ACCOUNT}:role/Viewer
  username: old-viewer
  groups:
    - old-viewers
- rolearn: arn:aws:iam::${ACCOUNT}:role/developer
  username: dev:{{SessionName}}
  groups:
    - developers
- rolearn: arn:aws:iam::${ACCOUNT}:role/viewer
  username: viewer:{{SessionName}}
  groups:
    - viewers
- rolearn: arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_PlatformAdmin_0123456789abcdef
  username: sso-admin:{{SessionName}}
  groups:
    - system:masters
- rolearn: arn:aws:iam::${PARTNER_ACCOUNT}:role/outsider
  username: partner:{{SessionName}}
  groups:
    - partners
- rolearn: arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonEMRContainers
  username: emr-containers
`,
  mapUsers: `- userarn: arn:aws:iam::${ACCOUNT}:user/ops/olga
  username: olga
  groups:
    - ops
`,
  mapAccounts: `- "${PARTNER_ACCOUNT}"
`,
};

/** The whole ConfigMap as kubectl prints it. */
export function realisticConfigMapYaml(): string {
  const indent = (text: string) => text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: aws-auth',
    '  namespace: kube-system',
    'data:',
    '  mapRoles: |',
    indent(REALISTIC_AWS_AUTH.mapRoles),
    '  mapUsers: |',
    indent(REALISTIC_AWS_AUTH.mapUsers),
    '  mapAccounts: |',
    indent(REALISTIC_AWS_AUTH.mapAccounts),
    '',
  ].join('\n');
}
