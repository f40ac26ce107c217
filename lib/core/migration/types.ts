/**
 * The migration from `aws-auth` to access entries as data: what the planner reads (the ConfigMap,
 * the cluster's access entries and mode, facts about IAM principals and EKS-managed roles) and the
 * plan it returns (one verdict per aws-auth entry, the access entries to create, and whether the
 * cluster may move to authentication mode API).
 */
import { AccessEntrySpec, AccessPolicyAssociationSpec } from '../access-entry';
import { AwsAuthConfigMap, AwsAuthProblem } from '../aws-auth';
import { AuthenticationMode } from '../desired-state';

/** An access entry as it exists on the cluster (DescribeAccessEntry and ListAssociatedAccessPolicies). */
export interface ExistingAccessEntry {
  readonly principalArn: string;
  readonly type: string;
  /** EKS always reports one (its default when none was given); absent only in hand-written input. */
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  /** Absent: not listed (treated as none). */
  readonly policies?: readonly AccessPolicyAssociationSpec[];
}

/** What is known about IAM and about the roles EKS manages itself. */
export interface MigrationFacts {
  /**
   * Full ARNs (path included) of IAM roles and users that exist, e.g. from `iam:GetRole` and
   * `iam:GetUser`. An aws-auth ARN names its role without the path; this is where the path comes
   * from. Matched by account, kind and name (IAM names are unique per account, whatever the case
   * and the path).
   */
  readonly principals?: readonly string[];
  /** aws-auth ARNs that IAM reported do not exist (NoSuchEntity). */
  readonly missingPrincipals?: readonly string[];
  /**
   * True when every role and user of `accountId` was looked up in IAM: a principal of that account
   * that is in neither list above could not be resolved.
   */
  readonly iamConsulted?: boolean;
  /** The cluster's account: IAM was consulted for it, and node entries must name roles of it. */
  readonly accountId?: string;
  /** Node roles of the cluster's EKS managed node groups (DescribeNodegroup `nodeRole`). */
  readonly managedNodeRoles?: readonly string[];
  /** Pod execution roles of the cluster's Fargate profiles (DescribeFargateProfile `podExecutionRoleArn`). */
  readonly fargateRoles?: readonly string[];
}

/** The planner's input. */
export interface MigrationInput {
  /** The ConfigMap, parsed as the authenticator reads it (see `parseAwsAuth`). */
  readonly awsAuth: AwsAuthConfigMap;
  /** The cluster's authentication mode. */
  readonly mode: AuthenticationMode;
  /** The access entries the cluster has (none in mode CONFIG_MAP). */
  readonly accessEntries?: readonly ExistingAccessEntry[];
  readonly facts?: MigrationFacts;
  /**
   * Entries a deployment of this library declares for the cluster: their principals are covered by
   * that declaration and never planned twice.
   */
  readonly declared?: readonly AccessEntrySpec[];
  /** Problems the parser reported (shown with the plan). */
  readonly problems?: readonly AwsAuthProblem[];
  /**
   * Node roles become entries only when declared (covered): whoever creates an EC2_LINUX or
   * EC2_WINDOWS entry needs `iam:PassRole` on the role, which the deploy-time handler is granted
   * for the node roles it maps and no others. Other node mappings are blocked with that fix.
   * @default false
   */
  readonly nodeRolesMustBeDeclared?: boolean;
  /**
   * The owner ID of the `ClusterAccess` deployment that plans (the deploy-time handler). aws-auth
   * entries that an owner of this library recorded as written are that owner's to move (it moves
   * them to access entries itself with mechanism AUTO or ACCESS_ENTRIES): covered when a
   * deployment plans, blocked until that owner is deployed when the CLI plans.
   */
  readonly ownerId?: string;
}

/**
 * The verdict on one aws-auth entry:
 * - `migrate`: the access entry to create reproduces it;
 * - `covered`: an access entry for the principal exists (or is declared) and decides its identity;
 * - `skip`: EKS manages it (managed node groups, Fargate profiles) and creates its entry itself;
 * - `blocked`: it cannot become an access entry as it is; `fix` says what to do.
 */
export type MigrationVerdict = 'migrate' | 'covered' | 'skip' | 'blocked';

/** Machine-readable reasons, one per rule. */
export type MigrationRule =
  | 'node-linux' | 'node-windows' | 'hybrid-node' | 'fargate' | 'cluster-admin' | 'standard'
  | 'existing-same' | 'existing-differs' | 'declared'
  | 'eks-managed-node-group' | 'eks-managed-fargate'
  | 'account' | 'service-linked-role' | 'system-group' | 'reserved-username' | 'template'
  | 'session-name-colon' | 'path-unknown' | 'principal-missing' | 'user-id' | 'node-groups'
  | 'node-account' | 'node-role-undeclared' | 'library-owned' | 'invalid-entry' | 'shadowed' | 'never-matches' | 'ambiguous-sso';

/** One aws-auth entry and its verdict. */
export interface MigrationItem {
  /** Where the entry is: `mapRoles[2]`, `mapUsers[0]`, `mapAccounts[1]`. */
  readonly source: string;
  /** The entry's ARN as written; for an SSO matcher its pattern, for a role ID `userid:<id>`. */
  readonly arn: string;
  readonly username?: string;
  readonly groups: readonly string[];
  /** For `mapAccounts` items. */
  readonly account?: string;
  readonly verdict: MigrationVerdict;
  readonly rule: MigrationRule;
  /** Why, in a sentence. */
  readonly reason: string;
  /** For `blocked`: what to do. */
  readonly fix?: string;
  /** The principal's full ARN, when known. */
  readonly principalArn?: string;
  /**
   * How the full ARN is known: from IAM (facts), as written in aws-auth (users keep their path
   * there), or taken to have no path (IAM was not consulted).
   */
  readonly principalSource?: 'iam' | 'aws-auth' | 'assumed';
  /** For `migrate`: the access entry to create. */
  readonly entry?: AccessEntrySpec;
  /** For `covered`: the differences between what aws-auth grants and what the access entry grants. */
  readonly differences?: readonly string[];
  /** True when aws-auth lets someone in through this entry today (it is neither dropped nor shadowed). */
  readonly effective: boolean;
  /** For `covered`: EKS manages the entry (a managed node group's, a Fargate profile's); it is never removed from aws-auth. */
  readonly managedByEks?: boolean;
}

/** An identity that would lose its access to the cluster. */
export interface LostIdentity {
  readonly source: string;
  readonly arn: string;
  readonly username?: string;
  readonly groups: readonly string[];
}

/** Whether the cluster may move to authentication mode API, which ignores aws-auth. */
export interface ApiReadiness {
  /** True when, once this plan's entries exist, nothing is blocked and aws-auth alone lets nobody in. */
  readonly allowed: boolean;
  /** Why not, one sentence each. */
  readonly reasons: readonly string[];
  /** Who loses access if the mode moved to API now, before this plan's entries exist. */
  readonly loseAccessNow: readonly LostIdentity[];
  /** Who loses access if it moved once this plan's entries exist. */
  readonly loseAccessAfterMigration: readonly LostIdentity[];
}

/** The whole plan. */
export interface MigrationPlan {
  readonly mode: AuthenticationMode;
  /** One item per aws-auth entry, in ConfigMap order (roles, users, accounts). */
  readonly items: readonly MigrationItem[];
  /** The access entries to create (the `migrate` items' entries), in order. */
  readonly entries: readonly AccessEntrySpec[];
  readonly api: ApiReadiness;
  /** Things to know that are not about one entry (parser warnings, facts that were missing). */
  readonly notes: readonly string[];
}
