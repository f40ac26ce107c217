import * as fc from 'fast-check';
import { Deadline, DeadlineExceededError } from '../../lib/io/deadline';
import { backoffDelay, withRetry } from '../../lib/io/retry';

describe('backoffDelay', () => {
  test('stays within [base/2, min(max, base * 2^(n-1))] for any attempt and randomness', () => {
    const attempts = fc.integer({ min: 1, max: 60 });
    const randoms = fc.double({ min: 0, max: 0.999999, noNaN: true });
    fc.assert(fc.property(attempts, randoms, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 60000 }), (attempt, r, base, max) => {
      const d = backoffDelay(attempt, { baseMs: base, maxMs: max, random: () => r });
      const cap = Math.min(max, base * 2 ** (attempt - 1));
      return d >= Math.min(cap, base / 2) - 1 && d <= cap + 1;
    }));
  });

  test('grows exponentially up to the cap', () => {
    const top = (n: number) => backoffDelay(n, { baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('withRetry', () => {
  const fast = { baseMs: 1, maxMs: 2, random: () => 0 };

  test('retries retryable errors and returns the first success', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      return 'ok';
    }, { ...fast, what: 'testing', deadline: Deadline.in(10_000), maxAttempts: 5, retryable: (e) => ((e as Error).name === 'ThrottlingException' ? 'throttled' : undefined) });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  test('rethrows a non-retryable error at once, unchanged', async () => {
    let calls = 0;
    const error = new Error('bad input');
    await expect(withRetry(async () => {
      calls++;
      throw error;
    }, { ...fast, what: 'testing', deadline: Deadline.in(10_000), maxAttempts: 5, retryable: () => undefined })).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  test('stops after maxAttempts and says so', async () => {
    let calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw new Error('busy');
    }, { ...fast, what: 'writing aws-auth', deadline: Deadline.in(10_000), maxAttempts: 4, retryable: () => 'busy' })).rejects.toThrow(/gave up writing aws-auth after 4 attempt\(s\).*attempt limit reached.*busy/);
    expect(calls).toBe(4);
  });

  test('never sleeps past the deadline', async () => {
    const started = Date.now();
    await expect(withRetry(async () => {
      throw new Error('busy');
    }, { baseMs: 200, maxMs: 200, random: () => 0.5, what: 'waiting', deadline: Deadline.in(500), maxAttempts: 1000, retryable: () => 'busy' })).rejects.toThrow(/time limit is near/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('Deadline.sleep refuses a sleep that would end after the deadline', async () => {
    await expect(Deadline.in(50).sleep(100, 'polling')).rejects.toThrow(DeadlineExceededError);
    expect(Deadline.fromContext({ getRemainingTimeInMillis: () => 20_000 }, 15_000).remainingMs()).toBeLessThanOrEqual(5_000);
  });
});
