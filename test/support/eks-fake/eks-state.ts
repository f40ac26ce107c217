/**
 * The state of the fake EKS service and the semantics of each operation, independent of HTTP.
 * Every operation either changes the state completely or throws an {@link EksApiError} and
 * changes nothing. Answers are wire-shaped (timestamps as epoch seconds), ready to send as JSON.
 */
import { randomUUID } from 'node:crypto';
import { ACCESS_POLICY_NAMES, AUTO_NODE_POLICY, CLUSTER_ADMIN_POLICY, accessPolicyArn, knownAccessPolicy } from './access-policies';
import { EksApiError, errors } from './errors';
import { CallerPolicy, IamStatement, checkStatements, isAllowed } from './iam-policy';
import {
  ACCESS_CONFIG_UPDATE, AUTHENTICATION_MODES, AccessEntryRecord, AccessEntrySeed, AccessEntryType, AccessEntryView, AccessScope,
  AuthenticationMode, ClusterRecord, ClusterSeed, ClusterView, EksFakeSnapshot, PASS_ROLE_TYPES, ROLE_ONLY_TYPES,
  UpdateOutcome, UpdateRecord, isAccessEntryType, isAuthenticationMode, isNodeType,
} from './model';
import { page } from './paging';
import { Principal, parsePrincipal } from './principals';

/** Settings of the fake service. */
export interface EksStateOptions {
  /** Default `us-east-1`. */
  readonly region?: string;
  /** The account the clusters live in. Default `111122223333`. */
  readonly accountId?: string;
  /** Default `aws`. */
  readonly partition?: string;
  /** The IAM principal that creates clusters. Default `arn:aws:iam::<accountId>:role/cluster-creator`. */
  readonly creatorArn?: string;
  /** Page size of the List operations when the caller gives no maxResults. Default 100 (as EKS). */
  readonly defaultPageSize?: number;
  /** DescribeUpdate calls that answer InProgress before an update completes. Default 0: the first one sees it done. */
  readonly updateCompletesAfterDescribes?: number;
  /** DescribeCluster calls that answer CREATING after CreateCluster. Default 0. */
  readonly clusterActiveAfterDescribes?: number;
  /** Updates stay InProgress (and their cluster UPDATING) until `completeUpdates()`. Default false. */
  readonly updatesStayInProgress?: boolean;
  /** Access entries a cluster may hold; one more is ResourceLimitExceededException. Default: no limit. */
  readonly accessEntryLimit?: number;
  /** Endpoint that DescribeCluster reports (e.g. the test Kubernetes API server). */
  readonly clusterEndpoint?: string;
  /** Base64 of the PEM CA bundle that DescribeCluster reports. */
  readonly certificateAuthorityData?: string;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

type Json = Record<string, unknown>;

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// User Guide, "Create access entries": a username "can't start with system:, eks:, aws:, amazon:,
// or iam:". Compared as the authenticator behind access entries compares (aws-iam-authenticator's
// ReservedPrefixExists: strings.HasPrefix, so with case).
const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'];
// Same page: a username with {{SessionName}} or {{SessionNameRaw}} needs a colon before it.
const SESSION_NAME = /\{\{SessionName(Raw)?\}\}/;
// Tag restrictions of the EKS model's Tag documentation: at most 50 per resource.
const MAX_TAGS = 50;
// A placeholder CA (base64 of a PEM header/footer pair): tests that need TLS seed the real one.
const DEFAULT_CA = Buffer.from('-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n').toString('base64');

/** Seconds since the epoch, as the REST-JSON protocol sends timestamps. */
function epoch(date: Date): number {
  return date.getTime() / 1000;
}

/** The stateful fake EKS service. */
export class EksState {
  public readonly region: string;
  public readonly accountId: string;
  public readonly partition: string;
  public readonly creatorArn: string;
  /** Settable at run time by tests. */
  public defaultPageSize: number;
  public updateCompletesAfterDescribes: number;
  public clusterActiveAfterDescribes: number;
  public updatesStayInProgress: boolean;
  public accessEntryLimit: number | undefined;
  public clusterEndpoint: string | undefined;
  public certificateAuthorityData: string;
  private readonly now: () => Date;
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly missingPrincipals = new Set<string>();
  private readonly updatesById = new Map<string, UpdateRecord>();
  /** By access key ID (`*`: every caller). No policy: the caller may do anything. */
  private readonly callerPolicies = new Map<string, { statements: IamStatement[]; callerArn: string }>();
  private nextUpdateOutcome: UpdateOutcome | undefined;

