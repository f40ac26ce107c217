import { Aws, Token } from 'aws-cdk-lib';
import { KNOWN_ACCESS_POLICIES } from './core/access-entry';
import { AccessConfigError } from './core/arn';

const POLICY_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;
const POLICY_ARN = /^arn:[a-z-]+:eks::aws:cluster-access-policy\/([A-Za-z0-9+=,.@_-]+)$/;

/**
 * An EKS access policy: a set of Kubernetes permissions that EKS grants to an access entry,
 * without any RBAC object in the cluster. Only clusters whose authentication mode includes the
 * access-entry API (`API` or `API_AND_CONFIG_MAP`) honour them.
 *
 * The constants are the policies EKS documents for customer roles; `AccessPolicy.of` names any
 * other (EKS lists them with `aws eks list-access-policies`). Policies EKS reserves for
 * service-linked roles (AmazonEKSBlockStoragePolicy, AmazonEKSBlockStorageClusterPolicy,
 * AmazonEKSComputePolicy, AmazonEKSComputeClusterPolicy, AmazonEKSHybridPolicy,
 * AmazonEKSClusterInsightsPolicy) are refused at synth time.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 */
export class AccessPolicy {
  /** Full access to every resource in the cluster, like the `cluster-admin` ClusterRole. */
  public static readonly AMAZON_EKS_CLUSTER_ADMIN_POLICY = new AccessPolicy('AmazonEKSClusterAdminPolicy');
  /** Most of the permissions of the `admin` ClusterRole (read-write within a namespace, RBAC included). */
  public static readonly AMAZON_EKS_ADMIN_POLICY = new AccessPolicy('AmazonEKSAdminPolicy');
  /** Read access to every resource, Secrets included. */
  public static readonly AMAZON_EKS_ADMIN_VIEW_POLICY = new AccessPolicy('AmazonEKSAdminViewPolicy');
  /** Read-write access to most resources, like the `edit` ClusterRole. */
  public static readonly AMAZON_EKS_EDIT_POLICY = new AccessPolicy('AmazonEKSEditPolicy');
  /** Read access to most resources (not Secrets), like the `view` ClusterRole. */
  public static readonly AMAZON_EKS_VIEW_POLICY = new AccessPolicy('AmazonEKSViewPolicy');
  /** Read access to Secrets. */
  public static readonly AMAZON_EKS_SECRET_READER_POLICY = new AccessPolicy('AmazonEKSSecretReaderPolicy');
  /**
   * Permissions EKS Auto Mode nodes need. EKS gives it to the node role of the built-in node pools
   * itself; a custom node class's role needs an `EC2` access entry with this policy (the only
   * policy such an entry takes).
   */
  public static readonly AMAZON_EKS_AUTO_NODE_POLICY = new AccessPolicy('AmazonEKSAutoNodePolicy');
  /**
   * Leader election of the EKS Auto Mode load balancing capability. EKS associates it with the
   * cluster IAM role itself when Auto Mode is enabled.
   */
  public static readonly AMAZON_EKS_LOAD_BALANCING_POLICY = new AccessPolicy('AmazonEKSLoadBalancingPolicy');
  /**
   * Leader election of the EKS Auto Mode networking capability. EKS associates it with the
   * cluster IAM role itself when Auto Mode is enabled.
   */
  public static readonly AMAZON_EKS_NETWORKING_POLICY = new AccessPolicy('AmazonEKSNetworkingPolicy');
  /**
   * The EKS Auto Mode load balancing capability. EKS associates it with the cluster IAM role itself
   * when Auto Mode is enabled.
   */
  public static readonly AMAZON_EKS_LOAD_BALANCING_CLUSTER_POLICY = new AccessPolicy('AmazonEKSLoadBalancingClusterPolicy');
  /**
   * The EKS Auto Mode networking capability. EKS associates it with the cluster IAM role itself
   * when Auto Mode is enabled.
   */
  public static readonly AMAZON_EKS_NETWORKING_CLUSTER_POLICY = new AccessPolicy('AmazonEKSNetworkingClusterPolicy');
  /**
   * Argo CD (EKS Capabilities), namespace-scoped: deploy and manage applications. EKS grants it to
   * the capability's role on its own cluster; grant it on a cluster Argo CD deploys to remotely.
   */
  public static readonly AMAZON_EKS_ARGO_CD_POLICY = new AccessPolicy('AmazonEKSArgoCDPolicy');
  /**
   * Argo CD (EKS Capabilities), cluster-scoped: discover resources and manage cluster-scoped objects.
   * Grant it, with {@link AccessPolicy.AMAZON_EKS_ARGO_CD_POLICY}, on a cluster Argo CD deploys to remotely.
   */
  public static readonly AMAZON_EKS_ARGO_CD_CLUSTER_POLICY = new AccessPolicy('AmazonEKSArgoCDClusterPolicy');
  /** AWS Controllers for Kubernetes (EKS Capabilities): manage ACK resources in every namespace. */
  public static readonly AMAZON_EKS_ACK_POLICY = new AccessPolicy('AmazonEKSACKPolicy');
  /** kro (EKS Capabilities): watch ResourceGraphDefinitions and create the resources they define. */
  public static readonly AMAZON_EKS_KRO_POLICY = new AccessPolicy('AmazonEKSKROPolicy');
  /**
   * Designated by EKS for AWS service-linked roles only; it cannot be used with customer-managed
   * roles, so granting it is refused at synth time.
   * @deprecated EKS associates this policy itself; no access entry this library makes can carry it.
   */
  public static readonly AMAZON_EKS_BLOCK_STORAGE_POLICY = new AccessPolicy('AmazonEKSBlockStoragePolicy');
  /**
   * Designated by EKS for AWS service-linked roles only; it cannot be used with customer-managed
   * roles, so granting it is refused at synth time.
   * @deprecated EKS associates this policy itself; no access entry this library makes can carry it.
   */
  public static readonly AMAZON_EKS_COMPUTE_POLICY = new AccessPolicy('AmazonEKSComputePolicy');
  /**
   * Designated by EKS for AWS service-linked roles only (hybrid nodes); it cannot be used with
   * customer-managed roles, so granting it is refused at synth time.
   * @deprecated EKS associates this policy itself; no access entry this library makes can carry it.
   */
  public static readonly AMAZON_EKS_HYBRID_POLICY = new AccessPolicy('AmazonEKSHybridPolicy');
  /**
   * Designated by EKS for AWS service-linked roles only (cluster insights); it cannot be used with
   * customer-managed roles, so granting it is refused at synth time.
   * @deprecated EKS associates this policy itself; no access entry this library makes can carry it.
   */
  public static readonly AMAZON_EKS_CLUSTER_INSIGHTS_POLICY = new AccessPolicy('AmazonEKSClusterInsightsPolicy');

