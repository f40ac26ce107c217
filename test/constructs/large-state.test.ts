import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess } from '../../lib';
import { INLINE_LIMIT_BYTES } from '../../lib/access-payload';
import { applyDesiredStateOverrides, DesiredClusterAccess } from '../../lib/core/desired-state';

skipCfnSchemaValidation();

function roleArn(i: number): string {
  return `arn:aws:iam::111122223333:role/apps/app-${String(i).padStart(4, '0')}-deployer`;
}

describe('a desired state larger than a custom resource can carry', () => {
  test('is shipped as an S3 asset the handler may read, with deploy-time values as overrides', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 1200; i++) {
      access.mapRole(iam.Role.fromRoleArn(stack, `R${i}`, roleArn(i)), { username: `app-${i}`, groups: [`app-${i}-deployers`] });
    }
    const assembly = app.synth();
    const template = Template.fromStack(stack);
    const resource = Object.values(template.findResources('Custom::EksClusterAccess'))[0] as any;
    expect(resource.Properties.inline).toBeUndefined();
    expect(resource.Properties.s3Key).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(resource.Properties.s3Bucket).toBeDefined();

    // The asset file is the state without the deploy-time handler role ARN, which travels inline.
    const file = path.join(assembly.directory, `asset.${resource.Properties.s3Key.replace('.json', '')}.json`);
    const text = fs.readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeGreaterThan(INLINE_LIMIT_BYTES);
    const fromS3 = JSON.parse(text) as DesiredClusterAccess;
    expect(fromS3.handlerRoleArn).toBeUndefined();
    expect(fromS3.awsAuth.mapRoles).toHaveLength(1200);
    expect(fromS3.awsAuth.mapRoles[7]).toEqual({ rolearn: 'arn:aws:iam::111122223333:role/app-0007-deployer', username: 'app-7', groups: ['app-7-deployers'] });
    expect(fromS3.accessEntries[7].principalArn).toBe(roleArn(7));
    const combined = applyDesiredStateOverrides(fromS3, flatten(resource.Properties.overrides));
    expect(combined.handlerRoleArn).toMatch(/^\$\{ClusterAccessProviderHandlerServiceRole[0-9A-F]+\.Arn\}$/);
    expect(combined.clusterName).toBe('prod');

    // The handler may read that object (and the grant names the asset bucket).
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.some((s: any) => [s.Action].flat().includes('s3:GetObject*'))).toBe(true);
  });

  test('whose identities hold deploy-time values fails with advice', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 700; i++) {
      access.mapRole(new iam.Role(stack, `R${i}`, { assumedBy: new iam.AccountRootPrincipal() }), { username: `app-${i}-with-a-long-user-name-to-fill-the-state`, groups: [`app-${i}-deployers-of-many-things`, 'everyone-in-the-company'] });
    }
    expect(() => app.synth()).toThrow(/Platform\/Access\/Default: the desired state is \d+ KB, more than the 200 KB .* cannot be shipped as a file; use ClusterAccess.addTeam/);
  });

  test('applyDesiredStateOverrides refuses fields other than the envelope', () => {
    const base = { clusterName: 'a' } as DesiredClusterAccess;
    expect(applyDesiredStateOverrides(base, '{"clusterName":"b"}').clusterName).toBe('b');
    expect(() => applyDesiredStateOverrides(base, '{"accessEntries":[]}')).toThrow(/may set only clusterName, region, account, kubernetesRoleArn, handlerRoleArn, not "accessEntries"/);
    expect(() => applyDesiredStateOverrides(base, '[1]')).toThrow(/must be a JSON object/);
  });
});
