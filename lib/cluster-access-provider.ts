import { createHash } from 'crypto';
import * as path from 'path';
import { Arn, ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { STACK_ID_ENV } from './core/desired-state';

/** Where the deploy-time handler runs. */
export interface ClusterAccessProviderProps {
  /**
   * Run the handler in this VPC (for clusters whose API endpoint is private).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the handler; they need a route to the EKS, STS (and S3) APIs.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the handler; the cluster's security group must admit them on port 443.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** What one cluster needs the handler to be allowed to do. */
export interface ClusterPermissions {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** ARN pattern of the cluster's access entries (`arn:...:access-entry/<cluster>/*`). */
  readonly accessEntryArns: string;
  /**
   * Allow the access-entry actions. Only a cluster reached through aws-auth alone, with a
   * Kubernetes admin role to assume, does without them.
   * @default true
   */
  readonly accessEntries?: boolean;
  /** Allow `eks:UpdateClusterConfig` (authentication mode moves). */
  readonly updateClusterConfig: boolean;
  /**
   * The role the handler assumes to talk to Kubernetes.
   * @default - none: no `sts:AssumeRole` is granted
   */
  readonly kubernetesRole?: iam.IRole;
  /**
   * Node roles whose EC2_LINUX or EC2_WINDOWS access entries the handler creates: EKS requires
   * `iam:PassRole` on each from whoever creates such an entry (User Guide, Create access entries).
   * EKS documents no `iam:PassedToService` value for it, so the grant is scoped by resource only.
   * @default - none
   */
  readonly passRoles?: string[];
  /**
   * The handler migrates the cluster's aws-auth to access entries: it reads the roles of managed
   * node groups and Fargate profiles, and the full ARNs of the account's roles and users.
   * @default false
   */
  readonly migrateFromAwsAuth?: boolean;
}

/** Directory of the bundled handler (built by `scripts/bundle.mjs` into `assets/handler`). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'assets', 'handler');

/**
 * The deploy-time handler (a Node.js 22 Lambda function) behind aws-cdk-lib's custom resource
 * Provider framework, which answers CloudFormation on every path, even when the handler crashes.
 * One per stack, or one per VPC placement within a stack: every `ClusterAccess` of the stack
 * shares it, and each attaches a policy of its own with the least privilege for its cluster.
 */
export class ClusterAccessProvider extends Construct {
  /** The provider of `scope`'s top-level stack for this placement, created on first use. */
  public static getOrCreate(scope: Construct, props: ClusterAccessProviderProps = {}): ClusterAccessProvider {
    let stack = Stack.of(scope);
    while (stack.nestedStackParent) {
      stack = stack.nestedStackParent;
    }
    const id = props.vpc ? `ClusterAccessProvider${placementKey(props)}` : 'ClusterAccessProvider';
    const existing = stack.node.tryFindChild(id);
    if (existing) {
      return existing as ClusterAccessProvider;
    }
    return new ClusterAccessProvider(stack, id, props);
  }

  /** The Lambda function that applies the desired state. */
  public readonly handler: lambda.Function;
  /** The handler's execution role. */
  public readonly handlerRole: iam.IRole;
  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  constructor(scope: Construct, id: string, props: ClusterAccessProviderProps = {}) {
    super(scope, id);
    const inVpc = props.vpc ? {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: props.securityGroups,
    } : {};
    this.handler = new lambda.Function(this, 'Handler', {
      description: 'cdk-eks-access: applies aws-auth, access entries and RBAC to EKS clusters',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.onEvent',
      code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
      timeout: Duration.minutes(14),
      memorySize: 512,
      // It applies only events of deployments of this stack (and of the stacks nested in it).
      environment: { [STACK_ID_ENV]: Aws.STACK_ID },
      ...inVpc,
    });
    this.handlerRole = this.handler.role!;
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'],
      resources: [ownStackArns(Stack.of(this), '/*'), ownStackArns(Stack.of(this), '-*/*')],
    }));
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      ...inVpc,
    });
    this.serviceToken = provider.serviceToken;
  }

  /**
   * The handler's permissions on one cluster, and nothing beyond it, as an IAM policy of their own
   * attached to the handler's role, created in `scope`. Each access configuration has its own: when
   * it is removed (or moved to another cluster or region), its custom resources depend on its policy,
   * so CloudFormation deletes them first, and their Delete still has the permissions it needs.
   */
  public clusterPolicy(scope: Construct, id: string, p: ClusterPermissions): ClusterPolicy {
    return new ClusterPolicy(scope, id, this.handlerRole, p);
  }
}

