/**
 * Drives a fake started in another process through its `/_fake/` control endpoints (same
 * operations as the in-process API, asynchronous).
 */
import { CallFilter, CallRecord } from './call-log';
import { FaultSpec } from './faults';
import { CallerPolicy } from './iam-policy';
import { AccessEntrySeed, AccessEntryView, ClusterSeed, ClusterView, EksFakeSnapshot, UpdateOutcome } from './model';
import { CONTROL_PREFIX, EksFakeSettings } from './server';

export class EksFakeControl {
  /** @param endpoint the fake's endpoint, `http://127.0.0.1:<port>` */
  constructor(private readonly endpoint: string) {}

  public reset(): Promise<void> {
    return this.call('POST', 'reset').then(() => undefined);
  }

  public state(): Promise<EksFakeSnapshot> {
    return this.call('GET', 'state') as Promise<EksFakeSnapshot>;
  }

  public seedCluster(seed: ClusterSeed): Promise<ClusterView> {
    return this.call('POST', 'clusters', seed) as Promise<ClusterView>;
  }

  public seedAccessEntry(clusterName: string, seed: AccessEntrySeed): Promise<AccessEntryView> {
    return this.call('POST', `clusters/${encodeURIComponent(clusterName)}/access-entries`, seed) as Promise<AccessEntryView>;
  }

  public setPrincipalMissing(principalArn: string, missing = true): Promise<void> {
    return this.call('POST', 'principals/missing', { principalArn, missing }).then(() => undefined);
  }

  public completeUpdates(): Promise<void> {
    return this.call('POST', 'updates/complete').then(() => undefined);
  }

  /** The next update ends Failed or Cancelled with these errors (undefined: it succeeds again). */
  public setNextUpdateOutcome(outcome: UpdateOutcome | undefined): Promise<void> {
    return this.call('POST', 'updates/outcome', outcome ?? {}).then(() => undefined);
  }

  /** Gives a caller (or every caller) these IAM permissions (see iam-policy.ts). */
  public setCallerPolicy(policy: CallerPolicy): Promise<void> {
    return this.call('POST', 'caller-policy', policy).then(() => undefined);
  }

  public configure(settings: EksFakeSettings): Promise<void> {
    return this.call('POST', 'settings', settings).then(() => undefined);
  }

  public injectFault(...specs: FaultSpec[]): Promise<void> {
    return this.call('POST', 'faults', specs).then(() => undefined);
  }

  /** Faults not yet used up, with how many calls each still fails. */
  public async pendingFaults(): Promise<(FaultSpec & { remaining: number })[]> {
    return ((await this.call('GET', 'faults')) as { faults: (FaultSpec & { remaining: number })[] }).faults;
  }

  public clearFaults(): Promise<void> {
    return this.call('DELETE', 'faults').then(() => undefined);
  }

  /** Calls matching the filter, their count by operation, and their total. */
  public calls(filter: CallFilter = {}): Promise<{ calls: CallRecord[]; counts: Record<string, number>; total: number }> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined) {
        query.set(key, String(value));
      }
    }
    const q = query.toString();
    return this.call('GET', `calls${q ? `?${q}` : ''}`) as Promise<{ calls: CallRecord[]; counts: Record<string, number>; total: number }>;
  }

  public clearCalls(): Promise<void> {
    return this.call('DELETE', 'calls').then(() => undefined);
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const send = () => fetch(`${this.endpoint}${CONTROL_PREFIX}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      // A kept-alive connection the server closed as it was reused ("fetch failed"): a read may be sent again.
      if (method !== 'GET') {
        throw error;
      }
      response = await send();
    }
    const answer = (await response.json()) as { message?: string };
    if (!response.ok) {
      throw new Error(`fake EKS control ${method} ${path}: ${answer.message ?? response.status}`);
    }
    return answer;
  }
}
