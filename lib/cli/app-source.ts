/**
 * What a synthesized app (`cdk.out`) will grant: the desired state every `Custom::EksClusterAccess`
 * resource carries (inline, or spilled to an S3 asset file in the assembly, with its overrides),
 * with CloudFormation's deploy-time values shown as `${Name}` (a role's generated name, the
 * account), plus the IAM side: the IAM groups whose policies let members assume each role, and
 * who each role's trust policy admits.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AccessEntryView, awsAuthView, ClusterAccessView, PrincipalFacts, rbacAsDeployed, rbacFromManifests } from '../core/access';
import { AccessConfigError } from '../core/arn';
import { emptyAwsAuth, mergeOwnedAwsAuth, toConfigMapObject } from '../core/aws-auth';
import { applyDesiredStateOverrides, applyDesiredStateSubstitutions, AuthenticationMode, DesiredClusterAccess } from '../core/desired-state';

type Json = unknown;
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}
interface Template {
  readonly file: string;
  readonly resources: Record<string, Resource>;
  readonly parameters: Record<string, { Default?: Json }>;
  readonly account?: string;
  readonly region?: string;
  /** How a deploy-time value is written (default `${Name}`). */
  readonly placeholder?: (name: string) => string;
}

/** How deploy-time values are filled in. */
export interface RenderOptions {
  /** The account when the stack does not say (e.g. the cluster's own). */
  readonly account?: string;
  /** Write a deploy-time value as this (default `${Name}`). */
  readonly placeholder?: (name: string) => string;
}

/** One cluster's view of the app, with what the app says about its principals. */
export interface AppClusterView {
  readonly view: ClusterAccessView;
  readonly facts: PrincipalFacts;
  /** Assumptions made (an unknown authentication mode). */
  readonly notes: string[];
}

/** Reads every stack template (nested ones included) of the assembly and the desired states in them. */
export function viewsFromApp(dir: string, modeOverride?: AuthenticationMode): AppClusterView[] {
  const { states, templates } = desiredStatesOfApp(dir);
  const facts = iamFacts(templates);
  const byCluster = new Map<string, Array<{ state: DesiredClusterAccess; template: Template }>>();
  states.forEach((s) => byCluster.set(s.state.clusterName, [...(byCluster.get(s.state.clusterName) ?? []), s]));
  return [...byCluster.entries()].map(([clusterName, list]) => clusterView(clusterName, list, facts, modeOverride));
}

/** Every ClusterAccess's desired state in the app, with the template it is in. */
export interface AppStates {
  readonly states: Array<{ state: DesiredClusterAccess; template: Template }>;
  readonly templates: Template[];
}

export function desiredStatesOfApp(dir: string, options: RenderOptions = {}): AppStates {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new AccessConfigError(`${dir} is not a cloud assembly (no manifest.json): run cdk synth and give its output directory (cdk.out)`);
  }
  const templates = readTemplates(dir, options);
  const states: Array<{ state: DesiredClusterAccess; template: Template }> = [];
  for (const template of templates) {
    for (const [id, resource] of Object.entries(template.resources)) {
      if (resource.Type === 'Custom::EksClusterAccess') {
        states.push({ state: desiredStateOf(dir, template, id, resource), template });
      }
    }
  }
  if (states.length === 0) {
    throw new AccessConfigError(`${dir} holds no ClusterAccess (no Custom::EksClusterAccess resource in its templates)`);
  }
  return { states, templates };
}

