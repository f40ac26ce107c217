/**
 * The contract between the constructs and the deploy-time handler: the custom resource's
 * properties. The constructs compute everything at synth time (both the aws-auth form and the
 * access-entry form of every identity, and every RBAC manifest); the handler only reads the
 * cluster's authentication mode and applies the matching form. Nothing here does I/O.
 */
import { AccessEntrySpec } from './access-entry';
import type { DesiredPermissionSetMapping } from './permission-sets';

/** Bumped on any incompatible change; the handler refuses versions it does not know. */
export const DESIRED_STATE_VERSION = 1;

/** Which mechanism carries the identities to the cluster. */
export type AccessMechanism = 'AWS_AUTH' | 'ACCESS_ENTRIES' | 'AUTO';

/** EKS cluster authentication modes, in the only order EKS lets a cluster move through. */
export const AUTHENTICATION_MODES = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'] as const;
export type AuthenticationMode = (typeof AUTHENTICATION_MODES)[number];

/** One `mapRoles` entry the stack wants in aws-auth (role ARN already without its path). */
export interface DesiredRoleMapping {
  readonly rolearn: string;
  readonly username?: string;
  readonly groups: string[];
}

/** One `mapUsers` entry the stack wants in aws-auth. */
export interface DesiredUserMapping {
  readonly userarn: string;
  readonly username?: string;
  readonly groups: string[];
}

/** What goes into aws-auth when the cluster uses it. */
export interface DesiredAwsAuth {
  readonly mapRoles: DesiredRoleMapping[];
  readonly mapUsers: DesiredUserMapping[];
  readonly mapAccounts: string[];
}

/** A Kubernetes object (Namespace, Role, ClusterRole, RoleBinding, ClusterRoleBinding). */
export interface KubernetesManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

/** The whole desired state of one `ClusterAccess` on one cluster. */
export interface DesiredClusterAccess {
  readonly version: number;
  readonly clusterName: string;
  /** Region of the cluster; the handler's own region when absent. */
  readonly region?: string;
  /**
   * Account of the cluster (the constructs set it; it is part of the physical ID). Absent in states
   * written by hand or by older versions: the handler role's account, when it names one.
   */
  readonly account?: string;
  /**
   * Stable identity of the owning construct (stack + construct path). Recorded in the cluster on
   * everything the handler creates, so that Update and Delete remove exactly what this owner
   * created and nothing of another owner's. At most 63 characters of `[a-z0-9.-]`.
   */
  readonly ownerId: string;
  readonly mechanism: AccessMechanism;
  /**
   * Move the cluster's authentication mode forward to this mode (one step at a time, never
   * backwards) before applying identities. Absent: leave the mode as it is.
   */
  readonly targetAuthenticationMode?: AuthenticationMode;
  /** Role the handler assumes to talk to Kubernetes (needed for CONFIG_MAP clusters). */
  readonly kubernetesRoleArn?: string;
  /**
   * The handler's own execution role. On clusters with the access-entry API and no
   * `kubernetesRoleArn`, the handler gives this role cluster-admin access before it touches
   * Kubernetes; lockout protection refuses any change that would remove it while in use.
   */
  readonly handlerRoleArn?: string;
  /** Used when the cluster reads aws-auth (mode CONFIG_MAP, or AWS_AUTH mechanism). */
  readonly awsAuth: DesiredAwsAuth;
  /** Used when the cluster has the access-entry API (mode API or API_AND_CONFIG_MAP). */
  readonly accessEntries: AccessEntrySpec[];
  /** RBAC objects applied with server-side apply, in this order (namespaces first). */
  readonly manifests: KubernetesManifest[];
  /**
   * IAM Identity Center permission sets mapped like roles: their roles are only known in the
   * cluster's account at deploy time, so the handler resolves each (`lib/core/permission-sets.ts`)
   * into an aws-auth entry and an access entry before planning. Absent: none.
   */
  readonly permissionSets?: DesiredPermissionSetMapping[];
  /**
   * Move the live aws-auth to access entries: the handler plans the migration at deploy time and
   * creates the planned entries as this owner's (tagged {@link MIGRATED_FROM_KEY}), besides
   * `accessEntries`. Absent: false.
   */
  readonly migrateFromAwsAuth?: boolean;
  /** With `migrateFromAwsAuth`: remove the migrated (and verified) entries from aws-auth. Absent: false. */
  readonly pruneMigratedAwsAuthEntries?: boolean;
}

/**
 * The custom resource carries the desired state inline (as a JSON string, so that CloudFormation
 * does not turn booleans and numbers into strings), or, when that would exceed Lambda's event
 * size, in an S3 object the handler reads.
 */
export interface DesiredStateLocation {
  /** JSON of a {@link DesiredClusterAccess}. */
  readonly inline?: string;
  readonly s3Bucket?: string;
  readonly s3Key?: string;
  /**
   * With `s3Bucket`/`s3Key` only: JSON object of top-level fields of {@link DesiredClusterAccess}
   * that replace the S3 object's. A file asset is written at synth time and cannot hold values
   * CloudFormation resolves at deploy time (the handler's role ARN, a cluster name from `Ref`);
   * the constructs leave those fields out of the file and carry them here. Apply with
   * {@link applyDesiredStateOverrides}.
   */
  readonly overrides?: string;
  /**
   * With `s3Bucket`/`s3Key` only: JSON list of strings. Every string of the S3 object equal to
   * `${cdk-eks-access:<i>}` stands for element `i`: a value CloudFormation resolves at deploy
   * time (the ARN of a role created in the app), which a file written at synth time cannot hold.
   * Apply with {@link applyDesiredStateSubstitutions}.
   */
  readonly substitutions?: string;
}

