import { fixture } from './fixtures';
import { AccessConfigError } from '../../../lib/core/arn';
import {
  addAccount, addIdentityMapping, addServiceMapping, emptyAwsAuth, emrContainersRbac, loadAwsAuth, removeAccount, removeIdentityMapping,
} from '../../../lib/core/aws-auth';

const ROLE = 'arn:aws:iam::111122223333:role/dev';
const base = loadAwsAuth(fixture('aws-auth-eksctl.yaml'));

/** A deep copy to prove the input was not mutated. */
const snapshot = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('addIdentityMapping', () => {
  test('appends a role mapping, keeping every other entry and the metadata', () => {
    const before = snapshot(base);
    const { configMap, changed, warnings } = addIdentityMapping(base, { arn: ROLE, username: 'dev', groups: ['developers'] });
    expect(changed).toBe(true);
    expect(warnings).toEqual([]);
    expect(configMap.mapRoles).toEqual([...base.mapRoles, { rolearn: ROLE, username: 'dev', groups: ['developers'] }]);
    expect(configMap.metadata).toEqual(base.metadata);
    expect(snapshot(base)).toEqual(before);
  });

  test('a user ARN goes to mapUsers', () => {
    const { configMap } = addIdentityMapping(emptyAwsAuth(), { arn: 'arn:aws:iam::111122223333:user/team/carol', username: 'carol' });
    expect(configMap.mapUsers).toEqual([{ userarn: 'arn:aws:iam::111122223333:user/team/carol', username: 'carol' }]);
  });

  test('a mapping without a username is added with a warning: Kubernetes would get an empty username', () => {
    const { configMap, warnings } = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, groups: ['developers'] });
    expect(configMap.mapRoles).toEqual([{ rolearn: ROLE, groups: ['developers'] }]);
    expect(warnings).toEqual([`no username for "${ROLE}": the authenticator has no default and hands Kubernetes an empty username (give one, e.g. the ARN or a {{SessionName}} template)`]);
  });

  test('a duplicate ARN is appended with a warning: the new mapping shadows the old', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'a' }).configMap;
    const twice = addIdentityMapping(once, { arn: ROLE, username: 'b' });
    expect(twice.configMap.mapRoles.map((r) => r.username)).toEqual(['a', 'b']);
    expect(twice.warnings).toEqual([`"${ROLE}" is already mapped (mapRoles[0]); the new mapping shadows it`]);
  });

  test('noDuplicateArns refuses a different mapping of the same ARN and skips an identical one', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'a', groups: ['g'] }).configMap;
    expect(() => addIdentityMapping(once, { arn: ROLE, username: 'b', noDuplicateArns: true })).toThrow(`"${ROLE}" is already mapped (mapRoles[0]) and duplicate ARNs are refused`);
    const same = addIdentityMapping(once, { arn: ROLE, username: 'a', groups: ['g'], noDuplicateArns: true });
    expect(same.changed).toBe(false);
    expect(same.configMap).toBe(once);
  });

  test('noDuplicateArns: the same groups in another order are the same mapping (eksctl compares them sorted)', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'a', groups: ['g1', 'g2'] }).configMap;
    const same = addIdentityMapping(once, { arn: ROLE, username: 'a', groups: ['g2', 'g1'], noDuplicateArns: true });
    expect(same).toEqual({ configMap: once, changed: false, warnings: [`an identical mapping for "${ROLE}" already exists (mapRoles[0]); nothing to do`] });
  });

  test('noDuplicateArns compares ARNs case-insensitively: a case variant that would shadow the original is refused', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: 'arn:aws:iam::111122223333:role/Contractor', username: 'c', groups: ['system:masters'] }).configMap;
    expect(() => addIdentityMapping(once, { arn: 'arn:aws:iam::111122223333:role/contractor', username: 'x', noDuplicateArns: true })).toThrow('is already mapped (mapRoles[0]) and duplicate ARNs are refused');
    expect(addIdentityMapping(once, { arn: 'arn:aws:iam::111122223333:role/contractor', username: 'c', groups: ['system:masters'], noDuplicateArns: true }).changed).toBe(false);
  });

  test('noDuplicateArns: as in eksctl, the first existing mapping of the ARN decides', () => {
    const two = loadAwsAuth({ mapRoles: `- rolearn: ${ROLE}\n  username: a\n- rolearn: ${ROLE}\n  username: b\n` });
    expect(() => addIdentityMapping(two, { arn: ROLE, username: 'b', noDuplicateArns: true })).toThrow('already mapped (mapRoles[0], mapRoles[1])');
    expect(addIdentityMapping(two, { arn: ROLE, username: 'a', noDuplicateArns: true }).changed).toBe(false);
  });

  test('a mapping with neither a username nor a group is refused, as eksctl refuses it', () => {
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: ROLE })).toThrow(`a mapping of "${ROLE}" needs a username or at least one group`);
  });

  test('a role ARN with a path is refused, offering the canonical form', () => {
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: 'arn:aws:iam::111122223333:role/team/dev', username: 'dev' })).toThrow(
      'role ARN "arn:aws:iam::111122223333:role/team/dev" has the path "/team/": aws-auth matches roles by name only; use "arn:aws:iam::111122223333:role/dev"',
    );
  });

  test('not a role or user ARN', () => {
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: 'arn:aws:sts::111122223333:assumed-role/dev/s', username: 'x' })).toThrow(AccessConfigError);
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: 'nope', username: 'x' })).toThrow(/"nope" is not an ARN/);
  });
});