function readTemplates(dir: string, options: RenderOptions = {}): Template[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, { type?: string; environment?: string; properties?: { templateFile?: string } }> };
  const envOf = new Map<string, { account?: string; region?: string }>();
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const file = artifact.properties?.templateFile;
    if (artifact.type === 'aws:cloudformation:stack' && file) {
      const [, account, region] = /^aws:\/\/([^/]*)\/(.*)$/.exec(artifact.environment ?? '') ?? [];
      envOf.set(file, { ...(account && /^\d{12}$/.test(account) ? { account } : {}), ...(region && !region.startsWith('unknown') ? { region } : {}) });
    }
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.template.json') && statSync(join(dir, f)).isFile());
  return files.map((file) => {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { Resources?: Template['resources']; Parameters?: Template['parameters'] };
    const env = envOf.get(file) ?? {};
    const account = env.account ?? options.account;
    const placeholder = options.placeholder ? { placeholder: options.placeholder } : {};
    return { file, resources: doc.Resources ?? {}, parameters: doc.Parameters ?? {}, ...env, ...(account ? { account } : {}), ...placeholder };
  });
}

function desiredStateOf(dir: string, template: Template, id: string, resource: Resource): DesiredClusterAccess {
  const props = resource.Properties ?? {};
  const where = `${template.file}: ${id}`;
  try {
    if (props.inline !== undefined) {
      return JSON.parse(render(props.inline, template)) as DesiredClusterAccess;
    }
    const key = render(props.s3Key, template);
    const path = assetFileOf(dir, key);
    const fromFile = JSON.parse(readFileSync(path, 'utf8')) as DesiredClusterAccess;
    const withOverrides = applyDesiredStateOverrides(fromFile, props.overrides === undefined ? undefined : render(props.overrides, template));
    return applyDesiredStateSubstitutions(withOverrides, props.substitutions === undefined ? undefined : render(props.substitutions, template));
  } catch (e) {
    throw new AccessConfigError(`${where}: cannot read the desired state: ${(e as Error).message}`);
  }
}

/**
 * The file in the assembly `dir` that is uploaded as the object `key`: named by the stacks' asset
 * manifests (`*.assets.json`), or, for assemblies without them, by the legacy `asset.<hash>` name.
 */
function assetFileOf(dir: string, key: string): string {
  for (const manifest of readdirSync(dir).filter((f) => f.endsWith('.assets.json'))) {
    const files = (JSON.parse(readFileSync(join(dir, manifest), 'utf8')).files ?? {}) as Record<string, any>;
    const found = Object.values(files).find((f) => Object.values(f.destinations ?? {}).some((d: any) => d.objectKey === key));
    if (found?.source?.path) {
      return join(dir, found.source.path);
    }
  }
  const hash = key.replace(/\.[^.]*$/, '');
  const file = readdirSync(dir).find((f) => f === `asset.${key}` || f.startsWith(`asset.${hash}`));
  if (!file) {
    throw new Error(`its desired state is in the S3 asset ${key}, which is not in ${dir}`);
  }
  return statSync(join(dir, file)).isDirectory() ? join(dir, file, readdirSync(join(dir, file))[0]) : join(dir, file);
}

/**
 * A CloudFormation value as text: literals as they are, `Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Select`, `Fn::Split` and `Fn::Sub` evaluated where the template tells, deploy-time values
 * as `${Name}` (no `:` or `/` in them, so that ARNs keep their shape).
 */
export function render(value: Json, template: Template): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  const v = value as Record<string, Json>;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('Ref' in v) {
      return renderRef(String(v.Ref), template);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      return renderGetAtt(id, attr, template);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, Json[]];
      return parts.map((p) => render(p, template)).join(sep);
    }
    if ('Fn::Select' in v) {
      const [index, list] = v['Fn::Select'] as [number | string, Json];
      return renderList(list, template)[Number(index)] ?? '';
    }
    if ('Fn::Sub' in v) {
      const sub = v['Fn::Sub'];
      const [text, vars] = Array.isArray(sub) ? (sub as [string, Record<string, Json>]) : [sub as string, {}];
      return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => (name in vars ? render(vars[name], template) : name.includes('.') ? renderGetAtt(name.split('.')[0], name.split('.').slice(1).join('.'), template) : renderRef(name, template)));
    }
  }
  return `\${${JSON.stringify(value).replace(/[:/"]/g, '')}}`;
}