/** Fields the constructs may carry in {@link DesiredStateLocation.overrides}. */
export const OVERRIDABLE_FIELDS = ['clusterName', 'region', 'account', 'kubernetesRoleArn', 'handlerRoleArn'] as const;

/**
 * The state read from S3 with the location's `overrides` applied. Throws naming the field when
 * the overrides are not a JSON object or name a field that may not be overridden.
 */
export function applyDesiredStateOverrides(fromS3: DesiredClusterAccess, overrides: string | undefined): DesiredClusterAccess {
  if (overrides === undefined) {
    return fromS3;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(overrides);
  } catch (e) {
    throw new Error(`the desired state overrides are not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('the desired state overrides must be a JSON object');
  }
  for (const key of Object.keys(parsed)) {
    if (!(OVERRIDABLE_FIELDS as readonly string[]).includes(key)) {
      throw new Error(`the desired state overrides may set only ${OVERRIDABLE_FIELDS.join(', ')}, not "${key}"`);
    }
  }
  return { ...fromS3, ...(parsed as Partial<DesiredClusterAccess>) };
}

/** The placeholder of substitution `index` in a desired state shipped as a file. */
export function substitutionPlaceholder(index: number): string {
  return `\${cdk-eks-access:${index}}`;
}

const PLACEHOLDER = /^\$\{cdk-eks-access:(\d+)\}$/;

/**
 * The state read from S3 with each placeholder string replaced by its deploy-time value. Throws
 * when the substitutions are not a JSON list of strings, or a placeholder has no value.
 */
export function applyDesiredStateSubstitutions(fromS3: DesiredClusterAccess, substitutions: string | undefined): DesiredClusterAccess {
  if (substitutions === undefined) {
    return fromS3;
  }
  let values: unknown;
  try {
    values = JSON.parse(substitutions);
  } catch (e) {
    throw new Error(`the desired state substitutions are not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
    throw new Error('the desired state substitutions must be a JSON list of strings');
  }
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = PLACEHOLDER.exec(value);
      if (!match) {
        return value;
      }
      const index = Number(match[1]);
      if (index >= values.length) {
        throw new Error(`the desired state names substitution ${index}, but only ${values.length} were given`);
      }
      return values[index];
    }
    if (Array.isArray(value)) {
      return value.map(substitute);
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    }
    return value;
  };
  return substitute(fromS3) as DesiredClusterAccess;
}

/** Prefix of the labels, annotations and tags through which the handler records ownership. */
export const OWNERSHIP_PREFIX = 'cdk-eks-access.dev';
/** Label on RBAC objects and tag key on access entries: the owner ID. */
export const OWNER_KEY = `${OWNERSHIP_PREFIX}/owner`;
/** Tag on the access entries a migration from aws-auth created (value `aws-auth`). */
export const MIGRATED_FROM_KEY = `${OWNERSHIP_PREFIX}/migrated-from`;
/** Annotation on aws-auth: JSON map of owner ID to the entries that owner wrote. */
export const AWS_AUTH_OWNERS_ANNOTATION = `${OWNERSHIP_PREFIX}/owners`;
/**
 * The handler's environment variable holding the ID of its own stack: it applies only events of
 * deployments of that stack (and the stacks nested in it).
 */
export const STACK_ID_ENV = 'CDK_EKS_ACCESS_STACK_ID';

/** The server-side apply field manager of the handler. */
export const FIELD_MANAGER = 'cdk-eks-access';

/**
 * The physical resource ID: `<account>/<region>/<cluster>/<owner>`. It stays the same across
 * updates of one cluster and owner, and changes (a replacement) when any of them changes, so that
 * CloudFormation deletes the old resource, and its Delete removes what it wrote from the old cluster.
 */
export function physicalResourceId(state: Pick<DesiredClusterAccess, 'clusterName' | 'ownerId' | 'region' | 'account' | 'handlerRoleArn'>, defaultRegion?: string): string {
  const region = state.region ?? defaultRegion ?? 'unknown-region';
  const account = state.account ?? accountOf(state.handlerRoleArn) ?? 'unknown-account';
  return `${account}/${region}/${state.clusterName}/${state.ownerId}`;
}

/** What a physical ID names. Earlier versions wrote `<cluster>/<owner>` (no account or region). */
export interface PhysicalResourceLocation {
  readonly account?: string;
  readonly region?: string;
  readonly clusterName: string;
  readonly ownerId: string;
}

/** The parts of a physical ID of either form; undefined when it is not one. */
export function parsePhysicalResourceId(id: string | undefined): PhysicalResourceLocation | undefined {
  const parts = (id ?? '').split('/');
  if (parts.length === 2 && parts.every((p) => p !== '')) {
    return { clusterName: parts[0], ownerId: parts[1] };
  }
  if (parts.length === 4 && parts.every((p) => p !== '')) {
    return { account: parts[0], region: parts[1], clusterName: parts[2], ownerId: parts[3] };
  }
  return undefined;
}

function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
