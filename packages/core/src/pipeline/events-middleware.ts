import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { Middleware } from './operation.js';
import type { Tracer } from './tracer.js';

/**
 * The `events` step (outermost): emits `operation.start`, `operation.success` and `operation.failure`, opens a
 * tracing span around the whole operation, and makes sure whatever escapes is a `NovaCronError` (or a `TypeError`
 * for programming mistakes) that names the provider and the operation.
 */
export function eventsMiddleware(events: EventBus, tracer: Tracer): Middleware {
  return {
    name: 'events',
    async handle(operation, next) {
      const base = () => ({
        operationId: operation.id,
        operation: operation.name,
        provider: operation.provider,
        attempt: operation.attempt,
      });
      const started = performance.now();
      const span = tracer.startSpan(operation.name, {
        provider: operation.provider,
        operationId: operation.id,
      });
      events.safeEmit('operation.start', base());
      try {
        const result = await next(operation);
        span.end();
        events.safeEmit('operation.success', { ...base(), durationMs: performance.now() - started });
        return result;
      } catch (thrown) {
        if (thrown instanceof TypeError) {
          span.end(thrown);
          throw thrown;
        }
        const error = toNovaCronError(thrown, { provider: operation.provider, operation: operation.name });
        span.end(error);
        events.safeEmit('operation.failure', { ...base(), durationMs: performance.now() - started, error });
        throw error;
      }
    },
  };
}
