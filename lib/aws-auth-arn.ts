import { Fn, Token } from 'aws-cdk-lib';
import { CfnRole, IRole, IUser, Role } from 'aws-cdk-lib/aws-iam';
import { AccessConfigError, awsAuthRoleArn, parsePrincipalArn } from './core/arn';

/** The two forms of a role's identity: aws-auth (no path) and access entry (full ARN). */
export interface PrincipalForms {
  /** The full ARN, path included: what an access entry takes. */
  readonly principalArn: string;
  /** The ARN aws-auth matches: a role's ARN without its path. */
  readonly awsAuthArn: string;
  /** Known at synth time (no token). */
  readonly concrete: boolean;
  /** The path could not be determined at synth time; `awsAuthArn` may still carry it. */
  readonly pathUnknown: boolean;
  /**
   * How messages name the principal: its ARN when known, else its construct path (a deploy-time
   * ARN has no readable value at synth time).
   */
  readonly label: string;
}

/**
 * Both forms of a role ARN.
 *
 * - A concrete ARN (e.g. `Role.fromRoleArn` with a literal) is parsed and its path removed.
 * - A role created in the app has a token ARN, but its path is known from its definition: without
 *   a path both forms are the same token; with one, the aws-auth form is rebuilt from the ARN's
 *   partition and account and the role's name (`Ref` of a role is its name without the path).
 * - Any other token ARN (an imported role whose ARN is only known at deploy time) is used as is:
 *   CloudFormation cannot take the last segment of a path, so `pathUnknown` is set and the
 *   constructs warn (the handler refuses an aws-auth role ARN that still has a path).
 */
export function roleForms(role: IRole): PrincipalForms {
  const arn = role.roleArn;
  if (!Token.isUnresolved(arn)) {
    if (parsePrincipalArn(arn).kind !== 'role') {
      // aws-auth would list it in mapRoles, where the authenticator never looks for users.
      throw new AccessConfigError(`"${arn}" is an IAM user ARN, not a role: map it with mapUser (iam.User.fromUserArn), not mapRole`);
    }
    return { principalArn: arn, awsAuthArn: awsAuthRoleArn(arn), concrete: true, pathUnknown: false, label: arn };
  }
  const label = `role ${role.node.path} (ARN known at deploy time)`;
  if (Role.isRole(role)) {
    const cfn = role.node.defaultChild as CfnRole | undefined;
    const path = cfn?.path;
    if (path === undefined || path === '/') {
      return { principalArn: arn, awsAuthArn: arn, concrete: false, pathUnknown: false, label };
    }
    if (!Token.isUnresolved(path)) {
      const parts = Fn.split(':', arn);
      const awsAuthArn = Fn.join('', ['arn:', Fn.select(1, parts), ':iam::', Fn.select(4, parts), ':role/', role.roleName]);
      return { principalArn: arn, awsAuthArn, concrete: false, pathUnknown: false, label };
    }
  }
  return { principalArn: arn, awsAuthArn: arn, concrete: false, pathUnknown: true, label };
}

/** Both forms of a user ARN: the authenticator matches users by their full ARN. */
export function userForms(user: IUser): PrincipalForms {
  const arn = user.userArn;
  if (!Token.isUnresolved(arn)) {
    parsePrincipalArn(arn); // (aws-cdk-lib's user imports refuse role ARNs themselves)
    return { principalArn: arn, awsAuthArn: arn, concrete: true, pathUnknown: false, label: arn };
  }
  return { principalArn: arn, awsAuthArn: arn, concrete: false, pathUnknown: false, label: `user ${user.node.path} (ARN known at deploy time)` };
}

/**
 * The forms of an IAM Identity Center permission set's role, which only the handler can resolve
 * (its name has a suffix nobody knows before): a key in place of the ARNs, and a readable label.
 */
export function permissionSetForms(permissionSetName: string): PrincipalForms {
  const key = `permission-set:${permissionSetName}`;
  return { principalArn: key, awsAuthArn: key, concrete: false, pathUnknown: false, label: `permission set ${permissionSetName} (its role is resolved at deploy time)` };
}
