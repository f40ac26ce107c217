/**
 * The log of every API call the fake answered, so tests can assert what a run did
 * ("a no-op re-apply made zero write calls").
 */

/** Operations that change state. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateCluster', 'UpdateClusterConfig',
  'CreateAccessEntry', 'UpdateAccessEntry', 'DeleteAccessEntry',
  'AssociateAccessPolicy', 'DisassociateAccessPolicy',
  'TagResource', 'UntagResource',
]);

/** One answered call. */
export interface CallRecord {
  /** 1, 2, ... in the order calls arrived. */
  readonly seq: number;
  /** SDK operation name without `Command`, or `Unknown`. */
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly clusterName?: string;
  readonly principalArn?: string;
  readonly policyArn?: string;
  /** ISO time the call arrived. */
  readonly time: string;
  /** HTTP status answered. */
  readonly status: number;
  /** Error name answered, when the call failed. */
  readonly errorName?: string;
  /** True when the error came from an injected fault. */
  readonly injected: boolean;
  /** True for operations that change state (whether or not they succeeded). */
  readonly write: boolean;
  /** Access key ID from the SigV4 Authorization header, when signed. */
  readonly accessKeyId?: string;
}

/** Which calls to count or list. */
export interface CallFilter {
  readonly operation?: string;
  readonly clusterName?: string;
  readonly principalArn?: string;
  /** Only writes (true) or only reads (false). */
  readonly write?: boolean;
  /** Only successful calls (true) or only failed ones (false). */
  readonly ok?: boolean;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  public add(record: Omit<CallRecord, 'seq' | 'write'>): CallRecord {
    const full: CallRecord = { ...record, seq: ++this.seq, write: WRITE_OPERATIONS.has(record.operation) };
    this.records.push(full);
    return full;
  }

  /** Forgets every call; numbering starts again at 1. */
  public clear(): void {
    this.records = [];
    this.seq = 0;
  }

  /** Calls matching the filter, oldest first. */
  public calls(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter((r) => matches(r, filter)).map((r) => ({ ...r }));
  }

  /** How many calls match the filter. */
  public count(filter: CallFilter = {}): number {
    return this.records.filter((r) => matches(r, filter)).length;
  }

  /** Calls by operation name. */
  public counts(filter: CallFilter = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.records) {
      if (matches(r, filter)) {
        counts[r.operation] = (counts[r.operation] ?? 0) + 1;
      }
    }
    return counts;
  }
}

function matches(r: CallRecord, f: CallFilter): boolean {
  return (f.operation === undefined || r.operation === f.operation)
    && (f.clusterName === undefined || r.clusterName === f.clusterName)
    && (f.principalArn === undefined || r.principalArn === f.principalArn)
    && (f.write === undefined || r.write === f.write)
    && (f.ok === undefined || (r.status < 300) === f.ok);
}