  constructor(options: EksStateOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '111122223333';
    this.partition = options.partition ?? 'aws';
    this.creatorArn = options.creatorArn ?? `arn:${this.partition}:iam::${this.accountId}:role/cluster-creator`;
    this.defaultPageSize = options.defaultPageSize ?? 100;
    this.updateCompletesAfterDescribes = options.updateCompletesAfterDescribes ?? 0;
    this.clusterActiveAfterDescribes = options.clusterActiveAfterDescribes ?? 0;
    this.updatesStayInProgress = options.updatesStayInProgress ?? false;
    this.accessEntryLimit = options.accessEntryLimit;
    this.clusterEndpoint = options.clusterEndpoint;
    this.certificateAuthorityData = options.certificateAuthorityData ?? DEFAULT_CA;
    this.now = options.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- test controls

  /** Forgets every cluster, update, missing principal, caller policy and update outcome. */
  public reset(): void {
    this.clusters.clear();
    this.missingPrincipals.clear();
    this.updatesById.clear();
    this.callerPolicies.clear();
    this.nextUpdateOutcome = undefined;
  }

  /**
   * Gives the callers signed with `accessKeyId` (default: every caller) these IAM permissions.
   * Without a policy a caller may do anything. Only `iam:PassRole` is checked (see iam-policy.ts).
   */
  public setCallerPolicy(policy: CallerPolicy): void {
    const statements = checkStatements(policy.statements);
    this.callerPolicies.set(policy.accessKeyId ?? '*', { statements, callerArn: policy.callerArn ?? 'the caller' });
  }

  /** The next update started ends Failed or Cancelled (with these errors) instead of succeeding. */
  public setNextUpdateOutcome(outcome: UpdateOutcome | undefined): void {
    if (outcome !== undefined && outcome.status !== 'Failed' && outcome.status !== 'Cancelled') {
      throw new Error(`an update outcome is Failed or Cancelled, got ${JSON.stringify((outcome as { status?: unknown }).status)}`);
    }
    this.nextUpdateOutcome = outcome;
  }

  /** Adds (or replaces) a cluster in any state. */
  public seedCluster(seed: ClusterSeed): ClusterView {
    if (!seed || typeof seed.name !== 'string' || seed.name === '') {
      throw new Error('seedCluster: a cluster name is required');
    }
    if (seed.authenticationMode !== undefined && !isAuthenticationMode(seed.authenticationMode)) {
      throw new Error(`seedCluster: unknown authenticationMode "${seed.authenticationMode}" (one of ${AUTHENTICATION_MODES.join(', ')})`);
    }
    const waits = seed.activeAfterDescribes ?? 0;
    const cluster = this.newCluster({
      name: seed.name,
      mode: seed.authenticationMode ?? (seed.reportAccessConfig === false ? 'CONFIG_MAP' : 'API_AND_CONFIG_MAP'),
      bootstrap: seed.bootstrapClusterCreatorAdminPermissions ?? true,
      creatorArn: seed.creatorArn ?? this.creatorArn,
      status: seed.status ?? (waits > 0 ? 'CREATING' : 'ACTIVE'),
      describesUntilActive: waits,
      version: seed.version,
      roleArn: seed.roleArn,
      tags: seed.tags,
      endpoint: seed.endpoint,
      ca: seed.certificateAuthorityData,
      reportsAccessConfig: seed.reportAccessConfig ?? true,
    });
    for (const entry of seed.accessEntries ?? []) {
      this.seedEntry(cluster, entry);
    }
    for (const ng of seed.nodegroups ?? []) {
      cluster.nodegroups.set(ng.nodegroupName, { ...ng, createdAt: this.now() });
    }
    for (const fp of seed.fargateProfiles ?? []) {
      cluster.fargateProfiles.set(fp.fargateProfileName, { ...fp, createdAt: this.now() });
    }
    this.mapComputeRoles(cluster);
    this.clusters.set(cluster.name, cluster);
    return this.clusterView(cluster);
  }

  /** Adds an access entry to a seeded cluster without any of the API's checks. */
  public seedAccessEntry(clusterName: string, seed: AccessEntrySeed): AccessEntryView {
    const cluster = this.clusters.get(clusterName);
    if (!cluster) {
      throw new Error(`seedAccessEntry: no cluster "${clusterName}" (seed it first)`);
    }
    return this.entryView(this.seedEntry(cluster, seed));
  }

  /** Makes CreateAccessEntry refuse a principal as IAM does not know it (yet), or know it again. */
  public setPrincipalMissing(principalArn: string, missing = true): void {
    if (missing) {
      this.missingPrincipals.add(principalArn);
    } else {
      this.missingPrincipals.delete(principalArn);
    }
  }

  /** Completes every update still in progress (as if enough time had passed). */
  public completeUpdates(): void {
    for (const update of this.updatesById.values()) {
      if (update.status === 'InProgress') {
        this.completeUpdate(update);
      }
    }
  }

  /** The whole state, JSON-safe. */
  public snapshot(): EksFakeSnapshot {
    return {
      clusters: [...this.clusters.values()].map((c) => this.clusterView(c)),
      missingPrincipals: [...this.missingPrincipals],
    };
  }

  // ---------------------------------------------------------------- synchronous reads (token webhook)

  /** A cluster's view, or undefined. */
  public cluster(clusterName: string): ClusterView | undefined {
    const cluster = this.clusters.get(clusterName);
    return cluster && this.clusterView(cluster);
  }

  /** The cluster's current authentication mode, or undefined when there is no such cluster. */
  public authenticationMode(clusterName: string): AuthenticationMode | undefined {
    return this.clusters.get(clusterName)?.authenticationMode;
  }

  /** The access entry of a principal (exact ARN, path included), or undefined. */
  public accessEntry(clusterName: string, principalArn: string): AccessEntryView | undefined {
    const entry = this.clusters.get(clusterName)?.entries.get(principalArn);
    return entry && this.entryView(entry);
  }

  /** Every access entry of a cluster (empty when there is no such cluster). */
  public accessEntries(clusterName: string): AccessEntryView[] {
    return [...(this.clusters.get(clusterName)?.entries.values() ?? [])].map((e) => this.entryView(e));
  }

  // ---------------------------------------------------------------- clusters

  public createCluster(input: Json): Json {
    const name = input.name;
    if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
      throw errors.invalidParameter(`Invalid cluster name: ${String(name)}. The name must start with a letter or digit and contain only letters, digits, hyphens and underscores (at most 100).`);
    }
    if (this.clusters.has(name)) {
      throw new EksApiError('ResourceInUseException', `Cluster already exists with name: ${name}`, { clusterName: name });
    }
    const accessConfig = (input.accessConfig ?? {}) as Json;
    const mode = accessConfig.authenticationMode ?? 'CONFIG_MAP';
    if (!isAuthenticationMode(mode)) {
      throw errors.invalidParameter(`Unsupported authentication mode: ${String(mode)}`, name);
    }
    const bootstrap = accessConfig.bootstrapClusterCreatorAdminPermissions ?? true;
    if (typeof bootstrap !== 'boolean') {
      throw errors.invalidParameter('bootstrapClusterCreatorAdminPermissions must be a boolean', name);
    }
    if (mode === 'CONFIG_MAP' && !bootstrap) {
      throw errors.invalidParameter('bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP', name);
    }
    const cluster = this.newCluster({
      name,
      mode,
      bootstrap,
      creatorArn: this.creatorArn,
      status: 'CREATING',
      describesUntilActive: this.clusterActiveAfterDescribes,
      version: typeof input.version === 'string' ? input.version : undefined,
      roleArn: typeof input.roleArn === 'string' ? input.roleArn : undefined,
      tags: input.tags as Record<string, string> | undefined,
    });
    this.clusters.set(name, cluster);
    return { cluster: this.clusterWire(cluster) };
  }

