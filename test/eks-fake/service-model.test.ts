/**
 * The fake against the EKS service model that the installed `@aws-sdk/client-eks` ships (its
 * schemas, read with the schema reader of the SDK's own `@smithy/core`, and the documentation the
 * SDK carries for what the model leaves as plain strings). An SDK upgrade that changes an
 * operation's route, an error shape or an enum the fake relies on fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as sdk from '@aws-sdk/client-eks';
import {
  ACCESS_CONFIG_UPDATE, ACCESS_ENTRY_TYPES, ACCESS_SCOPE_TYPES, AUTHENTICATION_MODES, CLUSTER_STATUSES, ERROR_MEMBERS, ERROR_STATUS,
  ROLE_ONLY_TYPES, ROUTES, UPDATE_STATUSES,
} from '../support/eks-fake';

const sdkEntry = require.resolve('@aws-sdk/client-eks');
// The schema reader the SDK itself uses, resolved from the SDK (not a dependency of this project).
const { NormalizedSchema } = createRequire(sdkEntry)('@smithy/core/schema') as {
  NormalizedSchema: { of(schema: unknown): ModelSchema };
};

interface ModelSchema {
  getMergedTraits(): Record<string, unknown>;
  structIterator(): Iterable<[string, ModelSchema]>;
}

const sdkExports = sdk as unknown as Record<string, unknown>;

/** An operation's schema (`[9, namespace, name, traits, input, output]`), or undefined. */
function operation(name: string): { http: [string, string, number]; input: ModelSchema } | undefined {
  const schema = sdkExports[`${name}$`] as unknown[] | undefined;
  if (!Array.isArray(schema) || schema[0] !== 9) {
    return undefined;
  }
  const traits = NormalizedSchema.of(schema).getMergedTraits();
  const input = typeof schema[4] === 'function' ? (schema[4] as () => unknown)() : schema[4];
  return { http: traits.http as [string, string, number], input: NormalizedSchema.of(input) };
}

/** Every error shape of the model: name → HTTP status, fault, members. */
function modelErrors(): Map<string, { status: number; fault: string; members: string[] }> {
  const found = new Map<string, { status: number; fault: string; members: string[] }>();
  for (const [key, value] of Object.entries(sdkExports)) {
    if (!key.endsWith('$') || !Array.isArray(value) || value[0] !== -3 || value[2] === 'EKSServiceException') {
      continue;
    }
    const schema = NormalizedSchema.of(value);
    const traits = schema.getMergedTraits();
    found.set(value[2] as string, {
      status: traits.httpError as number,
      fault: traits.error as string,
      members: [...schema.structIterator()].map(([name]) => name).filter((m) => m !== 'message'),
    });
  }
  return found;
}

/** The documentation the SDK ships for a member of a request shape (HTML, on one line). */
function memberDoc(shape: string, member: string): string {
  const dir = join(dirname(sdkEntry), '..', 'dist-types', 'models');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const start = text.indexOf(`export interface ${shape} {`);
    if (start < 0) {
      continue;
    }
    const body = text.slice(start, text.indexOf('\n}', start));
    const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${member}\\??:`).exec(body);
    if (match) {
      return match[1].replace(/^\s*\*/gm, ' ').replace(/\s+/g, ' ');
    }
  }
  throw new Error(`the SDK documents no ${shape}.${member}`);
}

const sorted = (values: Iterable<string>) => [...values].sort();
/** The values a documentation fragment sets in code: `<code>EC2</code>` → `EC2`. */
const codes = (html: string) => [...html.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);

describe('the fake against the service model of the installed @aws-sdk/client-eks', () => {
  test.each(ROUTES.map((r) => [r.operation, r]))('%s: same method, path and success code', (_name, route) => {
    const model = operation(route.operation);
    expect(model).toBeDefined();
    expect(sdkExports[`${route.operation}Command`]).toBeDefined();
    const [method, path, code] = model!.http;
    expect({ method: route.method, path: route.path }).toEqual({ method, path: path.split('?')[0] });
    expect(code).toBe(200); // the fake answers 200 on success
  });

  test.each(ROUTES.map((r) => [r.operation, r]))('%s: path labels and the query parameters the fake reads are the model\'s', (_name, route) => {
    const members = [...operation(route.operation)!.input.structIterator()].map(([name, m]) => ({ name, traits: m.getMergedTraits() }));
    const labels = members.filter((m) => m.traits.httpLabel).map((m) => m.name);
    expect(sorted(labels)).toEqual(sorted([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));
    const query = members.filter((m) => typeof m.traits.httpQuery === 'string').map((m) => m.traits.httpQuery as string);
    expect(query).toEqual(expect.arrayContaining([...route.query]));
  });

  test('every error shape of the model, with its HTTP status and members, and nothing the model lacks', () => {
    const model = modelErrors();
    expect(model.size).toBeGreaterThan(10);
    const modelled = Object.keys(ERROR_MEMBERS);
    expect(sorted(modelled)).toEqual(sorted(model.keys()));
    for (const [name, shape] of model) {
      const fake = { name, status: ERROR_STATUS[name], members: sorted(ERROR_MEMBERS[name]) };
      expect(fake).toEqual({ name, status: shape.status, members: sorted(shape.members) });
    }
    // The fake's other error names come from the AWS front end, not from the EKS model.
    const frontEnd = Object.keys(ERROR_STATUS).filter((n) => !modelled.includes(n));
    expect(frontEnd.filter((n) => model.has(n))).toEqual([]);
    expect(model.get('ServerException')!.fault).toBe('server');
    expect(model.get('ServiceUnavailableException')!.fault).toBe('server');
  });

  test('enums: authentication modes, access scope types, update and cluster statuses, the update the fake starts', () => {
    expect(sorted(Object.values(sdk.AuthenticationMode))).toEqual(sorted(AUTHENTICATION_MODES));
    expect(sorted(Object.values(sdk.AccessScopeType))).toEqual(sorted(ACCESS_SCOPE_TYPES));
    expect(sorted(Object.values(sdk.UpdateStatus))).toEqual(sorted(UPDATE_STATUSES));
    expect(sorted(Object.values(sdk.ClusterStatus))).toEqual(sorted(CLUSTER_STATUSES));
    expect(Object.values(sdk.UpdateType)).toContain(ACCESS_CONFIG_UPDATE.type);
    expect(Object.values(sdk.UpdateParamType)).toContain(ACCESS_CONFIG_UPDATE.paramType);
  });

  test('access entry types (a plain string in the model, listed in its documentation)', () => {
    const doc = memberDoc('CreateAccessEntryRequest', 'type');
    const valid = /Valid values are (.*?)\.\s*</.exec(doc);
    expect(valid).not.toBeNull();
    expect(sorted(codes(valid![1]))).toEqual(sorted(ACCESS_ENTRY_TYPES));
  });

  test('the node types whose principal must be a role (CreateAccessEntry principalArn documentation)', () => {
    const doc = memberDoc('CreateAccessEntryRequest', 'principalArn');
    const nodes = /For nodes \((.*?)\), the only valid ARN is IAM roles/.exec(doc);
    expect(nodes).not.toBeNull();
    expect(sorted(codes(nodes![1]))).toEqual(sorted(ROLE_ONLY_TYPES));
  });
});
