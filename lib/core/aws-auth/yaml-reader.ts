/**
 * The YAML reading of one aws-auth section, as aws-iam-authenticator does it (`ParseMap` in its
 * `pkg/mapper/configmap/configmap.go`):
 *
 * - a section whose trimmed text is empty, `""`, `''` or two backticks is skipped (`isSkippable`);
 * - `mapRoles`/`mapUsers` go through `k8s.io/apimachinery`'s `yaml.ToJSON`: text starting with `{`
 *   is taken as JSON as it is, anything else is read by `sigs.k8s.io/yaml` on top of a YAML 1.1
 *   reader (go-yaml v2) and converted to JSON; `mapAccounts` is read by go-yaml v2 directly;
 * - go-yaml v2 reads the first YAML document only: text after a `---` or `...` line is ignored;
 *   a block list entry on the opening `---` line (`--- - rolearn: …`) is a syntax error to it;
 * - a mapping key given twice keeps its last value, without an error;
 * - in `mapRoles`/`mapUsers`, a null or mapping key, or an infinite or NaN float (`.inf`, `.nan`)
 *   anywhere, fails the conversion to JSON, and the whole section is ignored;
 * - plain scalars take YAML 1.1 types: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0123` and
 *   `0x1F` are integers, `~` and `null` are null, and so on.
 *
 * js-yaml does the syntax; the schema below gives plain scalars go-yaml v2's types, each kept with
 * the text it was written as (`mapAccounts` keeps that text).
 */
import * as yaml from 'js-yaml';

/** A plain scalar that go-yaml v2 reads as a boolean, an integer or a float: not a string. */
export class TypedScalar {
  constructor(readonly kind: 'bool' | 'int' | 'float', readonly text: string) {}

  /** Not a plain object to js-yaml, which then uses {@link toString} for a mapping key. */
  get [Symbol.toStringTag](): string {
    return 'TypedScalar';
  }

  /**
   * The key sigs.k8s.io/yaml makes of it (convertToJSONableObject): `true`/`false`, an integer in
   * decimal, a float in Go's shortest form.
   */
  toString(): string {
    if (this.kind === 'bool') {
      return /^(y|yes|true|on)$/i.test(this.text) ? 'true' : 'false';
    }
    const plain = this.text.split('_').join('');
    if (this.kind === 'int') {
      return goInt(plain).toString();
    }
    return String(Number(plain.replace(/^([-+]?)\.(inf)$/i, '$1Infinity')));
  }
}

/** The value of an integer as Go's strconv.ParseInt(text, 0, 64) reads it (go-yaml's 0b form included). */
function goInt(plain: string): bigint {
  const negative = plain.startsWith('-');
  const digits = plain.replace(/^[-+]/, '');
  let value: bigint;
  if (/^0[bBoOxX]/.test(digits)) {
    value = BigInt(digits); // BigInt reads 0x, 0o and 0b prefixes in either case
  } else if (digits.length > 1 && digits.startsWith('0')) {
    value = BigInt(`0o${digits.slice(1)}`);
  } else {
    value = BigInt(digits);
  }
  return negative ? -value : value;
}

