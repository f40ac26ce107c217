/**
 * The IAM statements the constructs synthesize for the deploy-time handler, as the EKS fake's model
 * of the caller's permissions takes them: every statement of every policy attached to the
 * handler's role, with CloudFormation's deploy-time values resolved.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamStatement } from './eks-fake';

/** What CloudFormation would fill in: pseudo parameters and the handler role's ARN. */
export interface DeployTimeValues {
  readonly partition?: string;
  readonly region: string;
  readonly accountId: string;
  readonly handlerRoleArn: string;
}

/** The statements of the policies attached to `handlerRole` in `stack`'s template, resolved. */
export function synthesizedHandlerStatements(stack: Stack, handlerRole: iam.IRole, deployed: DeployTimeValues): IamStatement[] {
  const roleId = stack.getLogicalId(handlerRole.node.defaultChild as iam.CfnRole);
  const values: Record<string, string> = {
    'AWS::Partition': deployed.partition ?? 'aws',
    'AWS::Region': deployed.region,
    'AWS::AccountId': deployed.accountId,
    'AWS::URLSuffix': 'amazonaws.com',
    [`${roleId}.Arn`]: deployed.handlerRoleArn,
  };
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId));
  if (policies.length === 0) {
    throw new Error(`no policy of the template is attached to the handler role ${roleId}`);
  }
  return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .map((s: any) => ({ Effect: s.Effect, Action: s.Action, Resource: resolveIntrinsics(s.Resource, values) }));
}

/** A CloudFormation value with Ref, Fn::GetAtt and Fn::Join replaced by `values`; anything else throws. */
export function resolveIntrinsics(value: unknown, values: Readonly<Record<string, string>>): any {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, values));
  const v = value as Record<string, any>;
  const lookup = (key: string) => {
    if (!(key in values)) throw new Error(`no deploy-time value for ${key}`);
    return values[key];
  };
  if (v.Ref) return lookup(v.Ref);
  if (v['Fn::GetAtt']) return lookup(v['Fn::GetAtt'].join('.'));
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((part) => resolveIntrinsics(part, values)).join(v['Fn::Join'][0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}
