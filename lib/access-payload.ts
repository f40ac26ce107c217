/**
 * One custom resource and the desired state it carries. A `ClusterAccess` has one in its own
 * stack and one more in each nested stack that holds a batch of its teams; each has its own
 * owner ID, and the handler merges the owners of a cluster (it never overwrites another's).
 * Internal: not part of the public API.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Aspects, CustomResource, FileAssetPackaging, IAspect, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct, IDependable } from 'constructs';
import { AccessEntrySpec } from './core/access-entry';
import { AccessMechanism, AuthenticationMode, DESIRED_STATE_VERSION, DesiredAwsAuth, DesiredClusterAccess, KubernetesManifest, OVERRIDABLE_FIELDS, substitutionPlaceholder } from './core/desired-state';
import { DesiredPermissionSetMapping } from './core/permission-sets';
import { IdentityRegistry } from './identity-registry';
import { ownerIdFor } from './owner-id';
import { manifestKey, manifestProblems, sortManifests } from './rbac/manifests';

/** Lambda's event limit is 256 KB; CloudFormation's template limit is 1 MB. Keep room for the envelope. */
export const INLINE_LIMIT_BYTES = 200 * 1024;

/**
 * Kubernetes objects one custom resource applies at most. The handler reads, dry-runs and applies
 * each object in turn (three API calls); at 50 ms a call, 3,000 objects take 7.5 of the handler's
 * 14 minutes, leaving the rest to access entries, aws-auth and removals (docs/quotas-and-batching.md).
 */
export const MAX_OBJECTS_PER_RESOURCE = 3000;

export interface AccessPayloadProps {
  readonly clusterName: string;
  readonly region?: string;
  readonly mechanism: AccessMechanism;
  readonly targetAuthenticationMode?: AuthenticationMode;
  readonly kubernetesRoleArn?: string;
  readonly handlerRoleArn: string;
  /** The handler, allowed to read the state's one S3 object when it is shipped as an asset. */
  readonly handler: iam.IGrantable;
  readonly serviceToken: string;
  /** Partition of access policy ARNs (a token for partition-agnostic stacks). */
  readonly partition: string;
  /** The cluster's account, when known at synth time (a token otherwise). */
  readonly clusterAccount?: string;
  /** Resolves by-name ClusterRole references; returns the names this payload's owner knows. */
  readonly knownClusterRoles: () => Set<string>;
  /**
   * A short key of the cluster, region and account this payload applies to: part of the custom
   * resource's logical ID, so that pointing the configuration at another cluster is a remove-and-add.
   */
  readonly targetKey: string;
  /** The IAM policy with the handler's permissions on the cluster: the custom resource depends on it. */
  readonly permissions: IDependable;
  /** Migrate the live aws-auth to access entries at deploy time (the main payload only). */
  readonly migrateFromAwsAuth?: boolean;
  /** With `migrateFromAwsAuth`: remove the migrated entries from aws-auth. */
  readonly pruneMigratedAwsAuthEntries?: boolean;
}

/** A by-name reference to a ClusterRole, checked when the state is rendered. */
interface ClusterRoleReference {
  readonly name: string;
  readonly source: string;
}

export class AccessPayload extends Construct {
  public readonly registry: IdentityRegistry;
  public readonly ownerId: string;
  public readonly resource: CustomResource;
  private readonly manifests = new Map<string, { manifest: KubernetesManifest; source: string }>();
  private readonly roleReferences: ClusterRoleReference[] = [];
  private readonly problems: string[] = [];
  /** Set when the state is too large to carry inline and is shipped as an S3 asset. */
  private s3Location?: { readonly s3Bucket: string; readonly s3Key: string; readonly overrides?: string; readonly substitutions?: string };
  private tooLarge?: string;