  public describeCluster(name: string): Json {
    const cluster = this.requireCluster(name);
    if (cluster.status === 'CREATING') {
      if (cluster.describesUntilActive > 0) {
        cluster.describesUntilActive -= 1;
      } else {
        cluster.status = 'ACTIVE';
      }
    }
    return { cluster: this.clusterWire(cluster) };
  }

  public listClusters(maxResults: number | undefined, nextToken: string | undefined): Json {
    const result = page([...this.clusters.keys()], (n) => n, maxResults, nextToken, this.defaultPageSize, 'clusters');
    return { clusters: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
  }

  public updateClusterConfig(name: string, input: Json): Json {
    const cluster = this.requireCluster(name);
    const others = Object.keys(input).filter((k) => k !== 'accessConfig' && k !== 'clientRequestToken' && input[k] !== undefined);
    if (others.length > 0) {
      throw errors.invalidParameter(`This fake supports only accessConfig in UpdateClusterConfig, got ${others.join(', ')}`, name);
    }
    // A retry with the token of the call that started an update gets that update again.
    const same = cluster.updates.find((u) => typeof input.clientRequestToken === 'string' && u.token === input.clientRequestToken);
    if (same) {
      return { update: this.updateWire(same) };
    }
    const accessConfig = input.accessConfig as Json | undefined;
    if (!accessConfig || accessConfig.authenticationMode === undefined) {
      throw errors.invalidParameter('No changes needed for the provided cluster configuration.', name);
    }
    const target = accessConfig.authenticationMode;
    if (!isAuthenticationMode(target)) {
      throw errors.invalidParameter(`Unsupported authentication mode: ${String(target)}`, name);
    }
    if (cluster.status !== 'ACTIVE') {
      throw new EksApiError('ResourceInUseException', `Cluster ${name} is in ${cluster.status} state; it must be ACTIVE to be updated.`, { clusterName: name });
    }
    if (cluster.updates.some((u) => u.status === 'InProgress')) {
      throw new EksApiError('ResourceInUseException', `Cluster ${name} has an update in progress.`, { clusterName: name });
    }
    const from = AUTHENTICATION_MODES.indexOf(cluster.authenticationMode);
    const to = AUTHENTICATION_MODES.indexOf(target);
    if (to !== from + 1) {
      throw errors.unsupportedModeUpdate(name, cluster.authenticationMode, target);
    }
    const update: UpdateRecord = {
      id: randomUUID(),
      clusterName: name,
      status: 'InProgress',
      type: ACCESS_CONFIG_UPDATE.type,
      params: [{ type: ACCESS_CONFIG_UPDATE.paramType, value: target }],
      createdAt: this.now(),
      describesLeft: this.updatesStayInProgress ? Number.POSITIVE_INFINITY : this.updateCompletesAfterDescribes,
      apply: () => this.moveToMode(cluster, target),
      errors: [],
      ...(this.nextUpdateOutcome ? { outcome: this.nextUpdateOutcome } : {}),
      ...(typeof input.clientRequestToken === 'string' ? { token: input.clientRequestToken } : {}),
    };
    this.nextUpdateOutcome = undefined;
    const answer = { update: this.updateWire(update) };
    cluster.updates.push(update);
    this.updatesById.set(update.id, update);
    if (update.describesLeft === 0) {
      // Completes at once: the next DescribeCluster already sees the new mode.
      this.completeUpdate(update);
    } else {
      cluster.status = 'UPDATING';
    }
    return answer;
  }

  public describeUpdate(name: string, updateId: string): Json {
    const cluster = this.requireCluster(name);
    const update = cluster.updates.find((u) => u.id === updateId);
    if (!update) {
      throw new EksApiError('ResourceNotFoundException', `No update found for ID: ${updateId}`, { clusterName: name });
    }
    if (update.status === 'InProgress') {
      update.describesLeft -= 1;
      if (update.describesLeft <= 0) {
        this.completeUpdate(update);
      }
    }
    return { update: this.updateWire(update) };
  }

  public listUpdates(name: string, maxResults: number | undefined, nextToken: string | undefined): Json {
    const cluster = this.requireCluster(name);
    const result = page(cluster.updates.map((u) => u.id), (id) => id, maxResults, nextToken, this.defaultPageSize, `updates/${name}`);
    return { updateIds: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
  }

  // ---------------------------------------------------------------- node groups and Fargate profiles (their roles only)

  public listNodegroups(name: string, maxResults: number | undefined, nextToken: string | undefined): Json {
    const cluster = this.requireCluster(name);
    const result = page([...cluster.nodegroups.keys()].sort(), (n) => n, maxResults, nextToken, this.defaultPageSize, `nodegroups/${name}`);
    return { nodegroups: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
  }

  public describeNodegroup(name: string, nodegroupName: string): Json {
    const cluster = this.requireCluster(name);
    const ng = cluster.nodegroups.get(nodegroupName);
    if (!ng) {
      throw new EksApiError('ResourceNotFoundException', `No node group found for name: ${nodegroupName}.`, { clusterName: name, nodegroupName });
    }
    return {
      nodegroup: {
        nodegroupName,
        clusterName: name,
        nodeRole: ng.nodeRole,
        status: 'ACTIVE',
        createdAt: epoch(ng.createdAt),
        nodegroupArn: `arn:${this.partition}:eks:${this.region}:${this.accountId}:nodegroup/${name}/${nodegroupName}/${this.accountId}`,
      },
    };
  }

  public listFargateProfiles(name: string, maxResults: number | undefined, nextToken: string | undefined): Json {
    const cluster = this.requireCluster(name);
    const result = page([...cluster.fargateProfiles.keys()].sort(), (n) => n, maxResults, nextToken, this.defaultPageSize, `fargate/${name}`);
    return { fargateProfileNames: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
  }

  public describeFargateProfile(name: string, fargateProfileName: string): Json {
    const cluster = this.requireCluster(name);
    const fp = cluster.fargateProfiles.get(fargateProfileName);
    if (!fp) {
      throw new EksApiError('ResourceNotFoundException', `No Fargate Profile found with name: ${fargateProfileName}.`, { clusterName: name, fargateProfileName });
    }
    return {
      fargateProfile: {
        fargateProfileName,
        clusterName: name,
        podExecutionRoleArn: fp.podExecutionRoleArn,
        status: 'ACTIVE',
        createdAt: epoch(fp.createdAt),
        fargateProfileArn: `arn:${this.partition}:eks:${this.region}:${this.accountId}:fargateprofile/${name}/${fargateProfileName}/${this.accountId}`,
      },
    };
  }

  // ---------------------------------------------------------------- access entries

  /** @param accessKeyId the access key the call was signed with (whose IAM permissions apply) */
  public createAccessEntry(clusterName: string, input: Json, accessKeyId?: string): Json {
    const cluster = this.requireEntriesAllowed(clusterName);
    const principalArn = input.principalArn;
    if (typeof principalArn !== 'string') {
      throw errors.invalidParameter('principalArn is required.', clusterName);
    }
    const type = input.type ?? 'STANDARD';
    if (!isAccessEntryType(type)) {
      throw errors.invalidParameter(`The specified type is invalid: ${String(type)}.`, clusterName);
    }
    const principal = this.checkPrincipal(cluster, principalArn, type);
    const groups = this.checkGroups(clusterName, input.kubernetesGroups);
    const username = this.checkUsername(clusterName, input.username);
    if (isNodeType(type) && groups !== undefined && groups.length > 0) {
      throw errors.invalidParameter(`kubernetesGroups cannot be specified for access entries of type ${type}.`, clusterName);
    }
    if (isNodeType(type) && username !== undefined) {
      throw errors.invalidParameter(`username cannot be specified for access entries of type ${type}.`, clusterName);
    }
    const tags = this.checkTags(input.tags, clusterName);
    if (PASS_ROLE_TYPES.includes(type)) {
      this.authorize(accessKeyId, 'iam:PassRole', principalArn);
    }
    const existing = cluster.entries.get(principalArn);
    if (existing) {
      // A retry with the token of the call that created the entry gets the entry again.
      if (typeof input.clientRequestToken === 'string' && input.clientRequestToken === existing.creationToken) {
        return { accessEntry: this.entryWire(existing) };
      }
      throw errors.accessEntryExists(clusterName);
    }
    // IAM keys a role or user by its name without case and path: another ARN of it is the same principal.
    if ([...cluster.entries.values()].some((e) => parsePrincipal(e.principalArn)?.iamKey === principal.iamKey)) {
      throw errors.accessEntryExists(clusterName);
    }
    if (this.missingPrincipals.has(principalArn)) {
      throw errors.principalNotFound(clusterName);
    }
    if (this.accessEntryLimit !== undefined && cluster.entries.size >= this.accessEntryLimit) {
      throw new EksApiError('ResourceLimitExceededException', `The cluster ${clusterName} has reached its limit of ${this.accessEntryLimit} access entries.`, { clusterName });
    }
    const entry = this.newEntry(cluster, principalArn, type, username, groups, tags);
    if (typeof input.clientRequestToken === 'string') {
      entry.creationToken = input.clientRequestToken;
    }
    cluster.entries.set(principalArn, entry);
    return { accessEntry: this.entryWire(entry) };
  }

  /** The principal of a new entry of `type`, checked as EKS checks it (see principals.ts). */
  private checkPrincipal(cluster: ClusterRecord, principalArn: string, type: AccessEntryType): Principal {
    const principal = parsePrincipal(principalArn);
    if (!principal) {
      throw errors.malformedPrincipal(cluster.name);
    }
    if (principal.partition !== this.partition) {
      throw errors.invalidParameter(`The principalArn ${principalArn} is not in the partition of this cluster (${this.partition}).`, cluster.name);
    }
    if (principal.serviceLinked) {
      throw errors.serviceLinkedRole(cluster.name);
    }
    if (ROLE_ONLY_TYPES.includes(type) && principal.kind !== 'role') {
      throw errors.invalidParameter(`Access entries of type ${type} accept only IAM role principals, got ${principalArn}.`, cluster.name);
    }
    if (isNodeType(type) && principal.accountId !== this.accountId) {
      throw errors.invalidParameter(`Access entries of type ${type} need a role in the cluster's account ${this.accountId}, got ${principalArn}.`, cluster.name);
    }
    return principal;
  }

  /** Throws AccessDeniedException unless the caller's policy (if it has one) allows `action` on `resource`. */
  private authorize(accessKeyId: string | undefined, action: string, resource: string): void {
    const policy = (accessKeyId !== undefined ? this.callerPolicies.get(accessKeyId) : undefined) ?? this.callerPolicies.get('*');
    if (policy && !isAllowed(policy.statements, action, resource)) {
      throw errors.notAuthorized(policy.callerArn, action, resource);
    }
  }

  public describeAccessEntry(clusterName: string, principalArn: string): Json {
    const entry = this.requireEntry(clusterName, principalArn);
    return { accessEntry: this.entryWire(entry) };
  }

  public updateAccessEntry(clusterName: string, principalArn: string, input: Json): Json {
    const entry = this.requireEntry(clusterName, principalArn);
    const groups = this.checkGroups(clusterName, input.kubernetesGroups);
    const username = this.checkUsername(clusterName, input.username);
    if (isNodeType(entry.type) && (groups !== undefined || username !== undefined)) {
      throw errors.standardOnly(clusterName);
    }
    if (groups !== undefined) {
      entry.kubernetesGroups = groups;
    }
    if (username !== undefined) {
      entry.username = username;
    }
    entry.modifiedAt = this.now();
    return { accessEntry: this.entryWire(entry) };
  }

  public deleteAccessEntry(clusterName: string, principalArn: string): Json {
    this.requireEntry(clusterName, principalArn);
    this.clusters.get(clusterName)!.entries.delete(principalArn);
    return {};
  }

  public listAccessEntries(clusterName: string, query: { associatedPolicyArn?: string; maxResults?: number; nextToken?: string }): Json {
    const cluster = this.requireEntriesAllowed(clusterName);
    let arns = [...cluster.entries.values()];
    if (query.associatedPolicyArn !== undefined) {
      if (!knownAccessPolicy(query.associatedPolicyArn, this.partition)) {
        throw errors.invalidParameter(`The specified policyArn is invalid: ${query.associatedPolicyArn}.`, clusterName);
      }
      arns = arns.filter((e) => e.policies.has(query.associatedPolicyArn!));
    }
    const result = page(arns.map((e) => e.principalArn), (a) => a, query.maxResults, query.nextToken, this.defaultPageSize,
      `entries/${clusterName}/${query.associatedPolicyArn ?? ''}`);
    return { accessEntries: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
  }

  public associateAccessPolicy(clusterName: string, principalArn: string, input: Json): Json {
    const entry = this.requireEntry(clusterName, principalArn);
    const policyArn = input.policyArn;
    const known = typeof policyArn === 'string' ? knownAccessPolicy(policyArn, this.partition) : undefined;
    if (typeof policyArn !== 'string' || !known) {
      throw errors.invalidParameter(`The specified policyArn is invalid: ${String(policyArn)}.`, clusterName);
    }
    const scope = this.checkScope(clusterName, input.accessScope);
    if (known.serviceLinkedRolesOnly) {
      throw errors.invalidParameter(`The access policy ${known.name} is designated for AWS service-linked roles only and cannot be used with customer-managed roles.`, clusterName);
    }
    // Node types take no policies, except the EC2 (Auto Mode) type with AmazonEKSAutoNodePolicy.
    if (entry.type === 'EC2' && known.name !== AUTO_NODE_POLICY) {
      throw errors.invalidParameter(`Access entries of type EC2 take only the access policy ${AUTO_NODE_POLICY}, got ${known.name}.`, clusterName);
    }
    if (isNodeType(entry.type) && entry.type !== 'EC2') {
      throw errors.standardOnly(clusterName);
    }
    const now = this.now();
    const existing = entry.policies.get(policyArn);
    if (existing) {
      existing.accessScope = scope;
      existing.modifiedAt = now;
    } else {
      entry.policies.set(policyArn, { policyArn, accessScope: scope, associatedAt: now, modifiedAt: now });
    }
    return { clusterName, principalArn, associatedAccessPolicy: this.policyWire(entry.policies.get(policyArn)!) };
  }

  public disassociateAccessPolicy(clusterName: string, principalArn: string, policyArn: string): Json {
    const entry = this.requireEntry(clusterName, principalArn);
    if (!entry.policies.has(policyArn)) {
      throw new EksApiError('ResourceNotFoundException',
        `The specified policyArn ${policyArn} is not associated with the access entry for ${principalArn}.`, { clusterName });
    }
    entry.policies.delete(policyArn);
    return {};
  }

  public listAssociatedAccessPolicies(clusterName: string, principalArn: string,
    maxResults: number | undefined, nextToken: string | undefined): Json {
    const entry = this.requireEntry(clusterName, principalArn);
    const result = page([...entry.policies.values()], (p) => p.policyArn, maxResults, nextToken, this.defaultPageSize,
      `policies/${clusterName}/${principalArn}`);
    return {
      clusterName,
      principalArn,
      associatedAccessPolicies: result.items.map((p) => this.policyWire(p)),
      ...(result.nextToken ? { nextToken: result.nextToken } : {}),
    };
  }

  public listAccessPolicies(maxResults: number | undefined, nextToken: string | undefined): Json {
    const result = page([...ACCESS_POLICY_NAMES], (n) => n, maxResults, nextToken, this.defaultPageSize, 'access-policies');
    return {
      accessPolicies: result.items.map((name) => ({ name, arn: accessPolicyArn(name, this.partition) })),
      ...(result.nextToken ? { nextToken: result.nextToken } : {}),
    };
  }

  // ---------------------------------------------------------------- tags

  public tagResource(resourceArn: string, input: Json): Json {
    const tags = this.tagsOf(resourceArn);
    const add = this.checkTags(input.tags, undefined) ?? {};
    if (Object.keys(add).length === 0) {
      throw new EksApiError('BadRequestException', 'At least one tag is required.');
    }
    const total = new Set([...Object.keys(tags), ...Object.keys(add)]).size;
    if (total > MAX_TAGS) {
      throw new EksApiError('BadRequestException', `A resource can have at most ${MAX_TAGS} tags; this would give ${resourceArn} ${total}.`);
    }
    Object.assign(tags, add);
    return {};
  }

  public untagResource(resourceArn: string, tagKeys: string[]): Json {
    const tags = this.tagsOf(resourceArn);
    for (const key of tagKeys) {
      delete tags[key];
    }
    return {};
  }

  public listTagsForResource(resourceArn: string): Json {
    return { tags: { ...this.tagsOf(resourceArn) } };
  }

  // ---------------------------------------------------------------- internals

  private tagsOf(resourceArn: string): Record<string, string> {
    for (const cluster of this.clusters.values()) {
      if (cluster.arn === resourceArn) {
        return cluster.tags;
      }
      for (const entry of cluster.entries.values()) {
        if (entry.accessEntryArn === resourceArn) {
          return entry.tags;
        }
      }
    }
    throw new EksApiError('NotFoundException', `Resource not found: ${resourceArn}`);
  }

  private requireCluster(name: string): ClusterRecord {
    const cluster = this.clusters.get(name);
    if (!cluster) {
      throw errors.clusterNotFound(name);
    }
    return cluster;
  }

  private requireEntriesAllowed(clusterName: string): ClusterRecord {
    const cluster = this.requireCluster(clusterName);
    if (cluster.authenticationMode === 'CONFIG_MAP') {
      throw errors.accessEntriesNotAllowed(clusterName);
    }
    return cluster;
  }

  private requireEntry(clusterName: string, principalArn: string): AccessEntryRecord {
    const entry = this.requireEntriesAllowed(clusterName).entries.get(principalArn);
    if (!entry) {
      throw errors.accessEntryNotFound(clusterName);
    }
    return entry;
  }

  private checkGroups(clusterName: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (!Array.isArray(value) || value.some((g) => typeof g !== 'string')) {
      throw errors.invalidParameter('kubernetesGroups must be a list of strings.', clusterName);
    }
    for (const group of value as string[]) {
      if (group.trim() === '') {
        throw errors.invalidParameter('kubernetesGroups cannot contain an empty group name.', clusterName);
      }
      if (group.startsWith('system:')) {
        throw errors.reservedGroup(clusterName, group);
      }
    }
    return [...new Set(value as string[])];
  }

  private checkUsername(clusterName: string, value: unknown): string | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'string' || value === '') {
      throw errors.invalidParameter('username must be a non-empty string.', clusterName);
    }
    const prefix = RESERVED_USERNAME_PREFIXES.find((p) => value.startsWith(p));
    if (prefix) {
      throw errors.reservedUsername(clusterName, prefix);
    }
    const session = SESSION_NAME.exec(value);
    if (session && !value.slice(0, session.index).includes(':')) {
      throw errors.invalidParameter(`The username ${value} is invalid: a username with ${session[0]} must have a colon before it.`, clusterName);
    }
    return value;
  }

  private checkTags(value: unknown, clusterName: string | undefined): Record<string, string> | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    const bad = (message: string) => clusterName === undefined
      ? new EksApiError('BadRequestException', message) : errors.invalidParameter(message, clusterName);
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw bad('tags must be a map of strings.');
    }
    const tags = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(tags)) {
      if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
        throw bad(`The tag key ${key} is invalid.`);
      }
      if (typeof v !== 'string' || v.length > 256) {
        throw bad(`The value of tag ${key} is invalid.`);
      }
    }
    if (Object.keys(tags).length > MAX_TAGS) {
      throw bad(`A resource can have at most ${MAX_TAGS} tags.`);
    }
    return { ...(tags as Record<string, string>) };
  }

