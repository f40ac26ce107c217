/**
 * What EKS accepts as the principal of an access entry, written from the documents (not from the
 * library under test, whose own parser these rules are meant to check):
 *
 * - EKS API reference, CreateAccessEntry `principalArn`: the ARN of an IAM principal; for
 *   STANDARD entries any IAM principal type, for node types (EC2, EC2_LINUX, EC2_WINDOWS,
 *   FARGATE_LINUX, HYBRID_LINUX) only IAM roles; never an STS session.
 * - EKS User Guide, "Create access entries": a role ARN may carry a path; service-linked roles
 *   (`arn:aws:iam::*:role/aws-service-role/*`) are not supported; a non-STANDARD entry's role
 *   must be in the cluster's account.
 * - IAM User Guide, "IAM identifiers" / IAM API reference (CreateRole, CreateUser): names are
 *   1-64 of `[\w+=,.@-]`, paths `/` or `/segment/.../` of printable ASCII (at most 512); role and
 *   user names are unique within an account regardless of case and path.
 */

/** An IAM role or user ARN, taken apart. */
export interface Principal {
  readonly arn: string;
  readonly partition: string;
  readonly accountId: string;
  readonly kind: 'role' | 'user';
  /** `/` or `/a/b/`. */
  readonly path: string;
  readonly name: string;
  /** A role under `/aws-service-role/`. */
  readonly serviceLinked: boolean;
  /**
   * What IAM keys the principal by: partition, account, kind and the name without case. Two ARNs
   * with the same key name one IAM entity (or one that cannot coexist with the other).
   */
  readonly iamKey: string;
}

const ARN_PARTITION = /^aws(-[a-z]+)*$/;
const ACCOUNT_ID = /^\d{12}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const MAX_PATH_LENGTH = 512;

/** The principal, or undefined when the string is not an IAM role or user ARN. */
export function parsePrincipal(arn: string): Principal | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return undefined;
  }
  const [, partition, service, region, accountId] = parts;
  const resource = parts.slice(5).join(':');
  if (!ARN_PARTITION.test(partition) || service !== 'iam' || region !== '' || !ACCOUNT_ID.test(accountId)) {
    return undefined;
  }
  const match = /^(role|user)\/(.+)$/.exec(resource);
  if (!match) {
    return undefined;
  }
  const segments = match[2].split('/');
  const name = segments.pop()!;
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}/`;
  if (!IAM_NAME.test(name) || path.length > MAX_PATH_LENGTH || segments.some((s) => !IAM_PATH_SEGMENT.test(s))) {
    return undefined;
  }
  const kind = match[1] as 'role' | 'user';
  return {
    arn,
    partition,
    accountId,
    kind,
    path,
    name,
    serviceLinked: kind === 'role' && path.startsWith('/aws-service-role/'),
    iamKey: `${partition}|${accountId}|${kind}|${name.toLowerCase()}`,
  };
}
