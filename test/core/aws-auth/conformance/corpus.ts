/** The conformance corpus (corpus.yaml) and how its entries are compared. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { AwsAuthConfigMap, roleMappingProblem, userMappingProblem } from '../../../../lib/core/aws-auth';

export interface ConformanceEntries {
  readonly mapRoles?: Array<Record<string, unknown>>;
  readonly mapUsers?: Array<Record<string, unknown>>;
  readonly mapAccounts?: string[];
}

export interface ConformanceCase {
  readonly name: string;
  readonly class: string | number;
  readonly source: string;
  readonly data?: Record<string, string>;
  readonly document?: string;
  readonly authenticator: ConformanceEntries;
  readonly callers?: Array<{ arn: string; userId?: string; identities: Array<{ username: string; groups: string[] }> }>;
  readonly lint?: Array<[string, string, string]>;
  readonly lintErrors?: number;
  readonly edit?: {
    readonly argv: string[];
    readonly eksctl?: ConformanceEntries;
    /** eksctl refuses the edit with this message part (one of its bugs, named in `difference`). */
    readonly eksctlRefuses?: string;
    readonly ours?: ConformanceEntries;
    readonly difference?: string;
    readonly refused?: boolean;
    readonly keepsText?: string;
  };
}

export const CORPUS = yaml.load(readFileSync(join(__dirname, 'corpus.yaml'), 'utf8')) as ConformanceCase[];

/** The input of a case as the CLI reads it. */
export function caseText(c: ConformanceCase): string {
  return c.document ?? JSON.stringify({ data: c.data ?? {} });
}

/** Entries compared as the authenticator's structs hold them (absent = empty). */
export function normalizeEntries(e: ConformanceEntries) {
  const identity = (x: Record<string, unknown>) => ({ username: (x.username as string) ?? '', groups: [...((x.groups as string[] | null) ?? [])], userid: (x.userid as string) ?? '' });
  return {
    mapRoles: (e.mapRoles ?? []).map((r) => {
      const sso = r.sso as Record<string, string> | undefined | null;
      return { rolearn: (r.rolearn as string) ?? '', sso: sso ? { permissionSetName: sso.permissionSetName, accountID: sso.accountID, partition: sso.partition ?? '' } : null, ...identity(r) };
    }),
    mapUsers: (e.mapUsers ?? []).map((u) => ({ userarn: (u.userarn as string) ?? '', ...identity(u) })),
    mapAccounts: [...(e.mapAccounts ?? [])],
  };
}

/** The entries the authenticator keeps of a parsed ConfigMap (what `mapping get` lists as mappings). */
export function keptEntries(cm: AwsAuthConfigMap): ConformanceEntries {
  return {
    mapRoles: cm.mapRoles.filter((r) => roleMappingProblem(r) === undefined).map((r) => ({ ...r })),
    mapUsers: cm.mapUsers.filter((u) => userMappingProblem(u) === undefined).map((u) => ({ ...u })),
    mapAccounts: [...cm.mapAccounts],
  };
}