  private checkScope(clusterName: string, value: unknown): AccessScope {
    const scope = value as { type?: unknown; namespaces?: unknown } | undefined;
    if (!scope || (scope.type !== 'cluster' && scope.type !== 'namespace')) {
      throw errors.invalidParameter(`The accessScope type must be cluster or namespace, got ${String(scope?.type)}.`, clusterName);
    }
    const namespaces = scope.namespaces ?? [];
    if (!Array.isArray(namespaces) || namespaces.some((n) => typeof n !== 'string')) {
      throw errors.invalidParameter('accessScope.namespaces must be a list of strings.', clusterName);
    }
    if (scope.type === 'cluster' && namespaces.length > 0) {
      throw errors.invalidParameter('Namespaces cannot be specified when the accessScope type is cluster.', clusterName);
    }
    if (scope.type === 'namespace') {
      if (namespaces.length === 0) {
        throw errors.invalidParameter('At least one namespace is required when the accessScope type is namespace.', clusterName);
      }
      for (const ns of namespaces as string[]) {
        const name = ns.endsWith('*') ? ns.slice(0, -1) + 'x' : ns;
        if (!DNS1123_LABEL.test(name)) {
          throw errors.invalidParameter(`The namespace ${ns} is invalid.`, clusterName);
        }
      }
    }
    return { type: scope.type, namespaces: [...new Set(namespaces as string[])] };
  }

