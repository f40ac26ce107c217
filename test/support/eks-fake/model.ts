/**
 * The records the fake keeps and the seeds tests give it. Records are mutable and private to the
 * fake; what leaves it (API answers, snapshots, views) is copied.
 */

/** Cluster authentication modes, in the only order EKS lets a cluster move through them. */
export const AUTHENTICATION_MODES = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'] as const;
export type AuthenticationMode = (typeof AUTHENTICATION_MODES)[number];

/** Cluster statuses of the EKS API. */
export const CLUSTER_STATUSES = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING', 'FAILED', 'PENDING'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** Access entry types of the EKS API (EC2 is EKS Auto Mode). */
export const ACCESS_ENTRY_TYPES = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'] as const;
export type AccessEntryType = (typeof ACCESS_ENTRY_TYPES)[number];

export interface AccessScope {
  readonly type: (typeof ACCESS_SCOPE_TYPES)[number];
  readonly namespaces: string[];
}

export interface AssociatedPolicyRecord {
  policyArn: string;
  accessScope: AccessScope;
  associatedAt: Date;
  modifiedAt: Date;
}

export interface AccessEntryRecord {
  clusterName: string;
  principalArn: string;
  kubernetesGroups: string[];
  accessEntryArn: string;
  createdAt: Date;
  modifiedAt: Date;
  tags: Record<string, string>;
  username: string;
  type: AccessEntryType;
  /** By policy ARN. */
  policies: Map<string, AssociatedPolicyRecord>;
  /** The clientRequestToken of the CreateAccessEntry call that made it (idempotent retries). */
  creationToken?: string;
}