  constructor(scope: Construct, id: string, private readonly props: AccessPayloadProps) {
    super(scope, id);
    const top = topLevelStack(this);
    this.ownerId = ownerIdFor(top.stackName, this.node.path.slice(top.node.path.length + 1));
    this.registry = new IdentityRegistry(props.partition, props.clusterAccount, props.kubernetesRoleArn);
    this.resource = new CustomResource(this, `Resource${props.targetKey}`, {
      resourceType: 'Custom::EksClusterAccess',
      serviceToken: props.serviceToken,
      properties: {
        inline: Lazy.any({ produce: () => (this.s3Location ? undefined : Stack.of(this).toJsonString(this.render().state)) }),
        s3Bucket: Lazy.any({ produce: () => this.s3Location?.s3Bucket }),
        s3Key: Lazy.any({ produce: () => this.s3Location?.s3Key }),
        overrides: Lazy.any({ produce: () => this.s3Location?.overrides }),
        substitutions: Lazy.any({ produce: () => this.s3Location?.substitutions }),
      },
    });
    // Created after its permissions, and deleted (on removal or a move to another cluster) before them.
    this.resource.node.addDependency(props.permissions);
    // Once every mapping is in (before the tree is synthesized), pick inline or S3.
    const self = this;
    const placement: IAspect = { visit: (node: IConstruct) => { if (node === self) self.placeState(); } };
    Aspects.of(this).add(placement);
    this.node.addValidation({ validate: () => this.validate() });
  }

  /** Adds a manifest; the same object twice must be identical. */
  public addManifest(manifest: KubernetesManifest, source: string): void {
    const key = manifestKey(manifest);
    const existing = this.manifests.get(key);
    if (existing) {
      if (JSON.stringify(existing.manifest) !== JSON.stringify(manifest)) {
        this.problems.push(`${key} is defined twice with different contents: by ${existing.source} and by ${source}`);
      }
      return;
    }
    for (const p of manifestProblems(manifest)) {
      this.problems.push(`${source}: ${p}`);
    }
    this.manifests.set(key, { manifest, source });
  }

  /** Records that a binding refers to a ClusterRole by name only. */
  public addClusterRoleReference(name: string, source: string): void {
    this.roleReferences.push({ name, source });
  }

  /** Records a problem found while mapping (reported when the app synthesizes). */
  public addProblem(problem: string): void {
    this.problems.push(problem);
  }

  /** The ClusterRoles this payload creates. */
  public definedClusterRoles(): string[] {
    return [...this.manifests.values()].filter((m) => m.manifest.kind === 'ClusterRole').map((m) => m.manifest.metadata.name);
  }

  /** The RBAC manifests, in apply order. */
  public manifestList(): KubernetesManifest[] {
    return sortManifests([...this.manifests.values()].map((m) => m.manifest));
  }

  /** The state with both identity forms, plus everything wrong with it. */
  public render(): { state: DesiredClusterAccess; errors: string[]; warnings: string[] } {
    const p = this.props;
    const { awsAuth, accessEntries, report } = this.registry.render(p.mechanism);
    const errors = [...this.problems, ...report.errors];
    const known = this.props.knownClusterRoles();
    for (const ref of this.roleReferences) {
      if (!known.has(ref.name)) {
        errors.push(`${ref.source}: ClusterRole "${ref.name}" is neither built-in (cluster-admin, admin, edit, view) nor defined with KubernetesClusterRole.fromRules in this ClusterAccess; use KubernetesClusterRole.existing("${ref.name}") if the cluster already has it`);
      }
    }
    // A cluster moved to a mode with the access-entry API never reads these from aws-auth.
    const accessEntriesCertain = p.mechanism === 'AUTO' && (p.targetAuthenticationMode === 'API' || p.targetAuthenticationMode === 'API_AND_CONFIG_MAP');
    const warnings = accessEntriesCertain ? report.warnings.filter((w) => !w.includes('has no aws-auth equivalent')) : report.warnings;
    warnings.push(...this.mappingsWithoutPermissions());
    return { state: this.state(awsAuth, accessEntries, this.registry.permissionSets()), errors, warnings };
  }

  /**
   * Mappings with no groups and no access policies whose username no RBAC binding here names: the
   * principal signs in and may do nothing (a username alone grants nothing).
   */
  private mappingsWithoutPermissions(): string[] {
    const boundUsers = new Set<string>();
    for (const { manifest } of this.manifests.values()) {
      for (const subject of (manifest.subjects as { kind?: string; name?: string }[] | undefined) ?? []) {
        if (subject.kind === 'User' && subject.name) boundUsers.add(subject.name);
      }
    }
    return this.registry.withoutPermissions()
      .filter((m) => m.username === undefined || !boundUsers.has(m.username))
      .map((m) => `${m.source}: ${m.label} gets no Kubernetes groups and no access policies${m.username === undefined ? '' : `, and no RBAC binding of this ClusterAccess names its username "${m.username}"`}: it can sign in but do nothing. Give it groups that RBAC binds (groups: [...] and a team's clusterRole or addManifest), or accessPolicies; a username alone grants nothing`);
  }

