/**
 * Error injection: "the next N calls of operation X (for principal P) fail with error E".
 * A matching fault answers before the operation runs, so the state does not change (unless the
 * fault is `afterApply`: a lost response).
 */
import { EksApiError, PRINCIPAL_NOT_FOUND_MESSAGE, errors, statusForError } from './errors';

/** A fault to inject (JSON-safe: the HTTP control endpoint takes the same shape). */
export interface FaultSpec {
  /** Operation name as in the SDK without `Command` (`CreateAccessEntry`), or `*` for any. */
  readonly operation: string;
  /** How many matching calls fail. Default 1. */
  readonly count?: number;
  /** Error name sent in `X-Amzn-ErrorType` (`ThrottlingException`, `InternalFailure`, ...). */
  readonly errorName: string;
  /** Default: the status of that error in the EKS model (500 for InternalFailure, 429 for throttling). */
  readonly status?: number;
  /** Default: a message like the service's for that error. */
  readonly message?: string;
  /** Only calls about this principal ARN match. */
  readonly principalArn?: string;
  /** Only calls about this cluster match. */
  readonly clusterName?: string;
  /**
   * Run the operation first, then answer the error: the change is made but the caller never
   * learns it (a lost response). Default false: the error answers instead of the operation.
   */
  readonly afterApply?: boolean;
}

/** What a call is about, for matching faults. */
export interface CallSubject {
  readonly operation: string;
  readonly clusterName?: string;
  readonly principalArn?: string;
}

/** Ready-made faults for the failures the handler has to survive. */
export const faults = {
  /** Rate limiting (429), which the SDK and the handler retry. */
  throttling: (operation: string, count = 1): FaultSpec =>
    ({ operation, count, errorName: 'ThrottlingException', message: 'Rate exceeded' }),
  /** An unmodelled 500 from the front end. */
  internalFailure: (operation: string, count = 1): FaultSpec =>
    ({ operation, count, errorName: 'InternalFailure', status: 500, message: 'An internal error has occurred.' }),
  /** The modelled 500 of EKS. */
  serverException: (operation: string, count = 1): FaultSpec =>
    ({ operation, count, errorName: 'ServerException', message: 'These errors are usually caused by a server-side issue.' }),
  /** 503. */
  serviceUnavailable: (operation: string, count = 1): FaultSpec =>
    ({ operation, count, errorName: 'ServiceUnavailableException', message: 'The service is unavailable. Back off and retry the operation.' }),
  /**
   * A principal IAM has not propagated yet: CreateAccessEntry answers as for a principal that
   * does not exist.
   */
  principalNotPropagated: (principalArn: string, count = 1, operation = 'CreateAccessEntry'): FaultSpec =>
    ({ operation, count, principalArn, errorName: 'InvalidParameterException', message: PRINCIPAL_NOT_FOUND_MESSAGE }),
  /** A service quota reached (the model's ResourceLimitExceededException, 400). */
  resourceLimitExceeded: (operation = 'CreateAccessEntry', count = 1): FaultSpec =>
    ({ operation, count, errorName: 'ResourceLimitExceededException', message: 'You have reached the maximum number of resources allowed for this cluster.' }),
  /** The write happens but its answer is lost: the caller sees a 500 and must find out on retry. */
  lostResponse: (operation: string, count = 1): FaultSpec =>
    ({ operation, count, errorName: 'InternalFailure', status: 500, message: 'An internal error has occurred.', afterApply: true }),
  /** An access entry that is not visible yet (eventual consistency right after creation). */
  entryNotFoundYet: (principalArn: string, operation: string, count = 1): FaultSpec =>
    ({ operation, count, principalArn, errorName: 'ResourceNotFoundException', message: errors.accessEntryNotFound('').message }),
};

interface ArmedFault {
  spec: FaultSpec;
  left: number;
}

export class FaultInjector {
  private armed: ArmedFault[] = [];

  /** Arms a fault; faults match in the order they were added. */
  public add(spec: FaultSpec): void {
    if (!spec || typeof spec.operation !== 'string' || typeof spec.errorName !== 'string' || spec.errorName === '') {
      throw new Error('a fault needs an operation (or "*") and an errorName');
    }
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`fault count must be a positive integer, got ${spec.count}`);
    }
    this.armed.push({ spec: { ...spec }, left: count });
  }

  public clear(): void {
    this.armed = [];
  }

  /** Faults not yet used up, with how many calls each still fails. */
  public pending(): (FaultSpec & { remaining: number })[] {
    return this.armed.map((a) => ({ ...a.spec, remaining: a.left }));
  }

  /**
   * The error for this call if an armed fault matches it (using one of its count), and whether
   * the operation runs before the error is answered.
   */
  public take(call: CallSubject): { error: EksApiError; afterApply: boolean } | undefined {
    const index = this.armed.findIndex((a) => matches(a.spec, call));
    if (index < 0) {
      return undefined;
    }
    const fault = this.armed[index];
    fault.left -= 1;
    if (fault.left <= 0) {
      this.armed.splice(index, 1);
    }
    const spec = fault.spec;
    const fields: Record<string, string> = call.clusterName ? { clusterName: call.clusterName } : {};
    const error = new EksApiError(spec.errorName, spec.message ?? `Injected ${spec.errorName} for ${call.operation}`, fields,
      spec.status ?? statusForError(spec.errorName));
    return { error, afterApply: spec.afterApply === true };
  }
}

function matches(spec: FaultSpec, call: CallSubject): boolean {
  return (spec.operation === '*' || spec.operation === call.operation)
    && (spec.principalArn === undefined || spec.principalArn === call.principalArn)
    && (spec.clusterName === undefined || spec.clusterName === call.clusterName);
}
