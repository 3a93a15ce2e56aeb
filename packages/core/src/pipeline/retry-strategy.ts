import type { NovaCronError } from '../errors/novacron-error.js';
import type { Operation } from './operation.js';

/** Decides whether and when to try an operation again. */
export interface RetryStrategy {
  /** Milliseconds to wait before the next attempt, or `undefined` to give up and throw `error`. */
  nextDelay(error: NovaCronError, operation: Operation<unknown>): number | undefined;
}

/**
 * Exponential backoff with full jitter (delay drawn from [0, min(maxDelay, base * 2^(attempt-1))]), honouring a
 * provider's `Retry-After`. Retries only retryable errors, and only operations that are idempotent, carry an
 * idempotency key, or were throttled (refused before doing anything), up to `limits.retry.maxAttempts`.
 */
export class ExponentialBackoffStrategy implements RetryStrategy {
  constructor(private readonly random: () => number = Math.random) {}

  nextDelay(error: NovaCronError, operation: Operation<unknown>): number | undefined {
    const { maxAttempts, baseDelayMs, maxDelayMs } = operation.limits.retry;
    if (!error.retryable) return undefined;
    // A throttled call was refused before it did anything, so even a non-idempotent one may be sent again.
    const safeToRepeat =
      operation.idempotent || operation.idempotencyKey !== undefined || error.code === 'THROTTLED';
    if (!safeToRepeat) return undefined;
    if (operation.attempt >= maxAttempts) return undefined;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (operation.attempt - 1));
    const jittered = this.random() * ceiling;
    return error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, jittered) : jittered;
  }
}