describe('removeIdentityMapping', () => {
  const three = [
    { arn: ROLE, username: 'first' },
    { arn: 'arn:aws:iam::111122223333:role/other', username: 'other' },
    { arn: ROLE, username: 'second' },
    { arn: ROLE, username: 'third' },
  ].reduce((cm, r) => addIdentityMapping(cm, r).configMap, emptyAwsAuth());

  test('removes the first match (FIFO) and says how many remain', () => {
    const { configMap, warnings } = removeIdentityMapping(three, ROLE);
    expect(configMap.mapRoles.map((r) => r.username)).toEqual(['other', 'second', 'third']);
    expect(warnings).toEqual([`2 more mappings of "${ROLE}" remain (use all to remove every one)`]);
  });

  test('with all, removes every match', () => {
    const { configMap, warnings } = removeIdentityMapping(three, ROLE, { all: true });
    expect(configMap.mapRoles.map((r) => r.username)).toEqual(['other']);
    expect(warnings).toEqual([]);
  });

  test('matches ARNs case-insensitively, as the authenticator does: deleting role/contractor removes role/Contractor', () => {
    const cm = loadAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/Contractor\n  username: c\n  groups: [system:masters]\n- rolearn: arn:aws:iam::111122223333:role/other\n  username: o\n' });
    const { configMap, changed } = removeIdentityMapping(cm, 'arn:aws:iam::111122223333:role/contractor', { all: true });
    expect(changed).toBe(true);
    expect(configMap.mapRoles.map((r) => r.username)).toEqual(['o']);
  });

  test('a missing ARN is an error without all, a no-op with all', () => {
    expect(() => removeIdentityMapping(three, 'arn:aws:iam::111122223333:role/none')).toThrow('no mapping for "arn:aws:iam::111122223333:role/none" in aws-auth');
    expect(removeIdentityMapping(three, 'arn:aws:iam::111122223333:role/none', { all: true }).changed).toBe(false);
  });

  test('roles are searched before users, and unknown fields of other entries survive', () => {
    const cm = loadAwsAuth(fixture('aws-auth-eksctl.yaml'));
    const { configMap } = removeIdentityMapping(cm, 'arn:aws:iam::444455556666:role/eksctl-prod-nodegroup-ng-1-NodeInstanceRole-9Z8Y7X6W5V4U');
    expect(configMap.mapRoles).toEqual([cm.mapRoles[1]]);
    expect(configMap.mapRoles[0].extra).toEqual({ note: 'added by the platform team' });
  });
});

