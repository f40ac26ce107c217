/**
 * What the CLI talks to: standard streams, and the store the `aws-auth` ConfigMap lives in. Tests
 * pass in-memory versions; the `eks-access` binary passes the process's own.
 */

/** Standard input and output of one run. */
export interface CliIo {
  /** All of standard input (read only when a command asks for `--file -`). */
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Where the `aws-auth` ConfigMap comes from and where an edited one goes: a file or standard
 * streams today, a live cluster tomorrow, behind the same two calls.
 */
export interface AwsAuthStore {
  /** For messages: `file cm.yaml`, `standard input`. */
  readonly description: string;
  /** The ConfigMap as text (YAML or JSON), or undefined when there is none (a cluster without aws-auth). */
  load(): Promise<string | undefined>;
  /** Stores the edited ConfigMap, given as rendered text. */
  save(text: string): Promise<void>;
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
  };
}
