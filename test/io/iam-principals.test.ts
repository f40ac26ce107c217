/** Role and user paths from IAM, through the real IAM client against the IAM fake. */
import { IAMClient } from '@aws-sdk/client-iam';
import { Deadline } from '../../lib/io/deadline';
import { EksApi } from '../../lib/io/eks-api';
import { IAM_ENDPOINT_ENV } from '../../lib/io/endpoints';
import { createIamClient, lookUpPrincipals } from '../../lib/io/iam-principals';
import { Logger } from '../../lib/io/log';
import { IamFake, startIamFake } from '../support/iam-fake';

const A = '111122223333';
const SSO = `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef`;
const OTHER_SSO = `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210`;

let fake: IamFake;
let client: IAMClient;
let iam: EksApi;
beforeAll(async () => {
  fake = await startIamFake([`arn:aws:iam::${A}:role/teams/dev/Developer`, `arn:aws:iam::${A}:user/ops/olga`, SSO, OTHER_SSO, `arn:aws:iam::${A}:role/x1`, `arn:aws:iam::${A}:role/x2`]);
  process.env[IAM_ENDPOINT_ENV] = fake.endpoint;
  client = createIamClient('us-west-2', { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
  iam = new EksApi(client, Deadline.in(30_000), new Logger({}, () => undefined), Math.random, 'iam');
});
afterAll(async () => {
  delete process.env[IAM_ENDPOINT_ENV];
  client.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.failWith(undefined);
});

test('each role and user of the account is looked up by name; what IAM does not know is missing; other accounts are left alone', async () => {
  const result = await lookUpPrincipals(iam, {
    accountId: A,
    arns: [`arn:aws:iam::${A}:role/developer`, `arn:aws:iam::${A}:user/ops/olga`, `arn:aws:iam::${A}:role/gone`, 'arn:aws:iam::444455556666:role/outsider'],
    permissionSets: [],
  });
  expect(result).toEqual({
    principals: [`arn:aws:iam::${A}:role/teams/dev/Developer`, `arn:aws:iam::${A}:user/ops/olga`],
    missing: [`arn:aws:iam::${A}:role/gone`],
    consulted: true,
    notes: [],
  });
  expect(fake.calls.map((c) => `${c.action} ${c.params.RoleName ?? c.params.UserName}`).sort()).toEqual(['GetRole developer', 'GetRole gone', 'GetUser olga']);
});

test('the roles of SSO permission sets are listed under their path, every page', async () => {
  const result = await lookUpPrincipals(iam, { accountId: A, arns: [], permissionSets: ['PlatformAdmin'] });
  expect(result.principals).toEqual([SSO]);
  expect(fake.calls.filter((c) => c.action === 'ListRoles').map((c) => [c.params.PathPrefix, c.params.Marker])).toEqual([['/aws-reserved/sso.amazonaws.com/', undefined], ['/aws-reserved/sso.amazonaws.com/', '1']]);
});

test('without IAM permissions, nothing is known and the note says what to allow', async () => {
  fake.failWith('AccessDenied');
  const result = await lookUpPrincipals(iam, { accountId: A, arns: [`arn:aws:iam::${A}:role/developer`], permissionSets: [] });
  expect(result).toMatchObject({ principals: [], missing: [], consulted: false });
  expect(result.notes[0]).toMatch(/IAM could not be consulted \(AccessDenied.*Allow iam:GetRole, iam:GetUser and iam:ListRoles/);
});