  /**
   * Any access policy, by name (`AmazonEKSViewPolicy`) or by ARN
   * (`arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`).
   *
   * A name must be one EKS documents (a misspelt name would only fail at deploy time); a full ARN
   * is taken as it is, so that a policy EKS added after this version of the library can be used.
   * Throws when the value is neither.
   */
  public static of(nameOrArn: string): AccessPolicy {
    if (Token.isUnresolved(nameOrArn)) {
      throw new Error(`AccessPolicy.of: the access policy must be known at synth time, got the token "${nameOrArn}"`);
    }
    const arn = POLICY_ARN.exec(nameOrArn);
    if (arn) {
      return new AccessPolicy(arn[1]);
    }
    if (!POLICY_NAME.test(nameOrArn)) {
      throw new AccessConfigError(`AccessPolicy.of: "${nameOrArn}" is neither an access policy name (e.g. AmazonEKSViewPolicy) nor an access policy ARN (arn:aws:eks::aws:cluster-access-policy/<name>)`);
    }
    if (!KNOWN_ACCESS_POLICIES.includes(nameOrArn)) {
      throw new AccessConfigError(`AccessPolicy.of: "${nameOrArn}" is not an access policy EKS documents${closest(nameOrArn)}. `
        + `For a policy EKS added after this library version, give its full ARN: AccessPolicy.of('arn:aws:eks::aws:cluster-access-policy/${nameOrArn}') (not checked; \`aws eks list-access-policies\` lists them)`);
    }
    return new AccessPolicy(nameOrArn);
  }

  /** The policy's name, e.g. `AmazonEKSViewPolicy`. */
  public readonly policyName: string;

  private constructor(policyName: string) {
    this.policyName = policyName;
  }

  /**
   * The policy's ARN in the partition of the stack that uses it (a token for partition-agnostic
   * stacks): `arn:<partition>:eks::aws:cluster-access-policy/<name>`.
   */
  public arnIn(partition?: string): string {
    return `arn:${partition ?? Aws.PARTITION}:eks::aws:cluster-access-policy/${this.policyName}`;
  }
}

/** ` (did you mean X?)` for the documented name nearest to a misspelt one, if any is near. */
function closest(name: string): string {
  const scored = KNOWN_ACCESS_POLICIES.map((known) => ({ known, d: distance(name.toLowerCase(), known.toLowerCase()) }));
  const best = scored.sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 3 ? ` (did you mean ${best.known}?)` : '';
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** Where an access policy applies: the whole cluster, or some namespaces. */
export class AccessScope {
  /** Every namespace and every cluster-scoped resource. */
  public static cluster(): AccessScope {
    return new AccessScope('cluster', []);
  }

  /**
   * Only these namespaces. A trailing `*` matches by prefix (`dev-*`), as EKS allows.
   * At least one namespace is required.
   */
  public static namespaces(...namespaces: string[]): AccessScope {
    return new AccessScope('namespace', namespaces);
  }

  /** `cluster` or `namespace`, as the EKS API names it. */
  public readonly type: string;
  /** The namespaces of a `namespace` scope; empty for `cluster`. */
  public readonly namespaceNames: string[];

  private constructor(type: 'cluster' | 'namespace', namespaces: string[]) {
    this.type = type;
    this.namespaceNames = [...namespaces];
  }
}

/** An access policy granted over a scope. */
export interface AccessPolicyGrant {
  /** The access policy. */
  readonly policy: AccessPolicy;
  /**
   * Where it applies.
   * @default AccessScope.cluster()
   */
  readonly scope?: AccessScope;
}
