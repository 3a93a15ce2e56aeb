import { NovaCronError } from '../errors/novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import { sleep } from '../util/abort.js';
import type { Middleware } from './operation.js';
import type { RetryStrategy } from './retry-strategy.js';

/** The `retry` step: asks the strategy after every failed attempt and waits (cancellably) before the next. */
export function retryMiddleware(strategy: RetryStrategy, events: EventBus): Middleware {
  return {
    name: 'retry',
    async handle(operation, next) {
      for (;;) {
        try {
          return await next(operation);
        } catch (error) {
          if (!NovaCronError.isInstance(error) || operation.signal.aborted) throw error;
          const delayMs = strategy.nextDelay(error, operation);
          if (delayMs === undefined) throw error;
          events.safeEmit('operation.retry', {
            operationId: operation.id,
            operation: operation.name,
            provider: operation.provider,
            attempt: operation.attempt,
            delayMs,
            error,
          });
          try {
            await sleep(delayMs, operation.signal);
          } catch {
            // Cancelled while backing off: report the last real failure, with the cancellation as its context.
            throw error;
          }
          operation.attempt += 1;
        }
      }
    },
  };
}
