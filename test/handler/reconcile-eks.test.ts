/**
 * The reconciler against the stateful EKS fake (real SDK, real HTTP on 127.0.0.1) and an
 * in-memory Kubernetes API: access entries, adoption, policies, modes, retries, ownership.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { DEV_ROLE, entry, HANDLER_ROLE, NODE_ROLE, OPS_USER, policy, request, run, state, teamRbac, VIEWER_ROLE } from './fixtures';
import { MemoryKube } from './memory-kube';
import { AWS_AUTH_OWNERS_ANNOTATION, OWNER_KEY } from '../../lib/core/desired-state';
import { HANDLER_ENTRY_TAG } from '../../lib/io/access-entries';
import { AWS_AUTH_PATH } from '../../lib/io/aws-auth-store';
import { objectPath } from '../../lib/io/kubernetes-api';
import { EksFake, faults, startEksFake } from '../support/eks-fake';

let fake: EksFake;
let eksClient: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ region: 'us-east-1' });
  eksClient = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  eksClient.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

const CREATOR = 'arn:aws:iam::111122223333:role/cluster-creator';
const devEntry = entry(DEV_ROLE, { kubernetesGroups: ['dev'], accessPolicies: [{ policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['dev'] } }] });
const writes = () => fake.calls.calls({ write: true });

describe('access entries', () => {
  test('Create: creates entries tagged with the owner, grants the handler admin, replays with zero writes', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    const desired = state({ accessEntries: [devEntry, entry(NODE_ROLE, { type: 'EC2_LINUX' })] });
    const kube = new MemoryKube();
    const first = await run(request('Create', desired), { eksClient, kube });
    expect(first.mechanism).toBe('ACCESS_ENTRIES');
    const dev = fake.state.accessEntry('dev-cluster', DEV_ROLE)!;
    expect(dev.tags[OWNER_KEY]).toBe('stack-a.access');
    expect(dev.kubernetesGroups).toEqual(['dev']);
    expect(dev.accessPolicies.map((p) => [p.policyArn, p.accessScope])).toEqual([[policy('AmazonEKSViewPolicy'), { type: 'namespace', namespaces: ['dev'] }]]);
    const self = fake.state.accessEntry('dev-cluster', HANDLER_ROLE)!;
    expect(self.tags[HANDLER_ENTRY_TAG]).toBe('true');
    expect(self.accessPolicies.map((p) => p.policyArn)).toEqual([policy('AmazonEKSClusterAdminPolicy')]);
    expect(kube.writes(AWS_AUTH_PATH)).toBe(0); // API mode: no aws-auth

    fake.calls.clear();
    const replay = await run(request('Update', desired), { eksClient, kube });
    expect(writes()).toEqual([]);
    expect(replay.accessEntryWrites).toBe(0);
  });

  test('adopts an entry that already exists instead of failing, and leaves it on Delete', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    // The cluster creator's entry (AmazonEKSClusterAdminPolicy) exists; the desired state lists it too.
    const desired = state({ accessEntries: [entry(CREATOR, { kubernetesGroups: ['platform'], accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] })] });
    const kube = new MemoryKube();
    const outcome = await run(request('Create', desired), { eksClient, kube });
    expect(outcome.adoptedAccessEntries).toEqual([CREATOR]);
    expect(fake.state.accessEntry('dev-cluster', CREATOR)!.kubernetesGroups).toEqual(['platform']);
    expect(fake.state.accessEntry('dev-cluster', CREATOR)!.tags[OWNER_KEY]).toBeUndefined();
    expect(fake.calls.calls({ operation: 'CreateAccessEntry', principalArn: CREATOR })).toEqual([]);

    await run(request('Delete', desired), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', CREATOR)).toBeDefined();
    expect(fake.state.accessEntry('dev-cluster', HANDLER_ROLE)).toBeUndefined(); // its own entry goes last
  });

  test('adopts an entry created between the read and the create (ResourceInUseException)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    // Someone creates the same entry after the handler listed the entries, just before its create.
    const racing = {
      send: (command: { constructor: { name: string }; input: { principalArn?: string } }) => {
        if (command.constructor.name === 'CreateAccessEntryCommand' && command.input.principalArn === DEV_ROLE && !fake.state.accessEntry('dev-cluster', DEV_ROLE)) {
          fake.state.seedAccessEntry('dev-cluster', { principalArn: DEV_ROLE, kubernetesGroups: ['old'] });
        }
        return eksClient.send(command as never);
      },
    } as unknown as EKSClient;
    const outcome = await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient: racing, kube: new MemoryKube() });
    expect(fake.calls.calls({ operation: 'CreateAccessEntry', principalArn: DEV_ROLE }).map((c) => c.errorName)).toEqual(['ResourceInUseException']);
    expect(outcome.adoptedAccessEntries).toEqual([DEV_ROLE]);
    const dev = fake.state.accessEntry('dev-cluster', DEV_ROLE)!;
    // Adopted: the desired group is added, the group it had stays (a warning says so).
    expect(dev.kubernetesGroups).toEqual(['old', 'dev']);
    expect(outcome.warnings).toContainEqual(expect.stringMatching(/adopted access entry .*: Kubernetes groups old are not desired but stay/));
    expect(dev.accessPolicies.map((p) => p.policyArn)).toEqual([policy('AmazonEKSViewPolicy')]);
    expect(dev.tags[OWNER_KEY]).toBeUndefined();
  });

  test('Update: scope change is one AssociateAccessPolicy; removed team deleted; foreign entries untouched', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', accessEntries: [{ principalArn: OPS_USER, tags: { [OWNER_KEY]: 'another-stack' } }] });
    const kube = new MemoryKube();
    const viewer = entry(VIEWER_ROLE, { kubernetesGroups: ['viewers'] });
    await run(request('Create', state({ accessEntries: [devEntry, viewer] })), { eksClient, kube });
    fake.calls.clear();
    const wider = entry(DEV_ROLE, { kubernetesGroups: ['dev'], accessPolicies: [{ policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['dev', 'staging'] } }] });
    await run(request('Update', state({ accessEntries: [wider] })), { eksClient, kube });
    expect(writes().map((c) => `${c.operation} ${c.principalArn}`)).toEqual([`AssociateAccessPolicy ${DEV_ROLE}`, `DeleteAccessEntry ${VIEWER_ROLE}`]);
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)!.accessPolicies[0].accessScope).toEqual({ type: 'namespace', namespaces: ['dev', 'staging'] });
    expect(fake.state.accessEntry('dev-cluster', OPS_USER)).toBeDefined();
  });

  test('a type change of an owned entry is delete + create', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', accessEntries: [{ principalArn: NODE_ROLE, type: 'EC2_LINUX' }] });
    const kube = new MemoryKube();
    await run(request('Create', state({ accessEntries: [entry(NODE_ROLE + '-2', { type: 'STANDARD' })] })), { eksClient, kube });
    fake.calls.clear();
    await run(request('Update', state({ accessEntries: [entry(NODE_ROLE + '-2', { type: 'EC2_LINUX' })] })), { eksClient, kube });
    expect(writes().map((c) => c.operation)).toEqual(['DeleteAccessEntry', 'CreateAccessEntry']);
    expect(fake.state.accessEntry('dev-cluster', NODE_ROLE + '-2')!.type).toBe('EC2_LINUX');
  });

  test('a type change of an entry it does not own fails before any write of the desired state, and says what was written', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', accessEntries: [{ principalArn: NODE_ROLE, type: 'STANDARD' }] });
    // The handler's own entry comes first: without it, it could not read the other owners' records.
    await expect(run(request('Create', state({ accessEntries: [entry(NODE_ROLE, { type: 'EC2_LINUX' })] })), { eksClient, kube: new MemoryKube() }))
      .rejects.toThrow(/exists with type STANDARD[\s\S]*Already written by this run before the refusal: the handler's own cluster-admin access entry/);
    expect(writes().map((c) => `${c.operation} ${c.principalArn}`)).toEqual([`CreateAccessEntry ${HANDLER_ROLE}`, `AssociateAccessPolicy ${HANDLER_ROLE}`]);
  });

  test('throttling and 5xx are retried by error name; a principal IAM has not propagated is retried', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.injectFault(faults.throttling('ListAccessEntries', 2));
    fake.injectFault(faults.internalFailure('DescribeCluster', 1));
    fake.injectFault(faults.serviceUnavailable('AssociateAccessPolicy', 1));
    fake.injectFault(faults.principalNotPropagated(DEV_ROLE, 2));
    const outcome = await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube() });
    expect(outcome.accessEntryWrites).toBeGreaterThan(0);
    // The handler's own entry first (it is missing: ResourceNotFoundException), then the desired ones.
    expect(fake.calls.calls({ ok: false }).map((c) => c.errorName)).toEqual(['InternalFailure', 'ResourceNotFoundException', 'ServiceUnavailableException', 'ThrottlingException', 'ThrottlingException', 'InvalidParameterException', 'InvalidParameterException']);
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)).toBeDefined();
  });

  test('an entry not visible yet right after its creation is retried (eventual consistency)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.injectFault(faults.entryNotFoundYet(DEV_ROLE, 'AssociateAccessPolicy', 2));
    await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube() });
    expect(fake.calls.calls({ operation: 'AssociateAccessPolicy', principalArn: DEV_ROLE }).map((c) => c.errorName ?? 'ok')).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ok']);
  });

  test('a refusal from Kubernetes (RBAC conflict, unparsable aws-auth) comes before any access entry is written', async () => {
    const admin = [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' as const } }];
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP', accessEntries: [{ principalArn: HANDLER_ROLE, accessPolicies: admin }] });
    const kube = new MemoryKube();
    const [namespace, role] = teamRbac('dev');
    kube.objects.set(objectPath('Role', role.metadata.name, 'dev'), { ...role, metadata: { ...role.metadata, labels: { [OWNER_KEY]: 'someone-else' } } } as never);
    await expect(run(request('Create', state({ accessEntries: [devEntry], manifests: [namespace, role] })), { eksClient, kube })).rejects.toThrow(/belongs to another access configuration \(someone-else\)/);
    kube.objects.clear();
    // This owner wrote to aws-auth before (it must remove its entries now), and someone broke it.
    const owners = { [AWS_AUTH_OWNERS_ANNOTATION]: JSON.stringify({ 'stack-a.access': { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/developer' }] } }) };
    kube.seedAwsAuth({ mapRoles: '- rolearn: [broken\n' }, owners);
    await expect(run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube })).rejects.toThrow(/aws-auth ConfigMap in kube-system cannot be read safely/);
    expect(writes()).toEqual([]);
    expect(kube.writes()).toBe(0);
  });

  test('an aws-auth it never wrote to is none of its business on an access-entry cluster, even when broken', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapRoles: '- rolearn: [broken\n' });
    await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)).toBeDefined();
    expect(kube.writes(AWS_AUTH_PATH)).toBe(0);
  });

  test('a principal that never appears fails with a clear message', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    fake.injectFault(faults.principalNotPropagated(DEV_ROLE, 100));
    await expect(run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube(), timeoutMs: 3_000 }))
      .rejects.toThrow(/EKS does not accept arn:aws:iam::111122223333:role\/teams\/dev\/developer/);
  });

  test('a missing cluster: Create fails naming it; Delete succeeds with nothing to do', async () => {
    await expect(run(request('Create', state()), { eksClient, kube: new MemoryKube() })).rejects.toThrow(/EKS cluster "dev-cluster" does not exist/);
    const outcome = await run(request('Delete', state()), { eksClient, kube: new MemoryKube() });
    expect(outcome.mechanism).toBe('NONE');
    expect(outcome.warnings).toEqual([expect.stringContaining('no longer exists')]);
  });

  test('lockout: refuses deleting the last node entry it owns, before any write', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    const kube = new MemoryKube();
    await run(request('Create', state({ accessEntries: [entry(NODE_ROLE, { type: 'EC2_LINUX' })] })), { eksClient, kube });
    fake.calls.clear();
    await expect(run(request('Update', state({ accessEntries: [] })), { eksClient, kube }))
      .rejects.toThrow(/^refusing the change, which was not written: .*last node mapping.*\. Nothing of this configuration's identities or RBAC was written\.$/s);
    expect(writes()).toEqual([]);
  });

  test('lockout: a refusal after the handler granted itself access names that write', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    const kube = new MemoryKube();
    const nodes = { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
    const withNodes = state({ mechanism: 'AWS_AUTH', awsAuth: { mapRoles: [nodes], mapUsers: [], mapAccounts: [] } });
    await run(request('Create', withNodes), { eksClient, kube });
    fake.state.deleteAccessEntry('dev-cluster', HANDLER_ROLE); // removed by hand since
    fake.calls.clear();
    await expect(run(request('Update', state({ mechanism: 'AWS_AUTH' })), { eksClient, kube }))
      .rejects.toThrow(/last node mapping.* Already written by this run before the refusal: the handler's own cluster-admin access entry \(arn:aws:iam::111122223333:role\/[^)]+\)\. Nothing else was written\.$/s);
    expect(writes().map((c) => c.operation)).toEqual(['CreateAccessEntry', 'AssociateAccessPolicy']);
    expect((kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>).mapRoles).toContain(NODE_ROLE);
  });

  test('lockout: refuses taking admin away from kubernetesRoleArn', async () => {
    const k8sRole = 'arn:aws:iam::111122223333:role/k8s-admin';
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    const kube = new MemoryKube();
    const admin = entry(k8sRole, { accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] });
    await run(request('Create', state({ kubernetesRoleArn: k8sRole, accessEntries: [admin] })), { eksClient, kube });
    await expect(run(request('Update', state({ kubernetesRoleArn: k8sRole, accessEntries: [entry(k8sRole)] })), { eksClient, kube })).rejects.toThrow(/kubernetesRoleArn/);
    await expect(run(request('Update', state({ kubernetesRoleArn: k8sRole, accessEntries: [] })), { eksClient, kube })).rejects.toThrow(/would remove arn:aws:iam::111122223333:role\/k8s-admin/);
  });

  test('two owners on one cluster never remove each other\'s entries', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    const kube = new MemoryKube();
    await run(request('Create', state({ ownerId: 'stack-a.access', accessEntries: [devEntry] })), { eksClient, kube });
    await run(request('Create', state({ ownerId: 'stack-b.access', accessEntries: [entry(VIEWER_ROLE)] })), { eksClient, kube });
    await run(request('Delete', state({ ownerId: 'stack-a.access', accessEntries: [devEntry] })), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)).toBeUndefined();
    expect(fake.state.accessEntry('dev-cluster', VIEWER_ROLE)).toBeDefined();
  });
});

describe('replacement under a new owner ID (the construct moved)', () => {
  test('the new resource takes over what it still wants; the old resource\'s Delete then removes only the rest', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    const kube = new MemoryKube();
    const old = state({ ownerId: 'stack.old-path', accessEntries: [devEntry, entry(VIEWER_ROLE)], manifests: teamRbac('dev') });
    await run(request('Create', old), { eksClient, kube });
    const moved = state({ ownerId: 'stack.new-path', accessEntries: [devEntry], manifests: teamRbac('dev') });
    await run({ requestType: 'Update', desired: moved, physicalResourceId: 'dev-cluster/stack.new-path', replacement: true, formerOwnerId: 'stack.old-path' }, { eksClient, kube });
    // Both owners want the developer's entry now; its tag names its creator while that still wants it.
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)!.tags[OWNER_KEY]).toBe('stack.old-path');
    expect(fake.state.accessEntry('dev-cluster', VIEWER_ROLE)!.tags[OWNER_KEY]).toBe('stack.old-path');
    await run(request('Delete', old), { eksClient, kube });
    // The old owner's Delete hands the shared entry over and removes what only it wanted.
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)!.tags[OWNER_KEY]).toBe('stack.new-path');
    expect(fake.state.accessEntry('dev-cluster', VIEWER_ROLE)).toBeUndefined();
    expect([...kube.objects.keys()].filter((k) => k.includes('/namespaces/dev'))).toHaveLength(4);
    expect([...kube.objects.values()].every((o) => o.metadata.labels?.[OWNER_KEY] !== 'stack.old-path')).toBe(true);
  });
});

describe('the handler\'s own access entry', () => {
  test('shared by two configurations on one cluster: it goes with the last one only', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
    const kube = new MemoryKube();
    const a = state({ ownerId: 'stack.a', accessEntries: [devEntry] });
    const b = state({ ownerId: 'stack.b', accessEntries: [entry(VIEWER_ROLE)] });
    await run(request('Create', a), { eksClient, kube });
    await run(request('Create', b), { eksClient, kube });
    await run(request('Delete', a), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', HANDLER_ROLE)).toBeDefined();
    await run(request('Delete', b), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', HANDLER_ROLE)).toBeUndefined();
    expect(fake.state.accessEntries('dev-cluster')).toEqual([]);
  });

  test('an entry for the handler role made by hand is never removed', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API', accessEntries: [{ principalArn: HANDLER_ROLE, accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] }] });
    const kube = new MemoryKube();
    const created = await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube });
    expect(fake.calls.calls({ write: true, principalArn: HANDLER_ROLE })).toEqual([]);
    expect(created.accessEntryWrites).toBe(2);
    await run(request('Delete', state({ accessEntries: [devEntry] })), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', HANDLER_ROLE)).toBeDefined();
  });
});

describe('authentication modes', () => {
  test('warns when a principal with an access entry is also mapped in aws-auth (the access entry wins)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    const kube = new MemoryKube();
    kube.seedAwsAuth({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/developer\n  username: dev\n  groups:\n  - old\n' });
    const outcome = await run(request('Create', state({ accessEntries: [devEntry] })), { eksClient, kube });
    expect(outcome.warnings).toEqual([`${DEV_ROLE} is mapped both in aws-auth and by an access entry; EKS uses the access entry and ignores the aws-auth mapping`]);
    expect(kube.writes(AWS_AUTH_PATH)).toBe(0);
  });

  test('moves CONFIG_MAP → API_AND_CONFIG_MAP → API one step at a time, waiting for each update', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    fake.configure({ updateCompletesAfterDescribes: 2 });
    const outcome = await run(request('Create', state({ targetAuthenticationMode: 'API', accessEntries: [devEntry] })), { eksClient, kube: new MemoryKube() });
    expect(outcome.authenticationMode).toBe('API');
    const updates = fake.calls.calls({ operation: 'UpdateClusterConfig' });
    expect(updates).toHaveLength(2);
    expect(fake.calls.calls({ operation: 'DescribeUpdate' }).length).toBeGreaterThanOrEqual(4);
  });

  test('CONFIG_MAP → API in one deployment: the step to API comes after the access entries exist; who only aws-auth maps is named', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const k8sRole = 'arn:aws:iam::111122223333:role/k8s-admin';
    kube.seedAwsAuth({
      mapRoles: `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n- rolearn: ${k8sRole}\n  groups:\n  - system:masters\n`,
      mapUsers: `- userarn: ${OPS_USER}\n  groups:\n  - ops\n`,
    });
    const admin = entry(k8sRole, { accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] });
    const outcome = await run(request('Create', state({ kubernetesRoleArn: k8sRole, targetAuthenticationMode: 'API', accessEntries: [entry(NODE_ROLE, { type: 'EC2_LINUX' }), admin] })), { eksClient, kube });
    expect(outcome.authenticationMode).toBe('API');
    expect(fake.state.authenticationMode('dev-cluster')).toBe('API');
    const order = writes().map((c) => c.operation);
    expect(order.lastIndexOf('UpdateClusterConfig')).toBe(order.length - 1);
    expect(order.indexOf('CreateAccessEntry')).toBeLessThan(order.lastIndexOf('UpdateClusterConfig'));
    expect(outcome.warnings).toContainEqual(expect.stringContaining(`mapped only in aws-auth and lose access to the cluster: ${OPS_USER.toLowerCase()}`));
  });

  test('the handler role mapped in aws-auth moves to API through the entry the handler grants itself', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    kube.seedAwsAuth({
      mapRoles: `- rolearn: ${HANDLER_ROLE}\n  groups:\n  - system:masters\n`,
    });
    const outcome = await run(request('Create', state({ targetAuthenticationMode: 'API', accessEntries: [devEntry] })), { eksClient, kube });
    expect(outcome.authenticationMode).toBe('API');
    expect(fake.state.accessEntry('dev-cluster', HANDLER_ROLE)!.accessPolicies.map((p) => p.policyArn)).toEqual([policy('AmazonEKSClusterAdminPolicy')]);
  });

  test('refuses the step to API while aws-auth alone maps the nodes; nothing but the harmless first step is done', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const k8sRole = 'arn:aws:iam::111122223333:role/k8s-admin';
    kube.seedAwsAuth({
      mapRoles: `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`,
    });
    const admin = entry(k8sRole, { accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] });
    await expect(run(request('Create', state({ kubernetesRoleArn: k8sRole, targetAuthenticationMode: 'API', accessEntries: [admin, devEntry], manifests: teamRbac('dev') })), { eksClient, kube }))
      .rejects.toThrow(/last node mapping from the cluster by moving it to authentication mode API.* Already written by this run before the refusal: the cluster's authentication mode moved from CONFIG_MAP to API_AND_CONFIG_MAP \(a mode change cannot be undone\)\. Nothing else was written\.$/s);
    expect(writes().map((c) => c.operation)).toEqual(['UpdateClusterConfig']);
    expect(fake.state.authenticationMode('dev-cluster')).toBe('API_AND_CONFIG_MAP');
    expect(kube.writes()).toBe(0);
  });

  test('never re-sets the current mode, never goes back, never changes it on Delete', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API' });
    await run(request('Create', state({ targetAuthenticationMode: 'API_AND_CONFIG_MAP' })), { eksClient, kube: new MemoryKube() });
    await run(request('Update', state({ targetAuthenticationMode: 'API' })), { eksClient, kube: new MemoryKube() });
    fake.seedCluster({ name: 'other', authenticationMode: 'CONFIG_MAP' });
    await run(request('Delete', state({ clusterName: 'other', targetAuthenticationMode: 'API' })), { eksClient, kube: new MemoryKube() });
    expect(fake.calls.calls({ operation: 'UpdateClusterConfig' })).toEqual([]);
  });

  test('AUTO on CONFIG_MAP writes aws-auth, not access entries; ACCESS_ENTRIES on CONFIG_MAP is refused', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const desired = state({ kubernetesRoleArn: 'arn:aws:iam::111122223333:role/k8s-admin', awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/developer', username: 'dev', groups: ['dev'] }], mapUsers: [], mapAccounts: [] }, accessEntries: [devEntry] });
    const outcome = await run(request('Create', desired), { eksClient, kube });
    expect(outcome.mechanism).toBe('AWS_AUTH');
    expect(kube.objects.get(AWS_AUTH_PATH)).toBeDefined();
    expect(writes()).toEqual([]);
    await expect(run(request('Update', { ...desired, mechanism: 'ACCESS_ENTRIES' }), { eksClient, kube })).rejects.toThrow(/CONFIG_MAP, which has no access entries/);
  });

  test('AWS_AUTH with target mode API is refused before the mode changes (API ignores aws-auth; the change cannot be undone)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const desired = state({ mechanism: 'AWS_AUTH', targetAuthenticationMode: 'API', awsAuth: { mapRoles: [{ rolearn: NODE_ROLE, groups: ['system:nodes'] }], mapUsers: [], mapAccounts: [] } });
    await expect(run(request('Create', desired), { eksClient, kube })).rejects.toThrow(/authentication mode API, which ignores aws-auth/);
    expect(writes()).toEqual([]);
    expect(fake.state.authenticationMode('dev-cluster')).toBe('CONFIG_MAP');
    expect(kube.writes()).toBe(0);
  });

  test('AWS_AUTH with a kubernetesRoleArn never calls the access-entry API (the handler is not allowed to)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    const kube = new MemoryKube();
    const desired = state({ mechanism: 'AWS_AUTH', kubernetesRoleArn: 'arn:aws:iam::111122223333:role/k8s-admin', awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/developer', groups: ['dev'] }], mapUsers: [], mapAccounts: [] } });
    await run(request('Create', desired), { eksClient, kube });
    await run(request('Delete', desired), { eksClient, kube });
    expect(fake.calls.calls().map((c) => c.operation).filter((o) => o !== 'DescribeCluster')).toEqual([]);
    expect(kube.objects.get(AWS_AUTH_PATH)).toBeDefined();
  });

  test('moving from aws-auth to access entries removes this owner\'s aws-auth entries after the entries exist', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const k8sRole = 'arn:aws:iam::111122223333:role/k8s-admin';
    const desired = state({ kubernetesRoleArn: k8sRole, awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/developer', username: 'dev', groups: ['dev'] }], mapUsers: [], mapAccounts: [] }, accessEntries: [devEntry] });
    await run(request('Create', desired), { eksClient, kube });
    expect(String((kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>).mapRoles)).toContain('role/developer');
    await run(request('Update', { ...desired, targetAuthenticationMode: 'API_AND_CONFIG_MAP' }), { eksClient, kube });
    expect((kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>).mapRoles ?? '').not.toContain('role/developer');
    expect(fake.state.accessEntry('dev-cluster', DEV_ROLE)).toBeDefined();
  });

  test('the node role and kubernetesRoleArn move from aws-auth to access entries in one deployment (API_AND_CONFIG_MAP counts both)', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'CONFIG_MAP' });
    const kube = new MemoryKube();
    const k8sRole = 'arn:aws:iam::111122223333:role/k8s-admin';
    const nodeMapping = { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
    const desired = state({
      kubernetesRoleArn: k8sRole,
      awsAuth: { mapRoles: [nodeMapping, { rolearn: k8sRole, groups: ['system:masters'] }], mapUsers: [], mapAccounts: [] },
      accessEntries: [entry(NODE_ROLE, { type: 'EC2_LINUX' }), entry(k8sRole, { accessPolicies: [{ policyArn: policy('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }] })],
    });
    await run(request('Create', desired), { eksClient, kube });
    const mapRoles = () => String((kube.objects.get(AWS_AUTH_PATH)!.data as Record<string, string>).mapRoles ?? '');
    expect(mapRoles()).toContain('role/eks-node');

    await run(request('Update', { ...desired, targetAuthenticationMode: 'API_AND_CONFIG_MAP' }), { eksClient, kube });
    expect(fake.state.accessEntry('dev-cluster', NODE_ROLE)!.type).toBe('EC2_LINUX');
    expect(fake.state.accessEntry('dev-cluster', k8sRole)!.accessPolicies.map((p) => p.policyArn)).toEqual([policy('AmazonEKSClusterAdminPolicy')]);
    expect(mapRoles()).not.toContain('role/eks-node');
    expect(mapRoles()).not.toContain('role/k8s-admin');
  });

  test('on API_AND_CONFIG_MAP, the last node mapping may not go from aws-auth while no access entry maps nodes', async () => {
    fake.seedCluster({ name: 'dev-cluster', authenticationMode: 'API_AND_CONFIG_MAP' });
    const kube = new MemoryKube();
    const nodeMapping = { rolearn: NODE_ROLE, groups: ['system:bootstrappers', 'system:nodes'] };
    await run(request('Create', state({ mechanism: 'AWS_AUTH', awsAuth: { mapRoles: [nodeMapping], mapUsers: [], mapAccounts: [] } })), { eksClient, kube });
    fake.calls.clear();
    const writesBefore = kube.writes();
    await expect(run(request('Update', state({ accessEntries: [entry(VIEWER_ROLE)] })), { eksClient, kube })).rejects.toThrow(/last node mapping from the access entries and aws-auth together/);
    expect(writes()).toEqual([]);
    expect(kube.writes()).toBe(writesBefore);
  });
});
