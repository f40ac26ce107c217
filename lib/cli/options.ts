/** Flag parsing on top of Node's `util.parseArgs`, with errors phrased for users. */
import { parseArgs } from 'node:util';
import { UsageError } from './io';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** Parses `args` against `spec` (plus `--help`); rejects unknown flags and stray arguments. */
export function parseFlags(args: string[], spec: FlagSpec): Flags {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...spec, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    return values as Flags;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(plain((e as Error).message));
  }
}

/** Node's messages name the flag with its internal spelling; keep the useful part. */
function plain(message: string): string {
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option '(.*?)'.*$/s, 'unknown flag $1');
}

/** A string flag's value, or undefined. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable flag's values, each also split on commas (`--group a,b --group c`). */
export function listFlag(flags: Flags, name: string): string[] {
  const v = flags[name];
  const values = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return values.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

/** Throws a usage error unless exactly one of `names` is set. */
export function exactlyOne(flags: Flags, names: string[]): string {
  const set = names.filter((n) => flags[n] !== undefined);
  if (set.length !== 1) {
    throw new UsageError(`give exactly one of ${names.map((n) => `--${n}`).join(', ')}${set.length > 1 ? ` (got ${set.map((n) => `--${n}`).join(' and ')})` : ''}`);
  }
  return set[0];
}

/** Throws a usage error when any of `names` is set: they only make sense with `--${only}`. */
export function onlyWith(flags: Flags, names: string[], only: string): void {
  const bad = names.filter((n) => flags[n] !== undefined && !(Array.isArray(flags[n]) && (flags[n] as string[]).length === 0));
  if (bad.length > 0) {
    throw new UsageError(`${bad.map((n) => `--${n}`).join(', ')} only go${bad.length === 1 ? 'es' : ''} with --${only}`);
  }
}

/** The output format flag, checked against `allowed`. */
export function outputFlag(flags: Flags, allowed: string[], fallback: string): string {
  const v = stringFlag(flags, 'output') ?? fallback;
  if (!allowed.includes(v)) {
    throw new UsageError(`unknown output format "${v}" (valid: ${allowed.join(', ')})`);
  }
  return v;
}
