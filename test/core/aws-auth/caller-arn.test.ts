/** Which ARNs written in aws-auth can equal a real caller's canonical ARN, as the authenticator compares them. */
import { callerArnVerdict } from '../../../lib/core/aws-auth/caller-arn';

const verdict = (arn: string) => callerArnVerdict(arn, 'rolearn');
const errorOf = (arn: string) => verdict(arn).problems.filter((p) => p.severity === 'error').map((p) => p.message);

describe('callerArnVerdict', () => {
  test.each([
    ['arn:aws:iam::111122223333:role/dev', 'role'],
    ['arn:aws-cn:iam::111122223333:role/dev', 'role'],
    ['arn:aws:iam::111122223333:user/dev', 'user'],
    ['arn:aws:iam::111122223333:user/team/a/dev', 'user'],
    ['arn:aws:iam::111122223333:root', 'root'],
    ['arn:aws:sts::111122223333:federated-user/bob', 'federated-user'],
    [`arn:aws:iam::111122223333:role/${'x'.repeat(64)}`, 'role'],
  ])('%s matches a caller (%s), without a problem', (arn, kind) => {
    expect(verdict(arn)).toEqual({ kind, problems: [] });
  });

  test.each([
    ['not-an-arn', 'rolearn never matches: "not-an-arn" is not an ARN (expected arn:<partition>:iam::<account-id>:role/<name> or :user/<name>)'],
    ['arn:aws:iam::111122223333', 'rolearn never matches: "arn:aws:iam::111122223333" is not an ARN (expected arn:<partition>:iam::<account-id>:role/<name> or :user/<name>)'],
    ['arn:mars:iam::111122223333:role/dev', 'rolearn never matches: ARN "arn:mars:iam::111122223333:role/dev" has unknown partition "mars"'],
    ['arn:aws:sts::111122223333:assumed-role/Dev/alice', 'rolearn never matches: ARN "arn:aws:sts::111122223333:assumed-role/Dev/alice" is an assumed-role session, not a role: the authenticator compares the session\'s role ARN, so use arn:aws:iam::111122223333:role/Dev'],
    ['arn:aws:iam:us-east-1:111122223333:role/dev', 'rolearn never matches: ARN "arn:aws:iam:us-east-1:111122223333:role/dev" has a region ("us-east-1"); IAM ARNs have none'],
    ['arn:aws:iam::11112222333a:role/dev', 'rolearn never matches: ARN "arn:aws:iam::11112222333a:role/dev" has invalid account ID "11112222333a" (expected 12 digits)'],
    ['arn:aws:s3:::111122223333', 'rolearn never matches: ARN "arn:aws:s3:::111122223333" has invalid account ID "" (expected 12 digits)'],
    ['arn:aws:ec2::111122223333:role/dev', 'rolearn never matches: ARN "arn:aws:ec2::111122223333:role/dev" is not an IAM ARN (service "ec2")'],
    ['arn:aws:iam::111122223333:group/dev', 'rolearn never matches: ARN "arn:aws:iam::111122223333:group/dev" is not an IAM role, user or root ARN (resource type "group")'],
    ['arn:aws:iam::111122223333:role', 'rolearn never matches: ARN "arn:aws:iam::111122223333:role" names no role (expected role/<name>)'],
    ['arn:aws:iam::111122223333:user/', 'rolearn never matches: ARN "arn:aws:iam::111122223333:user/" has invalid user name "" (1 to 64 of letters, digits and +=,.@_-)'],
    ['arn:aws:iam::111122223333:user/a b', 'rolearn never matches: ARN "arn:aws:iam::111122223333:user/a b" has invalid user name "a b" (1 to 64 of letters, digits and +=,.@_-)'],
    ['arn:aws:iam::111122223333:user/a b/dev', 'rolearn never matches: ARN "arn:aws:iam::111122223333:user/a b/dev" has an invalid path'],
    ['arn:aws:iam::111122223333:role/Team/Dev', 'rolearn "arn:aws:iam::111122223333:role/Team/Dev" has the path "/Team/": EKS matches roles by name only, so this entry never matches; write "arn:aws:iam::111122223333:role/Dev"'],
    ['arn:aws:sts::111122223333:federated-user/b', 'rolearn never matches: ARN "arn:aws:sts::111122223333:federated-user/b" has an invalid federated user name'],
    [`arn:aws:sts::111122223333:federated-user/${'b'.repeat(33)}`, `rolearn never matches: ARN "arn:aws:sts::111122223333:federated-user/${'b'.repeat(33)}" has an invalid federated user name`],
    ['arn:aws:sts::111122223333:federated-user/bob/x', 'rolearn never matches: ARN "arn:aws:sts::111122223333:federated-user/bob/x" has an invalid federated user name'],
    ['xrn:aws:iam::111122223333:role/dev', 'rolearn never matches: "xrn:aws:iam::111122223333:role/dev" is not an ARN (expected arn:<partition>:iam::<account-id>:role/<name> or :user/<name>)'],
    ['arn:aws:iam::111122223333:federated-user/bob', 'rolearn never matches: ARN "arn:aws:iam::111122223333:federated-user/bob" is not an IAM role, user or root ARN (resource type "federated-user")'],
    ['arn:aws:iam::111122223333:assumed-role/dev/s', 'rolearn never matches: ARN "arn:aws:iam::111122223333:assumed-role/dev/s" is not an IAM role, user or root ARN (resource type "assumed-role")'],
    [' arn:aws:iam::111122223333:role/dev', 'rolearn never matches: " arn:aws:iam::111122223333:role/dev" has leading or trailing white space, which no caller\'s ARN has'],
  ])('%s never matches', (arn, message) => {
    expect(verdict(arn)).toEqual({ problems: [{ severity: 'error', message }] });
  });

  test('upper case in the fixed parts matches, with a warning giving the usual form; in the name it is not even worth one', () => {
    expect(verdict('ARN:AWS:IAM::111122223333:ROLE/Admin')).toEqual({
      kind: 'role',
      problems: [{ severity: 'warning', message: 'rolearn "ARN:AWS:IAM::111122223333:ROLE/Admin" is written partly in upper case: the authenticator compares ARNs case-insensitively, so it matches, but the usual form is "arn:aws:iam::111122223333:role/Admin"' }],
    });
    expect(verdict('arn:aws:iam::111122223333:role/ADMIN')).toEqual({ kind: 'role', problems: [] });
    expect(errorOf('ARN:AWS:STS::111122223333:FEDERATED-USER/Bob')).toEqual([]);
  });

  test('the field is named in the message', () => {
    expect(callerArnVerdict('nope', 'userarn').problems[0].message).toMatch(/^userarn never matches: /);
    expect(callerArnVerdict('arn:aws:iam::111122223333:role/a/b', 'userarn').problems[0].message).toMatch(/^userarn "arn:aws:iam::111122223333:role\/a\/b" has the path/);
  });
});
