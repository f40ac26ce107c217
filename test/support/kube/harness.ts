/**
 * The whole test control plane, started once per jest run in the parent process: the emulated EKS
 * authenticator (token webhook), etcd and kube-apiserver. Test workers learn how to reach it only
 * through the environment variables in {@link HARNESS_ENV} (see `env.ts`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAuthWebhook } from './auth-webhook';
import { startCluster } from './cluster';
import { makeTestPrincipals, TestPrincipal } from './principals';
import { KubernetesClient } from '../../../lib/io/kube/client';
import { AWS_AUTH_REF } from '../../../lib/io/kube/paths';
import { startEksFake } from '../eks-fake/server';

/** Names of the environment variables through which workers reach the harness. */
export const HARNESS_ENV = {
  endpoint: 'KUBE_HARNESS_ENDPOINT',
  caData: 'KUBE_HARNESS_CA_DATA',
  adminToken: 'KUBE_HARNESS_ADMIN_TOKEN',
  clusterName: 'KUBE_HARNESS_CLUSTER_NAME',
  region: 'KUBE_HARNESS_REGION',
  principals: 'KUBE_HARNESS_PRINCIPALS',
  webhookUrl: 'KUBE_HARNESS_WEBHOOK_URL',
  eksEndpoint: 'KUBE_HARNESS_EKS_ENDPOINT',
  lockDir: 'KUBE_HARNESS_LOCK_DIR',
} as const;

/** The EKS cluster name the API server stands for (what tokens must be minted for). */
export const HARNESS_CLUSTER_NAME = 'integ-cluster';
export const HARNESS_REGION = 'us-west-2';

export interface HarnessOptions {
  /** Directory with etcd and kube-apiserver; default: built (or found cached) by scripts/build-kube.sh. */
  readonly binDir?: string;
}

export interface RunningHarness {
  /** Variables to put in the environment of the test workers. */
  readonly env: Record<string, string>;
  readonly principals: readonly TestPrincipal[];
  readonly workDir: string;
  readonly pids: number[];
  stop(): Promise<void>;
}

/** Runs scripts/build-kube.sh (a no-op when cached) and returns the directory it prints. */
export function buildKubeBinaries(): string {
  const script = resolve(__dirname, '../../../scripts/build-kube.sh');
  // Build progress goes to stderr, so a cold build shows what it is doing.
  return execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim().split('\n').pop()!;
}

export async function startHarness(options: HarnessOptions = {}): Promise<RunningHarness> {
  const binDir = options.binDir ?? buildKubeBinaries();
  const workDir = mkdtempSync(join(tmpdir(), 'cdk-eks-access-kube-'));
  const principals = makeTestPrincipals();
  let admin: KubernetesClient | undefined;
  // The fake EKS service: the authenticator reads its access entries in memory (same process).
  const eks = await startEksFake({ region: HARNESS_REGION });
  const webhook = await startAuthWebhook({
    clusterName: HARNESS_CLUSTER_NAME,
    principals,
    eks: eks.state,
    readAwsAuth: async () => {
      if (!admin) {
        throw new Error('the API server is not up yet');
      }
      return admin.get(AWS_AUTH_REF);
    },
  });
  let cluster;
  try {
    cluster = await startCluster({ binDir, workDir, tokenWebhookUrl: webhook.url });
  } catch (e) {
    await webhook.stop();
    await eks.close();
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  const adminToken = cluster.adminToken;
  // DescribeCluster of any cluster the tests seed reports this API server (reset() keeps settings).
  eks.configure({ clusterEndpoint: cluster.endpoint, certificateAuthorityData: cluster.certificateAuthorityData });
  admin = new KubernetesClient({ endpoint: cluster.endpoint, certificateAuthorityData: cluster.certificateAuthorityData, token: () => adminToken });
  const lockDir = join(workDir, 'locks');
  return {
    env: {
      [HARNESS_ENV.endpoint]: cluster.endpoint,
      [HARNESS_ENV.caData]: cluster.certificateAuthorityData,
      [HARNESS_ENV.adminToken]: adminToken,
      [HARNESS_ENV.clusterName]: HARNESS_CLUSTER_NAME,
      [HARNESS_ENV.region]: HARNESS_REGION,
      [HARNESS_ENV.principals]: JSON.stringify(principals),
      [HARNESS_ENV.webhookUrl]: webhook.url,
      [HARNESS_ENV.eksEndpoint]: eks.endpoint,
      [HARNESS_ENV.lockDir]: lockDir,
    },
    principals,
    workDir,
    pids: cluster.pids,
    stop: async () => {
      admin?.close();
      await cluster.stop();
      await webhook.stop();
      await eks.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
