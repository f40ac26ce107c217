/**
 * The AWS principals the test cluster knows: each has test credentials that only the harness's
 * emulated STS accepts, so tests can mint real EKS tokens for them. Secrets are random per run.
 */
import { createHash, randomBytes } from 'node:crypto';

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
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for role sessions (temporary credentials), absent for IAM users. */
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
}

const PRINCIPAL_SHAPES: ReadonlyArray<Pick<TestPrincipal, 'name' | 'principalArn' | 'sessionName'>> = [
  { name: 'handler', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/cdk-eks-access-handler`, sessionName: 'cdk-eks-access-handler' },
  { name: 'admin', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/platform/cluster-admin`, sessionName: 'admin-session' },
  { name: 'dev', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/teams/dev/developer`, sessionName: 'alice@example.com' },
  { name: 'viewer', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/viewer`, sessionName: 'bob' },
  { name: 'ops', principalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/ops/olga` },
  { name: 'outsider', principalArn: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/outsider`, sessionName: 'mallory' },
];

/** A fresh set of principals with random credentials. */
export function makeTestPrincipals(): TestPrincipal[] {
  return PRINCIPAL_SHAPES.map((shape) => {
    const isRole = shape.principalArn.includes(':role/');
    return {
      ...shape,
      accessKeyId: (isRole ? 'ASIA' : 'AKIA') + randomBytes(8).toString('hex').toUpperCase(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: isRole ? randomBytes(48).toString('base64') : undefined,
    };
  });
}

/** The identity STS reports for `principal`. */
export function callerIdentityOf(principal: TestPrincipal): CallerIdentity {
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
      accessKeyId: principal.accessKeyId,
      sessionName,
      userId: `AROA${uniqueId}:${sessionName}`,
    };
  }
  return {
    principal,
    arn: principal.principalArn,
    canonicalArn: principal.principalArn,
    accountId,
    accessKeyId: principal.accessKeyId,
    sessionName: '',
    userId: `AIDA${uniqueId}`,
  };
}

/** A unique-ID-looking string derived from the ARN (stable, so usernames are predictable). */
function stableId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest('hex').slice(0, 12);
  return BigInt(`0x${digest}`).toString(36).toUpperCase().padStart(10, '0') + 'TESTID';
}
