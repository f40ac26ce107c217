/**
 * One writer at a time per cluster: a `coordination.k8s.io` Lease in `kube-system`, taken and
 * renewed with `resourceVersion` compare-and-swap, that expires when its holder stops renewing it
 * (a killed Lambda never blocks the others for long). EKS has no compare-and-swap on access
 * entries, so two handlers that read an entry, add their group and write it back would lose one of
 * the groups; under the lease, every read-modify-write of access entries and owner records on one
 * cluster happens in turn.
 */
import { randomBytes } from 'crypto';
import { Deadline, DeadlineExceededError } from './deadline';
import { collectionPath, KubeObject, KubernetesApi, kubeReason, kubeStatus, objectPath } from './kubernetes-api';
import { Logger } from './log';
import { OWNERSHIP_PREFIX } from '../core/desired-state';

/** The lease every writer of this library on one cluster takes. */
export const LEASE_NAME = 'cdk-eks-access';
export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_PATH = objectPath('Lease', LEASE_NAME, LEASE_NAMESPACE);

export interface LeaseOptions {
  readonly kube: KubernetesApi;
  /** Who takes it (an owner ID); a random suffix makes each holder unique. */
  readonly holder: string;
  readonly deadline: Deadline;
  readonly log: Logger;
  /** A holder that has not renewed for this long has lost the lease; default 30 s. */
  readonly durationSeconds?: number;
  /** Renewal period while held; default a third of the duration. */
  readonly renewEveryMs?: number;
  /** Longest pause between two looks at a lease held by someone else; default 1 s. */
  readonly pollMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

/** Thrown when a held lease was lost (it expired and another writer took it). */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** A held lease. */
export class ClusterLease {
  /** Waits for the lease and takes it; throws {@link DeadlineExceededError} naming its holder if it never frees up in time. */
  public static async acquire(options: LeaseOptions): Promise<ClusterLease> {
    const lease = new ClusterLease(options, `${options.holder}/${randomBytes(4).toString('hex')}`);
    await lease.take();
    return lease;
  }

  private resourceVersion?: string;
  private timer?: NodeJS.Timeout;
  private lostReason?: string;
  private renewing?: Promise<void>;
  private readonly now: () => number;

  private constructor(private readonly options: LeaseOptions, public readonly identity: string) {
    this.now = options.now ?? Date.now;
  }

  /** Throws {@link LeaseLostError} when the lease is no longer held: call before each group of writes. */
  public assertHeld(what: string): void {
    if (this.lostReason) {
      throw new LeaseLostError(`lost the cluster lease (${this.lostReason}) before ${what}; nothing after this step was changed. Re-run the deployment.`);
    }
  }

  /**
   * Gives the lease up. With `deleteIfUnused` the Lease object itself is deleted (the last owner of
   * this library left the cluster), unless someone changed it meanwhile. Never throws.
   */
  public async release(deleteIfUnused = false): Promise<void> {
    this.stopRenewing();
    await this.renewing?.catch(() => undefined);
    if (this.lostReason || !this.resourceVersion) {
      return;
    }
    const { kube, log } = this.options;
    try {
      if (deleteIfUnused) {
        await kube.delete(LEASE_PATH, { resourceVersion: this.resourceVersion });
      } else {
        await kube.replace(LEASE_PATH, leaseObject({ leaseDurationSeconds: this.duration() }, this.resourceVersion));
      }
      log.info('released the cluster lease', { lease: LEASE_PATH, deleted: deleteIfUnused });
    } catch (error) {
      // Another writer may already hold it again after expiry; it expires on its own otherwise.
      log.warn('could not release the cluster lease; it expires on its own', { error: (error as Error).message });
    }
    this.resourceVersion = undefined;
  }

