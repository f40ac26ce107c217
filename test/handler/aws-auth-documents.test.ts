/**
 * The deploy-time merge on an aws-auth whose sections hold more than one YAML document: the
 * authenticator reads the first only; the handler writes as for any other map and keeps the
 * ignored text byte for byte after the rewritten first document.
 */
import { NODE_ROLE } from './fixtures';
import { parseAwsAuth } from '../../lib/core/aws-auth';
import { KubeObject } from '../../lib/io/kubernetes-api';
import { computeAwsAuthChange } from '../../lib/plan/aws-auth-change';

const DEVELOPER = 'arn:aws:iam::111122223333:role/developer';
const IGNORED = '---\n- rolearn: arn:aws:iam::111122223333:role/ignored   # not read by the authenticator\n  groups: [system:masters]\n...\n';

function liveAwsAuth(mapRoles: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '7' }, data: { mapRoles } } as KubeObject;
}

test('a merge keeps the documents after the first byte for byte, and adds to the first only', () => {
  const nodes = `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n`;
  const change = computeAwsAuthChange(liveAwsAuth(nodes + IGNORED), {
    ownerId: 'stack-a.access',
    desired: { mapRoles: [{ rolearn: DEVELOPER, username: 'dev', groups: ['dev'] }], mapUsers: [], mapAccounts: [] },
    identities: [],
  });
  const written = (change.next!.data as Record<string, string>).mapRoles;
  expect(written.endsWith(IGNORED)).toBe(true);
  const read = parseAwsAuth({ mapRoles: written }).configMap!;
  expect(read.mapRoles.map((r) => r.rolearn)).toEqual([NODE_ROLE, DEVELOPER]);
  expect(read.ignoredText).toEqual({ mapRoles: IGNORED });
});
