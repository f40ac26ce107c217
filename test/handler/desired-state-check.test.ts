import { entry, state, teamRbac, DEV_ROLE } from './fixtures';
import { AccessConfigError } from '../../lib/core/arn';
import { desiredStateProblems, assertValidDesiredState } from '../../lib/core/desired-state-check';

describe('desired state validation', () => {
  test('a complete state from the constructs is valid', () => {
    expect(desiredStateProblems(state({ accessEntries: [entry(DEV_ROLE, { kubernetesGroups: ['dev'] })], manifests: teamRbac('dev') }))).toEqual([]);
  });

  test('a malformed payload (written by hand or by another version) is listed, not a crash, and an unknown entry type is refused', () => {
    const problems = desiredStateProblems(state({
      awsAuth: { mapRoles: [null as never, { rolearn: 'arn:aws:iam::111122223333:role/x', groups: [1] as never }], mapUsers: [], mapAccounts: [] },
      accessEntries: [
        null as never,
        { principalArn: DEV_ROLE, type: 'STANDARD' } as never,
        entry('arn:aws:iam::111122223333:role/y', { type: 'EC2_MAC' as never }),
        entry('arn:aws:iam::111122223333:role/z', { accessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' } as never] }),
      ],
    }));
    expect(problems).toEqual([
      'aws-auth mapping null is not an object',
      'aws-auth mapping for arn:aws:iam::111122223333:role/x: groups must be a list of strings, got [1]',
      'access entry null is not an object',
      `access entry for ${DEV_ROLE}: kubernetesGroups must be a list of strings, got undefined`,
      `access entry for ${DEV_ROLE}: accessPolicies must be a list of { policyArn, accessScope: { type: cluster | namespace, namespaces? } }, got undefined`,
      'access entry for arn:aws:iam::111122223333:role/y: type "EC2_MAC" is not one of STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2, HYPERPOD_LINUX',
      expect.stringMatching(/^access entry for arn:aws:iam::111122223333:role\/z: accessPolicies must be a list of/),
    ]);
  });

  test('an unknown version is refused alone, with the version the handler reads', () => {
    expect(desiredStateProblems({ ...state(), version: 2 })).toEqual([expect.stringMatching(/version 2 is not supported by this handler \(it reads version 1\)/)]);
  });

  test('lists every problem, each naming the value', () => {
    const problems = desiredStateProblems(state({
      ownerId: 'Stack_A',
      mechanism: 'BOTH' as never,
      targetAuthenticationMode: 'CONFIGMAP' as never,
      kubernetesRoleArn: 'arn:aws:sts::111122223333:assumed-role/admin/me',
      awsAuth: { mapRoles: [{ rolearn: 'arn:aws:iam::111122223333:role/teams/dev', groups: [] }], mapUsers: [], mapAccounts: ['1234'] },
      accessEntries: [entry(DEV_ROLE, { kubernetesGroups: ['system:masters'] }), entry(DEV_ROLE)],
      manifests: [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' } },
        { apiVersion: 'v1', kind: 'ClusterRole', metadata: { name: 'c' } },
      ],
    }));
    expect(problems).toEqual([
      expect.stringContaining('owner ID "Stack_A"'),
      expect.stringContaining('mechanism "BOTH"'),
      expect.stringContaining('target authentication mode "CONFIGMAP"'),
      expect.stringContaining('kubernetesRoleArn: ARN "arn:aws:sts::111122223333:assumed-role/admin/me" is an assumed-role session'),
      expect.stringContaining('keeps its path'),
      expect.stringContaining('"1234" is not a 12-digit account ID'),
      expect.stringContaining('Kubernetes group "system:masters" is reserved'),
      expect.stringContaining(`access entry for ${DEV_ROLE} is listed twice`),
      expect.stringContaining('manifest Secret s: kind must be one of'),
      expect.stringContaining('manifest Role r: metadata.namespace is required'),
      expect.stringContaining('apiVersion must be rbac.authorization.k8s.io/v1'),
    ]);
    expect(() => assertValidDesiredState(state({ ownerId: '' }))).toThrow(AccessConfigError);
  });

  test('the migration switches: booleans, pruning only with the migration, never with the AWS_AUTH mechanism', () => {
    expect(desiredStateProblems(state({ migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: true }))).toEqual([]);
    expect(desiredStateProblems(state({ migrateFromAwsAuth: 'yes' as never, pruneMigratedAwsAuthEntries: true }))).toEqual([
      'migrateFromAwsAuth must be true or false, got "yes"',
      'pruneMigratedAwsAuthEntries needs migrateFromAwsAuth',
    ]);
    expect(desiredStateProblems(state({ mechanism: 'AWS_AUTH', migrateFromAwsAuth: true }))).toEqual([
      'migrateFromAwsAuth moves aws-auth to access entries, which the AWS_AUTH mechanism does not write',
    ]);
  });
});
