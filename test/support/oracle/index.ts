/**
 * The differential-test oracle: the released aws-iam-authenticator and eksctl code, compiled into
 * one Go program (test/oracle, built and cached by scripts/build-oracle.sh) that answers JSON
 * requests on standard input, one per line. One process serves a whole test file.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..', '..');

/** How the authenticator's `configmap.ParseMap` reads a ConfigMap's data. */
export interface OracleParse {
  readonly mapRoles: Array<{
    rolearn?: string;
    sso?: { permissionSetName: string; accountID: string; partition?: string };
    username: string;
    groups: string[] | null;
    userid?: string;
  }>;
  readonly mapUsers: Array<{ userarn: string; username: string; groups: string[] | null; userid?: string }>;
  readonly mapAccounts: string[];
  /** The error ParseMap reports (it still returns what it could read), or "". */
  readonly error: string;
}

export interface OracleCaller {
  readonly arn: string;
  readonly userId?: string;
  readonly accessKeyId?: string;
  readonly ec2PrivateDnsName?: string;
}

/** Every identity the authenticator may give the caller (several when stored entries tie). */
export interface OracleResolution {
  readonly canonicalArn?: string;
  readonly error?: string;
  readonly identities: Array<{ username: string; groups: string[]; source: string; error?: string }>;
}

/** One `eksctl create|delete iamidentitymapping` step. */
export interface OracleEdit {
  readonly arn?: string;
  readonly username?: string;
  readonly groups?: string[];
  readonly noDuplicateArns?: boolean;
  readonly account?: string;
  readonly all?: boolean;
  readonly delete?: boolean;
  readonly serviceName?: string;
  readonly clusterAccount?: string;
  readonly partition?: string;
}

export interface OracleEditResult {
  /** eksctl's error, or "" when the edit was saved. */
  readonly error: string;
  /** The ConfigMap's data afterwards (unchanged when eksctl refused). */
  readonly data: Record<string, string>;
}

/** Builds the oracle if needed (cached) and returns the directory holding it. */
export function buildOracle(): string {
  return execFileSync('bash', [join(ROOT, 'scripts', 'build-oracle.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export class Oracle {
  /** Starts the oracle (building it first when the cache lacks it). */
  static start(): Oracle {
    return new Oracle(buildOracle());
  }

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';

  private constructor(readonly dir: string) {
    this.child = spawn(join(dir, 'aws-auth-oracle'), [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + String(d)).slice(-4096); }); // for messages only
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  /** The upstream versions the oracle was built from (`module version` lines). */
  versions(): string {
    return readFileSync(join(this.dir, 'versions.txt'), 'utf8').trim();
  }

  /** eksctl's own emr-containers RBAC asset, as shipped in its module. */
  emrContainersAsset(): string {
    return readFileSync(join(this.dir, 'emr-containers-rbac.yaml'), 'utf8');
  }

  parse(data: Record<string, string>): Promise<OracleParse> {
    return this.ask({ op: 'parse', data });
  }

  resolve(data: Record<string, string>, callers: readonly OracleCaller[]): Promise<OracleResolution[]> {
    return this.ask({ op: 'resolve', data, callers });
  }

  eksctl(data: Record<string, string>, edit: OracleEdit): Promise<OracleEditResult> {
    return this.ask({ op: 'eksctl', data, edit });
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) {
      await new Promise((resolve) => this.child.once('exit', resolve));
    }
  }

  private ask<T>(request: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        let answer: unknown;
        try {
          answer = JSON.parse(line);
        } catch {
          reject(new Error(`oracle: not a JSON answer: ${line.slice(0, 200)}`));
          return;
        }
        if (answer && typeof answer === 'object' && 'fatal' in answer) {
          reject(new Error(`oracle: ${(answer as { fatal: string }).fatal}`));
        } else {
          resolve(answer as T);
        }
      });
      this.child.stdin.write(JSON.stringify(request) + '\n', (e) => e && reject(new Error(`oracle: ${e.message}; ${this.stderr}`)));
    });
  }
}