/** The handler's IAM policy for one cluster (see {@link ClusterAccessProvider.clusterPolicy}). */
export class ClusterPolicy extends Construct {
  /** The IAM policy. */
  public readonly policy: iam.Policy;
  private readonly granted = new Set<string>();

  constructor(scope: Construct, id: string, role: iam.IRole, private readonly p: ClusterPermissions) {
    super(scope, id);
    this.policy = new iam.Policy(this, 'Resource', { roles: [role] });
    const accessEntries = p.accessEntries ?? true;
    this.allow(accessEntries ? ['eks:DescribeCluster', 'eks:ListAccessEntries', 'eks:CreateAccessEntry'] : ['eks:DescribeCluster'], p.clusterArn);
    if (accessEntries) {
      this.allow([
        'eks:CreateAccessEntry',
        'eks:DescribeAccessEntry',
        'eks:UpdateAccessEntry',
        'eks:DeleteAccessEntry',
        'eks:AssociateAccessPolicy',
        'eks:DisassociateAccessPolicy',
        'eks:ListAssociatedAccessPolicies',
        'eks:TagResource',
      ], p.accessEntryArns);
    }
    if (p.updateClusterConfig) {
      this.allow(['eks:UpdateClusterConfig', 'eks:DescribeUpdate'], p.clusterArn);
    }
    if (p.kubernetesRole) {
      this.allow(['sts:AssumeRole'], p.kubernetesRole.roleArn);
    }
    (p.passRoles ?? []).forEach((roleArn) => this.allowPassRole(roleArn));
    if (p.migrateFromAwsAuth) {
      this.grantMigrationReads();
    }
  }

  /**
   * `iam:PassRole` on a node role whose EC2_LINUX or EC2_WINDOWS access entry the handler creates
   * (nothing where the handler does not use access entries).
   */
  public allowPassRole(roleArn: string): void {
    if (this.p.accessEntries ?? true) {
      this.allow(['iam:PassRole'], roleArn);
    }
  }

  /**
   * `iam:ListRoles`, with which the handler finds the roles IAM Identity Center made for the
   * permission sets it maps (their names end in a suffix only known in the account). IAM offers no
   * narrower resource for listing roles than every role (`*`); nothing else is granted for it.
   */
  public allowListIdentityCenterRoles(): void {
    this.allow(['iam:ListRoles'], '*');
  }

  /** Reads of the migration from aws-auth: EKS-managed roles of the cluster, principals' full ARNs in IAM. */
  private grantMigrationReads(): void {
    const p = this.p;
    const stack = Stack.of(this);
    const arn = Arn.split(p.clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
    const inCluster = (resource: string) => stack.formatArn({ service: 'eks', region: arn.region, account: arn.account, resource, resourceName: `${p.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.allow(['eks:ListNodegroups', 'eks:ListFargateProfiles'], p.clusterArn);
    this.allow(['eks:DescribeNodegroup'], inCluster('nodegroup'));
    this.allow(['eks:DescribeFargateProfile'], inCluster('fargateprofile'));
    this.allow(['iam:GetRole'], stack.formatArn({ service: 'iam', region: '', account: arn.account, resource: 'role', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
    this.allow(['iam:GetUser'], stack.formatArn({ service: 'iam', region: '', account: arn.account, resource: 'user', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
    // ListRoles takes no resource narrower than the account's roles; it finds IAM Identity Center roles by path.
    this.allow(['iam:ListRoles'], '*');
  }

  /** Adds a statement once (the same grant asked twice adds nothing). */
  private allow(actions: string[], resource: string): void {
    const key = `${actions.join(',')}|${resource}`;
    if (this.granted.has(key)) {
      return;
    }
    this.granted.add(key);
    this.policy.addStatements(new iam.PolicyStatement({ actions, resources: [resource] }));
  }
}

/** The ARN pattern of `stack` itself, or (suffix `-*` and `/*`) of the stacks nested in it, whose names start with its name. */
function ownStackArns(stack: Stack, suffix: string): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

function placementKey(props: ClusterAccessProviderProps): string {
  const parts = [
    props.vpc!.node.path,
    JSON.stringify(props.vpcSubnets?.subnetType ?? ''),
    (props.vpcSubnets?.subnetGroupName ?? ''),
    (props.vpcSubnets?.subnets ?? []).map((s) => s.node.path).join(','),
    (props.securityGroups ?? []).map((s) => s.node.path).join(','),
  ];
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 8);
}
