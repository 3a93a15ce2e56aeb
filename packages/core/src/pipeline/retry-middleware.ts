import { NovaCronError } from '../errors/novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import { sleep } from '../util/abort.js';
import type { Middleware, Next, Operation } from './operation.js';
import type { RetryStrategy } from './retry-strategy.js';

/**
 * The `retry` step: asks the strategy after every failed attempt and waits (cancellably) before the next. Each
 * retry decision is emitted as `operation.retry` and reported to the operation's span. The error it finally lets
 * through records the attempts made (`error.attempts`; after more than one, the message says so).
 */
export function retryMiddleware(strategy: RetryStrategy, events: EventBus): Middleware {
  /** After a failed attempt: waits as the strategy says and tries again, until it says stop. */
  async function retryAfter<TResult>(
    failure: unknown,
    operation: Operation<TResult>,
    next: Next,
  ): Promise<TResult> {
    let error = failure;
    for (;;) {
      if (!NovaCronError.isInstance(error) || operation.signal.aborted) throw givenUp(error, operation);
      const delayMs = strategy.nextDelay(error, operation);
      if (delayMs === undefined) throw givenUp(error, operation);
      events.safeEmit('operation.retry', {
        operationId: operation.id,
        operation: operation.name,
        provider: operation.provider,
        attempt: operation.attempt,
        delayMs,
        error,
      });
      operation.span?.retry?.({ attempt: operation.attempt, delayMs, error });
      try {
        await sleep(delayMs, operation.signal);
      } catch {
        // Cancelled while backing off: report the last real failure, with the cancellation as its context.
        throw givenUp(error, operation);
      }
      operation.attempt += 1;
      try {
        return await next(operation);
      } catch (thrown) {
        error = thrown;
      }
    }
  }

  return {
    name: 'retry',
    // The first attempt (which almost always succeeds) pays for one `catch`, not an async frame.
    handle<TResult>(operation: Operation<TResult>, next: Next): Promise<TResult> {
      let attempt: Promise<TResult>;
      try {
        attempt = next(operation);
      } catch (error) {
        // A step after this one that throws instead of rejecting is retried all the same.
        return retryAfter(error, operation, next);
      }
      return attempt.catch((error: unknown) => retryAfter(error, operation, next));
    },
  };
}

/** The error the step lets through: a `NovaCronError` records the attempts made; anything else goes as it is. */
function givenUp(error: unknown, operation: Operation<unknown>): unknown {
  return NovaCronError.isInstance(error) ? error.withAttempts(operation.attempt) : error;
}
