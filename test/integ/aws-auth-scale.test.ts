/**
 * aws-auth with 10,000 mappings on the real API server: the owners' record must stay within
 * Kubernetes' 256 KiB limit on an object's annotations (full copies of the entries passed it at
 * about 2,500 mappings, and the API server refused the write), and a malformed record is refused
 * with a clear message before anything is written.
 */
import { AccessConfigError } from '../../lib/core/arn';
import { recordedOwners } from '../../lib/core/aws-auth';
import { AWS_AUTH_OWNERS_ANNOTATION } from '../../lib/core/desired-state';
import { reconcileAwsAuth } from '../../lib/handler/aws-auth-reconcile';
import { Deadline } from '../../lib/io/deadline';
import { AWS_AUTH_REF } from '../../lib/io/kube/paths';
import { KubernetesConnection } from '../../lib/io/kubernetes-connection';
import { Logger } from '../../lib/io/log';
import { EMPTY_DESIRED_AWS_AUTH } from '../../lib/plan/aws-auth-change';
import { adminClient } from '../support/kube/env';
import { useSharedCluster } from '../support/kube/shared-cluster';

jest.setTimeout(120_000);
const cluster = useSharedCluster();

const role = (i: number) => ({ rolearn: `arn:aws:iam::111122223333:role/t${i}`, username: `t${i}`, groups: [`t${i}`] });
const quiet = () => new Logger({}, () => undefined);
const input = (ownerId: string, from: number, to: number) => ({
  ownerId,
  desired: { mapRoles: Array.from({ length: to - from }, (_, i) => role(from + i)), mapUsers: [], mapAccounts: [] },
  identities: [],
  deadline: Deadline.in(100_000),
  log: quiet(),
});

test('10,000 mappings of 4 owners are written, replayed without a write and withdrawn by one owner', async () => {
  const kube = new KubernetesConnection(adminClient(), Deadline.in(100_000), quiet(), 0);
  try {
    for (let o = 0; o < 4; o++) {
      const result = await reconcileAwsAuth(kube, input(`stack-${o}.access`, o * 2_500, o * 2_500 + 2_500));
      expect(result.written).toBe(true);
    }
    const live = (await cluster.admin().get(AWS_AUTH_REF))!;
    const annotationBytes = Object.entries(live.metadata!.annotations!).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(recordedOwners(live.metadata!.annotations)).toHaveLength(4);
    expect(annotationBytes).toBeLessThan(256 * 1024);
    expect((live.data as Record<string, string>).mapRoles.match(/rolearn:/g)).toHaveLength(10_000);
    // eslint-disable-next-line no-console
    console.info(`aws-auth with 10,000 mappings: ${annotationBytes} bytes of annotations, ${JSON.stringify(live).length} bytes in all`);

    expect((await reconcileAwsAuth(kube, input('stack-2.access', 5_000, 7_500))).written).toBe(false);
    expect((await reconcileAwsAuth(kube, { ...input('stack-2.access', 0, 0), desired: EMPTY_DESIRED_AWS_AUTH })).written).toBe(true);
    const after = (await cluster.admin().get(AWS_AUTH_REF))!;
    const mapRoles = (after.data as Record<string, string>).mapRoles;
    expect(mapRoles.match(/rolearn:/g)).toHaveLength(7_500);
    expect(mapRoles).not.toContain('role/t5000\n');
    expect(mapRoles).toContain('role/t7500\n');
  } finally {
    kube.close();
  }
});

test('a malformed owners record is refused with a message naming it; nothing is written', async () => {
  const admin = cluster.admin();
  await admin.delete(AWS_AUTH_REF);
  await admin.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system', annotations: { [AWS_AUTH_OWNERS_ANNOTATION]: '{"stack-0.access":{"mapRoles":[42]}}' } },
    data: { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/t0\n  username: t0\n' },
  });
  const before = (await admin.get(AWS_AUTH_REF))!.metadata!.resourceVersion;
  const kube = new KubernetesConnection(adminClient(), Deadline.in(30_000), quiet(), 0);
  try {
    const run = reconcileAwsAuth(kube, input('stack-0.access', 0, 1));
    await expect(run).rejects.toThrow(AccessConfigError);
    await expect(reconcileAwsAuth(kube, input('stack-0.access', 0, 1))).rejects.toThrow(/mapRoles\[0\] of owner "stack-0.access" is not a role mapping: 42/);
  } finally {
    kube.close();
  }
  expect((await admin.get(AWS_AUTH_REF))!.metadata!.resourceVersion).toBe(before);
});
