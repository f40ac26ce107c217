/**
 * Writes `aws-auth` back out: deterministic, tidy YAML (entry keys in the order rolearn/userarn,
 * username, groups, then the rest) that the authenticator reads back to the same entries, and a
 * stable JSON form. Scalars that a YAML 1.1 reader (the authenticator's) could take for anything
 * but a string (`yes`, `0123`, `null`, `a: b`) are double-quoted; account IDs always are.
 */
import * as yaml from 'js-yaml';
import { AWS_AUTH_NAME, AWS_AUTH_NAMESPACE, AwsAuthConfigMap, AwsAuthMetadata, AwsAuthSection, RoleMapping, UserMapping } from './types';

/** The `data` map of the ConfigMap: `mapRoles`, `mapUsers`, `mapAccounts` (empty ones left out), then other keys. */
export function renderAwsAuthData(configMap: AwsAuthConfigMap): Record<string, string> {
  const data: Record<string, string> = {};
  const ignored = configMap.ignoredText ?? {};
  const section = (name: AwsAuthSection, count: number, render: () => string) => {
    const rest = ignored[name];
    if (count > 0 || rest !== undefined) {
      // The ignored documents follow the first one as they were; an empty first document is `[]`.
      data[name] = (count > 0 ? render() : '[]\n') + (rest ?? '');
    }
  };
  section('mapRoles', configMap.mapRoles.length, () => renderList(configMap.mapRoles.map(roleFields)));
  section('mapUsers', configMap.mapUsers.length, () => renderList(configMap.mapUsers.map(userFields)));
  section('mapAccounts', configMap.mapAccounts.length, () => configMap.mapAccounts.map((a) => `- ${JSON.stringify(a)}\n`).join(''));
  for (const key of Object.keys(configMap.otherData ?? {}).sort()) {
    data[key] = configMap.otherData![key];
  }
  return data;
}

/** The whole ConfigMap as a Kubernetes object (`apiVersion`, `kind`, `metadata`, `data`). */
export function toConfigMapObject(configMap: AwsAuthConfigMap): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadataObject(configMap.metadata), data: renderAwsAuthData(configMap), ...(configMap.otherFields ?? {}) };
}

/** The whole ConfigMap as YAML, ready for `kubectl apply -f`. */
export function renderAwsAuthYaml(configMap: AwsAuthConfigMap): string {
  return yaml.dump(toConfigMapObject(configMap), { lineWidth: -1, noRefs: true, sortKeys: false, quotingType: '"' });
}

/** The whole ConfigMap as stable, indented JSON. */
export function renderAwsAuthJson(configMap: AwsAuthConfigMap): string {
  return JSON.stringify(toConfigMapObject(configMap), undefined, 2) + '\n';
}

function metadataObject(m: AwsAuthMetadata): Record<string, unknown> {
  return {
    name: m.name || AWS_AUTH_NAME,
    namespace: m.namespace || AWS_AUTH_NAMESPACE,
    ...(m.labels ? { labels: sortedRecord(m.labels) } : {}),
    ...(m.annotations ? { annotations: sortedRecord(m.annotations) } : {}),
    ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.other ?? {}),
  };
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) {
    out[key] = record[key];
  }
  return out;
}

type Fields = Array<[string, unknown]>;

/** A nested block mapping (the `sso` matcher). */
class Nested {
  constructor(readonly fields: Fields) {}
}

function roleFields(entry: RoleMapping): Fields {
  const fields: Fields = [];
  if (entry.rolearn !== undefined) fields.push(['rolearn', entry.rolearn]);
  if (entry.sso !== undefined) {
    const sso: Fields = [['permissionSetName', entry.sso.permissionSetName], ['accountID', entry.sso.accountID]];
    if (entry.sso.partition !== undefined) sso.push(['partition', entry.sso.partition]);
    fields.push(['sso', new Nested(sso)]);
  }
  if (entry.userid !== undefined) fields.push(['userid', entry.userid]);
  return [...fields, ...commonFields(entry)];
}

function userFields(entry: UserMapping): Fields {
  const fields: Fields = [];
  if (entry.userarn !== undefined) fields.push(['userarn', entry.userarn]);
  if (entry.userid !== undefined) fields.push(['userid', entry.userid]);
  return [...fields, ...commonFields(entry)];
}

function commonFields(entry: RoleMapping | UserMapping): Fields {
  const fields: Fields = [];
  if (entry.username !== undefined) fields.push(['username', entry.username]);
  if (entry.groups !== undefined) fields.push(['groups', entry.groups]);
  for (const [key, value] of Object.entries(entry.extra ?? {})) {
    fields.push([key, value]);
  }
  return fields;
}

function renderList(entries: Fields[]): string {
  return entries.map((fields) => renderMapping(fields, '- ', '  ')).join('');
}

/** A block mapping whose first line starts with `first` and the others with `rest`. */
function renderMapping(fields: Fields, first: string, rest: string): string {
  if (fields.length === 0) {
    return `${first}{}\n`;
  }
  return fields.map(([key, value], i) => renderField(key, value, i === 0 ? first : rest, rest)).join('');
}

function renderField(key: string, value: unknown, lead: string, indent: string): string {
  const k = scalar(key);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return `${lead}${k}:\n` + value.map((v) => `${indent}  - ${scalar(v as string)}\n`).join('');
  }
  if (value instanceof Nested) {
    return `${lead}${k}:\n` + value.fields.map(([nk, nv]) => renderField(nk, nv, `${indent}  `, `${indent}  `)).join('');
  }
  if (typeof value === 'string') {
    return `${lead}${k}: ${scalar(value)}\n`;
  }
  // Anything else (unknown fields): flow-style JSON, which is valid YAML and keeps its types.
  return `${lead}${k}: ${JSON.stringify(value) ?? 'null'}\n`;
}

const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_.\/@:=+,{}()$*-]*$/;
const YAML11_SPECIAL = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

/** `text` as a YAML scalar: plain when no YAML reader can misread it, double-quoted otherwise. */
export function scalar(text: string): string {
  // PLAIN_SAFE's first character already rules out `{`, `[`, `-`, digits and quotes.
  const plain = PLAIN_SAFE.test(text) && !YAML11_SPECIAL.test(text) && !text.endsWith(':') && !text.includes(': ');
  return plain ? text : JSON.stringify(text);
}
