/**
 * The cdk-nag (AwsSolutions) findings the example apps accept, each acknowledged on the construct
 * it is about, with the reason it is accepted.
 *
 * `acknowledgeClusterAccess` covers what every app using `ClusterAccess` will see in its own nag
 * run: users can call the same `Validations.of(...).acknowledge(...)` on the same constructs
 * (the acknowledgment API is aws-cdk-lib's; the library itself does not depend on cdk-nag).
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ClusterAccess } from '../../lib';

/** The managed policy of every aws-cdk-lib Lambda role, as cdk-nag names it. */
const LAMBDA_BASIC_EXECUTION = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/**
 * Acknowledges cdk-nag finding `id` on `scope` (and everything below it).
 *
 * `Validations.acknowledge` rejects IDs with more than one `::`, but cdk-nag names findings on
 * values with pseudo parameters that way (`...[Policy::arn:<AWS::Partition>:...]`). Those are
 * recorded as the same construct metadata `acknowledge` writes, which is what cdk-nag reads.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length > 2) {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  } else {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

function child(scope: IConstruct, path: string): IConstruct {
  let node: IConstruct = scope;
  for (const id of path.split('/')) {
    const next = node.node.tryFindChild(id);
    if (!next) {
      throw new Error(`${node.node.path} has no child "${id}" (looking for ${path}): the construct tree changed, review the acknowledgments`);
    }
    node = next;
  }
  return node;
}

/** cdk-nag's text for a resource: tokens become `<LogicalId.Attr>`, pseudo parameters `<AWS::X>`. */
function nagText(stack: Stack, value: string): string {
  const resolved = stack.resolve(value);
  const render = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as any[]).map(render).join(v['Fn::Join'][0]);
    if (v.Ref) return `<${v.Ref}>`;
    if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
    throw new Error(`cannot render ${JSON.stringify(v)} as cdk-nag does`);
  };
  return render(resolved);
}

/**
 * Acknowledges the findings on the deploy-time handler and aws-cdk-lib's custom resource Provider
 * framework behind `access` (shared by every `ClusterAccess` of the stack).
 */
export function acknowledgeClusterAccess(access: ClusterAccess): void {
  const stack = Stack.of(access);
  const provider = child(stack, 'ClusterAccessProvider');
  const handler = child(provider, 'Handler');

  acknowledge(child(handler, 'ServiceRole/Resource'), LAMBDA_BASIC_EXECUTION, 'The handler role gets only CloudWatch Logs rights from AWSLambdaBasicExecutionRole (aws-cdk-lib\'s default for lambda.Function); its EKS rights are inline and scoped to the cluster.');
  acknowledge(access.handlerPolicy.node.defaultChild as IConstruct, `AwsSolutions-IAM5[Resource::${nagText(stack, accessEntryArns(access))}]`, 'Access entry ARNs end in the principal type and an ID that EKS assigns when the entry is created, so they cannot be named at synth time; the wildcard is confined to the access entries of this one cluster.');
  for (const suffix of ['/*', '-*/*']) {
    acknowledge(child(handler, 'ServiceRole/DefaultPolicy/Resource'), `AwsSolutions-IAM5[Resource::${nagText(stack, stackArn(stack, suffix))}]`, 'The handler checks that each event comes from a deployment of its own stack or of a stack nested in it; stack ARNs end in an ID CloudFormation assigns, and nested stacks are named after their parent with a suffix CloudFormation assigns, so both are patterns confined to this stack\'s own name.');
  }
  acknowledge(child(handler, 'Resource'), 'AwsSolutions-L1', 'The handler runs on Node.js 22, the runtime its bundle is built and tested for (scripts/bundle.mjs targets node22); moving to a newer runtime is a deliberate release step.');

  const onEvent = child(provider, 'Provider/framework-onEvent');
  acknowledge(child(onEvent, 'ServiceRole/Resource'), LAMBDA_BASIC_EXECUTION, 'The role of aws-cdk-lib\'s custom resource Provider framework Lambda; aws-cdk-lib attaches AWSLambdaBasicExecutionRole for its logs.');
  acknowledge(child(onEvent, 'ServiceRole/DefaultPolicy/Resource'), `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handlerCfn(handler))}.Arn>:*]`, 'aws-cdk-lib\'s Provider framework may invoke any version or alias of the one handler function (lambda:InvokeFunction on <handler ARN>:*), nothing else.');
}

function handlerCfn(handler: IConstruct): any {
  return handler.node.defaultChild;
}

/** The ARN pattern of `stack` (suffix `/*`) or of its nested stacks (suffix `-*` then `/*`). */
function stackArn(stack: Stack, suffix: string): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** The access-entry ARN pattern the handler is granted for `access`'s cluster (in the stack's region). */
function accessEntryArns(access: ClusterAccess): string {
  return Stack.of(access).formatArn({ service: 'eks', resource: 'access-entry', resourceName: `${access.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * Acknowledges the findings on the new-cluster example's own cluster, VPC and cluster role: they
 * are about the example's minimal cluster, not about access control.
 */
export function acknowledgeNewClusterExample(stack: Stack): void {
  acknowledge(child(stack, 'ClusterRole/Resource'),
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
    'EKS requires its cluster service role to carry the AWS managed AmazonEKSClusterPolicy.');
  acknowledge(child(stack, 'Vpc/Resource'), 'AwsSolutions-VPC7',
    'The VPC only hosts the example cluster; VPC flow logs are an account-wide network decision outside this example.');
  const cluster = child(stack, 'Cluster');
  acknowledge(cluster, 'AwsSolutions-EKS1',
    'The example keeps a public endpoint (besides the private one) so its teams can run kubectl from their workstations; ClusterAccess also works with private-only endpoints (its `vpc` property).');
}
