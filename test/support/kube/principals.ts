/**
 * The AWS principals the test cluster knows: each has test credentials that only the harness's
 * emulated STS accepts, so tests can mint real EKS tokens for them. Secrets are random per run.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const TEST_ACCOUNT_ID = '111122223333';
export const OTHER_ACCOUNT_ID = '444455556666';

/** One principal with its credentials. */
export interface TestPrincipal {
  /** Short name tests use to pick it: `handler`, `admin`, `dev`, `ops`, `outsider`. */
  readonly name: string;
  /** The IAM role or user ARN, path included (what an access entry names). */
  readonly principalArn: string;
  /** Role session name (roles only). */
  readonly sessionName?: string;
  /**
   * For node roles, whose session name is an EC2 instance ID: the instance's private DNS name,
   * which the authenticator looks up (EC2 DescribeInstances) for `{{EC2PrivateDNSName}}`.
   */
  readonly privateDnsName?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for role sessions (temporary credentials), absent for IAM users. */
  readonly sessionToken?: string;
  /**
   * Seed from which any number of further credential sets of this principal derive (see
   * {@link deriveCredentials}), like the new keys every AssumeRole hands out.
   */
  readonly keySeed: string;
  /** Short tag that names the principal inside derived access key IDs. */
  readonly keyTag: string;
}

/** A credential set of a principal. */
export interface PrincipalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Who STS says the caller is, and the forms the authenticator derives from it. */
export interface CallerIdentity {
  readonly principal: TestPrincipal;
  /** What GetCallerIdentity returns: `arn:aws:sts::<acct>:assumed-role/<name>/<session>` or the user ARN. */
  readonly arn: string;
  /** The authenticator's canonical ARN: `arn:aws:iam::<acct>:role/<name>` (no path) or the user ARN. */
  readonly canonicalArn: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly sessionName: string;
  /** GetCallerIdentity's UserId (`AROA...:session` or `AIDA...`). */
  readonly userId: string;
  /** The private DNS name of the instance a node's session names (see {@link TestPrincipal.privateDnsName}). */
  readonly ec2PrivateDnsName?: string;
}

const PRINCIPAL_SHAPES: ReadonlyArray<Pick<TestPrincipal, 'name' | 'principalArn' | 'sessionName' | 'privateDnsName'>> = [
  { name: 'handler', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/cdk-eks-access-handler`, sessionName: 'cdk-eks-access-handler' },
  { name: 'admin', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/platform/cluster-admin`, sessionName: 'admin-session' },
  { name: 'dev', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/teams/dev/developer`, sessionName: 'alice@example.com' },
  { name: 'viewer', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/viewer`, sessionName: 'bob' },
  { name: 'ops', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/ops/olga` },
  { name: 'outsider', principalArn: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/outsider`, sessionName: 'mallory' },
  // A self-managed node and a managed node group's node: the session is the instance ID.
  { name: 'node', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/eks-node-role`, sessionName: 'i-0123456789abcdef0', privateDnsName: 'ip-10-0-1-23.us-west-2.compute.internal' },
  { name: 'ng-node', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/eks-managed-ng-role`, sessionName: 'i-0fedcba9876543210', privateDnsName: 'ip-10-0-2-34.us-west-2.compute.internal' },
  // The role IAM Identity Center made for a permission set, under its reserved path.
  {
    name: 'sso-admin',
    principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef`,
    sessionName: 'carol@example.com',
  },
];

/** A fresh set of principals with random credentials. */
export function makeTestPrincipals(): TestPrincipal[] {
  return PRINCIPAL_SHAPES.map((shape, i) => {
    const isRole = shape.principalArn.includes(':role/');
    return {
      ...shape,
      accessKeyId: (isRole ? 'ASIA' : 'AKIA') + randomBytes(8).toString('hex').toUpperCase(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: isRole ? randomBytes(48).toString('base64') : undefined,
      keySeed: randomBytes(32).toString('hex'),
      keyTag: `P${String(i).padStart(2, '0')}`,
    };
  });
}

/** Prefix of derived access key IDs: `ASIA` + `X` + tag (3) + random (12) = 20 characters, as AWS keys. */
const DERIVED_PREFIX = 'ASIAX';

/**
 * A new credential set for `principal` (a fresh access key ID with its own secret and session
 * token). The emulated STS recognises it from the principal's seed, so tests in other processes can
 * make as many as they like without telling the parent. Useful because kube-apiserver caches a
 * successful token for 10 s: tokens from different credentials never collide.
 */
export function deriveCredentials(principal: TestPrincipal, suffix = randomBytes(6).toString('hex').toUpperCase()): PrincipalCredentials {
  if (!/^[0-9A-Z]{12}$/.test(suffix)) {
    throw new Error(`derived key suffix must be 12 characters of [0-9A-Z], got "${suffix}"`);
  }
  const accessKeyId = `${DERIVED_PREFIX}${principal.keyTag}${suffix}`;
  const mac = (what: string) => createHmac('sha256', principal.keySeed).update(`${what}:${accessKeyId}`).digest('base64');
  return { accessKeyId, secretAccessKey: mac('secret'), sessionToken: principal.sessionToken === undefined ? undefined : mac('token') + mac('token2') };
}

/** Whose an access key is, with its full credential set. */
export interface KnownAccessKey {
  readonly principal: TestPrincipal;
  readonly credentials: PrincipalCredentials;
}

/** The principal and credentials behind an access key ID, base or derived; undefined when unknown. */
export function lookUpAccessKey(accessKeyId: string, principals: readonly TestPrincipal[]): KnownAccessKey | undefined {
  const base = principals.find((p) => p.accessKeyId === accessKeyId);
  if (base) {
    return { principal: base, credentials: base };
  }
  if (accessKeyId.startsWith(DERIVED_PREFIX) && accessKeyId.length === 20) {
    const tag = accessKeyId.slice(DERIVED_PREFIX.length, DERIVED_PREFIX.length + 3);
    const principal = principals.find((p) => p.keyTag === tag);
    if (principal) {
      return { principal, credentials: deriveCredentials(principal, accessKeyId.slice(DERIVED_PREFIX.length + 3)) };
    }
  }
  return undefined;
}

/** The identity STS reports for `principal`. */
export function callerIdentityOf(principal: TestPrincipal, accessKeyId = principal.accessKeyId): CallerIdentity {
  const [, partition, , , accountId, resource] = principal.principalArn.split(':');
  const name = resource.split('/').pop()!;
  const uniqueId = stableId(principal.principalArn);
  if (resource.startsWith('role/')) {
    const sessionName = principal.sessionName ?? 'session';
    return {
      principal,
      arn: `arn:${partition}:sts::${accountId}:assumed-role/${name}/${sessionName}`,
      canonicalArn: `arn:${partition}:iam::${accountId}:role/${name}`,
      accountId,
      accessKeyId,
      sessionName,
      userId: `AROA${uniqueId}:${sessionName}`,
      ...(principal.privateDnsName !== undefined ? { ec2PrivateDnsName: principal.privateDnsName } : {}),
    };
  }
  return {
    principal,
    arn: principal.principalArn,
    canonicalArn: principal.principalArn,
    accountId,
    accessKeyId,
    sessionName: '',
    userId: `AIDA${uniqueId}`,
  };
}

/** A unique-ID-looking string derived from the ARN (stable, so usernames are predictable). */
function stableId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest('hex').slice(0, 12);
  return BigInt(`0x${digest}`).toString(36).toUpperCase().padStart(10, '0') + 'TESTID';
}
