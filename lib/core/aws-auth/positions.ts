/**
 * Where each entry of `aws-auth` is written, so that messages can point at a line: the index of
 * the entry as written (`mapRoles[3]`, counting entries the parser drops, like `lint` does), its
 * line within the section's text, and, for a ConfigMap file with the section as a YAML block
 * (`mapRoles: |`), its line in the file.
 */
import * as yaml from 'js-yaml';
import { AwsAuthProblem } from './types';

/** Where one parsed entry is written. */
export interface EntryPosition {
  /** `mapRoles[3]`: the index as written, as `lint` names it. */
  readonly location: string;
  /** 1-based line within the section's text, when known. */
  readonly sectionLine?: number;
  /** 1-based line in the file, when the section is a YAML block of the file. */
  readonly fileLine?: number;
}

/** Positions of the parsed entries of each section, by their index in the parsed section. */
export interface AwsAuthPositions {
  readonly mapRoles: readonly EntryPosition[];
  readonly mapUsers: readonly EntryPosition[];
  readonly mapAccounts: readonly EntryPosition[];
}

type Section = keyof AwsAuthPositions;
const SECTIONS: readonly Section[] = ['mapRoles', 'mapUsers', 'mapAccounts'];

/**
 * The positions of the entries of `text` (the ConfigMap as read: YAML or JSON), given the problems
 * its parse reported (entries dropped by the parser are skipped, as the parsed sections skip them).
 */
export function awsAuthPositions(text: string | undefined, problems: readonly AwsAuthProblem[]): AwsAuthPositions {
  const result: Record<Section, EntryPosition[]> = { mapRoles: [], mapUsers: [], mapAccounts: [] };
  const data = text === undefined ? undefined : dataOf(text);
  for (const section of SECTIONS) {
    const sectionText = data?.[section];
    if (typeof sectionText !== 'string') {
      continue;
    }
    const blockStart = blockScalarStart(text!, section);
    const dropped = droppedIndexes(section, problems);
    (itemLines(sectionText) ?? []).forEach((sectionLine, raw) => {
      if (!dropped.has(raw)) {
        result[section].push({ location: `${section}[${raw}]`, sectionLine, ...(blockStart !== undefined ? { fileLine: blockStart + sectionLine } : {}) });
      }
    });
  }
  return result;
}

/** `mapRoles[3] (line 7)`, or `mapRoles[3] (line 4 of mapRoles)` without a file line. */
export function describePosition(position: EntryPosition | undefined, fallback: string): string {
  if (!position) {
    return fallback;
  }
  if (position.fileLine !== undefined) {
    return `${position.location} (line ${position.fileLine})`;
  }
  const section = position.location.split('[')[0];
  return position.sectionLine !== undefined ? `${position.location} (line ${position.sectionLine} of ${section})` : position.location;
}

/** The `data` map of the ConfigMap (or the data map alone), or undefined when the text is not one. */
function dataOf(text: string): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (!isRecord(doc)) {
    return undefined;
  }
  const isObject = 'data' in doc || 'kind' in doc || 'metadata' in doc || 'apiVersion' in doc;
  const data = isObject ? doc.data : doc;
  return isRecord(data) ? data : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The 1-based line of each top-level list item of a section, or undefined when they cannot be told apart. */
function itemLines(sectionText: string): number[] | undefined {
  const lines: number[] = [];
  let depth = 0;
  const listener = (event: string, state: { line: number }) => {
    depth += event === 'open' ? 1 : -1;
    if (event === 'open' && depth === 2) {
      lines.push(state.line + 1);
    }
  };
  let list: unknown;
  try {
    list = yaml.load(sectionText, { schema: yaml.CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  return Array.isArray(list) && list.length === lines.length ? lines : undefined;
}

/** The file line just before the section's block scalar content (`mapRoles: |`), or undefined. */
function blockScalarStart(text: string, section: Section): number | undefined {
  const lines = text.split(/\r?\n/);
  const header = new RegExp(`^\\s*["']?${section}["']?\\s*:\\s*\\|[-+]?\\s*(#.*)?$`);
  const at = lines.findIndex((line) => header.test(line));
  return at < 0 ? undefined : at + 1;
}

/** Indexes (as written) of the entries the parser dropped: those with an error located at them. */
function droppedIndexes(section: Section, problems: readonly AwsAuthProblem[]): Set<number> {
  const dropped = new Set<number>();
  const pattern = new RegExp(`^${section}\\[(\\d+)\\]`);
  for (const p of problems) {
    const match = p.severity === 'error' ? pattern.exec(p.location) : null;
    if (match) {
      dropped.add(Number(match[1]));
    }
  }
  return dropped;
}
