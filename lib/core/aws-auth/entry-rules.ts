/**
 * The checks the authenticator itself applies to each entry after decoding (`RoleMapping.Validate`
 * and `UserMapping.Validate` in aws-iam-authenticator's `pkg/config/mapper.go`): an entry that
 * fails them is dropped (it never matches anyone), the other entries still apply.
 */
import { RoleMapping, UserMapping } from './types';

/** The partitions the authenticator knows (`PARTITIONS` of its `pkg/endpoints`). */
export const AUTHENTICATOR_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const ACCOUNT_ID = /^[0-9]{12}$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** Why the authenticator drops this `mapRoles` entry, or undefined when it keeps it. */
export function roleMappingProblem(entry: RoleMapping): string | undefined {
  const hasArn = entry.rolearn !== undefined && entry.rolearn !== '';
  if (!hasArn && entry.sso === undefined) {
    const userid = entry.userid !== undefined && entry.userid !== '' ? ` (userid "${entry.userid}" alone does not count: the authenticator matches by rolearn or sso only)` : '';
    return `entry has neither rolearn nor sso: the authenticator drops it${userid}`;
  }
  if (hasArn && entry.sso !== undefined) {
    return 'entry has both rolearn and sso: the authenticator drops it (set only one)';
  }
  if (entry.sso !== undefined) {
    const { accountID, permissionSetName, partition } = entry.sso;
    if (!ACCOUNT_ID.test(accountID)) {
      return `sso.accountID "${accountID}" is not a 12-digit AWS account ID: the authenticator drops the entry`;
    }
    if (!PERMISSION_SET_NAME.test(permissionSetName)) {
      return `sso.permissionSetName "${permissionSetName}" is not a valid permission set name (1 to 32 of letters, digits and +=,.@_-): the authenticator drops the entry`;
    }
    if (partition !== undefined && partition !== '' && !AUTHENTICATOR_PARTITIONS.includes(partition)) {
      return `sso.partition "${partition}" is not one of ${AUTHENTICATOR_PARTITIONS.join(', ')}: the authenticator drops the entry`;
    }
  }
  return undefined;
}

/** Why the authenticator drops this `mapUsers` entry, or undefined when it keeps it. */
export function userMappingProblem(entry: UserMapping): string | undefined {
  if (entry.userarn === undefined || entry.userarn === '') {
    return 'entry has no userarn: the authenticator drops it';
  }
  return undefined;
}