const BOOLEANS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const SPECIAL_FLOATS = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const NULLS = /^(~|null|Null|NULL)$/;
// Go's strconv.ParseInt/ParseUint with base 0 (after go-yaml drops every `_`), and go-yaml's float syntax.
const GO_INT = /^[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** The type go-yaml v2's `resolve` gives a plain scalar. */
export function plainScalarKind(text: string): 'string' | 'null' | 'bool' | 'int' | 'float' {
  if (text === '' || NULLS.test(text)) return 'null';
  if (BOOLEANS.test(text)) return 'bool';
  if (SPECIAL_FLOATS.test(text)) return 'float';
  if (!/^[-+.0-9]/.test(text)) return 'string';
  const plain = text.split('_').join('');
  if (GO_INT.test(plain)) {
    // Past 64 bits ParseInt and ParseUint fail, and the float syntax takes over.
    return fitsInt64(plain) ? 'int' : YAML_FLOAT.test(plain) ? 'float' : 'string';
  }
  if (YAML_FLOAT.test(plain)) {
    return Number.isFinite(Number(plain)) ? 'float' : 'string';
  }
  // go-yaml's own `0b`/`-0b` fallback reads nothing ParseInt's base 0 did not already read.
  return 'string';
}

function fitsInt64(plain: string): boolean {
  const value = goInt(plain);
  return value >= -(2n ** 63n) && value < 2n ** 64n;
}

function typedScalar(kind: 'bool' | 'int' | 'float'): yaml.Type {
  return new yaml.Type(`tag:yaml.org,2002:${kind}`, {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && plainScalarKind(data) === kind,
    construct: (data: string) => new TypedScalar(kind, data),
  });
}

/**
 * What the schema makes of a null scalar, until {@link readSection} turns it into `null`: as a
 * mapping key, js-yaml writes it as this text, so a null key (`~: x`), which the authenticator's
 * JSON conversion refuses, can be told from the string "null".
 */
const NULL_KEY = '\u0000null\u0000';
class NullScalar {
  get [Symbol.toStringTag](): string {
    return 'NullScalar';
  }

  toString(): string {
    return NULL_KEY;
  }
}
const NULL = new NullScalar();
/** js-yaml's text for a key that is a mapping. */
const MAPPING_KEY = '[object Object]';

/** go-yaml v2's view of plain scalars, on top of js-yaml's failsafe schema (strings, lists, mappings). */
const GO_YAML_V2_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new yaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (data: unknown) => data === null || (typeof data === 'string' && plainScalarKind(data) === 'null'),
      construct: () => NULL,
    }),
    typedScalar('bool'),
    typedScalar('int'),
    typedScalar('float'),
    // `<<: *base` merges a mapping, as go-yaml v2 does.
    (yaml as unknown as { types: { merge: yaml.Type } }).types.merge,
  ],
  explicit: [
    // An unknown tag (`!foo x`) leaves go-yaml v2's value as written.
    new yaml.Type('!', { kind: 'scalar', multi: true, construct: (data: string) => data }),
  ],
});

/**
 * Nodes a section may expand to through aliases. go-yaml v2 refuses "excessive aliasing" too; past
 * this bound an alias bomb would make every later step (conversion, rendering) exponential.
 */
export const MAX_EXPANDED_NODES = 500_000;

/** One section as the authenticator reads it. */
export interface SectionReading {
  /** The decoded first document (undefined when skipped or unreadable). */
  readonly value?: unknown;
  /** Why the authenticator reads nothing from this section. */
  readonly error?: string;
  /** Text after the first document, which the authenticator ignores: from the marker line on. */
  readonly ignored?: { readonly text: string; readonly line: number };
  /** True for a section the authenticator skips as empty (`isSkippable`). */
  readonly skipped?: boolean;
}

/** `isSkippable` of configmap.go. */
export function isSkippableSection(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || trimmed === '``' || trimmed === '""' || trimmed === "''";
}

/**
 * Splits `text` after its first YAML document: at the first `---` or `...` line (at column 0)
 * that follows document content. Leading comments, directives and one leading `---` belong to the
 * first document; `startContent` is what that `---` line holds after the marker, if anything.
 */
export function splitFirstDocument(text: string): { first: string; rest?: string; restLine?: number; startContent?: string } {
  const lines = text.split(/(?<=\n)/);
  let offset = 0;
  let started = false;
  let startContent: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const bare = line.replace(/\r?\n$/, '');
    const marker = /^(---|\.\.\.)([ \t].*)?$/.exec(bare);
    if (marker) {
      if (marker[1] === '---' && !started && startContent === undefined) {
        startContent = (marker[2] ?? '').trim();
      } else {
        return { first: text.slice(0, offset), rest: text.slice(offset), restLine: i + 1, ...(startContent ? { startContent } : {}) };
      }
    } else if (!started && bare.trim() !== '' && !bare.trimStart().startsWith('#') && !(bare.startsWith('%') && startContent === undefined)) {
      started = true;
    }
    offset += line.length;
  }
  return { first: text, ...(startContent ? { startContent } : {}) };
}

/**
 * A block list entry (`- x`, after any anchor or tag) on the `---` line: go-yaml's scanner allows
 * no simple key there and refuses it ("block sequence entries are not allowed in this context").
 */
const BLOCK_ENTRY = /^(?:[&!]\S*[ \t]+)*-(?:[ \t]|$)/;

