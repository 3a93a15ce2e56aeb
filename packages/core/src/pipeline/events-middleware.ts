import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { OperationEventBase } from '../events/novacron-events.js';
import type { Middleware, Operation } from './operation.js';
import { noopTracer, type Tracer } from './tracer.js';

/**
 * The `events` step (outermost): emits `operation.start`, `operation.success` and `operation.failure`, opens a
 * tracing span around the whole operation, and makes sure whatever escapes is a `NovaCronError` (or a `TypeError`
 * for programming mistakes) that names the provider and the operation. Event payloads are built only when someone
 * listens, and spans only when a tracer is set, so an unobserved client pays almost nothing here.
 */
export function eventsMiddleware(events: EventBus, tracer: Tracer): Middleware {
  const tracing = tracer !== noopTracer;
  const base = (operation: Operation<unknown>): OperationEventBase => ({
    operationId: operation.id,
    operation: operation.name,
    provider: operation.provider,
    attempt: operation.attempt,
  });
  return {
    name: 'events',
    async handle(operation, next) {
      const timed = events.listenerCount('operation.success') + events.listenerCount('operation.failure') > 0;
      const started = timed ? performance.now() : 0;
      const span = tracing
        ? tracer.startSpan(operation.name, { provider: operation.provider, operationId: operation.id })
        : undefined;
      if (events.listenerCount('operation.start') > 0) events.safeEmit('operation.start', base(operation));
      try {
        const result = await next(operation);
        span?.end();
        if (events.listenerCount('operation.success') > 0) {
          events.safeEmit('operation.success', {
            ...base(operation),
            durationMs: performance.now() - started,
          });
        }
        return result;
      } catch (thrown) {
        if (thrown instanceof TypeError) {
          span?.end(thrown);
          throw thrown;
        }
        const error = toNovaCronError(thrown, { provider: operation.provider, operation: operation.name });
        span?.end(error);
        if (events.listenerCount('operation.failure') > 0) {
          events.safeEmit('operation.failure', {
            ...base(operation),
            durationMs: performance.now() - started,
            error,
          });
        }
        throw error;
      }
    },
  };
}
