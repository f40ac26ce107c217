/**
 * The `aws-auth` ConfigMap as typed data. Field names follow the keys the authenticator reads
 * (`rolearn`, `userarn`, `username`, `groups`, `sso`, `userid`); the parser maps any spelling the
 * authenticator accepts (keys are matched case-insensitively) onto them.
 */

/** Matches the roles IAM Identity Center creates for one permission set (`AWSReservedSSO_<name>_<suffix>`). */
export interface SsoRoleMatcher {
  readonly permissionSetName: string;
  readonly accountID: string;
  /** `aws` when absent. */
  readonly partition?: string;
}

/** One `mapRoles` entry. */
export interface RoleMapping {
  readonly rolearn?: string;
  readonly sso?: SsoRoleMatcher;
  /** Matches the caller's unique role ID (`AROA…`) instead of its ARN. */
  readonly userid?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  /** Fields the authenticator ignores, kept as found so that a re-render preserves them. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** One `mapUsers` entry. */
export interface UserMapping {
  readonly userarn?: string;
  /** The user's unique ID (`AIDA…`); the authenticator reads it but does not match on it. */
  readonly userid?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The ConfigMap's metadata: name and namespace, plus everything else kept as found. */
export interface AwsAuthMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  /** Other metadata fields (uid, creationTimestamp, …), kept as found. */
  readonly other?: Readonly<Record<string, unknown>>;
}

/** The whole `aws-auth` ConfigMap. */
export interface AwsAuthConfigMap {
  readonly metadata: AwsAuthMetadata;
  readonly mapRoles: readonly RoleMapping[];
  readonly mapUsers: readonly UserMapping[];
  readonly mapAccounts: readonly string[];
  /** `data` keys other than the three above (the authenticator ignores them), kept as found. */
  readonly otherData?: Readonly<Record<string, string>>;
  /** Top-level fields besides apiVersion, kind, metadata and data (`binaryData`, `immutable`), kept as found. */
  readonly otherFields?: Readonly<Record<string, unknown>>;
  /**
   * Per section, the text after its first YAML document (from the `---` or `...` line on), which
   * the authenticator ignores: rendered back byte for byte after the section's entries, so that an
   * edit neither loses it nor brings it to life.
   */
  readonly ignoredText?: Readonly<Partial<Record<AwsAuthSection, string>>>;
}

export type AwsAuthSection = 'mapRoles' | 'mapUsers' | 'mapAccounts';

export type ProblemSeverity = 'error' | 'warning';

/** One finding of the parser or the linter. */
export interface AwsAuthProblem {
  readonly severity: ProblemSeverity;
  /** Where: `mapRoles[2]`, `mapAccounts`, `metadata`, `data`, or `document`. */
  readonly location: string;
  readonly message: string;
}

export const AWS_AUTH_NAME = 'aws-auth';
export const AWS_AUTH_NAMESPACE = 'kube-system';

/** An empty `aws-auth` ConfigMap, as a cluster without one would get it. */
export function emptyAwsAuth(): AwsAuthConfigMap {
  return { metadata: { name: AWS_AUTH_NAME, namespace: AWS_AUTH_NAMESPACE }, mapRoles: [], mapUsers: [], mapAccounts: [] };
}

/** `problem.location: message`, prefixed by the severity. */
export function formatProblem(problem: AwsAuthProblem): string {
  return `${problem.severity}: ${problem.location}: ${problem.message}`;
}