  private newCluster(p: {
    name: string;
    mode: AuthenticationMode;
    bootstrap: boolean;
    creatorArn: string;
    status: ClusterRecord['status'];
    describesUntilActive: number;
    version?: string;
    roleArn?: string;
    tags?: Record<string, string>;
    endpoint?: string;
    ca?: string;
    reportsAccessConfig?: boolean;
  }): ClusterRecord {
    const cluster: ClusterRecord = {
      name: p.name,
      arn: `arn:${this.partition}:eks:${this.region}:${this.accountId}:cluster/${p.name}`,
      createdAt: this.now(),
      version: p.version ?? '1.33',
      platformVersion: 'eks.1',
      status: p.status,
      describesUntilActive: p.describesUntilActive,
      endpoint: p.endpoint ?? this.clusterEndpoint
        ?? `https://${randomUUID().replace(/-/g, '').toUpperCase()}.gr7.${this.region}.eks.amazonaws.com`,
      certificateAuthorityData: p.ca ?? this.certificateAuthorityData,
      roleArn: p.roleArn ?? `arn:${this.partition}:iam::${this.accountId}:role/eks-cluster-role`,
      tags: { ...(p.tags ?? {}) },
      authenticationMode: p.mode,
      reportsAccessConfig: p.reportsAccessConfig ?? true,
      bootstrapClusterCreatorAdminPermissions: p.bootstrap,
      creatorArn: p.creatorArn,
      entries: new Map(),
      updates: [],
      nodegroups: new Map(),
      fargateProfiles: new Map(),
    };
    this.bootstrapCreator(cluster);
    return cluster;
  }

