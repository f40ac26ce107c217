import {
  AssociateAccessPolicyCommand, CreateAccessEntryCommand, DescribeAccessEntryCommand, DescribeClusterCommand, EKSClient,
  EKSServiceException, InvalidParameterException, ListAccessEntriesCommand, ListAccessPoliciesCommand,
  ListAssociatedAccessPoliciesCommand, ResourceInUseException, ResourceNotFoundException, ServerException, ThrottlingException,
  paginateListAccessEntries,
} from '@aws-sdk/client-eks';
import { EksFake, EksFakeControl, accessPolicyArn, faults, startEksFake } from '../support/eks-fake';

const ACCOUNT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const VIEW = accessPolicyArn('AmazonEKSViewPolicy');

let fake: EksFake;
let eks: EKSClient;

beforeAll(async () => {
  fake = await startEksFake({ accountId: ACCOUNT });
  eks = new EKSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});

afterAll(async () => {
  eks.destroy();
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.configure({ defaultPageSize: 100 });
  fake.seedCluster({ name: 'prod', bootstrapClusterCreatorAdminPermissions: false });
});

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('pagination', () => {
  beforeEach(() => {
    for (const name of ['e', 'a', 'd', 'b', 'c']) {
      fake.state.seedAccessEntry('prod', { principalArn: role(name), accessPolicies: [{ policyArn: VIEW }] });
    }
  });

  test('ListAccessEntries pages with maxResults and nextToken, in ARN order, with no gaps or repeats', async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', maxResults: 2, nextToken }));
      pages.push(page.accessEntries!.length);
      seen.push(...page.accessEntries!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map(role));
  });

  test('the default page size applies without maxResults, and the SDK paginator follows it', async () => {
    fake.configure({ defaultPageSize: 2 });
    const first = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' }));
    expect(first.accessEntries).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const all: string[] = [];
    for await (const page of paginateListAccessEntries({ client: eks }, { clusterName: 'prod' })) {
      all.push(...page.accessEntries!);
    }
    expect(all).toHaveLength(5);
    expect(fake.calls.count({ operation: 'ListAccessEntries' })).toBe(4);
  });

  test('an entry deleted between pages does not shift the cursor', async () => {
    const first = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', maxResults: 2 }));
    fake.reset();
    fake.seedCluster({ name: 'prod', bootstrapClusterCreatorAdminPermissions: false });
    for (const name of ['a', 'c', 'd', 'e']) {
      fake.state.seedAccessEntry('prod', { principalArn: role(name) });
    }
    const second = await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', maxResults: 2, nextToken: first.nextToken }));
    expect(second.accessEntries).toEqual([role('c'), role('d')]);
  });

  test('ListAssociatedAccessPolicies and ListAccessPolicies page too', async () => {
    const arn = role('a');
    for (const name of ['AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy']) {
      await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: arn, policyArn: accessPolicyArn(name), accessScope: { type: 'cluster' } }));
    }
    const first = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'prod', principalArn: arn, maxResults: 2 }));
    const second = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'prod', principalArn: arn, maxResults: 2, nextToken: first.nextToken }));
    expect([...first.associatedAccessPolicies!, ...second.associatedAccessPolicies!].map((p) => p.policyArn))
      .toEqual(['AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy'].map((n) => accessPolicyArn(n)));
    expect(second.nextToken).toBeUndefined();

    const policies = await eks.send(new ListAccessPoliciesCommand({ maxResults: 3 }));
    expect(policies.accessPolicies).toHaveLength(3);
    expect(policies.nextToken).toBeDefined();
  });

  test('a bad maxResults or a foreign nextToken is InvalidParameterException', async () => {
    expect(await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', maxResults: 101 })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', maxResults: 0 })))).toBeInstanceOf(InvalidParameterException);
    const policies = await eks.send(new ListAccessPoliciesCommand({ maxResults: 1 }));
    const foreign = await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', nextToken: policies.nextToken })));
    expect(foreign).toBeInstanceOf(InvalidParameterException);
    expect(await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod', nextToken: 'garbage' })))).toBeInstanceOf(InvalidParameterException);
  });
});