  private state(awsAuth: DesiredAwsAuth, accessEntries: AccessEntrySpec[], permissionSets: DesiredPermissionSetMapping[]): DesiredClusterAccess {
    const p = this.props;
    return {
      version: DESIRED_STATE_VERSION,
      clusterName: p.clusterName,
      ...(p.region ? { region: p.region } : {}),
      ...(p.clusterAccount ? { account: p.clusterAccount } : {}),
      ownerId: this.ownerId,
      mechanism: p.mechanism,
      ...(p.targetAuthenticationMode ? { targetAuthenticationMode: p.targetAuthenticationMode } : {}),
      ...(p.kubernetesRoleArn ? { kubernetesRoleArn: p.kubernetesRoleArn } : {}),
      handlerRoleArn: p.handlerRoleArn,
      awsAuth,
      accessEntries,
      manifests: this.manifestList(),
      ...(permissionSets.length > 0 ? { permissionSets } : {}),
      ...(p.migrateFromAwsAuth ? { migrateFromAwsAuth: true, pruneMigratedAwsAuthEntries: p.pruneMigratedAwsAuthEntries ?? false } : {}),
    };
  }

  private validate(): string[] {
    const { errors, warnings } = this.render();
    for (const w of warnings) {
      Annotations.of(this).addWarningV2('cdk-eks-access:mapping', w);
    }
    if (errors.length === 0 && this.tooLarge) {
      errors.push(this.tooLarge);
    }
    errors.push(...this.objectCountProblems());
    return errors.map((e) => `${this.node.path}: ${e}`);
  }

  /**
   * More Kubernetes objects than one custom resource applies in its time: the team that makes
   * too many alone, or the batch with its largest teams and the way out.
   */
  private objectCountProblems(): string[] {
    const total = this.manifests.size;
    if (total <= MAX_OBJECTS_PER_RESOURCE) {
      return [];
    }
    const bySource = new Map<string, number>();
    for (const { source } of this.manifests.values()) {
      bySource.set(source, (bySource.get(source) ?? 0) + 1);
    }
    const largest = [...bySource].sort((a, b) => b[1] - a[1]);
    const [top, topCount] = largest[0];
    if (topCount > MAX_OBJECTS_PER_RESOURCE) {
      return [`${top} alone makes ${topCount} Kubernetes objects (namespaces, roles and bindings), more than the ${MAX_OBJECTS_PER_RESOURCE} one custom resource applies within its handler's time; split it into several teams (fewer namespaces each)`];
    }
    return [`this custom resource would apply ${total} Kubernetes objects (namespaces, roles and bindings), more than the ${MAX_OBJECTS_PER_RESOURCE} one applies within its handler's time. `
      + `The largest: ${largest.slice(0, 5).map(([source, n]) => `${source} (${n})`).join(', ')}. Spread the teams over more nested stacks with the ClusterAccess's teamBatches (choose it once: changing it moves teams and re-creates their IAM groups and roles)`];
  }

