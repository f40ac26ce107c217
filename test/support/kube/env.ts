/**
 * The test side of the harness: how a test (in a jest worker) reaches the shared API server, the
 * emulated authenticator and the EKS fake. Everything comes from environment variables that the
 * global setup exported; nothing else is shared with the parent process.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { AuthDecision } from './auth-webhook';
import { HARNESS_ENV } from './harness';
import { deriveCredentials, TestPrincipal } from './principals';
import { eksTokenProvider, mintEksToken } from '../../../lib/io/eks-token';
import { KubernetesCallRecord, KubernetesClient } from '../../../lib/io/kube/client';
import { EksFakeControl } from '../eks-fake/control-client';

export interface KubeHarness {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA (DescribeCluster's form). */
  readonly certificateAuthorityData: string;
  /** Static `system:masters` token; for test setup and assertions only. */
  readonly adminToken: string;
  /** The EKS cluster name the API server stands for. */
  readonly clusterName: string;
  readonly region: string;
  readonly principals: readonly TestPrincipal[];
  /** The emulated authenticator (`GET /decisions`). */
  readonly webhookUrl: string;
  /** The EKS fake's endpoint (SDK calls and `/_fake/` control). */
  readonly eksEndpoint: string;
  readonly lockDir: string;
}

/** True when the global setup started the harness for this run. */
export function kubeHarnessAvailable(): boolean {
  return !!process.env[HARNESS_ENV.endpoint];
}

/** The harness's connection info; throws a clear error when the global setup did not start it. */
export function kubeHarness(): KubeHarness {
  const get = (name: string) => {
    const value = process.env[name];
    if (!value) {
      throw new Error(`${name} is not set: the Kubernetes test harness was not started. Run the tests through jest with the project's config (its globalSetup starts it; KUBE_HARNESS=off disables it).`);
    }
    return value;
  };
  return {
    endpoint: get(HARNESS_ENV.endpoint),
    certificateAuthorityData: get(HARNESS_ENV.caData),
    adminToken: get(HARNESS_ENV.adminToken),
    clusterName: get(HARNESS_ENV.clusterName),
    region: get(HARNESS_ENV.region),
    principals: JSON.parse(get(HARNESS_ENV.principals)) as TestPrincipal[],
    webhookUrl: get(HARNESS_ENV.webhookUrl),
    eksEndpoint: get(HARNESS_ENV.eksEndpoint),
    lockDir: get(HARNESS_ENV.lockDir),
  };
}

/** The test principal named `name` (`handler`, `admin`, `dev`, `viewer`, `ops`, `outsider`). */
export function testPrincipal(name: string): TestPrincipal {
  const found = kubeHarness().principals.find((p) => p.name === name);
  if (!found) {
    throw new Error(`no test principal "${name}" (have ${kubeHarness().principals.map((p) => p.name).join(', ')})`);
  }
  return found;
}

/** The base AWS credentials of a test principal (only the harness's emulated STS accepts them). */
export function credentialsOf(name: string): AwsCredentialIdentity {
  const p = testPrincipal(name);
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken };
}

/**
 * A new credential set of the principal: its own access key ID, secret and session token, as a new
 * AssumeRole would give. kube-apiserver caches every successful token authentication for 10 s (a
 * built-in default no flag changes), keyed by the token; tokens signed with different credentials
 * never collide, so code under test that mints its own tokens sees the current aws-auth and access
 * entries when it gets fresh credentials for every run.
 */
export function freshCredentialsOf(name: string): AwsCredentialIdentity {
  return deriveCredentials(testPrincipal(name));
}

/** A new EKS token for the principal (from fresh credentials, so never equal to an earlier one), for the harness cluster or `clusterName`. */
export async function tokenFor(name: string, clusterName = kubeHarness().clusterName): Promise<string> {
  return (await mintEksToken({ clusterName, region: kubeHarness().region, credentials: freshCredentialsOf(name) })).token;
}

export interface HarnessClientOptions {
  readonly onCall?: (call: KubernetesCallRecord) => void;
  readonly maxAttempts?: number;
}

/** A client authenticated with the static admin token. */
export function adminClient(options: HarnessClientOptions = {}): KubernetesClient {
  const h = kubeHarness();
  return new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: h.certificateAuthorityData, token: () => h.adminToken, ...options });
}

/**
 * A client authenticated as a test principal, through an EKS token and the emulated authenticator.
 * Each client has its own credentials and token (see {@link freshCredentialsOf}): make a new client
 * after changing a mapping.
 */
export function clientAs(name: string, options: HarnessClientOptions = {}): KubernetesClient {
  const h = kubeHarness();
  const token = eksTokenProvider({ clusterName: h.clusterName, region: h.region, credentials: freshCredentialsOf(name) });
  return new KubernetesClient({ endpoint: h.endpoint, certificateAuthorityData: h.certificateAuthorityData, token, ...options });
}

/** Control of the EKS fake (seed clusters and access entries, faults, call log, reset). */
export function eksFake(): EksFakeControl {
  return new EksFakeControl(kubeHarness().eksEndpoint);
}

/** SDK client settings that reach the EKS fake (the fake checks that requests are signed, not by whom). */
export function eksClientConfig(): { endpoint: string; region: string; credentials: AwsCredentialIdentity } {
  const h = kubeHarness();
  return { endpoint: h.eksEndpoint, region: h.region, credentials: credentialsOf('handler') };
}

/** The authenticator's recent decisions, newest last (why a token was refused). */
export async function authDecisions(): Promise<AuthDecision[]> {
  const res = await fetch(`${kubeHarness().webhookUrl}/decisions`);
  return (await res.json()) as AuthDecision[];
}
