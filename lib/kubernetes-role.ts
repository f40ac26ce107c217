/**
 * One rule of a Kubernetes Role or ClusterRole.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export interface PolicyRule {
  /**
   * API groups of the resources; `""` is the core group (pods, services, ...).
   * @default - none (required when `resources` is set)
   */
  readonly apiGroups?: string[];
  /**
   * Resources, e.g. `pods`, `deployments`, `pods/log`; `*` for all.
   * @default - none (then `nonResourceUrls` is required)
   */
  readonly resources?: string[];
  /** Verbs, e.g. `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`; `*` for all. */
  readonly verbs: string[];
  /**
   * Restrict the rule to objects with these names.
   * @default - all objects
   */
  readonly resourceNames?: string[];
  /**
   * Non-resource URLs such as `/healthz` (ClusterRoles only).
   * @default - none
   */
  readonly nonResourceUrls?: string[];
}

/** Where a cluster role comes from. */
enum ClusterRoleOrigin {
  BUILT_IN = 'built-in',
  DEFINED = 'defined',
  EXISTING = 'existing',
  REFERENCE = 'reference',
}

/**
 * A Kubernetes ClusterRole that a team or identity is bound to.
 *
 * - The user-facing built-in roles: {@link KubernetesClusterRole.VIEW}, `EDIT`, `ADMIN`, `CLUSTER_ADMIN`.
 * - A role this library creates from rules: {@link KubernetesClusterRole.fromRules}.
 * - A role that already exists in the cluster (from a Helm chart, say): {@link KubernetesClusterRole.existing}.
 * - A reference by name that must resolve to one of the above: {@link KubernetesClusterRole.named};
 *   an unknown name fails at synth time.
 */
export class KubernetesClusterRole {
  /** Unrestricted access to everything in the cluster. */
  public static readonly CLUSTER_ADMIN = new KubernetesClusterRole('cluster-admin', ClusterRoleOrigin.BUILT_IN);
  /** Read-write access within a namespace, including Roles and RoleBindings; no quota or namespace itself. */
  public static readonly ADMIN = new KubernetesClusterRole('admin', ClusterRoleOrigin.BUILT_IN);
  /** Read-write access to most objects in a namespace; no Roles or RoleBindings. */
  public static readonly EDIT = new KubernetesClusterRole('edit', ClusterRoleOrigin.BUILT_IN);
  /** Read-only access to most objects in a namespace; not Secrets. */
  public static readonly VIEW = new KubernetesClusterRole('view', ClusterRoleOrigin.BUILT_IN);

  /**
   * A ClusterRole that this library creates (and deletes) with the given rules. The name must not
   * be one Kubernetes or EKS keeps for its own roles (`cluster-admin`, `admin`, `edit`, `view`,
   * `system:…`, `eks:…`).
   */
  public static fromRules(name: string, rules: PolicyRule[]): KubernetesClusterRole {
    if (['cluster-admin', 'admin', 'edit', 'view'].includes(name) || /^(system|eks):/.test(name)) {
      throw new Error(`KubernetesClusterRole.fromRules("${name}"): that name belongs to a ClusterRole of Kubernetes or EKS itself; choose another name, or bind the existing role with KubernetesClusterRole.named or .existing`);
    }
    if (rules.length === 0) {
      throw new Error(`KubernetesClusterRole.fromRules("${name}"): a ClusterRole needs at least one rule`);
    }
    return new KubernetesClusterRole(name, ClusterRoleOrigin.DEFINED, rules);
  }

  /** A ClusterRole that already exists in the cluster and is not managed here. */
  public static existing(name: string): KubernetesClusterRole {
    return new KubernetesClusterRole(name, ClusterRoleOrigin.EXISTING);
  }

  /**
   * A ClusterRole by name: a built-in one, or one defined with `fromRules` elsewhere in the same
   * `ClusterAccess`. Any other name fails at synth time (use `existing` for roles made elsewhere).
   */
  public static named(name: string): KubernetesClusterRole {
    const builtIns = [KubernetesClusterRole.CLUSTER_ADMIN, KubernetesClusterRole.ADMIN, KubernetesClusterRole.EDIT, KubernetesClusterRole.VIEW];
    const builtIn = builtIns.find((r) => r.roleName === name);
    return builtIn ?? new KubernetesClusterRole(name, ClusterRoleOrigin.REFERENCE);
  }

  /** The ClusterRole's name. */
  public readonly roleName: string;
  /** The rules, for a role defined with `fromRules`. */
  public readonly rules?: PolicyRule[];
  private readonly origin: ClusterRoleOrigin;

  private constructor(roleName: string, origin: ClusterRoleOrigin, rules?: PolicyRule[]) {
    this.roleName = roleName;
    this.origin = origin;
    this.rules = rules ? rules.map((r) => ({ ...r })) : undefined;
  }

  /** True when this library creates the role. */
  public get isDefinedHere(): boolean {
    return this.origin === ClusterRoleOrigin.DEFINED;
  }

  /** True for a by-name reference that must resolve to a role known to the ClusterAccess. */
  public get needsResolution(): boolean {
    return this.origin === ClusterRoleOrigin.REFERENCE;
  }
}
