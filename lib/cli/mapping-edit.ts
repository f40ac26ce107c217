/** `eks-access mapping create` and `mapping delete`: eksctl's edits, on a file or a live cluster. */
import * as yaml from 'js-yaml';
import { replaceAtomically } from './file-store';
import { AwsAuthStore, CliIo, EXIT_OK, UsageError } from './io';
import { LoadedConfigMap, loadFromStore, parseStoreText } from './load';
import { Flags, exactlyOne, listFlag, onlyWith, outputFlag, stringFlag } from './options';
import { AccessConfigError, parsePrincipalArn, principalArnProblem } from '../core/arn';
import {
  AwsAuthConfigMap, EditResult, RoleMapping, UserMapping, addAccount, addIdentityMapping, addServiceMapping, awsAuthProblems,
  removeAccount, removeIdentityMapping, renderAwsAuthJson, renderAwsAuthYaml,
} from '../core/aws-auth';

export async function mappingCreate(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['yaml', 'json'], 'yaml');
  const kind = exactlyOne(flags, ['arn', 'account', 'service-name']);
  if (kind !== 'arn') onlyWith(flags, ['username', 'group', 'no-duplicate-arns', 'force'], 'arn');
  if (kind !== 'service-name') onlyWith(flags, ['namespace', 'cluster-account', 'partition', 'rbac-file'], 'service-name');
  const namespace = stringFlag(flags, 'namespace');
  if (kind === 'service-name' && !namespace) {
    throw new UsageError('--namespace is required with --service-name');
  }
  refuseOutputOnLiveStore(flags, store);
  // On a cluster, its own ARN says where the service-linked role lives.
  const cluster = kind === 'service-name' ? accountAndPartition(await store.clusterArn?.()) : undefined;

  let manifests: object[] | undefined;
  await applyEdit(store, io, flags, output, ({ configMap }) => {
    if (kind === 'arn') {
      const result = addIdentityMapping(configMap, {
        arn: stringFlag(flags, 'arn')!,
        username: stringFlag(flags, 'username'),
        groups: listFlag(flags, 'group'),
        noDuplicateArns: flags['no-duplicate-arns'] === true,
      });
      return guardNewMapping(configMap, result, flags.force === true);
    }
    if (kind === 'account') {
      return addAccount(configMap, stringFlag(flags, 'account')!);
    }
    const service = addServiceMapping(configMap, {
      serviceName: stringFlag(flags, 'service-name')!,
      namespace: namespace!,
      accountId: stringFlag(flags, 'cluster-account') ?? cluster?.accountId ?? clusterAccount(configMap),
      partition: stringFlag(flags, 'partition') ?? cluster?.partition,
    });
    manifests = service.manifests;
    return service;
  });
  if (manifests !== undefined) {
    await deliverRbac(manifests, store, io, stringFlag(flags, 'rbac-file'));
  }
  return EXIT_OK;
}

export async function mappingDelete(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['yaml', 'json'], 'yaml');
  const kind = exactlyOne(flags, ['arn', 'account']);
  if (kind !== 'arn') onlyWith(flags, ['all'], 'arn');
  refuseOutputOnLiveStore(flags, store);
  await applyEdit(store, io, flags, output, ({ configMap, missing }) => {
    if (missing) {
      throw new AccessConfigError(`${store.description} does not exist: there is no aws-auth to delete from`);
    }
    return kind === 'arn'
      ? removeIdentityMapping(configMap, stringFlag(flags, 'arn')!, { all: flags.all === true })
      : removeAccount(configMap, stringFlag(flags, 'account')!);
  });
  return EXIT_OK;
}

/**
 * The rules of `eks-access lint` guard what `mapping create` writes: a new entry that lint finds
 * an error in (it never does what it says, such as a `{{SessionNme}}` template the authenticator
 * does not expand) is refused, unless `force` (an error is sometimes deliberate), in which case it
 * is written with the errors as warnings. Lint's warnings on the entry are passed on as warnings.
 */
function guardNewMapping(before: AwsAuthConfigMap, result: EditResult, force: boolean): EditResult {
  if (!result.changed) {
    return result;
  }
  const { entry, location } = newEntry(before, result.configMap);
  const alone: AwsAuthConfigMap = { ...result.configMap, mapRoles: [], mapUsers: [], mapAccounts: [], otherData: {} };
  const lintable = location.startsWith('mapRoles') ? { ...alone, mapRoles: [entry as RoleMapping] } : { ...alone, mapUsers: [entry as UserMapping] };
  // The edit already warns of a missing username, and of the ARN being mapped already.
  const problems = awsAuthProblems(lintable).filter((p) => !/^no username|^duplicate/.test(p.message));
  const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
  const warnings = problems.filter((p) => p.severity === 'warning').map((p) => `${location}: ${p.message}`);
  if (errors.length > 0 && !force) {
    throw new AccessConfigError(`refusing to write ${location}, which eks-access lint finds errors in (nothing was written):\n- ${errors.join('\n- ')}\nFix the mapping, or give --force to write it as it is`);
  }
  const forced = errors.map((e) => `${location} written despite a lint error (--force): ${e}`);
  return { ...result, warnings: [...result.warnings, ...forced, ...warnings] };
}

