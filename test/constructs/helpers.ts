import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DesiredClusterAccess } from '../../lib/core/desired-state';

/** A fresh app and stack with a fixed environment (no AWS credentials needed). */
export function newStack(id = 'Platform'): { app: App; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  const stack = new Stack(app, id, { env: { account: '111122223333', region: 'eu-west-1' } });
  return { app, stack };
}

/**
 * The desired states of every cluster-access custom resource in `stack`, with CloudFormation
 * intrinsics rendered as readable placeholders: `{"Ref":"X"}` → `${X}`, GetAtt → `${X.Arn}`.
 */
export function desiredStates(stack: Stack): DesiredClusterAccess[] {
  const template = Template.fromStack(stack).toJSON();
  return Object.values(template.Resources as Record<string, any>)
    .filter((r) => r.Type === 'Custom::EksClusterAccess')
    .map((r) => JSON.parse(flatten(r.Properties.inline)));
}

/** The single desired state of `stack`. */
export function desiredState(stack: Stack): DesiredClusterAccess {
  const states = desiredStates(stack);
  if (states.length !== 1) {
    throw new Error(`expected one cluster-access resource, found ${states.length}`);
  }
  return states[0];
}

/** Renders a CloudFormation string expression (Fn::Join of literals and intrinsics) as text. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'];
    return (parts as unknown[]).map(flatten).join(sep);
  }
  if (v.Ref) return `\${${v.Ref}}`;
  if (v['Fn::GetAtt']) return `\${${v['Fn::GetAtt'].join('.')}}`;
  if (v['Fn::Select']) return `\${Select(${v['Fn::Select'][0]},${v['Fn::Select'][1]['Fn::Split'] ? 'Split' : '?'})}`;
  if (v['Fn::ImportValue']) return `\${Import(${flatten(v['Fn::ImportValue'])})}`;
  if (v['Fn::GetStackOutput']) return '${StackOutput}';
  return JSON.stringify(v);
}

/**
 * Turns off aws-cdk-lib's CloudFormation schema validation of synthesized templates for the
 * calling test file (restored afterwards). Measured on this suite: 109 s with it, 23 s without.
 * The example apps keep it on (examples.test.ts), so every resource type the constructs emit is
 * still checked against the CloudFormation schema once.
 */
export function skipCfnSchemaValidation(): void {
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  });
}

/** An aws-eks cluster (its kubectl layer imported, so nothing is bundled), without capacity unless asked. */
export function awsEksCluster(stack: Stack, props: Partial<eks.ClusterProps> = {}): eks.Cluster {
  const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', `arn:aws:lambda:${stack.region}:${stack.account}:layer:kubectl:1`);
  return new eks.Cluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33, kubectlLayer, defaultCapacity: 0, ...props });
}

/** An existing role of account 111122223333, by name. */
export function existingRole(stack: Stack, name: string): iam.IRole {
  return iam.Role.fromRoleArn(stack, name, `arn:aws:iam::111122223333:role/${name}`);
}
