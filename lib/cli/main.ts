/**
 * `eks-access`: the command-line tool. {@link main} runs one command line against the given
 * streams and returns the exit code, so that it runs in-process in tests and in the binary alike.
 */
import { FILE_SOURCE_FLAGS } from './access-sources';
import { DIFF_FLAGS, diffCommand } from './diff-command';
import { EXPLAIN_FLAGS, explainCommand, joinCanArguments } from './explain-command';
import {
  CREATE_HELP, DELETE_HELP, DIFF_HELP, EXPLAIN_HELP, GET_HELP, LINT_HELP, MAIN_HELP, MAPPING_HELP,
  MIGRATE_APPLY_HELP, MIGRATE_HELP, MIGRATE_PLAN_HELP, REPORT_HELP,
} from './help';
import { AwsAuthStore, CliIo, EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError } from './io';
import { lintCommand } from './lint-command';
import { LiveStoreDeps } from './live-store';
import { mappingCreate, mappingDelete } from './mapping-edit';
import { mappingGet } from './mapping-get';
import { migrateApply } from './migrate-apply';
import { migratePlan } from './migrate-plan';
import { FlagSpec, Flags, parseFlags } from './options';
import { REPORT_FLAGS, reportCommand } from './report-command';
import { LIVE_FLAGS, StoreFactory, storeFromFlags } from './stores';
import { cliVersion } from './version';
import { AccessConfigError } from '../core/arn';

export type { StoreFactory } from './stores';
export { openFileStore } from './stores';

export interface MainOptions {
  /** Where the ConfigMap lives; by default `--file` (file mode) or `--cluster` (live mode). */
  readonly openStore?: StoreFactory;
  /** Flags every command accepts in addition to its own, for `openStore`; by default live mode's (`--cluster`, `--region`, ...). */
  readonly extraFlags?: FlagSpec;
  /** How `explain`, `report` and `diff` reach a live cluster (tests observe or wrap the connection). */
  readonly live?: LiveStoreDeps;
}

interface Command {
  readonly help: string;
  readonly flags: FlagSpec;
  /** Runs on the aws-auth store the flags name (`--file` or `--cluster`). */
  readonly run?: (flags: Flags, store: AwsAuthStore, io: CliIo) => Promise<number>;
  /** Runs on its own sources (several files, a cluster's access entries and RBAC, an app). */
  readonly runOwn?: (flags: Flags, io: CliIo, options: MainOptions) => Promise<number>;
  /** Rewrites the arguments before they are parsed. */
  readonly preparse?: (args: string[]) => string[];
  /** The time limit on a cluster when `--timeout` is not given (default the store's). */
  readonly liveTimeoutSeconds?: number;
}

const SOURCE_FLAGS: FlagSpec = { file: { type: 'string' } };
const EDIT_FLAGS: FlagSpec = { ...SOURCE_FLAGS, 'in-place': { type: 'boolean' }, 'output': { type: 'string', short: 'o' } };

