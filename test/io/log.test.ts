import { Logger, redact } from '../../lib/io/log';

describe('structured logs', () => {
  test('one JSON object per line with the context fields', () => {
    const lines: string[] = [];
    const log = new Logger({ requestId: 'r1' }, (l) => lines.push(l)).child({ cluster: 'c' });
    log.apiCall({ api: 'kubernetes', method: 'GET', path: '/api/v1/namespaces', status: 200, attempt: 1 });
    log.warn('careful');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'info', msg: 'api call', requestId: 'r1', cluster: 'c', api: 'kubernetes', method: 'GET', status: 200, attempt: 1 }),
      expect.objectContaining({ level: 'warn', msg: 'careful' }),
    ]);
    expect(log.warnings()).toEqual(['careful']);
  });

  test('never writes a token or a secret', () => {
    const lines: string[] = [];
    const log = new Logger({}, (l) => lines.push(l));
    log.error('failed', {
      error: 'GET /api: 401 Unauthorized (token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u)',
      headers: { 'Authorization': 'Bearer abc.def', 'x-amz-security-token': 'FwoGZXIvYXdzE' },
      credentials: { secretAccessKey: 'wJalrXUtnFEMI' },
      note: 'Bearer xyz',
    });
    const text = lines.join('\n');
    for (const secret of ['aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8', 'abc.def', 'FwoGZXIvYXdzE', 'wJalrXUtnFEMI', 'xyz']) {
      expect(text).not.toContain(secret);
    }
    expect(redact({ a: [{ sessionToken: 's' }] })).toEqual({ a: [{ sessionToken: '[redacted]' }] });
  });
});