  /**
   * The creator's cluster-admin access entry: made when the cluster is created in a mode with
   * access entries, or when a CONFIG_MAP cluster first moves to API_AND_CONFIG_MAP.
   */
  private bootstrapCreator(cluster: ClusterRecord): void {
    if (!cluster.bootstrapClusterCreatorAdminPermissions || cluster.authenticationMode === 'CONFIG_MAP'
      || cluster.entries.has(cluster.creatorArn) || !parsePrincipal(cluster.creatorArn)) {
      return;
    }
    const entry = this.newEntry(cluster, cluster.creatorArn, 'STANDARD', undefined, undefined, undefined);
    const policyArn = accessPolicyArn(CLUSTER_ADMIN_POLICY, this.partition);
    entry.policies.set(policyArn, { policyArn, accessScope: { type: 'cluster', namespaces: [] }, associatedAt: entry.createdAt, modifiedAt: entry.createdAt });
    cluster.entries.set(entry.principalArn, entry);
  }

  private moveToMode(cluster: ClusterRecord, mode: AuthenticationMode): void {
    cluster.authenticationMode = mode;
    this.bootstrapCreator(cluster);
    this.mapComputeRoles(cluster);
  }

  /**
   * The access entries EKS keeps for managed node groups (EC2_LINUX) and Fargate profiles
   * (FARGATE_LINUX) on a cluster with access entries: on CONFIG_MAP it writes aws-auth instead,
   * and moving to API_AND_CONFIG_MAP creates the entries.
   */
  private mapComputeRoles(cluster: ClusterRecord): void {
    if (cluster.authenticationMode === 'CONFIG_MAP') {
      return;
    }
    const roles: Array<[string, AccessEntryType]> = [
      ...[...cluster.nodegroups.values()].map((n): [string, AccessEntryType] => [n.nodeRole, 'EC2_LINUX']),
      ...[...cluster.fargateProfiles.values()].map((f): [string, AccessEntryType] => [f.podExecutionRoleArn, 'FARGATE_LINUX']),
    ];
    for (const [role, type] of roles) {
      if (!cluster.entries.has(role)) {
        cluster.entries.set(role, this.newEntry(cluster, role, type, undefined, undefined, undefined));
      }
    }
  }

