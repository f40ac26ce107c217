/**
 * `lint`: every problem with an `aws-auth` ConfigMap, each naming the entry (section and index)
 * and the value. Errors are entries that do not do what they say (never match, or grant something
 * else); warnings are legal but likely mistakes.
 */
import { isAccountId } from '../arn';
import { CallerKind, KIND_NAMES, callerArnVerdict } from './caller-arn';
import { roleMappingProblem, userMappingProblem } from './entry-rules';
import { parseAwsAuth } from './parse';
import { equalFold, ssoArnPattern } from './resolve';
import { TemplateVariable, unknownTemplateVariables, usesVariable } from './templates';
import { AWS_AUTH_NAME, AWS_AUTH_NAMESPACE, AwsAuthConfigMap, AwsAuthProblem, AwsAuthSection, RoleMapping, UserMapping } from './types';

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
  problems.push(...duplicates('mapRoles', configMap.mapRoles.map((e) => e.rolearn)));
  problems.push(...duplicates('mapUsers', configMap.mapUsers.map((e) => e.userarn)));
  problems.push(...duplicates('mapAccounts', [...configMap.mapAccounts]));
  problems.push(...usersShadowedByRoles(configMap));
  return problems;
}

function roleProblems(entry: RoleMapping, location: string): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const dropped = roleMappingProblem(entry);
  let kind: CallerKind | undefined;
  if (dropped) {
    problems.push({ severity: 'error', location, message: dropped });
  } else if (entry.rolearn !== undefined && entry.rolearn !== '') {
    const verdict = callerArnVerdict(entry.rolearn, 'rolearn');
    kind = verdict.kind;
    problems.push(...verdict.problems.map((p) => ({ ...p, location })));
    if (verdict.kind !== undefined && verdict.kind !== 'role') {
      problems.push({ severity: 'warning', location, message: `rolearn "${entry.rolearn}" is ${KIND_NAMES[verdict.kind]} ARN: the authenticator matches it all the same (it compares the caller's ARN with every entry), but it belongs under mapUsers as userarn` });
    }
  } else if (entry.sso !== undefined && entry.sso.partition !== undefined && entry.sso.partition !== '') {
    // RoleMapping.SSOArnLike puts the partition into the pattern only when none is set.
    problems.push({ severity: 'error', location, message: `sso.partition "${entry.sso.partition}" is set: the authenticator then builds the pattern "${ssoArnPattern(entry.sso)}" with an empty partition, so this entry never matches; leave partition out (the aws partition is assumed)` });
  }
  problems.push(...identityProblems(entry, location, kind ?? 'role'));
  return problems;
}

function userProblems(entry: UserMapping, location: string): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  const dropped = userMappingProblem(entry);
  let kind: CallerKind | undefined;
  if (dropped) {
    problems.push({ severity: 'error', location, message: dropped });
  } else {
    const verdict = callerArnVerdict(entry.userarn!, 'userarn');
    kind = verdict.kind;
    problems.push(...verdict.problems.map((p) => ({ ...p, location })));
    if (verdict.kind === 'role') {
      problems.push({ severity: 'warning', location, message: `userarn "${entry.userarn}" is an IAM role ARN: the authenticator matches it all the same (it searches mapUsers for role callers too), but it belongs under mapRoles as rolearn` });
    }
  }
  problems.push(...identityProblems(entry, location, kind ?? 'user'));
  return problems;
}

/** Username and groups: templates, emptiness, YAML slips. `kind` is the caller the entry's ARN stands for. */
function identityProblems(entry: RoleMapping | UserMapping, location: string, kind: CallerKind): AwsAuthProblem[] {
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
    if (kind !== 'role') {
      const sessionVars: TemplateVariable[] = ['SessionName', 'SessionNameRaw', 'EC2PrivateDNSName'];
      for (const v of sessionVars.filter((s) => usesVariable(value, s))) {
        const effect = v === 'EC2PrivateDNSName' ? 'the user is always denied' : 'it expands to an empty string';
        problems.push({ severity: v === 'EC2PrivateDNSName' ? 'error' : 'warning', location, message: `${field} "${value}" uses {{${v}}}, but ${KIND_NAMES[kind]} caller has no session: ${effect}` });
      }
    }
  }
  return problems;
}

/**
 * ARNs mapped more than once in a section. The authenticator stores role entries by lower-cased
 * rolearn and user entries by userarn as written, a later entry replacing an earlier one with the
 * same key; user ARNs that differ only in case are both kept, and either may decide.
 */
function duplicates(section: AwsAuthSection, arns: Array<string | undefined>): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  arns.forEach((arn, i) => {
    if (arn === undefined || arn === '') {
      return;
    }
    const earlier = arns.findIndex((other, j) => j < i && other !== undefined && (section === 'mapAccounts' ? other === arn : equalFold(other, arn)));
    if (earlier < 0) {
      return;
    }
    let what: string;
    if (section === 'mapAccounts') {
      what = `account "${arn}" is listed again`;
    } else if (section === 'mapUsers' && arns[earlier] !== arn) {
      what = `"${arn}" and "${arns[earlier]}" (${section}[${earlier}]) differ only in case: the authenticator keeps both and either may decide for that user`;
    } else {
      what = `"${arn}" is mapped again: the authenticator uses only the last such entry, ${section}[${i}] shadows ${section}[${earlier}]`;
    }
    problems.push({ severity: 'warning', location: `${section}[${i}]`, message: `duplicate: ${what}` });
  });
  return problems;
}

/** A user entry whose ARN a role entry maps too: roles are searched first, so the user entry is never used. */
function usersShadowedByRoles(configMap: AwsAuthConfigMap): AwsAuthProblem[] {
  const problems: AwsAuthProblem[] = [];
  configMap.mapUsers.forEach((user, i) => {
    const role = configMap.mapRoles.findIndex((r) => r.rolearn && user.userarn
      && roleMappingProblem(r) === undefined && equalFold(r.rolearn, user.userarn));
    if (role >= 0) {
      problems.push({ severity: 'warning', location: `mapUsers[${i}]`, message: `duplicate: "${user.userarn}" is mapped by mapRoles[${role}] too, which the authenticator searches first: this entry is never used` });
    }
  });
  return problems;
}
