import { AccessConfigError, awsAuthRoleArn, parsePrincipalArn, principalArnProblem } from '../../lib/core/arn';

describe('parsePrincipalArn', () => {
  test('a role with a path: kind, path and name; aws-auth form without the path', () => {
    expect(parsePrincipalArn('arn:aws:iam::111122223333:role/team/dev/deployer')).toEqual({
      arn: 'arn:aws:iam::111122223333:role/team/dev/deployer', partition: 'aws', accountId: '111122223333', kind: 'role', path: '/team/dev/', name: 'deployer',
    });
    expect(awsAuthRoleArn('arn:aws:iam::111122223333:role/team/dev/deployer')).toBe('arn:aws:iam::111122223333:role/deployer');
    expect(awsAuthRoleArn('arn:aws-cn:iam::111122223333:user/people/alice')).toBe('arn:aws-cn:iam::111122223333:user/people/alice');
  });

  test.each(['role', 'user'])('"%s" without a name is not a principal ARN', (kind) => {
    const arn = `arn:aws:iam::111122223333:${kind}`;
    expect(principalArnProblem(arn)).toBe(`ARN "${arn}" names no ${kind} (expected ${kind}/<name>)`);
    expect(() => parsePrincipalArn(arn)).toThrow(AccessConfigError);
  });

  test.each([
    ['arn:aws:sts::111122223333:assumed-role/dev/alice', 'is an assumed-role session, not a role: use arn:aws:iam::111122223333:role/dev'],
    ['arn:aws:iam::111122223333:instance-profile/dev', 'is not an IAM role or user ARN (resource type "instance-profile")'],
    ['arn:aws:iam::11112222333:role/dev', 'has invalid account ID "11112222333"'],
    ['arn:aws:iam:eu-west-1:111122223333:role/dev', 'has a region ("eu-west-1")'],
    ['arn:aws:iam::111122223333:role/', 'has invalid role name ""'],
    [' arn:aws:iam::111122223333:role/dev', 'has leading or trailing white space'],
  ])('%s is refused, naming the problem', (arn, problem) => {
    expect(principalArnProblem(arn)).toContain(problem);
  });
});
