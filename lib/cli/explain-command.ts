/**
 * `eks-access explain --arn ARN (--file … | --cluster NAME) [--can VERB RESOURCE [-n NS]]…`: one
 * caller's way through the cluster's access, step by step, and what it may do.
 */
import { ViewSource, viewFromFlags } from './access-sources';
import { CliIo, EXIT_OK, UsageError } from './io';
import { LiveStoreDeps } from './live-store';
import { Flags, listFlag, outputFlag, stringFlag } from './options';
import { formatJson } from './output';
import {
  CanAnswer, canCaller, describeCaller, describeRequest, explainCaller, Explanation, parseCanRequest, permissionSummary,
} from '../core/access';
import { AccessRequest } from '../core/access/rbac';

/** Exit code when a `--can` answer is no. */
export const EXIT_CANNOT = 3;

export const EXPLAIN_FLAGS = {
  'arn': { type: 'string' },
  'session-name': { type: 'string' },
  'can': { type: 'string', multiple: true },
  'namespace': { type: 'string', short: 'n' },
  'output': { type: 'string', short: 'o' },
} as const;

/** One `--can` question with its answer. */
interface Answered {
  readonly question: string;
  readonly request: AccessRequest;
  readonly notes: string[];
  readonly answer: CanAnswer;
}

/** `--can get pods` arrives as two arguments: joined into one value before the flags are parsed. */
export function joinCanArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    const after = argv[i + 2];
    if (argv[i] === '--can' && next !== undefined && !next.includes(' ') && after !== undefined && !after.startsWith('-')) {
      out.push(`--can=${next} ${after}`);
      i += 2;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

export async function explainCommand(flags: Flags, io: CliIo, deps: LiveStoreDeps = {}): Promise<number> {
  const arn = stringFlag(flags, 'arn');
  if (!arn) {
    throw new UsageError('--arn is required: the ARN a caller presents (assumed-role session, user, root) or an IAM role ARN');
  }
  const output = outputFlag(flags, ['text', 'json'], 'text');
  const questions = listFlag(flags, 'can').length > 0 ? canQuestions(flags) : [];
  if (questions.length === 0 && flags.namespace !== undefined) {
    throw new UsageError('-n/--namespace goes only with --can');
  }
  const caller = describeCaller(arn, stringFlag(flags, 'session-name'));
  const source: ViewSource = await viewFromFlags(flags, io, deps);
  try {
    const explanation = explainCaller(source.views[0], caller);
    const answers: Answered[] = questions.map((q) => ({ ...q, answer: canCaller(explanation, q.request) }));
    io.stdout(output === 'json' ? formatJson(explanationJson(explanation, answers)) : explanationText(explanation, answers));
    return answers.some((a) => !a.answer.allowed) ? EXIT_CANNOT : EXIT_OK;
  } finally {
    await source.close();
  }
}

function canQuestions(flags: Flags): Array<Omit<Answered, 'answer'>> {
  const namespace = stringFlag(flags, 'namespace');
  return (Array.isArray(flags.can) ? flags.can : []).map((question) => {
    const [verb, resource, ...rest] = question.trim().split(/\s+/);
    if (!verb || !resource || rest.length > 0) {
      throw new UsageError(`--can takes a verb and a resource (--can get pods), got "${question}"`);
    }
    const { request, notes } = parseCanRequest(verb, resource, namespace);
    return { question: describeRequest(request), request, notes };
  });
}

/** The walk as text: numbered steps with their details, the verdict, permissions, answers. */
export function explanationText(e: Explanation, answers: readonly Answered[] = []): string {
  const lines = [`${e.caller.given} on ${e.cluster}`, ''];
  e.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.step}: ${s.outcome}`);
    s.details.forEach((d) => lines.push(`     - ${d}`));
  });
  lines.push('', `verdict: ${e.summary}`);
  const summary = permissionSummary(e);
  if (summary.length > 0) {
    lines.push('', 'permissions:');
    for (const s of summary) {
      lines.push(`  ${s.scope === 'cluster' ? 'cluster-wide' : `in ${s.scope}`}, from ${s.from}:`);
      s.lines.forEach((l) => lines.push(`    ${l}`));
    }
  }
  for (const a of answers) {
    lines.push('', `can ${a.question}? ${a.answer.allowed ? 'yes' : 'no'}: ${a.answer.reason}`);
    if (a.answer.rule) {
      lines.push(`  rule: ${JSON.stringify(a.answer.rule)}`);
    }
    a.notes.forEach((n) => lines.push(`  note: ${n}`));
  }
  return lines.join('\n') + '\n';
}

/** The walk as JSON: stable field names for scripts. */
export function explanationJson(e: Explanation, answers: readonly Answered[] = []): object {
  return {
    arn: e.caller.given,
    presented: e.caller.presented,
    cluster: e.cluster,
    authenticationMode: e.mode,
    verdict: e.verdict,
    summary: e.summary,
    ...(e.identity ? { identity: identityJson(e.identity) } : {}),
    steps: e.steps,
    permissions: e.permissions.filter((p) => !p.baseline).map((p) => ({
      kind: p.kind, label: p.label, scope: p.scope, via: p.via, ...(p.problem ? { problem: p.problem } : {}), ...(p.rules ? { rules: p.rules } : {}),
    })),
    ...(answers.length > 0 ? {
      can: answers.map((a) => ({
        question: a.question,
        allowed: a.answer.allowed,
        reason: a.answer.reason,
        ...(a.answer.by ? { by: a.answer.by } : {}),
        ...(a.answer.rule ? { rule: a.answer.rule } : {}),
        ...(a.notes.length > 0 ? { notes: a.notes } : {}),
      })),
    } : {}),
  };
}

function identityJson(identity: NonNullable<Explanation['identity']>): object {
  return { mechanism: identity.mechanism, source: identity.source, username: identity.username, groups: identity.groups };
}
