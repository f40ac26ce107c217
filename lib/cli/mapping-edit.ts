/** `eks-access mapping create` and `mapping delete`: eksctl's edits, on a file. */
import * as yaml from 'js-yaml';
import { replaceAtomically } from './file-store';
import { AwsAuthStore, CliIo, EXIT_OK, UsageError } from './io';
import { loadFromStore } from './load';
import { Flags, exactlyOne, listFlag, onlyWith, outputFlag, stringFlag } from './options';
import { AccessConfigError, parsePrincipalArn, principalArnProblem } from '../core/arn';
import {
  AwsAuthConfigMap, EditResult, addAccount, addIdentityMapping, addServiceMapping, removeAccount,
  removeIdentityMapping, renderAwsAuthJson, renderAwsAuthYaml,
} from '../core/aws-auth';

export async function mappingCreate(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['yaml', 'json'], 'yaml');
  const kind = exactlyOne(flags, ['arn', 'account', 'service-name']);
  if (kind !== 'arn') onlyWith(flags, ['username', 'group', 'no-duplicate-arns'], 'arn');
  if (kind !== 'service-name') onlyWith(flags, ['namespace', 'cluster-account', 'partition', 'rbac-file'], 'service-name');
  const { configMap } = await loadFromStore(store);

  let result: EditResult;
  let rbac: string | undefined;
  if (kind === 'arn') {
    result = addIdentityMapping(configMap, {
      arn: stringFlag(flags, 'arn')!,
      username: stringFlag(flags, 'username'),
      groups: listFlag(flags, 'group'),
      noDuplicateArns: flags['no-duplicate-arns'] === true,
    });
  } else if (kind === 'account') {
    result = addAccount(configMap, stringFlag(flags, 'account')!);
  } else {
    const namespace = stringFlag(flags, 'namespace');
    if (!namespace) {
      throw new UsageError('--namespace is required with --service-name');
    }
    const service = addServiceMapping(configMap, {
      serviceName: stringFlag(flags, 'service-name')!,
      namespace,
      accountId: stringFlag(flags, 'cluster-account') ?? clusterAccount(configMap),
      partition: stringFlag(flags, 'partition'),
    });
    result = service;
    rbac = service.manifests.map((m) => yaml.dump(m, { lineWidth: -1, noRefs: true })).join('---\n');
  }
  await finish(result, store, io, flags, output);
  if (rbac !== undefined) {
    const target = stringFlag(flags, 'rbac-file');
    if (target) {
      await replaceAtomically(target, rbac);
      io.stderr(`RBAC for the service written to ${target}; apply it with kubectl apply -f ${target}\n`);
    } else {
      io.stderr(`# RBAC the service needs; apply it with kubectl apply -f -\n${rbac}`);
    }
  }
  return EXIT_OK;
}

export async function mappingDelete(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['yaml', 'json'], 'yaml');
  const kind = exactlyOne(flags, ['arn', 'account']);
  if (kind !== 'arn') onlyWith(flags, ['all'], 'arn');
  const { configMap, missing } = await loadFromStore(store);
  if (missing) {
    throw new AccessConfigError(`${store.description} does not exist: there is no aws-auth to delete from`);
  }
  const result = kind === 'arn'
    ? removeIdentityMapping(configMap, stringFlag(flags, 'arn')!, { all: flags.all === true })
    : removeAccount(configMap, stringFlag(flags, 'account')!);
  await finish(result, store, io, flags, output);
  return EXIT_OK;
}

/** Reports warnings and stores the result (an unchanged ConfigMap is not rewritten in place). */
async function finish(result: EditResult, store: AwsAuthStore, io: CliIo, flags: Flags, output: string): Promise<void> {
  for (const warning of result.warnings) {
    io.stderr(`warning: ${warning}\n`);
  }
  if (!result.changed && flags['in-place'] === true) {
    return;
  }
  await store.save(output === 'json' ? renderAwsAuthJson(result.configMap) : renderAwsAuthYaml(result.configMap));
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