describe('accounts', () => {
  test('add appends; adding a present account changes nothing', () => {
    const one = addAccount(emptyAwsAuth(), '111122223333').configMap;
    const two = addAccount(one, '012345678901');
    expect(two.configMap.mapAccounts).toEqual(['111122223333', '012345678901']);
    expect(addAccount(two.configMap, '111122223333').changed).toBe(false);
  });

  test('invalid account IDs are refused', () => {
    expect(() => addAccount(emptyAwsAuth(), '1234')).toThrow('"1234" is not a 12-digit AWS account ID');
  });

  test('remove removes it, and a missing account is an error', () => {
    const cm = addAccount(addAccount(emptyAwsAuth(), '111122223333').configMap, '444455556666').configMap;
    expect(removeAccount(cm, '111122223333').configMap.mapAccounts).toEqual(['444455556666']);
    expect(() => removeAccount(cm, '999999999999')).toThrow('account "999999999999" is not in mapAccounts');
  });
});

describe('addServiceMapping (emr-containers)', () => {
  test('maps the service-linked role to emr-containers and returns the Role and RoleBinding for the namespace', () => {
    const { configMap, manifests, changed } = addServiceMapping(base, { serviceName: 'emr-containers', namespace: 'spark', accountId: '444455556666' });
    expect(changed).toBe(true);
    expect(configMap.mapRoles.slice(-1)).toEqual([{ rolearn: 'arn:aws:iam::444455556666:role/AWSServiceRoleForAmazonEMRContainers', username: 'emr-containers' }]);
    expect(manifests.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['Role spark/emr-containers', 'RoleBinding spark/emr-containers']);
    expect(manifests[1]).toMatchObject({ roleRef: { kind: 'Role', name: 'emr-containers' }, subjects: [{ kind: 'User', name: 'emr-containers' }] });
    const rules = (manifests[0] as any).rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    expect(rules.find((r) => r.resources.includes('secrets'))?.verbs).toEqual(['create', 'patch', 'delete', 'watch']);
    expect(rules.find((r) => r.resources.includes('jobs'))?.apiGroups).toEqual(['batch']);
    // As eksctl's emr-containers Role: EMR manages the claims of jobs with dynamic volumes.
    expect(rules.find((r) => r.resources.includes('persistentvolumeclaims'))).toEqual({ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'list', 'delete', 'deletecollection'] });

    // Ingresses left `extensions` in Kubernetes 1.22: without `networking.k8s.io` EMR could not manage them.
    expect(rules.find((r) => r.resources.includes('ingresses'))?.apiGroups).toEqual(['extensions', 'networking.k8s.io']);
  });

  test('the Role and RoleBinding are eksctl\'s pkg/authconfigmap/assets/emr-containers-rbac.yaml (v0.230.0), rule for rule', () => {
    const all = ['get', 'list', 'watch', 'describe', 'create', 'edit', 'delete', 'annotate', 'patch', 'label'];
    const allWithCollection = ['get', 'list', 'watch', 'describe', 'create', 'edit', 'delete', 'deletecollection', 'annotate', 'patch', 'label'];
    expect(emrContainersRbac('spark')).toEqual([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'emr-containers', namespace: 'spark' },
        rules: [
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
          { apiGroups: [''], resources: ['serviceaccounts', 'services', 'configmaps', 'events', 'pods', 'pods/log'], verbs: allWithCollection },
          { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'patch', 'delete', 'watch'] },
          { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: all },
          { apiGroups: ['batch'], resources: ['jobs'], verbs: all },
          { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses'], verbs: all },
          { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: allWithCollection },
          { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'list', 'delete', 'deletecollection'] },
          { apiGroups: ['scheduling.volcano.sh'], resources: ['podgroups'], verbs: ['get', 'list', 'watch', 'create', 'delete', 'update'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'emr-containers', namespace: 'spark' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'emr-containers' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'emr-containers' }],
      },
    ]);
  });

  test('the mapping is skipped only when the same ARN is mapped to emr-containers (eksctl\'s AddIdentityIfNotPresent predicate)', () => {
    const request = { serviceName: 'emr-containers', namespace: 'a', accountId: '111122223333' };
    const rolearn = 'arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers';
    const same = addServiceMapping(loadAwsAuth({ mapRoles: `- rolearn: ${rolearn}\n  username: emr-containers\n` }), request);
    expect(same).toMatchObject({ changed: false, warnings: [`${rolearn} is already mapped to emr-containers`] });
    for (const other of [`- rolearn: ${rolearn}\n  username: someone-else\n`, '- rolearn: arn:aws:iam::111122223333:role/other\n  username: emr-containers\n']) {
      const result = addServiceMapping(loadAwsAuth({ mapRoles: other }), request);
      expect(result).toMatchObject({ changed: true, warnings: [] });
      expect(result.configMap.mapRoles.slice(-1)).toEqual([{ rolearn, username: 'emr-containers' }]);
    }
  });

  test('a second namespace adds RBAC only', () => {
    const first = addServiceMapping(emptyAwsAuth(), { serviceName: 'emr-containers', namespace: 'a', accountId: '111122223333', partition: 'aws-cn' }).configMap;
    expect(first.mapRoles[0].rolearn).toBe('arn:aws-cn:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers');
    const second = addServiceMapping(first, { serviceName: 'emr-containers', namespace: 'b', accountId: '111122223333', partition: 'aws-cn' });
    expect(second.changed).toBe(false);
    expect(second.manifests[0].metadata.namespace).toBe('b');
  });

  test('unknown services, missing or invalid namespaces and accounts are refused', () => {
    expect(() => addServiceMapping(emptyAwsAuth(), { serviceName: 'batch', namespace: 'a', accountId: '111122223333' })).toThrow('unknown service name "batch" (valid: emr-containers)');
    expect(() => addServiceMapping(emptyAwsAuth(), { serviceName: 'emr-containers', namespace: '', accountId: '111122223333' })).toThrow('a namespace is required for emr-containers');
    expect(() => addServiceMapping(emptyAwsAuth(), { serviceName: 'emr-containers', namespace: 'Bad_NS', accountId: '111122223333' })).toThrow('"Bad_NS" is not a valid namespace name');
    expect(() => addServiceMapping(emptyAwsAuth(), { serviceName: 'emr-containers', namespace: 'a', accountId: 'x' })).toThrow('"x" is not a 12-digit AWS account ID');
  });
});