  private completeUpdate(update: UpdateRecord): void {
    update.describesLeft = 0;
    if (update.outcome) {
      update.status = update.outcome.status;
      update.errors = (update.outcome.errors ?? []).map((e) => ({ ...e }));
    } else {
      update.status = 'Successful';
      update.apply();
    }
    const cluster = this.clusters.get(update.clusterName);
    if (cluster && cluster.status === 'UPDATING' && !cluster.updates.some((u) => u.status === 'InProgress')) {
      cluster.status = 'ACTIVE';
    }
  }

  private seedEntry(cluster: ClusterRecord, seed: AccessEntrySeed): AccessEntryRecord {
    const type = seed.type ?? 'STANDARD';
    const entry = this.newEntry(cluster, seed.principalArn, type, seed.username, seed.kubernetesGroups, seed.tags);
    for (const policy of seed.accessPolicies ?? []) {
      const scope = policy.accessScope ?? { type: 'cluster' };
      entry.policies.set(policy.policyArn, {
        policyArn: policy.policyArn,
        accessScope: { type: scope.type, namespaces: [...(scope.namespaces ?? [])] },
        associatedAt: entry.createdAt,
        modifiedAt: entry.createdAt,
      });
    }
    cluster.entries.set(entry.principalArn, entry);
    return entry;
  }

  private newEntry(cluster: ClusterRecord, principalArn: string, type: AccessEntryType, username: string | undefined,
    groups: string[] | undefined, tags: Record<string, string> | undefined): AccessEntryRecord {
    const now = this.now();
    const defaults = defaultIdentity(principalArn, type);
    return {
      clusterName: cluster.name,
      principalArn,
      kubernetesGroups: groups ?? defaults.groups,
      accessEntryArn: this.accessEntryArn(cluster, principalArn),
      createdAt: now,
      modifiedAt: now,
      tags: { ...(tags ?? {}) },
      username: username ?? defaults.username,
      type,
      policies: new Map(),
    };
  }

