import {
  AccessEntryView, awsAuthView, canCaller, ClusterAccessView, describeCaller, explainCaller, parseCanRequest, rbacAsDeployed,
  rbacFromManifests, reportCluster, summarizeRules,
} from '../../../lib/core/access';

const ACCOUNT = '111122223333';
const AWS_AUTH = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: aws-auth, namespace: kube-system}',
  'data:',
  '  mapRoles: |',
  `    - rolearn: arn:aws:iam::${ACCOUNT}:role/nodes`,
  '      username: system:node:{{EC2PrivateDNSName}}',
  '      groups: [system:bootstrappers, system:nodes]',
  `    - rolearn: arn:aws:iam::${ACCOUNT}:role/dev`,
  '      username: dev:{{SessionName}}',
  '      groups: [devs]',
  `    - rolearn: arn:aws:iam::${ACCOUNT}:role/Dev`,
  '      username: dev-late:{{SessionNameRaw}}',
  '      groups: [late]',
  `    - rolearn: arn:aws:iam::${ACCOUNT}:role/team/ci`,
  '      username: ci',
  '      groups: [ci]',
  '',
].join('\n');
const RBAC = rbacFromManifests([
  { kind: 'RoleBinding', metadata: { name: 'devs', namespace: 'dev' }, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'Group', name: 'devs' }] },
  { kind: 'ClusterRoleBinding', metadata: { name: 'late' }, roleRef: { kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'Group', name: 'late' }] },
]);

function view(mode: ClusterAccessView['mode'], accessEntries?: AccessEntryView[]): ClusterAccessView {
  return { description: 'test', mode, accessEntries, awsAuth: awsAuthView(AWS_AUTH, 'file aws-auth.yaml'), rbac: rbacAsDeployed(RBAC), rbacSource: 'manifests' };
}

const viewPolicy = (ns: string[]) => ({ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ns } });