describe('edits: the remaining rules, word for word', () => {
  const USER = 'arn:aws:iam::111122223333:user/alice';

  test('one mapping left is named in the singular', () => {
    const two = [{ arn: ROLE, username: 'a' }, { arn: ROLE, username: 'b' }].reduce((cm, r) => addIdentityMapping(cm, r).configMap, emptyAwsAuth());
    expect(removeIdentityMapping(two, ROLE)).toStrictEqual({
      configMap: { ...two, mapRoles: [{ rolearn: ROLE, username: 'b' }] },
      changed: true,
      warnings: [`1 more mapping of "${ROLE}" remains (use all to remove every one)`],
    });
  });

  test('removing with all when nothing matches says so', () => {
    expect(removeIdentityMapping(emptyAwsAuth(), ROLE, { all: true })).toStrictEqual({
      configMap: emptyAwsAuth(), changed: false, warnings: [`no mapping for "${ROLE}"; nothing to do`],
    });
  });

  test('a user mapping is removed from mapUsers, roles untouched', () => {
    const cm = addIdentityMapping(addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'r' }).configMap, { arn: USER, username: 'u' }).configMap;
    expect(removeIdentityMapping(cm, USER).configMap).toStrictEqual({ ...cm, mapUsers: [] });
  });

  test('noDuplicateArns: the same username but other groups, or the ARN in the other section, is not the same mapping', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'a', groups: ['x'] }).configMap;
    expect(() => addIdentityMapping(once, { arn: ROLE, username: 'a', groups: ['x', 'y'], noDuplicateArns: true })).toThrow(AccessConfigError);
    expect(() => addIdentityMapping(once, { arn: ROLE, username: 'a', groups: ['y'], noDuplicateArns: true })).toThrow(AccessConfigError);
    const asUser = loadAwsAuth({ mapUsers: `- userarn: ${ROLE}\n  username: a\n  groups: [x]\n` });
    expect(() => addIdentityMapping(asUser, { arn: ROLE, username: 'a', groups: ['x'], noDuplicateArns: true }))
      .toThrow(`"${ROLE}" is already mapped (mapUsers[0]) and duplicate ARNs are refused`);
  });

  test('noDuplicateArns: no username on either side is the same username', () => {
    const once = addIdentityMapping(emptyAwsAuth(), { arn: ROLE, groups: ['x'] }).configMap;
    expect(addIdentityMapping(once, { arn: ROLE, groups: ['x'], noDuplicateArns: true }).changed).toBe(false);
    expect(() => addIdentityMapping(once, { arn: ROLE, username: 'x', groups: ['x'], noDuplicateArns: true })).toThrow(AccessConfigError);
  });

  test('an empty username with groups is written as given, with the warning', () => {
    expect(addIdentityMapping(emptyAwsAuth(), { arn: USER, username: '', groups: ['g'] })).toStrictEqual({
      configMap: { ...emptyAwsAuth(), mapUsers: [{ userarn: USER, username: '', groups: ['g'] }] },
      changed: true,
      warnings: [`no username for "${USER}": the authenticator has no default and hands Kubernetes an empty username (give one, e.g. the ARN or a {{SessionName}} template)`],
    });
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: USER, username: '', groups: [] }))
      .toThrow(`a mapping of "${USER}" needs a username or at least one group: with neither it maps the caller to nothing`);
  });

  test('an entry without groups gets no groups key', () => {
    expect(addIdentityMapping(emptyAwsAuth(), { arn: ROLE, username: 'r' }).configMap.mapRoles).toStrictEqual([{ rolearn: ROLE, username: 'r' }]);
  });

  test('a role ARN with a path: the message names the path and the form to use', () => {
    expect(() => addIdentityMapping(emptyAwsAuth(), { arn: 'arn:aws:iam::111122223333:role/team/dev', username: 'dev' }))
      .toThrow('role ARN "arn:aws:iam::111122223333:role/team/dev" has the path "/team/": aws-auth matches roles by name only; use "arn:aws:iam::111122223333:role/dev"');
  });

  test('accounts: an account listed twice is removed everywhere; adding a present one says so', () => {
    const cm = { ...emptyAwsAuth(), mapAccounts: ['111122223333', '444455556666', '111122223333'] };
    expect(removeAccount(cm, '111122223333')).toStrictEqual({ configMap: { ...cm, mapAccounts: ['444455556666'] }, changed: true, warnings: [] });
    expect(addAccount(cm, '444455556666')).toStrictEqual({ configMap: cm, changed: false, warnings: ['account 444455556666 is already in mapAccounts; nothing to do'] });
    expect(addAccount(cm, '777788889999')).toStrictEqual({ configMap: { ...cm, mapAccounts: [...cm.mapAccounts, '777788889999'] }, changed: true, warnings: [] });
  });
});