describe('error injection', () => {
  test('throttling fails the next N calls of one operation with 429, then the call goes through', async () => {
    fake.injectFault(faults.throttling('CreateAccessEntry', 2));
    for (let i = 0; i < 2; i++) {
      const error = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') })));
      expect(error).toBeInstanceOf(ThrottlingException);
      expect(error.$metadata.httpStatusCode).toBe(429);
      expect(fake.state.accessEntry('prod', role('dev'))).toBeUndefined();
    }
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
    expect(fake.state.accessEntry('prod', role('dev'))).toBeDefined();
    expect(fake.faults.pending()).toEqual([]);
  });

  test('the SDK retries an injected throttle by itself when allowed to', async () => {
    const retrying = new EKSClient({ ...fake.clientConfig(), maxAttempts: 3, retryStrategy: undefined });
    try {
      fake.injectFault(faults.throttling('DescribeCluster', 1));
      const answer = await retrying.send(new DescribeClusterCommand({ name: 'prod' }));
      expect(answer.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
  });

  test('an unmodelled 500 InternalFailure and the modelled ServerException surface as server faults', async () => {
    fake.injectFault(faults.internalFailure('*'));
    fake.injectFault(faults.serverException('ListAccessEntries'));
    const internal = await failure(eks.send(new DescribeClusterCommand({ name: 'prod' })));
    expect(internal).toBeInstanceOf(EKSServiceException);
    expect(internal.name).toBe('InternalFailure');
    expect(internal.$metadata.httpStatusCode).toBe(500);
    const server = await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' })));
    expect(server).toBeInstanceOf(ServerException);
    expect(server.$fault).toBe('server');
  });

  test('a principal-scoped fault hits only calls about that principal', async () => {
    fake.injectFault(faults.principalNotPropagated(role('new')));
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('other') }));
    const error = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('new') })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('The specified principalArn is invalid: invalid principal.');
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('new') }));

    fake.injectFault(faults.entryNotFoundYet(role('new'), 'AssociateAccessPolicy'));
    const notYet = await failure(eks.send(new AssociateAccessPolicyCommand({
      clusterName: 'prod', principalArn: role('new'), policyArn: VIEW, accessScope: { type: 'cluster' },
    })));
    expect(notYet).toBeInstanceOf(ResourceNotFoundException);
    expect(fake.state.accessEntry('prod', role('new'))!.accessPolicies).toEqual([]);
  });

  test('a lost response: the write happens, the caller sees 500; a retry with the same token gets the entry, a new call 409', async () => {
    fake.injectFault(faults.lostResponse('CreateAccessEntry'));
    const token = 'token-1';
    const lost = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev'), clientRequestToken: token })));
    expect(lost.name).toBe('InternalFailure');
    expect(fake.state.accessEntry('prod', role('dev'))).toBeDefined();
    expect(fake.calls.calls()[0]).toMatchObject({ status: 500, injected: true, write: true });

    const retried = await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev'), clientRequestToken: token }));
    expect(retried.accessEntry!.accessEntryArn).toBe(fake.state.accessEntry('prod', role('dev'))!.accessEntryArn);
    const fresh = await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') })));
    expect(fresh).toBeInstanceOf(ResourceInUseException);
  });

  test('the SDK\'s own retry after a lost response reuses its token and succeeds', async () => {
    const retrying = new EKSClient({ ...fake.clientConfig(), maxAttempts: 2 });
    try {
      fake.injectFault(faults.lostResponse('CreateAccessEntry'));
      const answer = await retrying.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
      expect(answer.$metadata.attempts).toBe(2);
      expect(fake.calls.calls({ operation: 'CreateAccessEntry' }).map((c) => c.status)).toEqual([500, 200]);
    } finally {
      retrying.destroy();
    }
  });

  test('a bad fault is refused', () => {
    expect(() => fake.injectFault({ operation: 'X', errorName: '' })).toThrow(/errorName/);
    expect(() => fake.injectFault({ operation: 'X', errorName: 'ThrottlingException', count: 0 })).toThrow(/count/);
  });
});

