/**
 * Everything the migration planner needs from a live cluster, read and never written: the
 * aws-auth ConfigMap (parsed exactly as the authenticator reads it), the authentication mode, the
 * access entries with their policies, the roles EKS manages itself (managed node groups' node
 * roles, Fargate profiles' pod execution roles), and the full ARNs IAM knows.
 */
import {
  DescribeFargateProfileCommand, DescribeFargateProfileResponse, DescribeNodegroupCommand, DescribeNodegroupResponse,
  ListFargateProfilesCommand, ListFargateProfilesResponse, ListNodegroupsCommand, ListNodegroupsResponse,
} from '@aws-sdk/client-eks';
import { mapLimited, observeAccessEntries } from './access-entries';
import { readAwsAuth } from './aws-auth-store';
import { awsErrorName, isAwsError } from './aws-errors';
import { ClusterInfo } from './cluster';
import { EksSender } from './eks-api';
import { lookUpPrincipals } from './iam-principals';
import { KubeObject, KubernetesApi } from './kubernetes-api';
import { Logger } from './log';
import { ObservedAccessEntry } from '../core/access-entries-plan';
import { AccessEntrySpec } from '../core/access-entry';
import { AccessConfigError, parsePrincipalArn, principalArnProblem } from '../core/arn';
import { AwsAuthConfigMap, AwsAuthProblem, emptyAwsAuth, formatProblem, parseAwsAuth } from '../core/aws-auth';
import { MigrationFacts, MigrationInput } from '../core/migration';

export interface MigrationStateOptions {
  readonly eks: EksSender;
  /** IAM, to learn role paths; absent: not consulted. */
  readonly iam?: EksSender;
  readonly kube: KubernetesApi;
  readonly cluster: ClusterInfo;
  readonly log: Logger;
  /** Full ARNs known besides IAM's answers (`--principal-arn`). */
  readonly principals?: readonly string[];
  /** Entries a deployment of this library declares (never planned twice). */
  readonly declared?: readonly AccessEntrySpec[];
}

/** The planner's input, and what was read to make it. */
export interface MigrationState {
  readonly input: MigrationInput;
  /** The access entries as read (with tags). */
  readonly accessEntries: readonly ObservedAccessEntry[];
  /** The aws-auth object as read (undefined: the cluster has none). */
  readonly awsAuthObject?: KubeObject;
  /** What could not be read, and what follows from it. */
  readonly notes: readonly string[];
}

/** Reads the live state the planner plans from. */
export async function readMigrationState(o: MigrationStateOptions): Promise<MigrationState> {
  const awsAuthObject = await readAwsAuth(o.kube);
  const { configMap: awsAuth, problems } = awsAuthObject === undefined
    ? { configMap: emptyAwsAuth(), problems: [] }
    : parseLiveAwsAuthForMigration(awsAuthObject);
  const mode = o.cluster.authenticationMode;
  const accountId = accountOf(o.cluster.arn);
  const ctx = { eks: o.eks, clusterName: o.cluster.name, ownerId: '', log: o.log };
  const accessEntries = mode === 'CONFIG_MAP' ? [] : await observeAccessEntries(ctx, 'all');
  const notes: string[] = [];
  const managed = await eksManagedRoles(o.eks, o.cluster.name, notes);
  const lookup = o.iam && accountId ? await lookUpPrincipals(o.iam, { accountId, ...principalsOf(awsAuth, accountId) }) : undefined;
  notes.push(...(lookup?.notes ?? []));
  const facts: MigrationFacts = {
    principals: [...(lookup?.principals ?? []), ...(o.principals ?? [])],
    missingPrincipals: lookup?.missing ?? [],
    iamConsulted: lookup?.consulted ?? false,
    ...(accountId ? { accountId } : {}),
    ...managed,
  };
  const input: MigrationInput = {
    awsAuth,
    mode,
    accessEntries: accessEntries.map((e) => ({
      principalArn: e.principalArn, type: e.type, username: e.username, kubernetesGroups: e.kubernetesGroups, policies: e.policies ?? [],
    })),
    facts,
    ...(o.declared ? { declared: o.declared } : {}),
    problems,
  };
  return { input, accessEntries, ...(awsAuthObject ? { awsAuthObject } : {}), notes };
}