/** Update statuses of the EKS API. */
export const UPDATE_STATUSES = ['InProgress', 'Failed', 'Cancelled', 'Successful'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** The one update type and parameter type the fake starts (UpdateClusterConfig with accessConfig). */
export const ACCESS_CONFIG_UPDATE = { type: 'AccessConfigUpdate', paramType: 'AuthenticationMode' } as const;

/** Access scope types of AssociateAccessPolicy. */
export const ACCESS_SCOPE_TYPES = ['cluster', 'namespace'] as const;

/** One entry of an update's `errors[]` (the model's ErrorDetail). */
export interface UpdateError {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly resourceIds?: string[];
}

/** How the next update ends instead of succeeding (a test control). */
export interface UpdateOutcome {
  readonly status: 'Failed' | 'Cancelled';
  readonly errors?: UpdateError[];
}

export interface UpdateRecord {
  id: string;
  clusterName: string;
  status: UpdateStatus;
  type: string;
  params: { type: string; value: string }[];
  createdAt: Date;
  /** DescribeUpdate calls that still answer InProgress before the update completes. */
  describesLeft: number;
  /** Applies the change to the cluster (run once, when the update completes successfully). */
  apply: () => void;
  /** Set when the update is to end Failed or Cancelled instead. */
  outcome?: UpdateOutcome;
  errors: UpdateError[];
  /** The clientRequestToken of the call that started it (idempotent retries). */
  token?: string;
}

/** A managed node group, as far as access goes: its node role. */
export interface NodegroupRecord {
  nodegroupName: string;
  nodeRole: string;
  createdAt: Date;
}

/** A Fargate profile, as far as access goes: its pod execution role. */
export interface FargateProfileRecord {
  fargateProfileName: string;
  podExecutionRoleArn: string;
  createdAt: Date;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  createdAt: Date;
  version: string;
  platformVersion: string;
  status: ClusterStatus;
  /** DescribeCluster calls that still answer CREATING before the cluster turns ACTIVE. */
  describesUntilActive: number;
  endpoint: string;
  certificateAuthorityData: string;
  roleArn: string;
  tags: Record<string, string>;
  authenticationMode: AuthenticationMode;
  /** False for a cluster whose DescribeCluster has no `accessConfig` (platform versions before access entries). */
  reportsAccessConfig: boolean;
  bootstrapClusterCreatorAdminPermissions: boolean;
  creatorArn: string;
  /** By principal ARN. */
  entries: Map<string, AccessEntryRecord>;
  updates: UpdateRecord[];
  /** By name. */
  nodegroups: Map<string, NodegroupRecord>;
  /** By name. */
  fargateProfiles: Map<string, FargateProfileRecord>;
}

/** An access policy association to seed. */
export interface AccessPolicySeed {
  readonly policyArn: string;
  readonly accessScope?: { readonly type: 'cluster' | 'namespace'; readonly namespaces?: string[] };
}

/** An access entry to seed (no validation: seeds may hold any state, even one EKS refuses). */
export interface AccessEntrySeed {
  readonly principalArn: string;
  readonly type?: AccessEntryType;
  /** Defaults as EKS sets it for the type and principal. */
  readonly username?: string;
  /** Defaults as EKS sets them for the type (none for STANDARD). */
  readonly kubernetesGroups?: string[];
  readonly tags?: Record<string, string>;
  readonly accessPolicies?: AccessPolicySeed[];
}

/** A cluster to seed, in any state. */
export interface ClusterSeed {
  readonly name: string;
  /** Default `API_AND_CONFIG_MAP`. */
  readonly authenticationMode?: AuthenticationMode;
  /** Default true: the creator gets an access entry with AmazonEKSClusterAdminPolicy (unless the mode is CONFIG_MAP). */
  readonly bootstrapClusterCreatorAdminPermissions?: boolean;
  /** Default the fake's `creatorArn`. */
  readonly creatorArn?: string;
  /** Default `ACTIVE` (or `CREATING` when `activeAfterDescribes` is set). */
  readonly status?: ClusterStatus;
  /** DescribeCluster answers CREATING this many times, then ACTIVE. */
  readonly activeAfterDescribes?: number;
  /** Default the fake's `clusterEndpoint`. */
  readonly endpoint?: string;
  /** Base64 PEM; default the fake's `certificateAuthorityData`. */
  readonly certificateAuthorityData?: string;
  readonly version?: string;
  readonly roleArn?: string;
  readonly tags?: Record<string, string>;
  readonly accessEntries?: AccessEntrySeed[];
  /**
   * Default true. False: DescribeCluster answers without `accessConfig`, as for a cluster on a
   * platform version from before access entries (its mode is then CONFIG_MAP unless seeded otherwise).
   */
  readonly reportAccessConfig?: boolean;
  /**
   * Managed node groups. Like EKS, the fake maps their node roles itself: an EC2_LINUX access entry
   * appears for each when the cluster leaves CONFIG_MAP (or at once in another mode).
   */
  readonly nodegroups?: { readonly nodegroupName: string; readonly nodeRole: string }[];
  /** Fargate profiles; their pod execution roles get FARGATE_LINUX entries the same way. */
  readonly fargateProfiles?: { readonly fargateProfileName: string; readonly podExecutionRoleArn: string }[];
}

/** What a token webhook needs of an access entry, read synchronously. */
export interface AccessEntryView {
  readonly clusterName: string;
  readonly principalArn: string;
  readonly type: AccessEntryType;
  readonly username: string;
  readonly kubernetesGroups: string[];
  readonly accessEntryArn: string;
  readonly tags: Record<string, string>;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly accessPolicies: { policyArn: string; accessScope: AccessScope; associatedAt: string; modifiedAt: string }[];
}

/** A cluster as the snapshot shows it. */
export interface ClusterView {
  readonly name: string;
  readonly arn: string;
  readonly status: ClusterStatus;
  readonly version: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly authenticationMode: AuthenticationMode;
  readonly bootstrapClusterCreatorAdminPermissions: boolean;
  readonly creatorArn: string;
  readonly tags: Record<string, string>;
  readonly accessEntries: AccessEntryView[];
  readonly updates: {
    id: string; type: string; status: UpdateStatus; params: { type: string; value: string }[]; createdAt: string; errors: UpdateError[];
  }[];
}

/** The whole state of the fake, JSON-safe. */
export interface EksFakeSnapshot {
  readonly clusters: ClusterView[];
  readonly missingPrincipals: string[];
}

export function isAuthenticationMode(value: unknown): value is AuthenticationMode {
  return typeof value === 'string' && (AUTHENTICATION_MODES as readonly string[]).includes(value);
}

export function isAccessEntryType(value: unknown): value is AccessEntryType {
  return typeof value === 'string' && (ACCESS_ENTRY_TYPES as readonly string[]).includes(value);
}

/**
 * Every type but STANDARD: EKS sets the username and groups, the caller may set neither (User
 * Guide, "Create access entries"), and the role must be in the cluster's account (same page).
 */
export function isNodeType(type: AccessEntryType): boolean {
  return type !== 'STANDARD';
}

/** Types whose principal must be an IAM role (API reference, CreateAccessEntry `principalArn`). */
export const ROLE_ONLY_TYPES: readonly AccessEntryType[] = ['EC2', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX'];

/** Types whose creator needs `iam:PassRole` on the role (User Guide, "Create access entries"). */
export const PASS_ROLE_TYPES: readonly AccessEntryType[] = ['EC2_LINUX', 'EC2_WINDOWS'];