/** The entry `addIdentityMapping` appended, and where. */
function newEntry(before: AwsAuthConfigMap, after: AwsAuthConfigMap): { entry: RoleMapping | UserMapping; location: string } {
  if (after.mapRoles.length > before.mapRoles.length) {
    return { entry: after.mapRoles[after.mapRoles.length - 1], location: `mapRoles[${after.mapRoles.length - 1}]` };
  }
  return { entry: after.mapUsers[after.mapUsers.length - 1], location: `mapUsers[${after.mapUsers.length - 1}]` };
}

/** Edits computed from the loaded ConfigMap; may run more than once (see {@link AwsAuthStore.update}). */
type Edit = (loaded: LoadedConfigMap) => EditResult;

/**
 * Runs `edit` against the store and reports its warnings. A store that updates in one step (a
 * cluster) gets the edit itself, so that a concurrent change is re-read and nothing is lost; an
 * unchanged ConfigMap is not written. Otherwise the result is saved (printed, or with `--in-place`
 * written to the file unless unchanged).
 */
async function applyEdit(store: AwsAuthStore, io: CliIo, flags: Flags, output: string, edit: Edit): Promise<void> {
  if (store.update) {
    let result: EditResult | undefined;
    const update = await store.update((text) => {
      result = edit(parseStoreText(text, store.description));
      return result.changed ? renderAwsAuthJson(result.configMap) : undefined;
    });
    reportWarnings(result!, io);
    // An edit is refused (it throws) before anything is written; here it was written or needed no write.
    const rounds = update.attempts > 1 ? ` (in ${update.attempts} rounds: another writer changed it meanwhile, and its changes were kept)` : '';
    io.stderr(update.written ? `${update.created ? 'created' : 'updated'} ${store.description}${rounds}\n` : `${store.description} unchanged: nothing to write\n`);
    return;
  }
  const result = edit(await loadFromStore(store));
  reportWarnings(result, io);
  if (!result.changed && flags['in-place'] === true) {
    return;
  }
  await store.save(output === 'json' ? renderAwsAuthJson(result.configMap) : renderAwsAuthYaml(result.configMap));
}

function reportWarnings(result: EditResult, io: CliIo): void {
  for (const warning of result.warnings) {
    io.stderr(`warning: ${warning}\n`);
  }
}

/** On a cluster the edited ConfigMap is written, not printed: `-o` would do nothing. */
function refuseOutputOnLiveStore(flags: Flags, store: AwsAuthStore): void {
  if (store.update && flags.output !== undefined) {
    throw new UsageError('-o/--output only goes with --file here: on a cluster the ConfigMap is written, not printed (show it with "eks-access mapping get")');
  }
}

/** A service mapping's RBAC: applied to the cluster, written to `--rbac-file`, or printed to standard error. */
async function deliverRbac(manifests: object[], store: AwsAuthStore, io: CliIo, target: string | undefined): Promise<void> {
  if (store.applyObjects) {
    const applied = await store.applyObjects(manifests);
    io.stderr(`applied the service's RBAC: ${applied.join(', ')}\n`);
    return;
  }
  const rbac = manifests.map((m) => yaml.dump(m, { lineWidth: -1, noRefs: true })).join('---\n');
  if (target) {
    await replaceAtomically(target, rbac);
    io.stderr(`RBAC for the service written to ${target}; apply it with kubectl apply -f ${target}\n`);
  } else {
    io.stderr(`# RBAC the service needs; apply it with kubectl apply -f -\n${rbac}`);
  }
}

/** Account and partition of an ARN (`arn:aws:eks:eu-west-1:111122223333:cluster/prod`), or undefined. */
function accountAndPartition(arn: string | undefined): { accountId: string; partition: string } | undefined {
  const parts = arn?.split(':') ?? [];
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' ? { partition: parts[1], accountId: parts[4] } : undefined;
}

/** The account of the cluster, taken from the role mappings when they all agree. */
function clusterAccount(configMap: AwsAuthConfigMap): string {
  const arns = configMap.mapRoles.flatMap((r) => (r.rolearn && !principalArnProblem(r.rolearn) ? [r.rolearn] : []));
  const accounts = new Set(arns.map((arn) => parsePrincipalArn(arn).accountId));
  if (accounts.size !== 1) {
    throw new UsageError(`--cluster-account is required: the role mappings name ${accounts.size === 0 ? 'no account' : `several accounts (${[...accounts].join(', ')})`}`);
  }
  return [...accounts][0];
}