describe('edits: sections and entries without an ARN', () => {
  const USER = 'arn:aws:iam::111122223333:user/alice';
  const withSso = loadAwsAuth({
    mapRoles: '- sso: {permissionSetName: Admin, accountID: "111122223333"}\n  username: sso\n',
    mapUsers: `- userarn: ${USER}\n  username: alice\n  groups: [b, a]\n`,
  });

  test('an identical user mapping is recognised under --no-duplicate-arns, groups in any order', () => {
    expect(addIdentityMapping(withSso, { arn: USER, username: 'alice', groups: ['a', 'b'], noDuplicateArns: true })).toStrictEqual({
      configMap: withSso, changed: false, warnings: [`an identical mapping for "${USER}" already exists (mapUsers[0]); nothing to do`],
    });
  });

  test('entries without an ARN (SSO matchers) are passed over by add and remove', () => {
    const added = addIdentityMapping(withSso, { arn: ROLE, groups: ['g'] });
    expect(added.configMap.mapRoles).toStrictEqual([withSso.mapRoles[0], { rolearn: ROLE, groups: ['g'] }]);
    expect(removeIdentityMapping(added.configMap, ROLE).configMap).toStrictEqual(withSso);
  });

  test('removing a role keeps every user entry; two earlier mappings are both named', () => {
    const twice = addIdentityMapping(addIdentityMapping(withSso, { arn: USER, username: 'x' }).configMap, { arn: USER, username: 'y' });
    expect(twice.warnings).toEqual([`"${USER}" is already mapped (mapUsers[0], mapUsers[1]); the new mapping shadows it`]);
    const withRole = addIdentityMapping(withSso, { arn: ROLE, username: 'r' }).configMap;
    expect(removeIdentityMapping(withRole, ROLE).configMap.mapUsers).toStrictEqual(withSso.mapUsers);
  });
});
