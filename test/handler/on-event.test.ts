/**
 * The Lambda entry point: event decoding, the desired state inline or in S3, physical IDs, and
 * the error it throws (which the Provider framework reports to CloudFormation as FAILED).
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { entry, state } from './fixtures';
import { physicalResourceId, substitutionPlaceholder } from '../../lib/core/desired-state';
import { decodeEvent } from '../../lib/handler/event';
import { onEvent } from '../../lib/handler/index';
import { EKS_ENDPOINT_ENV, S3_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { Logger } from '../../lib/io/log';
import { EksFake, startEksFake } from '../support/eks-fake';

const quiet = new Logger({}, () => undefined);
let fake: EksFake;
let s3: Server;
let s3Requests: { url: string; headers: IncomingHttpHeaders }[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  // The handler logs JSON lines to stdout, as in Lambda; keep the test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  fake = await startEksFake({ region: 'us-east-1' });
  s3 = createServer((req, res) => {
    s3Requests.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/assets-bucket/states/big.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state({ clusterName: 'from-s3' })));
    } else if (req.url === '/assets-bucket/states/placeholders.json') {
      // Roles created in the app: their ARNs are placeholders, their values travel inline.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state({
        clusterName: 'from-s3',
        awsAuth: { mapRoles: [{ rolearn: substitutionPlaceholder(0), username: 'dev', groups: ['devs'] }], mapUsers: [], mapAccounts: [] },
        accessEntries: [entry(substitutionPlaceholder(1), { kubernetesGroups: ['devs'] })],
      })));
    } else {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    }
  });
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    [EKS_ENDPOINT_ENV]: fake.endpoint,
    [S3_ENDPOINT_ENV]: `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
  await new Promise((resolve) => s3.close(resolve));
});
beforeEach(() => {
  fake.reset();
  s3Requests = [];
});

const props = (s: object) => ({ ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:p', inline: JSON.stringify(s) });
const context = { getRemainingTimeInMillis: () => 60_000 };

describe('decodeEvent', () => {
  test('Create and Update answer with the state\'s physical ID (account, region, cluster, owner); another cluster or region on Update is a replacement', async () => {
    const ID = '111122223333/us-east-1/dev-cluster/stack-a.access';
    const create = await decodeEvent({ RequestType: 'Create', ResourceProperties: props(state()) }, quiet, 'us-east-1');
    expect(create.physicalResourceId).toBe(ID);
    const same = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: props(state({ manifests: [] })), OldResourceProperties: props(state()) }, quiet, 'us-east-1');
    expect(same).toMatchObject({ physicalResourceId: ID, replacement: false });
    const moved = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: props(state({ clusterName: 'prod' })) }, quiet, 'us-east-1');
    expect(moved).toMatchObject({ physicalResourceId: '111122223333/us-east-1/prod/stack-a.access', replacement: true });
    expect(moved.formerOwnerId).toBeUndefined();
    // The same cluster name in another region is another cluster.
    const otherRegion = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: props(state({ region: 'eu-west-1' })) }, quiet, 'us-east-1');
    expect(otherRegion).toMatchObject({ physicalResourceId: '111122223333/eu-west-1/dev-cluster/stack-a.access', replacement: true });
    expect(otherRegion.formerOwnerId).toBeUndefined();
    const renamed = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: props(state({ ownerId: 'stack-a.moved' })), OldResourceProperties: props(state()) }, quiet, 'us-east-1');
    expect(renamed).toMatchObject({ physicalResourceId: '111122223333/us-east-1/dev-cluster/stack-a.moved', replacement: true, formerOwnerId: 'stack-a.access' });
    // Known from the old physical ID alone, even when the old properties cannot be read.
    const unreadable = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: props(state({ ownerId: 'stack-a.moved' })), OldResourceProperties: { inline: '{' } }, quiet, 'us-east-1');
    expect(unreadable).toMatchObject({ formerOwnerId: 'stack-a.access' });
  });

  test('an ID of the earlier form (cluster/owner) naming the same cluster and owner is kept: an upgrade is no replacement', async () => {
    const legacy = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: props(state()), OldResourceProperties: props(state()) }, quiet, 'us-east-1');
    expect(legacy).toMatchObject({ physicalResourceId: 'dev-cluster/stack-a.access', replacement: false });
    const moved = await decodeEvent({ RequestType: 'Update', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: props(state({ clusterName: 'prod' })) }, quiet, 'us-east-1');
    expect(moved).toMatchObject({ physicalResourceId: '111122223333/us-east-1/prod/stack-a.access', replacement: true });
  });

  test('an Update reads only the new desired state, never the old one (what to remove is recorded in the cluster)', async () => {
    const log = new Logger({}, () => undefined);
    const update = await decodeEvent({
      RequestType: 'Update',
      PhysicalResourceId: 'from-s3/stack-a.access',
      ResourceProperties: { s3Bucket: 'assets-bucket', s3Key: 'states/big.json' },
      OldResourceProperties: { s3Bucket: 'assets-bucket', s3Key: 'states/old.json' },
    }, log, 'us-east-1');
    expect(update.desired.clusterName).toBe('from-s3');
    expect(s3Requests.map((r) => r.url)).toEqual(['/assets-bucket/states/big.json']);
    expect(log.warnings()).toEqual([]);
  });

  test('Delete keeps the physical ID CloudFormation knows', async () => {
    const del = await decodeEvent({ RequestType: 'Delete', PhysicalResourceId: 'old-id', ResourceProperties: props(state()) }, quiet, 'us-east-1');
    expect(del.physicalResourceId).toBe('old-id');
  });

  test('reads a large desired state from S3 with a signed GET', async () => {
    const decoded = await decodeEvent({ RequestType: 'Create', ResourceProperties: { s3Bucket: 'assets-bucket', s3Key: 'states/big.json' } }, quiet, 'us-east-1');
    expect(decoded.desired.clusterName).toBe('from-s3');
    expect(s3Requests[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIATESTTESTTEST\/\d{8}\/us-east-1\/s3\/aws4_request/);
  });

  test('applies the inline overrides (deploy-time role ARNs) to the state read from S3', async () => {
    const kubernetesRoleArn = 'arn:aws:iam::111122223333:role/app-created-admin';
    const location = { s3Bucket: 'assets-bucket', s3Key: 'states/big.json', overrides: JSON.stringify({ kubernetesRoleArn }) };
    const decoded = await decodeEvent({ RequestType: 'Create', ResourceProperties: location }, quiet, 'us-east-1');
    expect(decoded.desired).toMatchObject({ clusterName: 'from-s3', kubernetesRoleArn });
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: { ...location, overrides: '{"ownerId":"x"}' } }, quiet, 'us-east-1'))
      .rejects.toThrow(/s3:\/\/assets-bucket\/states\/big.json: the desired state overrides may set only .* not "ownerId"/);
  });

  test('replaces the placeholders of the state read from S3 by the inline substitutions (ARNs of roles created in the app)', async () => {
    const arns = ['arn:aws:iam::111122223333:role/team-dev', 'arn:aws:iam::111122223333:role/teams/team-dev'];
    const location = { s3Bucket: 'assets-bucket', s3Key: 'states/placeholders.json', substitutions: JSON.stringify(arns) };
    const decoded = await decodeEvent({ RequestType: 'Create', ResourceProperties: location }, quiet, 'us-east-1');
    expect(decoded.desired.awsAuth.mapRoles).toEqual([{ rolearn: arns[0], username: 'dev', groups: ['devs'] }]);
    expect(decoded.desired.accessEntries.map((e) => e.principalArn)).toEqual([arns[1]]);
    // A placeholder without its value, or values that are not strings, fail before any AWS call.
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: { ...location, substitutions: JSON.stringify([arns[0]]) } }, quiet, 'us-east-1'))
      .rejects.toThrow('s3://assets-bucket/states/placeholders.json: the desired state names substitution 1, but only 1 were given');
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: { ...location, substitutions: '[1,2]' } }, quiet, 'us-east-1'))
      .rejects.toThrow(/the desired state substitutions must be a JSON list of strings/);
  });

  test('a Delete whose desired state cannot be read removes by the owner its physical ID names (the stack deletion is not blocked)', async () => {
    const log = new Logger({}, () => undefined);
    const handlerRoleArn = 'arn:aws:iam::111122223333:role/handler';
    const gone = { s3Bucket: 'assets-bucket', s3Key: 'states/deleted.json', overrides: JSON.stringify({ handlerRoleArn, region: 'eu-west-1' }) };
    const del = await decodeEvent({ RequestType: 'Delete', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: gone }, log, 'us-east-1');
    expect(del.desired).toMatchObject({ clusterName: 'dev-cluster', ownerId: 'stack-a.access', handlerRoleArn, region: 'eu-west-1', accessEntries: [], manifests: [] });
    expect(del.physicalResourceId).toBe('dev-cluster/stack-a.access');
    expect(log.warnings()).toEqual([expect.stringMatching(/cannot read the desired state \(cannot read the desired state from s3:\/\/assets-bucket\/states\/deleted.json: AccessDenied.*deleting what owner "stack-a.access" recorded on cluster "dev-cluster"/)]);
    // Create and Update still fail; so does a Delete whose physical ID names no cluster and owner.
    await expect(decodeEvent({ RequestType: 'Update', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: gone }, quiet, 'us-east-1')).rejects.toThrow(/AccessDenied/);
    await expect(decodeEvent({ RequestType: 'Delete', PhysicalResourceId: 'req-1234', ResourceProperties: gone }, quiet, 'us-east-1')).rejects.toThrow(/AccessDenied/);
    await expect(decodeEvent({ RequestType: 'Delete', PhysicalResourceId: 'dev-cluster/stack-a.access', ResourceProperties: { inline: JSON.stringify({ ...state(), version: 2 }) } }, quiet, 'us-east-1'))
      .resolves.toMatchObject({ desired: { clusterName: 'dev-cluster', ownerId: 'stack-a.access', manifests: [] } });
  });

  test('bad input fails with a message naming it', async () => {
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: { inline: '{nope' } }, quiet, 'us-east-1')).rejects.toThrow(/inline desired state is not valid JSON/);
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: {} }, quiet, 'us-east-1')).rejects.toThrow(/expected the property "inline"/);
    await expect(decodeEvent({ RequestType: 'Create', ResourceProperties: { s3Bucket: 'assets-bucket', s3Key: 'missing.json' } }, quiet, 'us-east-1'))
      .rejects.toThrow(/cannot read the desired state from s3:\/\/assets-bucket\/missing.json: AccessDenied \(the handler role needs s3:GetObject on it\)/);
  });
});

describe('onEvent', () => {
  test('Delete of a resource whose cluster is gone succeeds (stack deletion is never blocked)', async () => {
    const response = await onEvent({ RequestType: 'Delete', PhysicalResourceId: physicalResourceId(state()), ResourceProperties: props(state()) }, context);
    expect(response).toEqual({ PhysicalResourceId: '111122223333/us-east-1/dev-cluster/stack-a.access', Data: expect.objectContaining({ Mechanism: 'NONE', Changed: 'false' }) });
  });

  test('failures are thrown as one actionable message (FAILED for CloudFormation)', async () => {
    await expect(onEvent({ RequestType: 'Create', ResourceProperties: props(state()) }, context)).rejects.toThrow(/^ClusterNotFoundError: EKS cluster "dev-cluster" does not exist in us-east-1/);
    await expect(onEvent({ RequestType: 'Create', ResourceProperties: props({ ...state(), version: 7 }) }, context)).rejects.toThrow(/^AccessConfigError: invalid desired state.*version 7 is not supported/s);
  });

  test('stops before the Lambda time limit while waiting for a cluster that stays CREATING', async () => {
    fake.seedCluster({ name: 'dev-cluster', activeAfterDescribes: 1000 });
    const started = Date.now();
    await expect(onEvent({ RequestType: 'Create', ResourceProperties: props(state()) }, { getRemainingTimeInMillis: () => 15_500 })).rejects.toThrow(/DeadlineExceededError: ran out of time while waiting for EKS cluster "dev-cluster" to become ACTIVE/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