/** Reads one section's text as YAML the way the authenticator does (see the module comment). */
export function readSection(text: string, options: { readonly jsonPrefix: boolean }): SectionReading {
  if (isSkippableSection(text)) {
    return { skipped: true };
  }
  if (options.jsonPrefix && text.trimStart().startsWith('{')) {
    // apimachinery's ToJSON passes it on as JSON: a JSON object is never a list of entries.
    return { error: 'the text starts with "{", so the authenticator reads it as JSON, and a JSON object is not a list of entries' };
  }
  const { first, rest, restLine, startContent } = splitFirstDocument(text);
  const ignored = rest !== undefined ? { text: rest, line: restLine! } : undefined;
  if (startContent !== undefined && BLOCK_ENTRY.test(startContent)) {
    return { error: 'a list entry starts on the "---" line, which the authenticator\'s YAML reader refuses (block sequence entries are not allowed in this context): start the list on the next line', ...(ignored ? { ignored } : {}) };
  }
  let value: unknown;
  try {
    value = yaml.load(first, { schema: GO_YAML_V2_SCHEMA, json: true });
  } catch (e) {
    return { error: `malformed YAML: ${yamlMessage(e)}`, ...(ignored ? { ignored } : {}) };
  }
  const bomb = aliasBombProblem(value);
  if (bomb !== undefined) {
    return { error: bomb, ...(ignored ? { ignored } : {}) };
  }
  const badKey = withNulls(value, options.jsonPrefix, new Set());
  if (badKey !== undefined) {
    return { error: badKey, ...(ignored ? { ignored } : {}) };
  }
  return { value: value instanceof NullScalar ? null : value, ...(ignored ? { ignored } : {}) };
}

/**
 * Turns the schema's null scalars into `null`, in place. With `strictKeys` (sections converted to
 * JSON by sigs.k8s.io/yaml, whose convertToJSONableObject refuses a null or a mapping as a key,
 * and whose json.Marshal refuses an infinite or NaN float), returns why the section is unreadable.
 */
function withNulls(value: unknown, strictKeys: boolean, seen: Set<object>): string | undefined {
  if (value === null || typeof value !== 'object' || value instanceof TypedScalar || value instanceof NullScalar || seen.has(value)) {
    return undefined;
  }
  seen.add(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (strictKeys && !Array.isArray(value) && (key === NULL_KEY || key === MAPPING_KEY)) {
      return key === NULL_KEY
        ? 'a mapping key is null (~, null or empty), which the authenticator\'s JSON conversion refuses'
        : 'a mapping key is itself a mapping (an unquoted {{...}} is a YAML mapping: quote the value), which the authenticator\'s YAML reader refuses';
    }
    const item = record[key];
    if (strictKeys && item instanceof TypedScalar && item.kind === 'float' && !Number.isFinite(Number(item.toString()))) {
      return `${item.text} is an infinite or not-a-number float, which the authenticator's JSON conversion refuses (quote it)`;
    }
    if (item instanceof NullScalar) {
      record[key] = null;
    } else {
      const inner = withNulls(item, strictKeys, seen);
      if (inner !== undefined) return inner;
    }
  }
  if (!strictKeys && NULL_KEY in record) {
    record.null = record[NULL_KEY];
    delete record[NULL_KEY];
  }
  return undefined;
}

/** Why `value` is refused: its aliases expand it to more than {@link MAX_EXPANDED_NODES} values; else undefined. */
export function aliasBombProblem(value: unknown): string | undefined {
  return expandedSize(value, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES
    ? `its aliases (*name) expand it to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values: refused as an alias bomb`
    : undefined;
}

/** Nodes of `value` with every alias expanded, counted up to just past `cap`. */
export function expandedSize(value: unknown, cap: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= cap) {
    const v = stack.pop();
    count++;
    if (v !== null && typeof v === 'object' && !(v instanceof TypedScalar) && !(v instanceof NullScalar)) {
      for (const x of Object.values(v)) stack.push(x); // a list's items or a mapping's values
    }
  }
  return count;
}

/** js-yaml's message, shortened to reason and position. */
export function yamlMessage(e: unknown): string {
  const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
  if (err.reason && err.mark) {
    return `${err.reason} at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
  }
  return err.message ?? String(e);
}
