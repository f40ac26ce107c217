/**
 * `lint`: every problem with an `aws-auth` ConfigMap, each naming the entry (section and index)
 * and the value. Errors are entries that do not do what they say (never match, or grant something
 * else); warnings are legal but likely mistakes.
 */
import { awsAuthRoleArn, isAccountId, parsePrincipalArn, principalArnProblem } from '../arn';
import { roleMappingProblem, userMappingProblem } from './entry-rules';
import { parseAwsAuth } from './parse';
import { TemplateVariable, unknownTemplateVariables, usesVariable } from './templates';
import { AWS_AUTH_NAME, AWS_AUTH_NAMESPACE, AwsAuthConfigMap, AwsAuthProblem, RoleMapping, UserMapping } from './types';

/** Parses `input` and lists every problem: the parser's, then the linter's. */
export function lintAwsAuth(input: string | object): AwsAuthProblem[] {
  const parsed = parseAwsAuth(input);
  return [...parsed.problems, ...(parsed.configMap ? awsAuthProblems(parsed.configMap) : [])];
}

/** Every semantic problem with an already-parsed ConfigMap. */
export function awsAuthProblems(configMap: AwsAuthConfigMap): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const { name, namespace } = configMap.metadata;
  if (name !== AWS_AUTH_NAME || namespace !== AWS_AUTH_NAMESPACE) {
    problems.push({ severity: 'error', location: 'metadata', message: `ConfigMap is ${namespace}/${name}; the authenticator reads only ${AWS_AUTH_NAMESPACE}/${AWS_AUTH_NAME}` });
  }
  for (const key of Object.keys(configMap.otherData ?? {})) {
    const meant = ['mapRoles', 'mapUsers', 'mapAccounts'].find((s) => s.toLowerCase() === key.toLowerCase());
    if (meant) {
      problems.push({ severity: 'error', location: `data.${key}`, message: `the authenticator ignores "${key}": data keys are case-sensitive, write "${meant}"` });
    }
  }
  configMap.mapRoles.forEach((entry, i) => problems.push(...roleProblems(entry, `mapRoles[${i}]`)));
  configMap.mapUsers.forEach((entry, i) => problems.push(...userProblems(entry, `mapUsers[${i}]`)));
  configMap.mapAccounts.forEach((account, i) => {
    if (!isAccountId(account)) {
      problems.push({ severity: 'error', location: `mapAccounts[${i}]`, message: `"${account}" is not a 12-digit AWS account ID` });
    }
  });
  problems.push(...duplicates('mapRoles', configMap.mapRoles.map((e) => e.rolearn?.toLowerCase()), configMap.mapRoles.map((e) => e.rolearn)));
  // The authenticator keys users by their ARN as written, but matches case-insensitively.
  problems.push(...duplicates('mapUsers', configMap.mapUsers.map((e) => e.userarn?.toLowerCase()), configMap.mapUsers.map((e) => e.userarn)));
  problems.push(...duplicates('mapAccounts', [...configMap.mapAccounts], [...configMap.mapAccounts]));
  return problems;
}

function roleProblems(entry: RoleMapping, location: string): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const dropped = roleMappingProblem(entry);
  if (dropped) {
    problems.push({ severity: 'error', location, message: dropped });
  } else if (entry.rolearn !== undefined && entry.rolearn !== '') {
    const arnProblem = principalArnProblem(entry.rolearn);
    if (arnProblem) {
      problems.push({ severity: 'error', location, message: `rolearn never matches: ${arnProblem}` });
    } else {
      const parsed = parsePrincipalArn(entry.rolearn);
      if (parsed.kind !== 'role') {
        problems.push({ severity: 'error', location, message: `rolearn "${entry.rolearn}" is an IAM user ARN: map it under mapUsers as userarn` });
      } else if (parsed.path !== '/') {
        problems.push({ severity: 'error', location, message: `rolearn "${entry.rolearn}" has the path "${parsed.path}": EKS matches roles by name only, so this entry never matches; write "${awsAuthRoleArn(entry.rolearn)}"` });
      }
    }
  } else if (entry.sso !== undefined && entry.sso.partition !== undefined && entry.sso.partition !== '') {
    problems.push({ severity: 'warning', location, message: `sso.partition "${entry.sso.partition}" is set: authenticator releases that ignore a set partition never match this entry; leave it out for the aws partition` });
  } else if (entry.rolearn === undefined && entry.sso === undefined && entry.userid !== undefined) {
    problems.push({ severity: 'warning', location, message: `entry matches only by userid "${entry.userid}": older authenticator releases drop it (add rolearn)` });
  }
  problems.push(...identityProblems(entry, location, 'role'));
  return problems;
}

function userProblems(entry: UserMapping, location: string): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const dropped = userMappingProblem(entry);
  if (dropped) {
    problems.push({ severity: 'error', location, message: dropped });
  } else {
    const arnProblem = principalArnProblem(entry.userarn!);
    if (arnProblem) {
      problems.push({ severity: 'error', location, message: `userarn never matches: ${arnProblem}` });
    } else if (parsePrincipalArn(entry.userarn!).kind !== 'user') {
      problems.push({ severity: 'error', location, message: `userarn "${entry.userarn}" is an IAM role ARN: map it under mapRoles as rolearn` });
    }
  }
  problems.push(...identityProblems(entry, location, 'user'));
  return problems;
}

/** Username and groups: templates, emptiness, YAML slips. */
function identityProblems(entry: RoleMapping | UserMapping, location: string, kind: 'role' | 'user'): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const values: Array<[string, string]> = [];
  if (entry.username === undefined || entry.username === '') {
    problems.push({ severity: 'warning', location, message: 'no username: the authenticator hands Kubernetes an empty username, which it rejects' });
  } else {
    values.push(['username', entry.username]);
  }
  (entry.groups ?? []).forEach((g, i) => {
    if (g.trim() === '') {
      problems.push({ severity: 'error', location, message: `groups[${i}] is empty` });
    } else if (/\s/.test(g)) {
      problems.push({ severity: 'warning', location, message: `group "${g}" contains white space: is a list item mis-indented (" - a\\n  - b" reads as one group "a - b")?` });
    }
    values.push([`groups[${i}]`, g]);
  });
  for (const [field, value] of values) {
    for (const unknown of unknownTemplateVariables(value)) {
      problems.push({ severity: 'error', location, message: `${field} "${value}" uses ${unknown}, which the authenticator does not expand (it knows {{AccountID}}, {{SessionName}}, {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}})` });
    }
    if (kind === 'user') {
      const sessionVars: TemplateVariable[] = ['SessionName', 'SessionNameRaw', 'EC2PrivateDNSName'];
      for (const v of sessionVars.filter((s) => usesVariable(value, s))) {
        const effect = v === 'EC2PrivateDNSName' ? 'the user is always denied' : 'it expands to an empty string';
        problems.push({ severity: v === 'EC2PrivateDNSName' ? 'error' : 'warning', location, message: `${field} "${value}" uses {{${v}}}, but IAM users have no session: ${effect}` });
      }
    }
  }
  return problems;
}

function duplicates(section: string, keys: Array<string | undefined>, shown: Array<string | undefined>): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const first = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key === undefined || key === '') {
      return;
    }
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, i);
      return;
    }
    const what = section === 'mapAccounts' ? `account "${shown[i]}" is listed again` : `"${shown[i]}" is mapped again: the authenticator uses only the last such entry, ${section}[${i}] shadows ${section}[${earlier}]`;
    problems.push({ severity: 'warning', location: `${section}[${i}]`, message: `duplicate: ${what}` });
  });
  return problems;
}
