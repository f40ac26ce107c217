import { createHash } from 'crypto';
import { ArnFormat, NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { AccessPayload } from './access-payload';
import { AccessPolicy, AccessScope } from './access-policy';
import { AccessTeam, AccessTeamOptions } from './access-team';
import { permissionSetForms, roleForms, userForms } from './aws-auth-arn';
import { ClusterAccessProvider, ClusterPermissions, ClusterPolicy } from './cluster-access-provider';
import { AccessConfigError } from './core/arn';
import { AuthenticationMode, KubernetesManifest } from './core/desired-state';
import { isPermissionSetName } from './core/permission-sets';
import { associationSpec, identityRecord } from './identity-registry';
import { AccessMechanism, KubernetesIdentityOptions, NodeRoleMappingOptions } from './kubernetes-identity';
import { otherAwsAuthWriters } from './private/aws-auth-writers';
import { resolveClusterTarget } from './private/cluster-target';
import { warnOfIamQuotas } from './private/iam-quotas';
import { BUILT_IN_CLUSTER_ROLES, manifestsToYaml, ownershipLabels } from './rbac/manifests';

/** Properties of a {@link ClusterAccess}. */
export interface ClusterAccessProps {
  /**
   * The cluster: from `aws-cdk-lib/aws-eks` or `aws-cdk-lib/aws-eks-v2` (created in this app or
   * imported with `Cluster.fromClusterAttributes`, which aws-cdk's own aws-auth support rejects),
   * or an `eks.CfnCluster`: anything that is an `eks.IClusterRef`. Its kubectl role and private
   * subnets (aws-eks) or kubectl provider subnets (aws-eks-v2) are used unless given here.
   *
   * The cluster must be in this stack's account and region; name a cluster of another region
   * with `clusterName` and `region` instead. Give exactly one of `cluster`, `clusterName` and
   * `clusterArn`.
   *
   * @default - the cluster named by `clusterName` or `clusterArn`
   */
  readonly cluster?: eks.IClusterRef;

  /**
   * Name of an existing cluster, in this stack's account and region (or `region`).
   * With `clusterArn`, the name of the cluster that ARN names (needed when the ARN is a token).
   *
   * @default - the name of `cluster`, or the name in `clusterArn`
   */
  readonly clusterName?: string;

  /**
   * ARN of an existing cluster (`arn:aws:eks:eu-west-1:111122223333:cluster/prod`): its name and
   * region are taken from it. It must be in this stack's account. With a private endpoint, give
   * `vpc` (and `vpcSubnets`, `securityGroups`); for a cluster in mode `CONFIG_MAP`,
   * `kubernetesAdminRole`.
   *
   * @default - the ARN of `cluster`, or of the cluster `clusterName` names
   */
  readonly clusterArn?: string;

  /**
   * Region of the cluster when it differs from the stack's. A name aws-cdk-lib does not know as a
   * region (a typo such as `eu-wset-1`) is a synth warning.
   *
   * @default - the stack's region (or the region in `clusterArn`)
   */
  readonly region?: string;

  /**
   * A role that has Kubernetes admin rights in the cluster (is in its aws-auth as
   * `system:masters`, or created it). The handler assumes it to write aws-auth and RBAC objects;
   * a cluster in mode `CONFIG_MAP` needs one. Clusters with the access-entry API do not: the
   * handler then grants its own role cluster-admin access through an access entry.
   *
   * @default - `cluster.kubectlRole` when `cluster` has one, otherwise none
   */
  readonly kubernetesAdminRole?: iam.IRole;

  /**
   * How identities reach the cluster.
   *
   * @default AccessMechanism.AUTO - access entries when the cluster's mode allows, aws-auth otherwise
   */
  readonly mechanism?: AccessMechanism;

  /**
   * Move the cluster's authentication mode forward to this mode (one step at a time; EKS never
   * moves back) before applying identities. The handler is then allowed `eks:UpdateClusterConfig`.
   *
   * @default - the mode is left as it is
   */
  readonly authenticationMode?: eks.AuthenticationMode;

  /**
   * Run the handler in this VPC, for a cluster whose API endpoint is private.
   *
   * @default - `cluster.vpc` when the cluster has kubectl private subnets, otherwise no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets for the handler in `vpc`.
   *
   * @default - the cluster's kubectl private subnets, or the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups for the handler in `vpc`.
   *
   * @default - the cluster's kubectl security group, or a new one
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Spread the teams added with `addTeam` over this many nested stacks, each with its own custom
   * resource. Each team goes to the batch that a hash of its ID picks, so adding or removing a team
   * never moves another one. Choose the number once, with room to grow: changing it moves teams to
   * other nested stacks, which re-creates their IAM groups and roles. A team costs at most two
   * CloudFormation resources; a batch holds at most 240 teams.
   *
   * @default - no batches: every team lives in this construct's stack (at most 200 teams)
   */
  readonly teamBatches?: number;

  /**
   * Move the cluster's `aws-auth` ConfigMap to access entries in this deployment. At deploy time
   * the handler plans the migration against the live aws-auth, exactly as
   * `eks-access migrate plan --cluster` does (docs/migration.md), and creates the planned access
   * entries as this construct's own, besides the identities declared here:
   *
   * - principals this construct declares (`mapRole`, `mapUser`, teams, ...) and entries another
   *   `ClusterAccess` wrote into aws-auth are never planned twice: their declarations apply;
   * - node roles are migrated only when mapped with `mapNodeRole` (their entries need
   *   `iam:PassRole` on the role, which the handler is granted for the roles it maps);
   * - with `authenticationMode: API` the deployment is refused, before the mode changes, while the
   *   plan blocks it (`mapAccounts`, service-linked roles, shadowed entries, ...);
   * - the plan is in the handler's log, its summary in {@link migrationSummary}.
   *
   * The handler is allowed to read the cluster's managed node groups and Fargate profiles and the
   * account's IAM roles and users (their paths). The migrated entries belong to this construct:
   * removing it, or turning this off, removes them (after `pruneMigratedAwsAuthEntries` their
   * principals then have no access left). Declare the identities to keep first;
   * `eks-access migrate plan -o cdk` writes the calls.
   *
   * Needs access entries: `authenticationMode` API_AND_CONFIG_MAP or API (or a cluster already in
   * one of them) and the AUTO or ACCESS_ENTRIES mechanism.
   *
   * @default false
   */
  readonly migrateFromAwsAuth?: boolean;

  /**
   * With `migrateFromAwsAuth`: remove the migrated entries from aws-auth once their access entries
   * exist and give the same username and groups. Nothing else in aws-auth is removed: not blocked
   * or skipped entries, not entries of other owners.
   *
   * @default false
   */
  readonly pruneMigratedAwsAuthEntries?: boolean;
}

/**
 * Access control for one EKS cluster: IAM roles and users mapped to Kubernetes identities, EKS
 * access policies, and RBAC objects, all applied at deploy time by one custom resource (per batch
 * of teams) and removed again when the construct is removed.
 *
 * Every identity is computed in both forms, the `aws-auth` entry (role ARN without its path) and
 * the access entry (full ARN); the handler applies the one the cluster's authentication mode uses.
 *
 * @example
 * declare const cluster: eks.ICluster;
 * declare const ciRole: iam.IRole;
 * declare const sreRole: iam.IRole;
 *
 * const access = new ClusterAccess(this, 'Access', { cluster });
 * access.mapRole(ciRole, { groups: ['deployers'] });
 * access.grantAccessPolicy(sreRole, AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY);
 * access.addTeam('Dev', { namespaces: ['dev'], namespaceRole: KubernetesClusterRole.EDIT });
 */
export class ClusterAccess extends Construct {
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The cluster's ARN. */
  public readonly clusterArn: string;
  /** The mechanism the handler uses. */
  public readonly mechanism: AccessMechanism;
  /** The owner ID recorded on everything this construct's main custom resource creates. */
  public readonly ownerId: string;
  /** The role of the deploy-time handler. */
  public readonly handlerRole: iam.IRole;
  /**
   * The IAM policy with the handler's permissions on this cluster (and nothing else), attached to
   * `handlerRole`. Its logical ID changes with the cluster, its region and account: moving the
   * access configuration to another cluster creates a new policy and deletes this one after the
   * old cluster was cleaned up.
   */
  public readonly handlerPolicy: iam.Policy;
  /**
   * With `migrateFromAwsAuth`: the one-line summary of the migration from aws-auth (verdict
   * counts, entries removed, whether mode API is allowed), as the last deployment left it.
   */
  public readonly migrationSummary?: string;

  private readonly provider: ClusterAccessProvider;
  private readonly permissions: ClusterPermissions;
  private readonly clusterPolicy: ClusterPolicy;
  private readonly clusterAccount: string;
  private readonly main: AccessPayload;
  private readonly shards: AccessPayload[] = [];
  private readonly teamList: AccessTeam[] = [];
  private readonly teamBatches?: number;
  private readonly payloadProps: Omit<ConstructorParameters<typeof AccessPayload>[2], 'serviceToken' | 'handlerRoleArn' | 'handler'>;

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const target = resolveClusterTarget(this, props);
    this.clusterName = target.clusterName;
    this.clusterArn = target.clusterArn;
    const region = target.region;
    const accessEntryArns = stack.formatArn({
      service: 'eks',
      resource: 'access-entry',
      resourceName: `${this.clusterName}/*`,
      region,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.mechanism = props.mechanism ?? AccessMechanism.AUTO;
    const mode = props.authenticationMode as string | undefined;
    if (this.mechanism === AccessMechanism.ACCESS_ENTRIES && mode === 'CONFIG_MAP') {
      throw new AccessConfigError(`${this.node.path}: AccessMechanism.ACCESS_ENTRIES needs the access-entry API, which authentication mode CONFIG_MAP does not have; use API_AND_CONFIG_MAP or API`);
    }
    if (this.mechanism === AccessMechanism.AWS_AUTH && mode === 'API') {
      throw new AccessConfigError(`${this.node.path}: AccessMechanism.AWS_AUTH writes aws-auth, which a cluster in authentication mode API ignores; use CONFIG_MAP or API_AND_CONFIG_MAP`);
    }
    this.checkMigrationProps(props);
    this.teamBatches = props.teamBatches;
    if (this.teamBatches !== undefined && (!Number.isInteger(this.teamBatches) || this.teamBatches < 1 || this.teamBatches > MAX_TEAM_BATCHES)) {
      throw new AccessConfigError(`${this.node.path}: teamBatches must be an integer from 1 to ${MAX_TEAM_BATCHES}, got ${this.teamBatches}`);
    }

    const kubernetesAdminRole = props.kubernetesAdminRole ?? target.kubectlRole;
    const privateSubnets = target.privateSubnets;
    const vpc = props.vpc ?? target.vpc;
    this.provider = ClusterAccessProvider.getOrCreate(this, vpc ? {
      vpc,
      vpcSubnets: props.vpcSubnets ?? (privateSubnets ? { subnets: privateSubnets } : undefined),
      securityGroups: props.securityGroups ?? (target.securityGroup ? [target.securityGroup] : undefined),
    } : {});
    this.clusterAccount = target.account;
    this.permissions = {
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      accessEntryArns,
      updateClusterConfig: props.authenticationMode !== undefined,
      // aws-auth alone through an admin role needs no access-entry permission.
      accessEntries: !(this.mechanism === AccessMechanism.AWS_AUTH && kubernetesAdminRole !== undefined),
      kubernetesRole: kubernetesAdminRole,
      migrateFromAwsAuth: props.migrateFromAwsAuth ?? false,
    };
    // Keyed by the cluster: another cluster or region gets a new policy and new custom resources.
    const targetKey = clusterKey(stack, this.clusterName, region ?? stack.region, this.clusterAccount);
    this.clusterPolicy = this.provider.clusterPolicy(this, `HandlerPolicy${targetKey}`, this.permissions);
    this.handlerPolicy = this.clusterPolicy.policy;
    this.handlerRole = this.provider.handlerRole;

    this.payloadProps = {
      clusterName: this.clusterName,
      region: region ?? stack.region,
      targetKey,
      permissions: this.handlerPolicy,
      mechanism: this.mechanism,
      targetAuthenticationMode: props.authenticationMode as string as AuthenticationMode | undefined,
      kubernetesRoleArn: kubernetesAdminRole?.roleArn,
      partition: partitionOf(stack, region),
      clusterAccount: this.clusterAccount,
      knownClusterRoles: () => this.knownClusterRoles(),
    };
    this.main = new AccessPayload(this, 'Default', {
      ...this.payloadProps,
      serviceToken: this.provider.serviceToken,
      handlerRoleArn: this.provider.handlerRole.roleArn,
      handler: this.provider.handler,
      // Only the main resource migrates: team batches apply after it and declare their own.
      ...(props.migrateFromAwsAuth ? { migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: props.pruneMigratedAwsAuthEntries ?? false } : {}),
    });
    this.ownerId = this.main.ownerId;
    if (props.migrateFromAwsAuth) {
      this.migrationSummary = this.main.resource.getAttString('Migration');
    }
    // The handler's policy must exist before it runs, and be kept until it has cleaned up. (The
    // role itself is already referenced by the payload: depending on it again is redundant.)
    const handlerPolicy = this.provider.handler.role?.node.tryFindChild('DefaultPolicy');
    if (handlerPolicy) {
      this.main.resource.node.addDependency(handlerPolicy);
    }
    if (target.construct) {
      this.main.resource.node.addDependency(target.construct);
    }
    const awsAuthUse = { mechanism: this.mechanism, targetAuthenticationMode: props.authenticationMode as string | undefined };
    this.node.addValidation({
      validate: () => {
        warnOfIamQuotas(this);
        return [...this.principalsInSeveralBatches(), ...this.teamCounts(), ...otherAwsAuthWriters(this, target, awsAuthUse)];
      },
    });
  }

  /**
   * Maps an IAM role to a Kubernetes username and groups (and, on access-entry clusters, access
   * policies). A role with a path is handled: aws-auth gets its ARN without the path, the access
   * entry the full ARN.
   */
  public mapRole(role: iam.IRole, options: KubernetesIdentityOptions = {}): void {
    this.add({ kind: 'role', principal: role, source: `${this.node.path}.mapRole(${role.node.path})`, options });
  }

  /** Maps an IAM user to a Kubernetes username and groups. Prefer roles: users have long-lived keys. */
  public mapUser(user: iam.IUser, options: KubernetesIdentityOptions = {}): void {
    this.add({ kind: 'user', principal: user, source: `${this.node.path}.mapUser(${user.node.path})`, options });
  }

  /**
   * Maps an IAM Identity Center permission set: the role IAM Identity Center made for it in the
   * cluster's account (`AWSReservedSSO_<name>_<suffix>` under `/aws-reserved/sso.amazonaws.com/`),
   * whose suffix is only known there. The handler resolves it at deploy time (`iam:ListRoles`):
   * aws-auth gets the role's ARN without its path, the access entry the full ARN. The permission
   * set must be assigned to someone in the cluster's account (or the deployment fails, naming it).
   *
   * @param permissionSetName the permission set's name, as IAM Identity Center shows it (case-sensitive)
   */
  public mapPermissionSet(permissionSetName: string, options: KubernetesIdentityOptions = {}): void {
    const source = `${this.node.path}.mapPermissionSet(${permissionSetName})`;
    const forms = this._permissionSetForms(permissionSetName, source);
    this.main.registry.add({ ...identityRecord('role', forms, source, options, this.payloadProps.partition), permissionSet: permissionSetName });
  }

  /**
   * Lets every IAM principal of an AWS account authenticate (aws-auth `mapAccounts`; each gets its
   * ARN as username and no groups). Access entries have no equivalent.
   */
  public mapAccount(accountId: string): void {
    this.main.registry.addAccount(accountId, `${this.node.path}.mapAccount(${accountId})`);
  }

  /**
   * Lets the instances of a node role join the cluster: in aws-auth as
   * `system:node:{{EC2PrivateDNSName}}` in `system:bootstrappers` and `system:nodes` (and
   * `eks:kube-proxy-windows` for Windows); as an access entry of type `EC2_LINUX` or `EC2_WINDOWS`.
   *
   * The handler is granted `iam:PassRole` on the role, which EKS requires from whoever creates
   * such an entry. The role must be in the cluster's account (EKS refuses a node role of another
   * account; refused at synth time when both accounts are known).
   */
  public mapNodeRole(role: iam.IRole, options: NodeRoleMappingOptions = {}): void {
    const source = `${this.node.path}.mapNodeRole(${role.node.path})`;
    const windows = options.windows ?? false;
    this.main.registry.add({
      source,
      kind: 'role',
      forms: this.forms('role', role, source),
      groups: [],
      accessEntryType: windows ? 'EC2_WINDOWS' : 'EC2_LINUX',
      node: { windows },
      accessPolicies: [],
      allowSystemMasters: false,
    });
    if (this.mechanism !== AccessMechanism.AWS_AUTH) {
      // Its EC2_LINUX / EC2_WINDOWS access entry needs iam:PassRole on the role from the handler.
      this.clusterPolicy.allowPassRole(role.roleArn);
    }
  }

  /**
   * Grants an EKS access policy to a role (access-entry clusters), over the whole cluster or some
   * namespaces. On an aws-auth cluster, `AmazonEKSClusterAdminPolicy` over the cluster becomes the
   * group `system:masters`; other policies have no equivalent there (a synth warning says so).
   */
  public grantAccessPolicy(role: iam.IRole, policy: AccessPolicy, scope?: AccessScope): void {
    const source = `${this.node.path}.grantAccessPolicy(${role.node.path}, ${policy.policyName})`;
    this.main.registry.addAccessPolicies({
      source,
      kind: 'role',
      forms: this.forms('role', role, source),
      groups: [],
      accessEntryType: 'STANDARD',
      accessPolicies: [associationSpec({ policy, scope }, this.payloadProps.partition)],
      allowSystemMasters: false,
    });
  }

  /**
   * Adds a team: an IAM group whose members may assume the team's IAM role, mapped into the
   * cluster and granted RBAC roles or access policies. With `teamBatches`, the team lives in the
   * nested stack of the batch a hash of `id` picks, so thousands of teams fit CloudFormation's
   * limits and no team ever moves when others come or go.
   */
  public addTeam(id: string, options: AccessTeamOptions = {}): AccessTeam {
    const scope = this.teamBatches === undefined ? this : this.batchScope(teamBatch(id, this.teamBatches));
    return new AccessTeam(scope, id, { ...options, clusterAccess: this });
  }

  /** The teams of this cluster access, in the order they were added. */
  public get teams(): AccessTeam[] {
    return [...this.teamList];
  }

  /**
   * Adds a Kubernetes RBAC object (Namespace, ClusterRole, Role, ClusterRoleBinding, RoleBinding)
   * given as a plain manifest; the handler applies it with server-side apply and removes it with
   * this construct. The ownership labels are added.
   */
  public addManifest(manifest: { [key: string]: any }): void {
    const kinds = ['Namespace', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'];
    const m = manifest as KubernetesManifest;
    if (!m || typeof m !== 'object' || !kinds.includes(m.kind) || !m.metadata || typeof m.metadata.name !== 'string') {
      throw new AccessConfigError(`${this.node.path}.addManifest: expected a ${kinds.join(', ')} manifest with metadata.name, got ${JSON.stringify(manifest).slice(0, 200)}`);
    }
    const labelled: KubernetesManifest = {
      ...m,
      metadata: { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), ...ownershipLabels(this.main.ownerId) } },
    };
    this.main.addManifest(labelled, `${this.node.path}.addManifest(${m.kind}/${m.metadata.name})`);
  }

  /** The RBAC objects of this construct and its teams as a multi-document YAML stream (for review). */
  public toYaml(): string {
    return manifestsToYaml([this.main, ...this.shards].flatMap((p) => p.manifestList()));
  }

  /** The payload that carries identities and objects created in `scope`'s stack. @internal */
  public _payloadFor(scope: Construct): AccessPayload {
    const stack = Stack.of(scope);
    return this.shards.find((s) => Stack.of(s) === stack) ?? this.main;
  }

  /** The payload of this construct's own stack (namespaces are created there, once). @internal */
  public get _mainPayload(): AccessPayload {
    return this.main;
  }

  /** Called by a team when it is created. @internal */
  public _registerTeam(team: AccessTeam): void {
    const name = team.teamName;
    const clash = this.teamList.find((t) => t.teamName === name);
    if (clash) {
      throw new AccessConfigError(`${team.node.path}: team name "${name}" is already used by ${clash.node.path}`);
    }
    this.teamList.push(team);
  }

  /** Identity forms of a principal, with errors that name the caller. @internal */
  public _forms(kind: 'role' | 'user', principal: iam.IRole | iam.IUser, source: string) {
    return this.forms(kind, principal, source);
  }

  /**
   * The forms of a permission set's role, after checking its name; lets the handler list IAM
   * Identity Center's roles. @internal
   */
  public _permissionSetForms(permissionSetName: string, source: string) {
    if (Token.isUnresolved(permissionSetName) || !isPermissionSetName(permissionSetName)) {
      throw new AccessConfigError(`${source}: "${permissionSetName}" is not a permission set name (1-32 letters, digits and +=,.@_-, known at synth time)`);
    }
    this.clusterPolicy.allowListIdentityCenterRoles();
    return permissionSetForms(permissionSetName);
  }

  /** Partition of access policy ARNs. @internal */
  public get _partition(): string {
    return this.payloadProps.partition;
  }

  /** The migration needs access entries; pruning needs the migration. */
  private checkMigrationProps(props: ClusterAccessProps): void {
    if (props.pruneMigratedAwsAuthEntries && !props.migrateFromAwsAuth) {
      throw new AccessConfigError(`${this.node.path}: pruneMigratedAwsAuthEntries removes the entries migrateFromAwsAuth migrated; set migrateFromAwsAuth: true as well`);
    }
    if (!props.migrateFromAwsAuth) {
      return;
    }
    if (this.mechanism === AccessMechanism.AWS_AUTH) {
      throw new AccessConfigError(`${this.node.path}: migrateFromAwsAuth moves aws-auth to access entries, which AccessMechanism.AWS_AUTH does not write; use AUTO or ACCESS_ENTRIES`);
    }
    if ((props.authenticationMode as string | undefined) === 'CONFIG_MAP') {
      throw new AccessConfigError(`${this.node.path}: migrateFromAwsAuth needs access entries, which authentication mode CONFIG_MAP does not have; use API_AND_CONFIG_MAP (or API)`);
    }
  }

  private add(p: { kind: 'role' | 'user'; principal: iam.IRole | iam.IUser; source: string; options: KubernetesIdentityOptions }): void {
    this.main.registry.add(identityRecord(p.kind, this.forms(p.kind, p.principal, p.source), p.source, p.options, this.payloadProps.partition));
  }

  private forms(kind: 'role' | 'user', principal: iam.IRole | iam.IUser, source: string) {
    try {
      return kind === 'role' ? roleForms(principal as iam.IRole) : userForms(principal as iam.IUser);
    } catch (e) {
      throw new AccessConfigError(`${source}: ${(e as Error).message}`);
    }
  }

  private batchScope(batch: number): Construct {
    const id = `Teams${batch + 1}`;
    const existing = this.node.tryFindChild(id);
    if (existing) {
      return existing;
    }
    const nested = new NestedStack(this, id, { description: `cdk-eks-access teams, batch ${batch + 1} of ${this.node.path}` });
    const payload = new AccessPayload(nested, 'Default', {
      ...this.payloadProps,
      serviceToken: this.provider.serviceToken,
      handlerRoleArn: this.provider.handlerRole.roleArn,
      handler: this.provider.handler,
    });
    // Namespaces are created by the main resource; batches apply after it (and are removed before it).
    payload.resource.node.addDependency(this.main.resource);
    this.shards.push(payload);
    return nested;
  }

  /** Too many teams for one stack or one batch: the way out, named. */
  private teamCounts(): string[] {
    const teams = this.teamList.length;
    if (this.teamBatches === undefined) {
      return teams <= MAX_TEAMS_IN_STACK ? [] : [`${teams} teams are more than one stack holds (${MAX_TEAMS_IN_STACK}); set teamBatches (for example ${Math.max(2, Math.ceil(teams / 100) * 2)}, room to grow included) to spread them over nested stacks. Choose it once: changing it later moves teams and re-creates their IAM groups and roles`];
    }
    const counts = new Map<number, number>();
    for (const team of this.teamList) {
      const batch = teamBatch(team.node.id, this.teamBatches);
      counts.set(batch, (counts.get(batch) ?? 0) + 1);
    }
    return [...counts].filter(([, n]) => n > MAX_TEAMS_IN_BATCH).map(([b, n]) => `team batch ${b + 1} (nested stack Teams${b + 1}) holds ${n} teams, more than a stack holds (${MAX_TEAMS_IN_BATCH}); raise teamBatches (today ${this.teamBatches}). Changing it moves teams and re-creates their IAM groups and roles`);
  }

  /** One principal has one access entry: two custom resources of this construct must not both map it. */
  private principalsInSeveralBatches(): string[] {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const payload of [this.main, ...this.shards]) {
      for (const p of payload.registry.principals()) {
        const other = seen.get(p.principalArn);
        if (other !== undefined) {
          const who = Token.isUnresolved(p.principalArn) ? 'a role' : p.principalArn;
          problems.push(`${who} is mapped by ${other} and by ${p.source}, which are applied by different custom resources (team batches); map it once`);
        }
        seen.set(p.principalArn, p.source);
      }
    }
    return problems;
  }

  private knownClusterRoles(): Set<string> {
    const names = new Set<string>(BUILT_IN_CLUSTER_ROLES);
    for (const p of [this.main, ...this.shards]) {
      p.definedClusterRoles().forEach((n) => names.add(n));
    }
    return names;
  }
}

