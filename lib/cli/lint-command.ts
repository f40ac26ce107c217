/** `eks-access lint`: every problem of a ConfigMap; exit 1 when any is an error. */
import { AwsAuthStore, CliIo, EXIT_ERROR, EXIT_OK } from './io';
import { Flags, outputFlag } from './options';
import { formatJson } from './output';
import { AccessConfigError } from '../core/arn';
import { formatProblem, lintAwsAuth } from '../core/aws-auth';

export async function lintCommand(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['text', 'json'], 'text');
  const text = await store.load();
  if (text === undefined) {
    throw new AccessConfigError(`${store.description} does not exist: nothing to lint`);
  }
  const problems = lintAwsAuth(text);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (output === 'json') {
    io.stdout(formatJson({ errors, warnings, problems }));
  } else {
    io.stdout(problems.map((p) => formatProblem(p) + '\n').join(''));
    io.stdout(problems.length === 0 ? 'no problems\n' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  }
  return errors > 0 ? EXIT_ERROR : EXIT_OK;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
