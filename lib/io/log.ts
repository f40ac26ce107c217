/**
 * Structured JSON logs: one line per event, CloudWatch-friendly. Values that look like
 * credentials (bearer tokens, `k8s-aws-v1.` tokens, secret keys) never reach a log line.
 */

/** Fields of a log line; `msg` is the human summary. */
export type LogFields = Record<string, unknown>;

/** Where log lines go (console in Lambda; an array in tests). */
export type LogSink = (line: string) => void;

const SECRET_KEY = /token|secret|password|authorization|credential|sessiontoken|certificate/i;
const SECRET_VALUE = /(k8s-aws-v1\.[A-Za-z0-9_-]+|Bearer\s+\S+)/g;

/** Replaces credential-looking values and keys with a marker (recursively, cycle-safe). */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') {
    return value.replace(SECRET_VALUE, '[redacted]');
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (seen.has(value)) {
    return '[cycle]';
  }
  seen.add(value);
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, seen));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, seen);
  }
  return out;
}

/** The services whose calls are logged. */
export type ApiName = 'eks' | 'kubernetes' | 'sts' | 's3' | 'iam' | 'cloudformation';

/** A logger that writes one JSON object per line and carries fixed context fields. */
export class Logger {
  /** Every line written, newest last (kept small: the handler logs tens of lines per run). */
  public readonly lines: LogFields[] = [];

  constructor(
    private readonly context: LogFields = {},
    private readonly sink: LogSink = (line) => console.log(line),
  ) {}

  /** A logger with additional context fields, sharing this logger's sink and line record. */
  public child(context: LogFields): Logger {
    const child = new Logger({ ...this.context, ...context }, this.sink);
    (child as { lines: LogFields[] }).lines = this.lines;
    return child;
  }

  public info(msg: string, fields: LogFields = {}): void {
    this.write('info', msg, fields);
  }

  public warn(msg: string, fields: LogFields = {}): void {
    this.write('warn', msg, fields);
  }

  public error(msg: string, fields: LogFields = {}): void {
    this.write('error', msg, fields);
  }

  /** One line per API call: which API, method, path or operation, status, attempt. */
  public apiCall(fields: {
    api: ApiName; method?: string; path?: string; operation?: string; status: number | string; attempt?: number; ms?: number;
  }): void {
    this.write('info', 'api call', fields);
  }

  /** The warnings written so far (for the response's Data and for tests). */
  public warnings(): string[] {
    return this.lines.filter((l) => l.level === 'warn').map((l) => String(l.msg));
  }

  private write(level: string, msg: string, fields: LogFields): void {
    const line = redact({ time: new Date().toISOString(), level, msg, ...this.context, ...fields }) as LogFields;
    this.lines.push(line);
    this.sink(JSON.stringify(line));
  }
}
