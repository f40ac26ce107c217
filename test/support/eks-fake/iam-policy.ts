/**
 * A small, explicit model of the caller's IAM permissions, for the one IAM check the fake makes:
 * `iam:PassRole` on the node role when an access entry of type EC2_LINUX or EC2_WINDOWS is created
 * (EKS User Guide, "Create access entries": "the IAM principal creating the access entry must have
 * the iam:PassRole permission").
 *
 * Statements are IAM policy statements as a template carries them (`Effect`, `Action`,
 * `Resource`), evaluated as IAM does for identity policies alone: an explicit Deny wins, then any
 * Allow, else the implicit deny. `*` and `?` match in actions (without case) and resources (with
 * case). Conditions, `NotAction` and `NotResource` are refused when set, not ignored: a test that
 * relies on them needs a model that evaluates them.
 */

/** One IAM policy statement. */
export interface IamStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Sid?: string;
}

/** Whose calls a policy governs, and what it allows. */
export interface CallerPolicy {
  /** The statements of every identity policy of the caller. */
  readonly statements: readonly IamStatement[];
  /** Calls signed with this access key ID; default `*`: every caller. */
  readonly accessKeyId?: string;
  /** The caller's ARN, for messages (default `the caller`). */
  readonly callerArn?: string;
}

/** Throws when a statement uses what this model does not evaluate. */
export function checkStatements(statements: readonly unknown[]): IamStatement[] {
  if (!Array.isArray(statements)) {
    throw new Error('a caller policy needs a list of statements');
  }
  return statements.map((s, i) => {
    const st = s as Record<string, unknown>;
    const unsupported = ['Condition', 'NotAction', 'NotResource', 'Principal', 'NotPrincipal'].filter((k) => st[k] !== undefined);
    if (unsupported.length > 0) {
      throw new Error(`statement ${i}: the fake's IAM model does not evaluate ${unsupported.join(', ')}`);
    }
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
      throw new Error(`statement ${i}: Effect must be Allow or Deny, got ${JSON.stringify(st.Effect)}`);
    }
    const strings = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
    if (!strings(st.Action) || !strings(st.Resource)) {
      throw new Error(`statement ${i}: Action and Resource must be strings or lists of strings (resolve intrinsics first), got ${JSON.stringify({ Action: st.Action, Resource: st.Resource })}`);
    }
    return st as unknown as IamStatement;
  });
}

/** True when the statements allow `action` on `resource`. */
export function isAllowed(statements: readonly IamStatement[], action: string, resource: string): boolean {
  const applies = (s: IamStatement) => list(s.Action).some((a) => glob(a, action, true)) && list(s.Resource).some((r) => glob(r, resource, false));
  const matching = statements.filter(applies);
  return !matching.some((s) => s.Effect === 'Deny') && matching.some((s) => s.Effect === 'Allow');
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