function renderList(list: Json, template: Template): string[] {
  if (Array.isArray(list)) {
    return list.map((x) => render(x, template));
  }
  const v = list as Record<string, Json>;
  if (v && 'Fn::Split' in v) {
    const [sep, text] = v['Fn::Split'] as [string, Json];
    return render(text, template).split(sep);
  }
  return [render(list, template)];
}

function renderRef(name: string, template: Template): string {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::AccountId':
      return template.account ?? deployTime('AccountId', template);
    case 'AWS::Region':
      return template.region ?? deployTime('Region', template);
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const resource = template.resources[name];
  if (resource?.Type === 'AWS::IAM::Role' && typeof resource.Properties?.RoleName === 'string') {
    return resource.Properties.RoleName;
  }
  if (resource?.Type === 'AWS::EKS::Cluster' && typeof resource.Properties?.Name === 'string') {
    return resource.Properties.Name;
  }
  const parameter = template.parameters[name];
  if (parameter && typeof parameter.Default === 'string') {
    return parameter.Default;
  }
  return deployTime(name, template);
}

function deployTime(name: string, template: Template): string {
  return template.placeholder ? template.placeholder(name) : `\${${name}}`;
}

function renderGetAtt(id: string, attr: string, template: Template): string {
  const resource = template.resources[id];
  if (resource?.Type === 'AWS::IAM::Role' && attr === 'Arn') {
    const path = typeof resource.Properties?.Path === 'string' ? resource.Properties.Path : '/';
    return `arn:aws:iam::${renderRef('AWS::AccountId', template)}:role${path}${renderRef(id, template)}`;
  }
  return deployTime(`${id}.${attr}`, template);
}

/** Labels (construct paths) and who may assume each role, keyed by both ARN forms (with and without path). */
function iamFacts(templates: readonly Template[]): PrincipalFacts {
  const labels = new Map<string, string>();
  const assumable = new Map<string, string[]>();
  for (const template of templates) {
    for (const [id, resource] of Object.entries(template.resources)) {
      if (resource.Type !== 'AWS::IAM::Role') {
        continue;
      }
      const arn = renderGetAtt(id, 'Arn', template);
      const pathless = `arn:aws:iam::${renderRef('AWS::AccountId', template)}:role/${renderRef(id, template)}`;
      const label = constructPath(resource) ?? id;
      const who = [...groupsAllowedToAssume(id, template), ...trustedPrincipals(resource, template)];
      for (const form of new Set([arn, pathless])) {
        labels.set(form, label);
        if (who.length > 0) {
          assumable.set(form, who);
        }
      }
    }
  }
  return { labels, assumableBy: assumable };
}

function constructPath(resource: Resource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path.replace(/\/Resource$/, '') : undefined;
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: Json;
  readonly Principal?: Json;
  readonly Condition?: Record<string, Record<string, Json>>;
}

/** IAM groups whose inline or attached policies allow sts:AssumeRole on the role. */
function groupsAllowedToAssume(roleId: string, template: Template): string[] {
  const names: string[] = [];
  const allows = (doc: Json) => statementsOf(doc).filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => a === 'sts:AssumeRole' || a === 'sts:*') && refersTo(s.Resource, roleId));
  for (const [id, resource] of Object.entries(template.resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Group') {
      const found = ((props.Policies ?? []) as Array<{ PolicyDocument?: Json }>).flatMap((p) => allows(p.PolicyDocument));
      if (found.length > 0) {
        names.push(`IAM group ${constructPath(resource) ?? id}${mfa(found)}`);
      }
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const found = allows(props.PolicyDocument);
      for (const group of found.length > 0 ? ((props.Groups ?? []) as Json[]) : []) {
        const ref = (group as { Ref?: string }).Ref;
        const target = ref ? template.resources[ref] : undefined;
        names.push(`IAM group ${target ? constructPath(target) ?? ref : render(group, template)}${mfa(found)}`);
      }
    }
  }
  return names;
}

