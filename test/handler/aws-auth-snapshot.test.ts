/**
 * Who aws-auth lets in, for the lockout check: the entry the authenticator uses for each ARN (the
 * last valid one), found through an index so that 10,000 mappings are judged in well under a
 * second, and the same answer as resolving each ARN with `matchCaller`.
 */
import * as fc from 'fast-check';
import { AwsAuthConfigMap, emptyAwsAuth, loadAwsAuth, matchCaller } from '../../lib/core/aws-auth';
import { AccessSnapshot } from '../../lib/core/lockout';
import { awsAuthSnapshot } from '../../lib/plan/aws-auth-change';
import { configMap as configMapArbitrary } from '../core/aws-auth/arbitraries';
import { fixture } from '../core/aws-auth/fixtures';

/** The snapshot computed the slow way: every ARN resolved on its own by `matchCaller`. */
function reference(configMap: AwsAuthConfigMap): AccessSnapshot {
  const arns = new Set([...configMap.mapRoles.map((r) => r.rolearn), ...configMap.mapUsers.map((u) => u.userarn)]
    .filter((arn): arn is string => typeof arn === 'string').map((arn) => arn.toLowerCase()));
  const effective = [...arns].flatMap((arn) => {
    try {
      const match = matchCaller(configMap, { arn });
      return match === undefined ? [] : [{ arn, groups: [...(match.entry?.groups ?? [])] }];
    } catch {
      return [];
    }
  });
  return {
    principals: new Set(effective.map((e) => e.arn)),
    nodePrincipals: new Set(effective.filter((e) => e.groups.includes('system:nodes')).map((e) => e.arn)),
    admins: new Set(effective.filter((e) => e.groups.includes('system:masters')).map((e) => e.arn)),
  };
}

test('the same answer as resolving every ARN on its own: fixtures, shadowed entries, generated aws-auths', () => {
  for (const name of ['aws-auth-eksctl.yaml', 'aws-auth-problems.yaml', 'aws-auth.yaml']) {
    const cm = loadAwsAuth(fixture(name));
    expect(awsAuthSnapshot(cm)).toEqual(reference(cm));
  }
  const node = 'arn:aws:iam::111122223333:role/eks-node';
  const shadowed: AwsAuthConfigMap = {
    ...emptyAwsAuth(),
    mapRoles: [
      { rolearn: node, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: node.replace('eks-node', 'EKS-Node'), username: 'demoted', groups: ['viewers'] },
      { rolearn: 'arn:aws:iam::111122223333:role/admin', username: 'admin', groups: ['system:masters'] },
      { rolearn: 'arn:aws:iam::111122223333:role/admin', groups: 'not-a-list' as never },
    ],
    mapUsers: [{ userarn: 'arn:aws:iam::111122223333:user/ops', username: 'ops', groups: ['system:masters'] }],
    mapAccounts: ['111122223333'],
  };
  expect(awsAuthSnapshot(shadowed)).toEqual(reference(shadowed));
  expect(awsAuthSnapshot(shadowed).nodePrincipals.size).toBe(0); // the later entry demotes the node role
  fc.assert(fc.property(configMapArbitrary, (cm) => {
    expect(awsAuthSnapshot(cm)).toEqual(reference(cm));
  }), { numRuns: 100 });
});

test('10,000 mappings are judged in well under a second', () => {
  const mapRoles = Array.from({ length: 10_000 }, (_, i) => ({ rolearn: `arn:aws:iam::111122223333:role/team-${i}`, username: `team-${i}`, groups: [i === 0 ? 'system:nodes' : `team-${i}`] }));
  const cm: AwsAuthConfigMap = { ...emptyAwsAuth(), mapRoles };
  const started = Date.now();
  const snapshot = awsAuthSnapshot(cm);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(snapshot.principals.size).toBe(10_000);
  expect([...snapshot.nodePrincipals]).toEqual(['arn:aws:iam::111122223333:role/team-0']);
});