const COMMANDS: Record<string, Command> = {
  'mapping get': { help: GET_HELP, flags: { ...SOURCE_FLAGS, arn: { type: 'string' }, output: { type: 'string', short: 'o' } }, run: mappingGet },
  'mapping create': {
    help: CREATE_HELP,
    flags: {
      ...EDIT_FLAGS,
      'arn': { type: 'string' },
      'username': { type: 'string' },
      'group': { type: 'string', multiple: true },
      'no-duplicate-arns': { type: 'boolean' },
      'force': { type: 'boolean' },
      'account': { type: 'string' },
      'service-name': { type: 'string' },
      'namespace': { type: 'string' },
      'cluster-account': { type: 'string' },
      'partition': { type: 'string' },
      'rbac-file': { type: 'string' },
    },
    run: mappingCreate,
  },
  'mapping delete': { help: DELETE_HELP, flags: { ...EDIT_FLAGS, arn: { type: 'string' }, all: { type: 'boolean' }, account: { type: 'string' } }, run: mappingDelete },
  'lint': { help: LINT_HELP, flags: { ...SOURCE_FLAGS, output: { type: 'string', short: 'o' } }, run: lintCommand },
  'migrate plan': {
    help: MIGRATE_PLAN_HELP,
    flags: {
      ...SOURCE_FLAGS,
      'output': { type: 'string', short: 'o' },
      'access-entries': { type: 'string' },
      'mode': { type: 'string' },
      'principal-arn': { type: 'string', multiple: true },
      'managed-node-role': { type: 'string', multiple: true },
      'fargate-role': { type: 'string', multiple: true },
      'cluster-account': { type: 'string' },
    },
    run: migratePlan,
  },
  'migrate apply': {
    help: MIGRATE_APPLY_HELP,
    flags: {
      'target-mode': { type: 'string' },
      'remove-migrated': { type: 'boolean' },
      'yes': { type: 'boolean', short: 'y' },
      'principal-arn': { type: 'string', multiple: true },
    },
    run: migrateApply,
    liveTimeoutSeconds: 1800,
  },
  'explain': {
    help: EXPLAIN_HELP,
    flags: { ...FILE_SOURCE_FLAGS, ...EXPLAIN_FLAGS },
    preparse: joinCanArguments,
    runOwn: (flags, io, options) => explainCommand(flags, io, options.live),
  },
  'diff': {
    help: DIFF_HELP,
    flags: { ...DIFF_FLAGS },
    runOwn: (flags, io, options) => diffCommand(flags, io, options.live),
  },
  'report': {
    help: REPORT_HELP,
    flags: { ...FILE_SOURCE_FLAGS, ...REPORT_FLAGS },
    runOwn: (flags, io, options) => reportCommand(flags, io, options.live),
  },
};

/** Verbs that take a sub-command, and their help. */
const GROUPS: Record<string, string> = { mapping: MAPPING_HELP, migrate: MIGRATE_HELP };

/** Runs one command line (without the program name) and returns its exit code. */
export async function main(argv: string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  const [verb, sub] = argv;
  if (verb === undefined) {
    io.stderr(MAIN_HELP);
    return EXIT_USAGE;
  }
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout(MAIN_HELP);
    return EXIT_OK;
  }
  if (verb === '--version') {
    io.stdout(`eks-access ${cliVersion()}\n`);
    return EXIT_OK;
  }
  const takesSub = GROUPS[verb] !== undefined;
  if (takesSub && (sub === undefined || sub === '--help' || sub === '-h')) {
    (sub === undefined ? io.stderr : io.stdout)(GROUPS[verb]);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const name = takesSub ? `${verb} ${sub}` : verb;
  const command = COMMANDS[name];
  if (!command) {
    return usage(io, `unknown command "${name}"`, takesSub ? `eks-access ${verb} --help` : 'eks-access --help');
  }
  try {
    const args = argv.slice(takesSub ? 2 : 1);
    const common = command.runOwn ? LIVE_FLAGS : options.extraFlags ?? LIVE_FLAGS;
    const flags = parseFlags(command.preparse ? command.preparse(args) : args, { ...common, ...command.flags });
    if (flags.help) {
      io.stdout(command.help);
      return EXIT_OK;
    }
    if (command.runOwn) {
      return await command.runOwn(flags, io, options);
    }
    if (command.liveTimeoutSeconds !== undefined && flags.cluster !== undefined && flags.timeout === undefined) {
      flags.timeout = String(command.liveTimeoutSeconds);
    }
    const store = (options.openStore ?? storeFromFlags())(flags, io);
    try {
      return await command.run!(flags, store, io);
    } finally {
      await store.close?.();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      return usage(io, e.message, `eks-access ${name} --help`);
    }
    const message = e instanceof AccessConfigError ? e.message : `${(e as Error).message ?? String(e)}`;
    io.stderr(`eks-access: ${message}\n`);
    return EXIT_ERROR;
  }
}

function usage(io: CliIo, message: string, helpCommand: string): number {
  io.stderr(`eks-access: ${message}\nRun "${helpCommand}" for usage.\n`);
  return EXIT_USAGE;
}
