/**
 * Who an authenticated AWS caller becomes in Kubernetes, decided as EKS decides it: an access entry
 * for the principal wins when the cluster's authentication mode has the access-entry API; otherwise
 * (or when no entry matches and the mode still reads aws-auth) the live aws-auth ConfigMap decides,
 * with aws-iam-authenticator semantics.
 */
import { ACCESS_ENTRY_EXTRA } from './access-policy-authorizer';
import { CallerIdentity } from './principals';
import { parseAwsAuth } from '../../../lib/core/aws-auth/parse';
import { resolveIdentity } from '../../../lib/core/aws-auth/resolve';
import { expandTemplate } from '../../../lib/core/aws-auth/templates';
import { AuthenticationMode } from '../../../lib/core/desired-state';

/** What the token webhook answers for an authenticated caller. */
export interface KubernetesUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: string[];
  readonly extra: Record<string, string[]>;
}

/** An access policy association's scope. */
export interface AccessScopeView {
  readonly type: string;
  readonly namespaces?: readonly string[];
}

/** The part of an access entry that decides identity. */
export interface AccessEntryIdentity {
  readonly principalArn: string;
  readonly type: string;
  /** EKS's (possibly defaulted) username template. */
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  /** Associated access policies (authorized by `access-policy-authorizer.ts`). */
  readonly accessPolicies?: ReadonlyArray<{ readonly policyArn: string; readonly accessScope: AccessScopeView }>;
}

/** How the webhook sees the EKS control plane (implemented over the EKS fake's state). */
export interface EksAccessView {
  /** The cluster's authentication mode, or undefined when EKS does not know the cluster. */
  authenticationMode(clusterName: string): AuthenticationMode | undefined;
  /** The access entry for exactly this principal ARN (path included), if any. */
  accessEntry(clusterName: string, principalArn: string): AccessEntryIdentity | undefined;
}

/** Resolves a caller through aws-auth; undefined = not mapped (the authenticator denies). */
export type AwsAuthResolver = (configMap: object, caller: CallerIdentity) => { username: string; groups: string[] } | undefined;

/** Resolution with the library's own aws-auth engine (the same code the handler validates with). */
export const resolveWithAwsAuthEngine: AwsAuthResolver = (configMap, caller) => {
  const parsed = parseAwsAuth(configMap);
  if (!parsed.configMap) {
    return undefined;
  }
  const found = resolveIdentity(parsed.configMap, {
    arn: caller.arn, accessKeyId: caller.accessKeyId, userId: caller.userId, ec2PrivateDnsName: caller.ec2PrivateDnsName,
  });
  return found && { username: found.username, groups: [...found.groups] };
};

export interface IdentityMapperOptions {
  readonly clusterName: string;
  /** The EKS control plane; absent = the cluster is treated as CONFIG_MAP (aws-auth only). */
  readonly eks?: EksAccessView;
  /** Reads the live aws-auth ConfigMap (undefined when it does not exist). */
  readonly readAwsAuth: () => Promise<object | undefined>;
  readonly resolveAwsAuth?: AwsAuthResolver;
}

/** Maps `caller` to a Kubernetes user, or returns why it is denied. */
export async function mapCaller(caller: CallerIdentity, options: IdentityMapperOptions): Promise<KubernetesUser | { denied: string }> {
  const mode = options.eks?.authenticationMode(options.clusterName) ?? 'CONFIG_MAP';
  const extra = {
    arn: [caller.arn],
    canonicalArn: [caller.canonicalArn],
    sessionName: [caller.sessionName],
    accessKeyId: [caller.accessKeyId],
    principalId: [caller.userId],
  };
  const uid = `aws-iam-authenticator:${caller.accountId}:${caller.userId.split(':')[0]}`;
  if (mode !== 'CONFIG_MAP') {
    const entry = options.eks!.accessEntry(options.clusterName, caller.principal.principalArn);
    if (entry) {
      const context = {
        accountId: caller.accountId, sessionName: caller.sessionName, accessKeyId: caller.accessKeyId, ec2PrivateDnsName: caller.ec2PrivateDnsName,
      };
      const template = entry.username ?? defaultAccessEntryUsername(caller, entry.type);
      const username = expandTemplate(template, context);
      if (username === undefined) {
        return { denied: `access entry username template "${template}" cannot be expanded for ${caller.arn}` };
      }
      const groups = [...entry.kubernetesGroups];
      return { username, uid, groups, extra: { ...extra, [ACCESS_ENTRY_EXTRA]: [entry.principalArn] } };
    }
    if (mode === 'API') {
      return { denied: `no access entry for ${caller.principal.principalArn} on cluster ${options.clusterName} (authentication mode API)` };
    }
  }
  const configMap = await options.readAwsAuth();
  if (!configMap) {
    return { denied: `no access entry for ${caller.principal.principalArn} and no aws-auth ConfigMap` };
  }
  const resolved = (options.resolveAwsAuth ?? resolveWithAwsAuthEngine)(configMap, caller);
  if (!resolved) {
    return { denied: `${caller.arn} (canonical ${caller.canonicalArn}) is not mapped in aws-auth` };
  }
  return { username: resolved.username, uid, groups: resolved.groups, extra };
}

/** EKS's username for an access entry without one (the EKS fake already fills it in). */
function defaultAccessEntryUsername(caller: CallerIdentity, type: string): string {
  if (type !== 'STANDARD') {
    return 'system:node:{{SessionName}}';
  }
  if (caller.arn.includes(':assumed-role/')) {
    return caller.arn.slice(0, caller.arn.lastIndexOf('/') + 1) + '{{SessionName}}';
  }
  return caller.arn;
}