/** The live aws-auth and its warnings, or an error naming every problem that would make the plan wrong. */
export function parseLiveAwsAuthForMigration(object: KubeObject): { configMap: AwsAuthConfigMap; problems: AwsAuthProblem[] } {
  const parsed = parseAwsAuth(object as object);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (!parsed.configMap || errors.length > 0) {
    throw new AccessConfigError(`kube-system/aws-auth cannot be read exactly as the authenticator reads it, so no migration is planned from it:\n- ${errors.map(formatProblem).join('\n- ')}\nFix it by hand (kubectl edit configmap aws-auth -n kube-system), then plan again.`);
  }
  return { configMap: parsed.configMap, problems: [...parsed.problems] };
}

/** The account of an EKS cluster ARN (`arn:aws:eks:<region>:<account>:cluster/<name>`). */
export function accountOf(clusterArn: string | undefined): string | undefined {
  const account = clusterArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The role and user ARNs, and the SSO permission sets, of `accountId` that aws-auth names. */
function principalsOf(awsAuth: AwsAuthConfigMap, accountId: string): { arns: string[]; permissionSets: string[] } {
  const arns = [...awsAuth.mapRoles.map((r) => r.rolearn), ...awsAuth.mapUsers.map((u) => u.userarn)]
    .filter((arn): arn is string => arn !== undefined && principalArnProblem(arn) === undefined && parsePrincipalArn(arn).accountId === accountId);
  const permissionSets = awsAuth.mapRoles.flatMap((r) => (r.sso && r.sso.accountID === accountId ? [r.sso.permissionSetName] : []));
  return { arns, permissionSets };
}

/** The node roles of managed node groups and the pod execution roles of Fargate profiles. */
async function eksManagedRoles(eks: EksSender, clusterName: string, notes: string[]): Promise<Pick<MigrationFacts, 'managedNodeRoles' | 'fargateRoles'>> {
  try {
    const nodegroups = await listAll(eks, (nextToken) => new ListNodegroupsCommand({ clusterName, nextToken }),
      (r: ListNodegroupsResponse) => r.nodegroups);
    const nodeRoles = await mapLimited(nodegroups, 4, async (nodegroupName) => {
      const described = await eks.send<DescribeNodegroupResponse>(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
      return described.nodegroup?.nodeRole;
    });
    const profiles = await listAll(eks, (nextToken) => new ListFargateProfilesCommand({ clusterName, nextToken }),
      (r: ListFargateProfilesResponse) => r.fargateProfileNames);
    const podRoles = await mapLimited(profiles, 4, async (fargateProfileName) => {
      const described = await eks.send<DescribeFargateProfileResponse>(new DescribeFargateProfileCommand({ clusterName, fargateProfileName }));
      return described.fargateProfile?.podExecutionRoleArn;
    });
    return { managedNodeRoles: nodeRoles.filter((r): r is string => !!r), fargateRoles: podRoles.filter((r): r is string => !!r) };
  } catch (error) {
    if (isAwsError(error, 'AccessDeniedException')) {
      notes.push(`the managed node groups and Fargate profiles could not be listed (${awsErrorName(error)}): their node roles are not recognised as managed by EKS (allow eks:ListNodegroups, eks:DescribeNodegroup, eks:ListFargateProfiles, eks:DescribeFargateProfile)`);
      return {};
    }
    throw error;
  }
}

/** Every item of a paginated EKS list. */
async function listAll<R extends { nextToken?: string }>(
  eks: EksSender, command: (nextToken?: string) => unknown, items: (r: R) => string[] | undefined,
): Promise<string[]> {
  const all: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send<R>(command(nextToken));
    all.push(...(items(page) ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}
