/**
 * Benchmark: synthesizing N teams with cdk-eks-access, and the same N teams with aws-cdk-lib's own
 * `aws-eks` support (an `eks.Cluster`, `awsAuth.addRoleMapping` and one `addManifest` RoleBinding
 * per team), in the same process.
 *
 * A team is the same in both: an IAM group whose members may assume the team's IAM role, the role
 * mapped to the Kubernetes group `team:<name>`, and a RoleBinding of that group to `edit` in the
 * team's namespace.
 *
 * For each N it prints: synth seconds (construction + synth), CloudFormation resources in all
 * templates (nested stacks included) per team, the fixed overhead (the same app with no team),
 * the bytes of all templates, the most resources and bytes in any one template, and whether it
 * would deploy (every template within CloudFormation's 500 resources and 1 MB). A synth error is
 * the result for that row.
 *
 * Usage: npx ts-node bench/synth-teams.ts [N ...]       (default: 10 100 1000)
 *        npx projen bench
 * CloudFormation schema validation of the synthesized templates is off (CDK_VALIDATION=false) for
 * both, as it would otherwise dominate the time; `--validate` turns it on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClusterAccess, KubernetesClusterRole } from '../lib';

/** CloudFormation's quotas per template. */
export const MAX_RESOURCES_PER_TEMPLATE = 500;
export const MAX_TEMPLATE_BYTES = 1_000_000;

const ENV = { account: '111122223333', region: 'eu-west-1' };

export type Implementation = 'cdk-eks-access' | 'aws-eks';

/** What one synthesis produced. */
export interface SynthResult {
  readonly implementation: Implementation;
  readonly teams: number;
  readonly seconds: number;
  /** Set when synthesis failed; the other numbers are then 0. */
  readonly error?: string;
  readonly templates: number;
  readonly resources: number;
  readonly bytes: number;
  readonly maxResourcesInTemplate: number;
  readonly maxTemplateBytes: number;
  readonly deployable: boolean;
}

function teamName(i: number): string {
  return `team-${String(i).padStart(4, '0')}`;
}

/**
 * cdk-eks-access: one ClusterAccess on the cluster, N teams; beyond 100 teams spread over nested
 * stacks of about 100 teams each (`teamBatches`, chosen as a platform team would, with room to grow).
 */
function buildWithLibrary(app: App, teams: number): void {
  const stack = new Stack(app, 'Teams', { env: ENV });
  const teamBatches = teams > 100 ? Math.ceil(teams / 100) : undefined;
  const access = new ClusterAccess(stack, 'Access', { clusterName: 'prod-eu', teamBatches });
  for (let i = 0; i < teams; i++) {
    const name = teamName(i);
    access.addTeam(name, { teamName: name, namespaces: [name], namespaceRole: KubernetesClusterRole.EDIT });
  }
}

/** aws-cdk-lib's aws-eks: its aws-auth support needs a cluster of the app (it rejects imported ones). */
function buildWithAwsEks(app: App, teams: number): void {
  const stack = new Stack(app, 'Teams', { env: ENV });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    publicSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
  });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_33,
    vpc,
    defaultCapacity: 0,
    // An imported layer: synthesis does not need the layer's code.
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:111122223333:layer:kubectl-v33:1'),
  });
  for (let i = 0; i < teams; i++) {
    const name = teamName(i);
    const role = new iam.Role(stack, `${name}Role`, {
      assumedBy: new iam.AccountPrincipal(stack.account),
      description: `Team ${name}: assumed by the members of its group`,
    });
    const group = new iam.Group(stack, `${name}Group`);
    role.grantAssumeRole(group);
    cluster.awsAuth.addRoleMapping(role, { groups: [`team:${name}`], username: `${name}:{{SessionName}}` });
    cluster.addManifest(`${name}Binding`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${name}-edit`, namespace: name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `team:${name}` }],
    });
  }
}

/** Synthesizes `teams` teams with `implementation` into `outdir` and measures the result. */
export function synthTeams(implementation: Implementation, teams: number, outdir: string): SynthResult {
  fs.rmSync(outdir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  let error: string | undefined;
  try {
    const app = new App({ outdir, analyticsReporting: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
    (implementation === 'cdk-eks-access' ? buildWithLibrary : buildWithAwsEks)(app, teams);
    app.synth();
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (error !== undefined) {
    return { implementation, teams, seconds, error, templates: 0, resources: 0, bytes: 0, maxResourcesInTemplate: 0, maxTemplateBytes: 0, deployable: false };
  }
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  let resources = 0;
  let bytes = 0;
  let maxResourcesInTemplate = 0;
  let maxTemplateBytes = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(outdir, f), 'utf-8');
    const count = Object.keys(JSON.parse(text).Resources ?? {}).length;
    resources += count;
    bytes += Buffer.byteLength(text);
    maxResourcesInTemplate = Math.max(maxResourcesInTemplate, count);
    maxTemplateBytes = Math.max(maxTemplateBytes, Buffer.byteLength(text));
  }
  const deployable = maxResourcesInTemplate <= MAX_RESOURCES_PER_TEMPLATE && maxTemplateBytes <= MAX_TEMPLATE_BYTES;
  return { implementation, teams, seconds, templates: files.length, resources, bytes, maxResourcesInTemplate, maxTemplateBytes, deployable };
}

/** A markdown table row of `r`, with resources per team beyond `overhead` (the same app with no team). */
export function formatRow(r: SynthResult, overhead: SynthResult): string {
  if (r.error !== undefined) {
    return `| ${r.implementation} | ${r.teams} | ${r.seconds.toFixed(1)} | synth failed: ${r.error.replace(/\|/g, '\\|')} | | | | | | no |`;
  }
  const perTeam = (r.resources / r.teams).toFixed(2);
  const marginal = ((r.resources - overhead.resources) / r.teams).toFixed(2);
  return `| ${r.implementation} | ${r.teams} | ${r.seconds.toFixed(1)} | ${r.resources} | ${perTeam} | ${marginal} (+${overhead.resources}) | ${r.templates} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.maxResourcesInTemplate} / ${(r.maxTemplateBytes / 1024).toFixed(0)} KiB | ${r.deployable ? 'yes' : `no (> ${MAX_RESOURCES_PER_TEMPLATE} resources or 1 MB in a template)`} |`;
}

export const TABLE_HEADER = [
  '| library | teams | synth s | resources | per team | per team beyond overhead (+overhead) | templates | template bytes | max in one template (resources / bytes) | deploys |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];

function main(argv: string[]): void {
  const validate = argv.includes('--validate');
  if (!validate) process.env.CDK_VALIDATION = 'false';
  const counts = argv.filter((a) => /^\d+$/.test(a)).map(Number);
  const ns = counts.length > 0 ? counts : [10, 100, 1000];
  const out = path.join(__dirname, 'out');
  const implementations: Implementation[] = ['cdk-eks-access', 'aws-eks'];
  const overhead = new Map(implementations.map((impl) => [impl, synthTeams(impl, 0, path.join(out, `${impl}-0`))]));
  console.log(`synth-teams: node ${process.version}, CloudFormation schema validation ${validate ? 'on' : 'off'}`);
  console.log(TABLE_HEADER.join('\n'));
  for (const n of ns) {
    for (const impl of implementations) {
      const r = synthTeams(impl, n, path.join(out, `${impl}-${n}`));
      console.log(formatRow(r, overhead.get(impl)!));
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2));
}