  /**
   * Keeps the state inline when it fits; otherwise writes it to a file shipped as an S3 asset.
   * A file is written at synth time and cannot hold values CloudFormation resolves at deploy time:
   * those of the envelope (cluster name, handler role) go in `overrides`, every other one (the ARN
   * of a role created in the app) becomes a placeholder whose value travels in `substitutions`.
   */
  private placeState(): void {
    if (this.s3Location || this.tooLarge) {
      return;
    }
    const stack = Stack.of(this);
    const { state, errors } = this.render();
    if (errors.length > 0) {
      return;
    }
    const size = Buffer.byteLength(JSON.stringify(stack.resolve(state)));
    if (size <= INLINE_LIMIT_BYTES) {
      return;
    }
    const deployTime = OVERRIDABLE_FIELDS.filter((f) => typeof state[f] === 'string' && Token.isUnresolved(state[f] as string));
    const fileState: Record<string, unknown> = { ...state };
    deployTime.forEach((f) => delete fileState[f]);
    const values: string[] = [];
    const resolved = stack.resolve(withPlaceholders(fileState, values));
    if (holdsIntrinsics(resolved)) {
      throw new Error(`${this.node.path}: the desired state still holds deploy-time values after they were replaced by placeholders`);
    }
    const overrides: Record<string, unknown> = {};
    deployTime.forEach((f) => { overrides[f] = state[f]; });
    const inlineBytes = Buffer.byteLength(JSON.stringify(stack.resolve({ overrides, values })));
    if (inlineBytes > INLINE_LIMIT_BYTES) {
      this.tooLarge = `the desired state is ${Math.ceil(size / 1024)} KB and is shipped as a file, but its ${values.length} values known only at deploy time (ARNs of roles created in the app) need ${Math.ceil(inlineBytes / 1024)} KB beside it, more than the ${INLINE_LIMIT_BYTES / 1024} KB a custom resource carries. `
        + 'Spread the teams over more nested stacks with the ClusterAccess\'s teamBatches (choose it once: changing it moves teams and re-creates their IAM groups and roles), or split the mappings over several ClusterAccess constructs';
      return;
    }
    // Named by content: the same state always gives the same file (and the same object key). The
    // file is written into the cloud assembly, which this app owns, never to a shared directory.
    const text = JSON.stringify(resolved);
    const hash = createHash('sha256').update(text).digest('hex');
    const fileName = `cdk-eks-access.desired-state.${hash}.json`;
    writeAssemblyFile(Stage.of(this)!.outdir, fileName, text);
    const location = stack.synthesizer.addFileAsset({ fileName, packaging: FileAssetPackaging.FILE, sourceHash: hash });
    // That one object and nothing else of the (bootstrap) bucket: no listing, no other object. In
    // the cluster's own policy, which stays until this resource's Delete ran.
    const read = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${stack.partition}:s3:::${location.bucketName}/${location.objectKey}`] });
    if (this.props.permissions instanceof iam.Policy) {
      this.props.permissions.addStatements(read);
    } else {
      this.props.handler.grantPrincipal.addToPrincipalPolicy(read);
    }
    this.s3Location = {
      s3Bucket: location.bucketName,
      s3Key: location.objectKey,
      overrides: deployTime.length > 0 ? stack.toJsonString(overrides) : undefined,
      substitutions: values.length > 0 ? stack.toJsonString(values) : undefined,
    };
  }
}

/**
 * A copy of `value` with every string holding a token replaced by a placeholder
 * (`${cdk-eks-access:<i>}`), the token string appended to `values` (once per distinct string).
 */
function withPlaceholders(value: unknown, values: string[], seen = new Map<string, number>()): unknown {
  if (typeof value === 'string') {
    if (!Token.isUnresolved(value)) {
      return value;
    }
    if (!seen.has(value)) {
      seen.set(value, values.push(value) - 1);
    }
    return substitutionPlaceholder(seen.get(value)!);
  }
  if (Array.isArray(value)) {
    return value.map((v) => withPlaceholders(v, values, seen));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholders(v, values, seen)]));
  }
  return value;
}

/**
 * Writes `text` to `fileName` in the cloud assembly directory `outdir`, creating the file
 * exclusively: whatever is in its place (a symbolic link, a file with other content) is removed,
 * never followed or written through. A file with the same content is kept (a synth into an
 * assembly directory that already has it).
 */
export function writeAssemblyFile(outdir: string, fileName: string, text: string): void {
  const file = path.join(outdir, fileName);
  try {
    fs.writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  const found = fs.lstatSync(file);
  if (found.isFile() && fs.readFileSync(file, 'utf8') === text) {
    return;
  }
  fs.rmSync(file, { recursive: true, force: true });
  fs.writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
}

/** True when a resolved value still holds CloudFormation intrinsics (`Ref`, `Fn::...`). */
function holdsIntrinsics(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some(holdsIntrinsics);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === 'Ref' || k.startsWith('Fn::') || holdsIntrinsics(v));
  }
  return false;
}

/** The outermost stack (nested stacks have token names). */
function topLevelStack(scope: Construct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  return stack;
}