  /** `arn:aws:eks:<region>:<account>:access-entry/<cluster>/<role|user>/<principal account>/<name>/<id>` */
  private accessEntryArn(cluster: ClusterRecord, principalArn: string): string {
    const parts = principalArn.split(':');
    const resource = parts.slice(5).join(':');
    const kind = resource.split('/')[0] || 'role';
    const name = resource.split('/').pop() || resource;
    return `arn:${this.partition}:eks:${this.region}:${this.accountId}:access-entry/${cluster.name}/${kind}/${parts[4] ?? ''}/${name}/${randomUUID()}`;
  }

  private clusterWire(cluster: ClusterRecord): Json {
    const creating = cluster.status === 'CREATING';
    return {
      name: cluster.name,
      arn: cluster.arn,
      createdAt: epoch(cluster.createdAt),
      version: cluster.version,
      ...(creating ? {} : { endpoint: cluster.endpoint }),
      roleArn: cluster.roleArn,
      resourcesVpcConfig: { subnetIds: [], securityGroupIds: [], endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] },
      kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
      identity: { oidc: { issuer: `https://oidc.eks.${this.region}.amazonaws.com/id/${cluster.name.toUpperCase()}` } },
      status: cluster.status,
      certificateAuthority: creating ? {} : { data: cluster.certificateAuthorityData },
      platformVersion: cluster.platformVersion,
      tags: { ...cluster.tags },
      ...(cluster.reportsAccessConfig ? {
        accessConfig: {
          bootstrapClusterCreatorAdminPermissions: cluster.bootstrapClusterCreatorAdminPermissions,
          authenticationMode: cluster.authenticationMode,
        },
      } : {}),
    };
  }

  private updateWire(update: UpdateRecord): Json {
    return {
      id: update.id,
      status: update.status,
      type: update.type,
      params: update.params.map((p) => ({ ...p })),
      createdAt: epoch(update.createdAt),
      errors: update.errors.map((e) => ({ ...e, ...(e.resourceIds ? { resourceIds: [...e.resourceIds] } : {}) })),
    };
  }

  private entryWire(entry: AccessEntryRecord): Json {
    return {
      clusterName: entry.clusterName,
      principalArn: entry.principalArn,
      kubernetesGroups: [...entry.kubernetesGroups],
      accessEntryArn: entry.accessEntryArn,
      createdAt: epoch(entry.createdAt),
      modifiedAt: epoch(entry.modifiedAt),
      tags: { ...entry.tags },
      username: entry.username,
      type: entry.type,
    };
  }

  private policyWire(policy: { policyArn: string; accessScope: AccessScope; associatedAt: Date; modifiedAt: Date }): Json {
    return {
      policyArn: policy.policyArn,
      accessScope: { type: policy.accessScope.type, namespaces: [...policy.accessScope.namespaces] },
      associatedAt: epoch(policy.associatedAt),
      modifiedAt: epoch(policy.modifiedAt),
    };
  }

  private entryView(entry: AccessEntryRecord): AccessEntryView {
    return {
      clusterName: entry.clusterName,
      principalArn: entry.principalArn,
      type: entry.type,
      username: entry.username,
      kubernetesGroups: [...entry.kubernetesGroups],
      accessEntryArn: entry.accessEntryArn,
      tags: { ...entry.tags },
      createdAt: entry.createdAt.toISOString(),
      modifiedAt: entry.modifiedAt.toISOString(),
      accessPolicies: [...entry.policies.values()].map((p) => ({
        policyArn: p.policyArn,
        accessScope: { type: p.accessScope.type, namespaces: [...p.accessScope.namespaces] },
        associatedAt: p.associatedAt.toISOString(),
        modifiedAt: p.modifiedAt.toISOString(),
      })),
    };
  }

  private clusterView(cluster: ClusterRecord): ClusterView {
    return {
      name: cluster.name,
      arn: cluster.arn,
      status: cluster.status,
      version: cluster.version,
      endpoint: cluster.endpoint,
      certificateAuthorityData: cluster.certificateAuthorityData,
      authenticationMode: cluster.authenticationMode,
      bootstrapClusterCreatorAdminPermissions: cluster.bootstrapClusterCreatorAdminPermissions,
      creatorArn: cluster.creatorArn,
      tags: { ...cluster.tags },
      accessEntries: [...cluster.entries.values()].map((e) => this.entryView(e)),
      updates: cluster.updates.map((u) => ({
        id: u.id,
        type: u.type,
        status: u.status,
        params: u.params.map((p) => ({ ...p })),
        createdAt: u.createdAt.toISOString(),
        errors: u.errors.map((e) => ({ ...e })),
      })),
    };
  }
}

/**
 * The username and groups EKS gives an access entry when the caller sets none: a role's
 * assumed-role session ARN template, a user's ARN, and the node identities for node types.
 */
export function defaultIdentity(principalArn: string, type: AccessEntryType): { username: string; groups: string[] } {
  switch (type) {
    case 'EC2_LINUX':
      return { username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] };
    case 'EC2_WINDOWS':
      return { username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes', 'eks:kube-proxy-windows'] };
    case 'FARGATE_LINUX':
      return { username: 'system:node:{{SessionName}}', groups: ['system:nodes', 'system:node-proxier'] };
    case 'HYBRID_LINUX':
    case 'HYPERPOD_LINUX':
      return { username: 'system:node:{{SessionName}}', groups: ['system:nodes'] };
    case 'EC2':
      return { username: 'system:node:{{EC2PrivateDNSName}}', groups: [] };
    default:
      break;
  }
  const parts = principalArn.split(':');
  const resource = parts.slice(5).join(':');
  if (resource.startsWith('role/')) {
    const name = resource.split('/').pop();
    return { username: `arn:${parts[1]}:sts::${parts[4]}:assumed-role/${name}/{{SessionName}}`, groups: [] };
  }
  return { username: principalArn, groups: [] };
}
