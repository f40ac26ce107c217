/**
 * Removing a ClusterAccess, or pointing it at another cluster or region, must leave its Delete the
 * permissions it needs: each ClusterAccess has an IAM policy of its own that its custom resources
 * depend on, and both are keyed by the cluster, so a move is a remove-and-add. CloudFormation
 * deletes removed resources after the update, dependents first: the old custom resource's Delete
 * runs while its old policy still exists. These tests compare the templates before and after.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess } from '../../lib';

skipCfnSchemaValidation();
jest.setTimeout(60_000);

interface Resource { Type: string; DependsOn?: string[]; Properties?: any }

/** The template of a stack with a ClusterAccess per entry of `clusters` (`name` or `name@region`). */
function template(clusters: string[], teams = 0): Record<string, Resource> {
  const { app, stack } = newStack();
  for (const [i, spec] of clusters.entries()) {
    const [clusterName, region] = spec.split('@');
    const access = new ClusterAccess(stack, `Access${i}`, { clusterName, region, ...(teams > 0 ? { teamBatches: 2 } : {}) });
    access.mapRole(iam.Role.fromRoleArn(stack, `Dev${i}`, `arn:aws:iam::111122223333:role/dev-${i}`), { groups: ['dev'] });
    for (let t = 0; t < teams; t++) {
      access.addTeam(`Team${t}`);
    }
  }
  return app.synth().getStackByName(stack.stackName).template.Resources;
}

const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const accessResources = (resources: Record<string, Resource>) => ofType(resources, 'Custom::EksClusterAccess');
const clusterPolicies = (resources: Record<string, Resource>) => ofType(resources, 'AWS::IAM::Policy').filter(([id]) => /HandlerPolicy/.test(id));

/** The cluster names a policy's statements are about. */
function clustersOf(policy: Resource): string[] {
  const text = JSON.stringify(policy.Properties.PolicyDocument);
  return [...new Set([...text.matchAll(/:(?:cluster|access-entry)\/([a-z0-9-]+)/g)].map((m) => m[1]))].sort();
}

test('each ClusterAccess has its own policy, naming only its cluster, and its custom resource depends on it', () => {
  const resources = template(['alpha', 'beta']);
  const policies = clusterPolicies(resources);
  expect(policies.map(([, p]) => clustersOf(p))).toEqual([['alpha'], ['beta']]);
  for (const [id, cr] of accessResources(resources)) {
    const own = policies.find(([pid]) => pid.slice(0, 'Access0'.length) === id.slice(0, 'Access0'.length))!;
    expect(cr.DependsOn).toContain(own[0]);
  }
  // The handler role's default policy (rewritten first on every update) holds nothing of a cluster.
  const defaults = ofType(resources, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('ClusterAccessProviderHandler'));
  expect(defaults.flatMap(([, p]) => clustersOf(p))).toEqual([]);
});

test('removing one of two ClusterAccess removes its custom resource and, after it, its policy; the other is unchanged', () => {
  const before = template(['alpha', 'beta']);
  const after = template(['alpha']);
  const [betaResource] = accessResources(before).filter(([id]) => id.startsWith('Access1'));
  const [betaPolicy] = clusterPolicies(before).filter(([id]) => id.startsWith('Access1'));
  // Both go; the resource depends on the policy, so CloudFormation deletes the resource first.
  expect(after[betaResource[0]]).toBeUndefined();
  expect(after[betaPolicy[0]]).toBeUndefined();
  expect(betaResource[1].DependsOn).toContain(betaPolicy[0]);
  // alpha keeps its resource and policy, as they were.
  for (const [id, r] of [...accessResources(before), ...clusterPolicies(before)].filter(([x]) => x.startsWith('Access0'))) {
    expect(after[id]).toEqual(r);
  }
});

test('another region or another cluster is a remove-and-add: a new resource on a new policy; the old resource depended on the old policy', () => {
  for (const target of ['prod@us-east-1', 'staging@eu-west-1']) {
    const before = template(['prod@eu-west-1']);
    const after = template([target]);
    const [[oldId, oldResource]] = accessResources(before);
    const [[newId, newResource]] = accessResources(after);
    const [[oldPolicyId]] = clusterPolicies(before);
    const [[newPolicyId, newPolicy]] = clusterPolicies(after);
    expect(newId).not.toBe(oldId);
    expect(newPolicyId).not.toBe(oldPolicyId);
    expect(after[oldId]).toBeUndefined();
    expect(after[oldPolicyId]).toBeUndefined();
    expect(oldResource.DependsOn).toContain(oldPolicyId);
    expect(newResource.DependsOn).toContain(newPolicyId);
    expect(clustersOf(newPolicy)).toEqual([target.split('@')[0]]);
    // The owner ID stays (it names the construct); the state names the new cluster and region.
    const state = (r: Resource) => JSON.parse(flatten(r.Properties.inline));
    expect(state(newResource)).toMatchObject({ ownerId: state(oldResource).ownerId, clusterName: target.split('@')[0], region: target.split('@')[1], account: '111122223333' });
  }
});

test('the same cluster keeps its logical IDs from one synthesis to the next', () => {
  expect(Object.keys(template(['prod@eu-west-1']))).toEqual(Object.keys(template(['prod@eu-west-1'])));
});

test('the custom resources of team batches depend on the policy too', () => {
  const { app, stack } = newStack();
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod', teamBatches: 2 });
  for (let t = 0; t < 4; t++) {
    access.addTeam(`Team${t}`);
  }
  const assembly = app.synth();
  const parent = assembly.getStackByName(stack.stackName).template.Resources as Record<string, Resource>;
  const [[policyId]] = clusterPolicies(parent);
  const nested = ofType(parent, 'AWS::CloudFormation::Stack');
  expect(nested.length).toBeGreaterThan(0);
  for (const [, n] of nested) {
    expect(n.DependsOn).toContain(policyId);
  }
});
