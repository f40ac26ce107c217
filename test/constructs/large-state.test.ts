import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess } from '../../lib';
import { INLINE_LIMIT_BYTES } from '../../lib/access-payload';
import { applyDesiredStateOverrides, DesiredClusterAccess } from '../../lib/core/desired-state';

skipCfnSchemaValidation();

/** The file of the asset with object key `s3Key`, from the stack's asset manifest. */
function assetFile(assemblyDir: string, stackName: string, s3Key: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, `${stackName}.assets.json`), 'utf8'));
  const holds = (f: any) => Object.values(f.destinations as Record<string, any>).some((d) => d.objectKey === s3Key);
  const [id] = Object.entries(manifest.files as Record<string, any>).find(([, f]) => holds(f))!;
  return path.join(assemblyDir, manifest.files[id].source.path);
}

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
    const file = assetFile(assembly.directory, 'Platform', resource.Properties.s3Key);
    expect(path.dirname(file)).toBe(assembly.directory);
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

    // The handler may read that one object: s3:GetObject on its ARN, nothing else of the bucket.
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const s3 = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect(s3[0].Action).toBe('s3:GetObject');
    expect(flatten(s3[0].Resource)).toBe(`arn:\${AWS::Partition}:s3:::${flatten(resource.Properties.s3Bucket)}/${resource.Properties.s3Key}`);
    // In the cluster's own policy, which the custom resource depends on (kept until its Delete ran).
    const [policyId] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .find(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement.some((st: any) => st.Action === 's3:GetObject'))!;
    expect(resource.DependsOn).toContain(policyId);
  });

  test('is written into the cloud assembly, exclusively: never to the shared temp directory, never through a link', () => {
    const build = (outdir: string) => {
      const app = new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
      const stack = new Stack(app, 'Platform', { env: { account: '111122223333', region: 'eu-west-1' } });
      const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
      for (let i = 0; i < 1200; i++) {
        access.mapRole(iam.Role.fromRoleArn(stack, `R${i}`, roleArn(i)), { username: `app-${i}`, groups: [`app-${i}-deployers`] });
      }
      const assembly = app.synth();
      const resource = Object.values(Template.fromStack(stack).findResources('Custom::EksClusterAccess'))[0] as any;
      return { file: assetFile(assembly.directory, 'Platform', resource.Properties.s3Key), key: resource.Properties.s3Key as string };
    };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'large-state-'));
    const savedTmp = process.env.TMPDIR;
    try {
      // A private TMPDIR: earlier versions wrote to <tmp>/cdk-eks-access/<sha256>/desired-state.json.
      process.env.TMPDIR = path.join(work, 'tmp');
      fs.mkdirSync(process.env.TMPDIR);
      const first = build(path.join(work, 'out1'));
      const text = fs.readFileSync(first.file, 'utf8');
      expect(fs.existsSync(path.join(process.env.TMPDIR, 'cdk-eks-access'))).toBe(false);

      // Someone else on the machine links the predictable paths to a file of the user's.
      const victim = path.join(work, 'victim.txt');
      fs.writeFileSync(victim, 'precious');
      const predictable = path.join(process.env.TMPDIR, 'cdk-eks-access', createHash('sha256').update(text).digest('hex'));
      fs.mkdirSync(predictable, { recursive: true });
      fs.symlinkSync(victim, path.join(predictable, 'desired-state.json'));
      const outdir = path.join(work, 'out2');
      fs.mkdirSync(outdir);
      fs.symlinkSync(victim, path.join(outdir, path.basename(first.file)));

      const second = build(outdir);
      expect(second.key).toBe(first.key);
      expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
      expect(fs.lstatSync(second.file).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(second.file, 'utf8')).toBe(text);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      fs.rmSync(work, { recursive: true, force: true });
    }
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