describe('call log', () => {
  test('records operation, cluster, principal, status, error and whether it wrote', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
    await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
    await failure(eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: role('none') })));
    const calls = fake.calls.calls();
    expect(calls.map((c) => [c.seq, c.operation, c.clusterName, c.principalArn, c.status, c.errorName, c.write])).toEqual([
      [1, 'CreateAccessEntry', 'prod', role('dev'), 200, undefined, true],
      [2, 'DescribeAccessEntry', 'prod', role('dev'), 200, undefined, false],
      [3, 'DescribeAccessEntry', 'prod', role('none'), 404, 'ResourceNotFoundException', false],
    ]);
    expect(calls[0].accessKeyId).toBe(fake.clientConfig().credentials.accessKeyId);
    expect(Date.parse(calls[0].time)).not.toBeNaN();
    expect(fake.calls.counts()).toEqual({ CreateAccessEntry: 1, DescribeAccessEntry: 2 });
    expect(fake.calls.count({ ok: false })).toBe(1);
  });

  test('a no-op pass made only reads, which the log proves', async () => {
    fake.state.seedAccessEntry('prod', { principalArn: role('dev'), accessPolicies: [{ policyArn: VIEW }] });
    await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' }));
    await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
    await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'prod', principalArn: role('dev') }));
    expect(fake.calls.count({ write: true })).toBe(0);
    expect(fake.calls.count({ write: false })).toBe(3);
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'prod', principalArn: role('dev'), policyArn: VIEW, accessScope: { type: 'cluster' } }));
    expect(fake.calls.calls({ write: true }).map((c) => [c.operation, c.policyArn])).toEqual([['AssociateAccessPolicy', VIEW]]);
  });

  test('injected failures are logged as such', async () => {
    fake.injectFault(faults.throttling('ListAccessEntries'));
    await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' })));
    expect(fake.calls.calls()[0]).toMatchObject({ operation: 'ListAccessEntries', status: 429, errorName: 'ThrottlingException', injected: true });
  });
});

describe('protocol edges', () => {
  test('unsigned requests get 403 MissingAuthenticationTokenException; unknown paths 404', async () => {
    const unsigned = await fetch(`${fake.endpoint}/clusters/prod`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    const unknown = await fetch(`${fake.endpoint}/nodes`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  test('an ARN with a path round-trips through the encoded path label', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`;
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: arn }));
    const described = await eks.send(new DescribeAccessEntryCommand({ clusterName: 'prod', principalArn: arn }));
    expect(described.accessEntry!.principalArn).toBe(arn);
    expect(described.accessEntry!.username).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/{{SessionName}}`);
  });
});

describe('HTTP control endpoints (for other processes)', () => {
  test('seed, fault, read calls and state, reset', async () => {
    const control = new EksFakeControl(fake.endpoint);
    await control.reset();
    await control.configure({ defaultPageSize: 1 });
    const seeded = await control.seedCluster({ name: 'remote', authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false });
    expect(seeded.authenticationMode).toBe('API');
    await control.seedAccessEntry('remote', { principalArn: role('a') });
    await control.seedAccessEntry('remote', { principalArn: role('b') });
    await control.injectFault(faults.throttling('ListAccessEntries'), faults.internalFailure('DescribeCluster'));
    expect((await control.pendingFaults()).map((f) => [f.operation, f.errorName, f.remaining])).toEqual([
      ['ListAccessEntries', 'ThrottlingException', 1], ['DescribeCluster', 'InternalFailure', 1],
    ]);

    expect(await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'remote' })))).toBeInstanceOf(ThrottlingException);
    const page = await eks.send(new ListAccessEntriesCommand({ clusterName: 'remote' }));
    expect(page.accessEntries).toEqual([role('a')]);

    const calls = await control.calls({ operation: 'ListAccessEntries' });
    expect(calls.total).toBe(2);
    expect(calls.calls.map((c) => c.status)).toEqual([429, 200]);
    expect((await control.calls({ write: true })).total).toBe(0);

    await control.setPrincipalMissing(role('c'));
    expect(await failure(eks.send(new CreateAccessEntryCommand({ clusterName: 'remote', principalArn: role('c') })))).toBeInstanceOf(InvalidParameterException);

    const state = await control.state();
    expect(state.clusters.map((c) => [c.name, c.accessEntries.length])).toEqual([['remote', 2]]);
    expect(state.missingPrincipals).toEqual([role('c')]);

    await control.clearFaults();
    await control.clearCalls();
    expect((await control.calls()).total).toBe(0);
    await control.reset();
    expect((await control.state()).clusters).toEqual([]);
  });

  test('bad control input is a 400 with a message naming the problem', async () => {
    const control = new EksFakeControl(fake.endpoint);
    await expect(control.seedCluster({ name: 'x', authenticationMode: 'OPEN' as never })).rejects.toThrow(/unknown authenticationMode "OPEN"/);
    await expect(control.configure({ defaultPageSize: 0 })).rejects.toThrow(/defaultPageSize/);
    await expect(control.seedAccessEntry('ghost', { principalArn: role('a') })).rejects.toThrow(/no cluster "ghost"/);
    const unknown = await fetch(`${fake.endpoint}/_fake/nothing`);
    expect(unknown.status).toBe(404);
  });
});