/**
 * A short, stable key of the cluster an access configuration applies to: its name, region and
 * account as the template will hold them (literals, or CloudFormation expressions for deploy-time
 * values, which do not change from one synthesis to the next).
 */
function clusterKey(stack: Stack, clusterName: string, region: string, account: string): string {
  let resolved: unknown;
  try {
    resolved = stack.resolve([clusterName, region, account]);
  } catch {
    resolved = [clusterName, region, account];
  }
  return createHash('sha256').update(JSON.stringify(resolved)).digest('hex').slice(0, 8).toUpperCase();
}

/** Teams a stack holds without batches, and teams a batch holds: a team costs up to 2 of 500 resources. */
const MAX_TEAMS_IN_STACK = 200;
const MAX_TEAMS_IN_BATCH = 240;
const MAX_TEAM_BATCHES = 100;

/** The batch (0-based) of a team: a hash of its ID, so that it never depends on the other teams. */
function teamBatch(id: string, batches: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % batches;
}

/** The partition, as a literal when the region is known at synth time (readable templates). */
function partitionOf(stack: Stack, region?: string): string {
  const r = region ?? stack.region;
  if (!Token.isUnresolved(r)) {
    const partition = RegionInfo.get(r).partition;
    if (partition) {
      return partition;
    }
  }
  return stack.partition;
}