  private async take(): Promise<void> {
    const { kube, deadline, log } = this.options;
    let waited = false;
    for (;;) {
      const current = await kube.get(LEASE_PATH);
      const spec = (current?.spec ?? {}) as LeaseSpec;
      if (current === undefined || this.isFree(spec)) {
        if (await this.tryTake(current, spec)) {
          log.info('took the cluster lease', { lease: LEASE_PATH, holder: this.identity, waited });
          this.startRenewing();
          return;
        }
        continue; // someone else moved first: look again at once
      }
      waited = true;
      const pause = this.pauseMs(spec);
      if (pause >= deadline.remainingMs()) {
        throw new DeadlineExceededError(`ran out of time waiting for the cluster lease ${LEASE_NAMESPACE}/${LEASE_NAME}, held by ${spec.holderIdentity}; another deployment of cdk-eks-access is changing this cluster. Re-run the deployment when it is done.`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Creates or updates the lease with this holder; false when another writer won the race. */
  private async tryTake(current: KubeObject | undefined, spec: LeaseSpec): Promise<boolean> {
    const time = microTime(this.now());
    const mine: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.duration(),
      acquireTime: time,
      renewTime: time,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (current ? 1 : 0),
    };
    try {
      const written = current === undefined
        ? await this.options.kube.create(collectionPath('Lease', LEASE_NAMESPACE), leaseObject(mine))
        : await this.options.kube.replace(LEASE_PATH, leaseObject(mine, current.metadata.resourceVersion));
      this.resourceVersion = written.metadata.resourceVersion;
      return true;
    } catch (error) {
      const reason = kubeReason(error);
      if (kubeStatus(error) === 409 && (reason === 'AlreadyExists' || reason === 'Conflict' || reason === undefined)) {
        return false;
      }
      if (kubeStatus(error) === 404) {
        return false; // deleted by its last user between our read and our update
      }
      throw error;
    }
  }

  private isFree(spec: LeaseSpec): boolean {
    if (!spec.holderIdentity) {
      return true;
    }
    const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
    const duration = (spec.leaseDurationSeconds ?? this.duration()) * 1000;
    return Number.isNaN(renewed) || renewed + duration < this.now();
  }

  /** How long to wait before looking again: until expiry at most, with jitter so waiters spread out. */
  private pauseMs(spec: LeaseSpec): number {
    const renewed = Date.parse(spec.renewTime ?? '');
    const expiresIn = Number.isNaN(renewed) ? 0 : renewed + (spec.leaseDurationSeconds ?? this.duration()) * 1000 - this.now();
    const poll = this.options.pollMs ?? 1_000;
    const random = this.options.random ?? Math.random;
    return Math.max(50, Math.min(Math.max(expiresIn, 0) + 50, Math.round(poll / 4 + random() * poll * 3 / 4)));
  }

  private duration(): number {
    return this.options.durationSeconds ?? 30;
  }

  private startRenewing(): void {
    const every = this.options.renewEveryMs ?? Math.round((this.duration() * 1000) / 3);
    this.timer = setInterval(() => {
      if (!this.renewing) {
        this.renewing = this.renew().finally(() => (this.renewing = undefined));
      }
    }, every);
    this.timer.unref();
  }

  private stopRenewing(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async renew(): Promise<void> {
    if (this.lostReason || !this.resourceVersion) {
      return;
    }
    const { kube, log } = this.options;
    try {
      const current = await kube.get(LEASE_PATH);
      const spec = (current?.spec ?? {}) as LeaseSpec;
      if (!current || spec.holderIdentity !== this.identity) {
        this.lose(current ? `now held by ${spec.holderIdentity ?? 'nobody'}` : 'it was deleted');
        return;
      }
      const written = await kube.replace(LEASE_PATH, leaseObject({ ...spec, renewTime: microTime(this.now()) }, current.metadata.resourceVersion));
      this.resourceVersion = written.metadata.resourceVersion;
    } catch (error) {
      // A missed renewal is not yet a loss: the lease lasts three renewal periods.
      log.warn('could not renew the cluster lease', { error: (error as Error).message });
    }
  }

  private lose(reason: string): void {
    this.lostReason = reason;
    this.stopRenewing();
    this.options.log.warn('lost the cluster lease', { reason });
  }
}

/** The Lease object to write. */
function leaseObject(spec: LeaseSpec, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: LEASE_NAME,
      namespace: LEASE_NAMESPACE,
      labels: { [`${OWNERSHIP_PREFIX}/lease`]: 'true' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec,
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
