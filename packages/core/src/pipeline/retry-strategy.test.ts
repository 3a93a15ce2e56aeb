import { describe, expect, it } from 'vitest';
import { NovaCronError } from '../errors/novacron-error.js';
import { resolveLimits } from './limits.js';
import type { Operation } from './operation.js';
import { ExponentialBackoffStrategy } from './retry-strategy.js';

const operation = (overrides: Partial<Operation<unknown>> = {}): Operation<unknown> => ({
  id: 'op',
  name: 'vms.get',
  provider: 'sim',
  driverKind: 'sim',
  region: undefined,
  input: undefined,
  idempotent: true,
  limits: resolveLimits(
    { default: { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 } } },
    'sim',
  ),
  signal: new AbortController().signal,
  attempt: 1,
  run: async () => undefined,
  ...overrides,
});
const throttled = new NovaCronError({ code: 'THROTTLED', message: 'slow down' });

describe('ExponentialBackoffStrategy', () => {
  it('draws full-jitter delays under a doubling ceiling capped at maxDelayMs', () => {
    const strategy = new ExponentialBackoffStrategy(() => 0.999_999);
    expect(strategy.nextDelay(throttled, operation({ attempt: 1 }))).toBeCloseTo(100, 0);
    expect(strategy.nextDelay(throttled, operation({ attempt: 2 }))).toBeCloseTo(200, 0);
    expect(strategy.nextDelay(throttled, operation({ attempt: 3 }))).toBeCloseTo(400, 0);
    expect(new ExponentialBackoffStrategy(() => 0).nextDelay(throttled, operation({ attempt: 3 }))).toBe(0);
    const capped = operation({
      attempt: 3,
      limits: resolveLimits({ default: { retry: { maxAttempts: 10, maxDelayMs: 250 } } }, 'x'),
    });
    expect(strategy.nextDelay(throttled, capped)).toBeLessThanOrEqual(250);
  });

  it('honours Retry-After', () => {
    const strategy = new ExponentialBackoffStrategy(() => 0.5);
    const error = new NovaCronError({ code: 'THROTTLED', message: 'slow', retryAfterMs: 2_000 });
    expect(strategy.nextDelay(error, operation())).toBe(2_000);
  });

  it('gives up on non-retryable errors, after maxAttempts, and on unkeyed non-idempotent calls unless throttled', () => {
    const strategy = new ExponentialBackoffStrategy(() => 0.5);
    expect(
      strategy.nextDelay(new NovaCronError({ code: 'CONFLICT', message: 'no' }), operation()),
    ).toBeUndefined();
    expect(strategy.nextDelay(throttled, operation({ attempt: 4 }))).toBeUndefined();
    const unavailable = new NovaCronError({ code: 'UNAVAILABLE', message: 'connection reset' });
    expect(strategy.nextDelay(unavailable, operation({ idempotent: false }))).toBeUndefined();
    expect(strategy.nextDelay(throttled, operation({ idempotent: false }))).toBe(50);
    expect(strategy.nextDelay(unavailable, operation({ idempotent: false, idempotencyKey: 'k' }))).toBe(50);
  });
});