/** Principals of the role's trust policy other than its own account's root (which defers to IAM policies). */
function trustedPrincipals(role: Resource, template: Template): string[] {
  const out: string[] = [];
  for (const s of statementsOf(role.Properties?.AssumeRolePolicyDocument).filter((st) => st.Effect === 'Allow')) {
    const principal = s.Principal as Record<string, Json> | undefined;
    for (const [kind, values] of Object.entries(principal ?? {})) {
      for (const value of [values].flat()) {
        const text = render(value, template);
        if (kind === 'AWS' && /:root$/.test(text) && text.includes(renderRef('AWS::AccountId', template))) {
          continue;
        }
        out.push(`${kind === 'AWS' ? '' : `${kind} `}${text}${mfa([s])}`);
      }
    }
  }
  return out;
}

function statementsOf(doc: Json): Statement[] {
  const statements = (doc as { Statement?: Statement | Statement[] } | undefined)?.Statement;
  return statements === undefined ? [] : [statements].flat();
}

function refersTo(resource: Json, roleId: string): boolean {
  return JSON.stringify(resource ?? '').includes(`"${roleId}"`);
}

function mfa(statements: readonly Statement[]): string {
  return statements.some((s) => JSON.stringify(s.Condition ?? {}).includes('aws:MultiFactorAuthPresent')) ? ' (MFA required)' : '';
}

/** The view of one cluster, from the desired states of every ClusterAccess on it. */
function clusterView(
  clusterName: string,
  list: ReadonlyArray<{ state: DesiredClusterAccess; template: Template }>,
  facts: PrincipalFacts,
  modeOverride?: AuthenticationMode,
): AppClusterView {
  const notes: string[] = [];
  const modes = list.map((s) => s.state.targetAuthenticationMode ?? clusterResourceMode(s.state, s.template));
  const mode = modeOverride ?? modes.find((m) => m !== undefined);
  const assumed = mode ?? 'API_AND_CONFIG_MAP';
  if (!mode) {
    notes.push(`the authentication mode of cluster "${clusterName}" is not known from the app: shown for ${assumed} (give --mode)`);
  }
  let configMap = emptyAwsAuth();
  const accessEntries: AccessEntryView[] = [];
  const manifests: unknown[] = [];
  for (const { state } of list) {
    const usesEntries = state.mechanism === 'ACCESS_ENTRIES' || (state.mechanism === 'AUTO' && assumed !== 'CONFIG_MAP');
    if (usesEntries) {
      accessEntries.push(...state.accessEntries.map((e) => ({ ...e, accessPolicies: e.accessPolicies })));
    } else {
      configMap = mergeOwnedAwsAuth(configMap, state.ownerId, state.awsAuth).configMap;
    }
    manifests.push(...state.manifests);
  }
  const hasAwsAuth = configMap.mapRoles.length + configMap.mapUsers.length + configMap.mapAccounts.length > 0;
  const view: ClusterAccessView = {
    description: `EKS cluster "${clusterName}"`,
    mode: assumed,
    accessEntries,
    awsAuth: awsAuthView(hasAwsAuth ? JSON.stringify(toConfigMapObject(configMap), undefined, 2) : undefined, 'aws-auth as the app writes it'),
    rbac: rbacAsDeployed(rbacFromManifests(manifests)),
    rbacSource: 'manifests',
  };
  return { view, facts, notes };
}

/** The mode of the AWS::EKS::Cluster the state's cluster name refers to, in the same template. */
function clusterResourceMode(state: DesiredClusterAccess, template: Template): AuthenticationMode | undefined {
  const ref = /^\$\{(\w+)\}$/.exec(state.clusterName)?.[1];
  const cluster = ref ? template.resources[ref] : Object.values(template.resources).find((r) => r.Type === 'AWS::EKS::Cluster' && r.Properties?.Name === state.clusterName);
  if (cluster?.Type !== 'AWS::EKS::Cluster') {
    return undefined;
  }
  const mode = (cluster.Properties?.AccessConfig as { AuthenticationMode?: string } | undefined)?.AuthenticationMode;
  return (mode ?? 'CONFIG_MAP') as AuthenticationMode;
}