describe('explain', () => {
  test('the last entry of an ARN wins, in any letter case; the earlier one is named with its file line', () => {
    const e = explainCaller(view('CONFIG_MAP'), describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/jo@example.com`));
    expect(e.identity).toMatchObject({ username: 'dev-late:jo@example.com', groups: ['late'], source: 'mapRoles[2] (line 12)' });
    expect(e.steps.find((s) => s.step === 'aws-auth')!.details).toContain('mapRoles[1] (line 9) also matches but is shadowed: the authenticator keeps the last entry for an ARN, mapRoles[2] (line 12)');
    expect(e.verdict).toBe('no-permissions');
    expect(e.summary).toBe('authenticates as "dev-late:jo@example.com" (groups late) but has no permissions: ClusterRole gone does not exist: the binding grants nothing');
  });

  test('a role ARN with a path in aws-auth never matches; the account fallback is not there, so the caller is denied', () => {
    const e = explainCaller(view('CONFIG_MAP'), describeCaller(`arn:aws:iam::${ACCOUNT}:role/team/ci`));
    expect(e.verdict).toBe('cannot-authenticate');
    expect(e.steps.find((s) => s.step === 'aws-auth')!.details.join('\n')).toContain('mapRoles[3] (line 15) names this role with a path');
    expect(e.caller).toMatchObject({ presented: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/session`, sampleSession: true });
  });

  test('{{EC2PrivateDNSName}} denies a session that is not an instance ID', () => {
    const e = explainCaller(view('CONFIG_MAP'), describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/nodes/not-an-instance`));
    expect(e.verdict).toBe('cannot-authenticate');
    expect(e.summary).toMatch(/needs a session named after an EC2 instance ID/);
    const node = explainCaller(view('CONFIG_MAP'), describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/nodes/i-0123456789abcdef0`));
    expect(node.identity?.username).toBe('system:node:<private DNS name of i-0123456789abcdef0>');
  });

  test('an access entry wins in API_AND_CONFIG_MAP, and its policy answers --can within its scope only', () => {
    const entries = [{ principalArn: `arn:aws:iam::${ACCOUNT}:role/platform/dev`, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [viewPolicy(['dev-*'])] }];
    const e = explainCaller(view('API_AND_CONFIG_MAP', entries), describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/jo`));
    expect(e.identity).toMatchObject({ mechanism: 'access-entry', username: `arn:aws:sts::${ACCOUNT}:assumed-role/dev/jo` });
    expect(canCaller(e, parseCanRequest('list', 'pods', 'dev-a').request)).toMatchObject({ allowed: true, by: 'EKS access policy' });
    expect(canCaller(e, parseCanRequest('list', 'pods', 'prod').request).allowed).toBe(false);
    expect(canCaller(e, parseCanRequest('get', 'secrets', 'dev-a').request).allowed).toBe(false);
  });

  test('mode API ignores aws-auth', () => {
    const e = explainCaller(view('API', []), describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/jo`));
    expect(e.summary).toBe(`cannot authenticate: no access entry for role dev of account ${ACCOUNT}, and mode API ignores aws-auth`);
  });

  test('RBAC: a RoleBinding to a ClusterRole applies in its namespace only', () => {
    const rbac = rbacAsDeployed(RBAC);
    const cm = AWS_AUTH.replace('groups: [late]', 'groups: [devs]');
    const v: ClusterAccessView = { ...view('CONFIG_MAP'), awsAuth: awsAuthView(cm, 'f'), rbac };
    const e = explainCaller(v, describeCaller(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/jo`));
    expect(canCaller(e, parseCanRequest('create', 'deploy', 'dev').request)).toMatchObject({ allowed: true, reason: 'RoleBinding dev/devs → ClusterRole edit (namespace dev) through Group devs' });
    expect(canCaller(e, parseCanRequest('create', 'deployments.apps', 'prod').request).allowed).toBe(false);
    expect(canCaller(e, parseCanRequest('get', '/version', undefined).request)).toMatchObject({ allowed: true, reason: 'ClusterRoleBinding system:discovery → ClusterRole system:discovery (cluster) through Group system:authenticated' });
  });
});

describe('parseCanRequest', () => {
  test('short names, groups, subresources and cluster-scoped resources', () => {
    expect(parseCanRequest('get', 'deploy/scale', 'a').request).toEqual({ verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'a' });
    expect(parseCanRequest('list', 'nodes', 'a')).toEqual({ request: { verb: 'list', apiGroup: '', resource: 'nodes' }, notes: ['nodes is cluster-scoped: -n a is ignored (as kubectl auth can-i does)'] });
    expect(parseCanRequest('get', 'widgets.example.com', 'a').request).toEqual({ verb: 'get', apiGroup: 'example.com', resource: 'widgets', namespace: 'a' });
  });
});

describe('report', () => {
  test('statuses and problems', () => {
    const entries = [{ principalArn: `arn:aws:iam::${ACCOUNT}:role/platform/dev`, type: 'STANDARD', kubernetesGroups: ['nobody-binds-this'], accessPolicies: [] }];
    const { rows, problems } = reportCluster(view('API_AND_CONFIG_MAP', entries));
    expect(rows.map((r) => `${r.mechanism} ${r.status}`)).toEqual([
      'access entry (STANDARD) active',
      'aws-auth mapRoles[0] (line 6) active',
      'aws-auth mapRoles[1] (line 9) shadowed',
      'aws-auth mapRoles[2] (line 12) overridden',
      'aws-auth mapRoles[3] (line 15) dead',
    ]);
    expect(problems.map((p) => p.kind)).toEqual(['no-permissions', 'shadowed', 'ignored', 'dead', 'unused-binding', 'unused-binding', 'missing-role']);
  });
});

test('summarizeRules: one line per verb set, core resources first', () => {
  expect(summarizeRules([{ verbs: ['get'], apiGroups: ['apps', ''], resources: ['deployments', 'pods'] }])).toEqual(['get: deployments, pods, deployments.apps, pods.apps']);
  expect(summarizeRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])).toEqual(['every verb: every resource']);
});
