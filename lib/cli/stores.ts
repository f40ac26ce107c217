/**
 * Where a command's ConfigMap lives, chosen by its flags: `--file PATH|-` (file mode, optionally
 * `--in-place`) or `--cluster NAME` (live mode, with `--region`, `--profile`, `--role-arn`,
 * `--verbose`). The two are mutually exclusive, and each mode's flags only go with it.
 */
import { fileStore } from './file-store';
import { AwsAuthStore, CliIo, UsageError } from './io';
import { liveStore, LiveStoreDeps, LiveStoreOptions } from './live-store';
import { FlagSpec, Flags, onlyWith, stringFlag } from './options';
import { parsePrincipalArn, principalArnProblem } from '../core/arn';

/** Opens the store a command reads and writes, from its flags. */
export type StoreFactory = (flags: Flags, io: CliIo) => AwsAuthStore;

/** Flags of live mode, accepted by every command. */
export const LIVE_FLAGS: FlagSpec = {
  'cluster': { type: 'string' },
  'region': { type: 'string' },
  'profile': { type: 'string' },
  'role-arn': { type: 'string' },
  'verbose': { type: 'boolean' },
  'timeout': { type: 'string' },
};

/** Flags that only make sense on a file. */
const FILE_ONLY_FLAGS = ['in-place', 'rbac-file'];

/** File mode: `--file PATH|-`, optionally `--in-place`. */
export const openFileStore: StoreFactory = (flags, io) => {
  const path = stringFlag(flags, 'file');
  if (path === undefined || path === '') {
    throw new UsageError('--file or --cluster is required: a ConfigMap file (or - for standard input), or a live EKS cluster');
  }
  return fileStore({ path, inPlace: flags['in-place'] === true }, io);
};

/** The region of `--region`, else AWS_REGION, else AWS_DEFAULT_REGION. */
export function liveRegion(flags: Flags, clusterName: string, env: NodeJS.ProcessEnv = process.env): string {
  const region = stringFlag(flags, 'region') || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(`no AWS region for EKS cluster "${clusterName}": give --region, or set AWS_REGION`);
  }
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError(`"${region}" is not an AWS region name (like us-west-2)`);
  }
  return region;
}

/** `--file` or `--cluster`, whichever is given; `deps` reach the live store (see {@link LiveStoreDeps}). */
export function storeFromFlags(deps: LiveStoreDeps = {}, env: NodeJS.ProcessEnv = process.env): StoreFactory {
  return (flags, io) => {
    const clusterName = stringFlag(flags, 'cluster');
    if (clusterName === undefined) {
      onlyWith(flags, Object.keys(LIVE_FLAGS).filter((f) => f !== 'cluster'), 'cluster');
      return openFileStore(flags, io);
    }
    if (flags.file !== undefined) {
      throw new UsageError('--file and --cluster cannot be used together: edit either a ConfigMap file or a live cluster');
    }
    onlyWith(flags, FILE_ONLY_FLAGS, 'file');
    if (clusterName === '') {
      throw new UsageError('--cluster needs the name of an EKS cluster');
    }
    return liveStore(liveOptions(flags, clusterName, env), io, deps);
  };
}

/** The options of a live command on `clusterName`, from its flags (region, profile, role, verbose, timeout), checked. */
export function liveOptions(flags: Flags, clusterName: string, env: NodeJS.ProcessEnv = process.env): LiveStoreOptions {
  const roleArn = stringFlag(flags, 'role-arn');
  if (roleArn !== undefined) {
    const problem = principalArnProblem(roleArn);
    if (problem !== undefined || parsePrincipalArn(roleArn).kind !== 'role') {
      throw new UsageError(`--role-arn "${roleArn}" is not an IAM role ARN${problem ? ` (${problem})` : ''}`);
    }
  }
  return {
    clusterName,
    region: liveRegion(flags, clusterName, env),
    profile: stringFlag(flags, 'profile'),
    roleArn,
    verbose: flags.verbose === true,
    ...timeoutFlag(flags),
  };
}

/** `--timeout SECONDS`: the time limit of a live command, all retries and waits included. */
function timeoutFlag(flags: Flags): { timeoutMs?: number } {
  const value = stringFlag(flags, 'timeout');
  if (value === undefined) {
    return {};
  }
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1 || seconds > 86_400) {
    throw new UsageError(`--timeout "${value}" is not a number of seconds from 1 to 86400`);
  }
  return { timeoutMs: seconds * 1000 };
}
