import { assertNoLockout, effectiveSnapshot, inAwsAuthForm, lockoutProblems, LockoutError, AccessSnapshot } from '../../lib/core/lockout';

function snap(principals: string[], nodes: string[] = [], admins: string[] = []): AccessSnapshot {
  return { principals: new Set(principals), nodePrincipals: new Set(nodes), admins: new Set(admins) };
}

const NODE = 'arn:aws:iam::111122223333:role/node';
const NODE2 = 'arn:aws:iam::111122223333:role/node-2';
const HANDLER = 'arn:aws:iam::111122223333:role/handler';
const identity = [{ arn: HANDLER, field: 'kubernetesRoleArn' }];

describe('lockout protection', () => {
  test('refuses removing the last node mapping', () => {
    const problems = lockoutProblems('aws-auth', snap([NODE], [NODE]), snap([]), []);
    expect(problems).toEqual([expect.stringContaining(`remove the last node mapping from aws-auth (${NODE})`)]);
  });

  test('allows replacing one node role with another, and clusters that never had nodes', () => {
    expect(lockoutProblems('aws-auth', snap([NODE], [NODE]), snap([NODE2], [NODE2]), [])).toEqual([]);
    expect(lockoutProblems('aws-auth', snap([]), snap([]), [])).toEqual([]);
  });

  test('refuses removing the identity the handler uses, or its admin access', () => {
    expect(lockoutProblems('aws-auth', snap([HANDLER], [], [HANDLER]), snap([]), identity)).toEqual([expect.stringContaining('handler uses it (kubernetesRoleArn)')]);
    expect(lockoutProblems('the access entries', snap([HANDLER], [], [HANDLER]), snap([HANDLER]), identity)).toEqual([expect.stringContaining('take cluster-admin access away')]);
  });

  test('an identity that was never mapped there is no concern (its access comes from elsewhere)', () => {
    expect(lockoutProblems('aws-auth', snap([]), snap([]), identity)).toEqual([]);
  });

  test('assertNoLockout throws one error naming every problem and that the refused change was not written', () => {
    expect(() => assertNoLockout('aws-auth', snap([NODE, HANDLER], [NODE], [HANDLER]), snap([]), identity)).toThrow(LockoutError);
    expect(() => assertNoLockout('aws-auth', snap([NODE, HANDLER], [NODE], [HANDLER]), snap([]), identity)).toThrow(/^refusing the change, which was not written: .*last node mapping.*kubernetesRoleArn/s);
    // It claims nothing about other writes of the run (the handler says which there were).
    expect(() => assertNoLockout('aws-auth', snap([NODE, HANDLER], [NODE], [HANDLER]), snap([]), identity)).not.toThrow(/nothing was written/);
  });

  test('API_AND_CONFIG_MAP: an access entry stands in for an aws-auth mapping, and wins over it', () => {
    const entries = snap([NODE2, HANDLER], [NODE2], []);
    const awsAuth = snap([NODE, HANDLER], [NODE], [HANDLER]);
    const effective = effectiveSnapshot(entries, awsAuth);
    expect([...effective.principals].sort()).toEqual([HANDLER, NODE, NODE2]);
    expect([...effective.nodePrincipals].sort()).toEqual([NODE, NODE2]);
    // The handler's access entry has no admin policy: EKS uses it, not aws-auth's system:masters.
    expect([...effective.admins]).toEqual([]);
    // Moving the node mapping from aws-auth to an access entry is no lockout.
    expect(lockoutProblems('both', effectiveSnapshot(snap([]), snap([NODE], [NODE])), effectiveSnapshot(snap([NODE], [NODE]), snap([])), [])).toEqual([]);
  });

  test('inAwsAuthForm compares access entries as aws-auth does: role path removed, lower case', () => {
    const form = inAwsAuthForm(snap(['arn:aws:iam::111122223333:role/teams/Dev', 'arn:aws:iam::111122223333:user/ops/Olga']));
    expect([...form.principals]).toEqual(['arn:aws:iam::111122223333:role/dev', 'arn:aws:iam::111122223333:user/ops/olga']);
  });
});
