import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flatten, newStack, skipCfnSchemaValidation } from './helpers';
import { ClusterAccess } from '../../lib';
import { INLINE_LIMIT_BYTES, MAX_OBJECTS_PER_RESOURCE } from '../../lib/access-payload';
import { desiredStatesOfApp } from '../../lib/cli/app-source';
import { applyDesiredStateOverrides, applyDesiredStateSubstitutions, DesiredClusterAccess } from '../../lib/core/desired-state';

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

  test('whose identities hold deploy-time values is shipped too: placeholders in the file, their values inline', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    const roles = Array.from({ length: 400 }, (_, i) => new iam.Role(stack, `R${i}`, { assumedBy: new iam.AccountRootPrincipal() }));
    const groups = (i: number) => [`app-${i}-deployers-of-many-things`, ...['readers', 'writers', 'operators', 'auditors'].map((g) => `everyone-in-the-company-who-${g}`)];
    roles.forEach((role, i) => access.mapRole(role, { username: `app-${i}-with-a-long-user-name-to-fill-the-state`, groups: groups(i) }));
    const assembly = app.synth();
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::EksClusterAccess'))[0] as any;
    expect(resource.Properties.inline).toBeUndefined();
    const text = fs.readFileSync(assetFile(assembly.directory, 'Platform', resource.Properties.s3Key), 'utf8');
    expect(text).not.toMatch(/Fn::GetAtt|"Ref"/);
    // What the handler reads: the file, with the envelope's overrides and the substitutions applied.
    const withOverrides = applyDesiredStateOverrides(JSON.parse(text), flatten(resource.Properties.overrides));
    const state = applyDesiredStateSubstitutions(withOverrides, flatten(resource.Properties.substitutions));
    const logicalId = stack.getLogicalId(roles[7].node.defaultChild as iam.CfnRole);
    expect(state.awsAuth.mapRoles[7]).toEqual({ rolearn: `\${${logicalId}.Arn}`, username: 'app-7-with-a-long-user-name-to-fill-the-state', groups: groups(7) });
    expect(state.accessEntries[7].principalArn).toBe(`\${${logicalId}.Arn}`);
    // One value per role, however often the state names it.
    expect(JSON.parse(flatten(resource.Properties.substitutions))).toHaveLength(400);
  });

  test('whose deploy-time values alone are more than a custom resource carries fails, with the way out', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 3000; i++) {
      const role = iam.Role.fromRoleArn(stack, `R${i}`, Fn.importValue(`platform-shared-roles-of-the-deployment-pipelines-deployer-role-arn-number-${i}`));
      access.mapRole(role, { groups: [`app-${i}-deployers`] });
    }
    expect(() => app.synth()).toThrow(/Platform\/Access\/Default: the desired state is \d+ KB and is shipped as a file, but its 3000 values known only at deploy time \(ARNs of roles created in the app\) need \d+ KB beside it, more than the 200 KB a custom resource carries. Spread the teams over more nested stacks with the ClusterAccess's teamBatches/);
  });

  test('realistic teams synthesize without tuning: 100 teams of 5 namespaces, half of them created', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 100; i++) {
      access.addTeam(`Team${i}`, { namespaces: [0, 1, 2, 3, 4].map((n) => `team-${i}-ns-${n}`), createNamespaces: i % 2 === 0 });
    }
    const assembly = app.synth();
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::EksClusterAccess'))[0] as any;
    const text = fs.readFileSync(assetFile(assembly.directory, 'Platform', resource.Properties.s3Key), 'utf8');
    const state = applyDesiredStateSubstitutions(JSON.parse(text), flatten(resource.Properties.substitutions));
    expect(Buffer.byteLength(text)).toBeGreaterThan(INLINE_LIMIT_BYTES);
    expect(state.manifests.filter((m) => m.kind === 'Namespace')).toHaveLength(250);
    expect(state.manifests.filter((m) => m.kind === 'RoleBinding')).toHaveLength(500);
    expect(state.accessEntries).toHaveLength(100);
    // eks-access report --app and diff --app read it as the handler does: role ARNs, no placeholders.
    const fromApp = desiredStatesOfApp(assembly.directory).states[0].state;
    expect(fromApp.accessEntries[0].principalArn).toMatch(/^arn:aws:iam::111122223333:role\/\$\{AccessTeam0Role[0-9A-F]+\}$/);
    expect(JSON.stringify(fromApp)).not.toContain('cdk-eks-access:');
  });

  test('a team with more Kubernetes objects than a custom resource applies is refused, naming the team and the limit', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    access.addTeam('Small', { namespaces: ['small'] });
    access.addTeam('Huge', { namespaces: Array.from({ length: MAX_OBJECTS_PER_RESOURCE / 2 + 1 }, (_, i) => `huge-${i}`), createNamespaces: true });
    expect(() => app.synth()).toThrow(`team Platform/Access/Huge alone makes ${MAX_OBJECTS_PER_RESOURCE + 2} Kubernetes objects (namespaces, roles and bindings), more than the ${MAX_OBJECTS_PER_RESOURCE} one custom resource applies within its handler's time; split it into several teams (fewer namespaces each)`);
  });

  test('a batch with more objects than that is refused, naming its largest teams and teamBatches', () => {
    const { app, stack } = newStack();
    const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod' });
    for (let i = 0; i < 160; i++) {
      access.addTeam(`Team${i}`, { namespaces: Array.from({ length: 10 }, (_, n) => `team-${i}-ns-${n}`), createNamespaces: true });
    }
    expect(() => app.synth()).toThrow(/Platform\/Access\/Default: this custom resource would apply 3200 Kubernetes objects .*, more than the 3000 one applies within its handler's time. The largest: team Platform\/Access\/Team0 \(20\), .*Spread the teams over more nested stacks with the ClusterAccess's teamBatches/);
  });

  test('applyDesiredStateOverrides refuses fields other than the envelope', () => {
    const base = { clusterName: 'a' } as DesiredClusterAccess;
    expect(applyDesiredStateOverrides(base, '{"clusterName":"b"}').clusterName).toBe('b');
    expect(() => applyDesiredStateOverrides(base, '{"accessEntries":[]}')).toThrow(/may set only clusterName, region, account, kubernetesRoleArn, handlerRoleArn, not "accessEntries"/);
    expect(() => applyDesiredStateOverrides(base, '[1]')).toThrow(/must be a JSON object/);
  });
});
