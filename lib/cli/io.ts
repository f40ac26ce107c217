/**
 * What the CLI talks to: standard streams, and the store the `aws-auth` ConfigMap lives in. Tests
 * pass in-memory versions; the `eks-access` binary passes the process's own.
 */
import type { ClusterInfo } from '../io/cluster';
import type { Deadline } from '../io/deadline';
import type { EksSender } from '../io/eks-api';
import type { KubernetesApi } from '../io/kubernetes-api';
import type { Logger } from '../io/log';

/** Standard input and output of one run. */
export interface CliIo {
  /** All of standard input (read only when a command asks for `--file -`). */
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Asks a question on the terminal and returns the answer; undefined when there is no terminal
   * to ask on (then a command that needs a confirmation wants `--yes`).
   */
  prompt?(question: string): Promise<string | undefined>;
}

/** A live cluster and the clients the migration commands use on it, with the caller's credentials. */
export interface LiveCluster {
  readonly info: ClusterInfo;
  readonly kube: KubernetesApi;
  readonly eks: EksSender;
  readonly iam: EksSender;
  readonly log: Logger;
  readonly deadline: Deadline;
}

/**
 * Where the `aws-auth` ConfigMap comes from and where an edited one goes: a file, standard
 * streams, or a live cluster, behind the same calls.
 */
export interface AwsAuthStore {
  /** For messages: `file cm.yaml`, `standard input`, `kube-system/aws-auth on EKS cluster "prod"`. */
  readonly description: string;
  /** The ConfigMap as text (YAML or JSON), or undefined when there is none (a cluster without aws-auth). */
  load(): Promise<string | undefined>;
  /** Stores the edited ConfigMap, given as rendered text. */
  save(text: string): Promise<void>;
  /**
   * Read, edit and write as one step, for stores that another writer can change at the same time
   * (a live cluster). `edit` gets the current text (undefined: there is none) and returns the text
   * to store, or undefined to store nothing; it runs again on the newest text when another writer
   * got in first, and whatever it throws aborts the update with nothing written. Stores without
   * it are loaded, edited and saved.
   */
  update?(edit: (current: string | undefined) => string | undefined): Promise<StoreUpdate>;
  /**
   * The ARN of the cluster the ConfigMap lives in, for stores that live in one: its account and
   * partition are those of the cluster's service-linked roles.
   */
  clusterArn?(): Promise<string | undefined>;
  /** Creates or updates Kubernetes objects next to the ConfigMap (a service mapping's RBAC), for stores that live in a cluster. */
  applyObjects?(objects: readonly object[]): Promise<string[]>;
  /**
   * For stores that live in a cluster: runs `fn` with the cluster's clients; a failure comes back
   * as a message that names the cluster and says what to do (like every call of the store).
   * `action` says what `fn` does, for that message ("plan the migration").
   */
  withCluster?<T>(action: string, fn: (cluster: LiveCluster) => Promise<T>): Promise<T>;
  /** Releases connections; called once when the command is done. */
  close?(): Promise<void>;
}

/** What {@link AwsAuthStore.update} did. */
export interface StoreUpdate {
  /** True when the ConfigMap was written (created or replaced). */
  readonly written: boolean;
  /** True when it did not exist and was created. */
  readonly created: boolean;
  /** Read-edit-write rounds (more than 1 when another writer changed it in between). */
  readonly attempts: number;
}

/** A command-line mistake: reported with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    prompt: async (question) => {
      if (!process.stdin.isTTY) {
        return undefined;
      }
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
