import type { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { OperationEventBase } from '../events/novacron-events.js';
import type { Middleware, Next, Operation } from './operation.js';
import { noopTracer, type Span, type Tracer } from './tracer.js';

/**
 * The `events` step (outermost): emits `operation.start`, `operation.success` and `operation.failure`, and opens a
 * tracing span around the whole operation (set as `operation.span`, so the retry step reports its decisions to it
 * and each attempt runs through it); the failure event and the span carry the error as a `NovaCronError` (or
 * a `TypeError` for programming mistakes) that names the provider and the operation. Event payloads are built only
 * when someone listens, and spans only when a tracer is set: an unobserved client passes straight through. (The
 * client's operation runner, around the whole stack, normalises what reaches the caller in every case.)
 */
export function eventsMiddleware(events: EventBus, tracer: Tracer): Middleware {
  const tracing = tracer !== noopTracer;
  const base = (operation: Operation<unknown>): OperationEventBase => ({
    operationId: operation.id,
    operation: operation.name,
    provider: operation.provider,
    attempt: operation.attempt,
  });
  const observed = (): boolean =>
    tracing ||
    events.listenerCount('operation.start') > 0 ||
    events.listenerCount('operation.success') > 0 ||
    events.listenerCount('operation.failure') > 0;
  return {
    name: 'events',
    handle(operation, next) {
      // Unobserved (the common case): straight on. The client's operation runner, outside the stack, still turns
      // whatever escapes into a NovaCronError (or lets a TypeError through), so callers see the same errors.
      if (!observed()) return next(operation);
      return observe(operation, next);
    },
  };

  /** Opens the operation's span and hands it to the inner steps (the retry step and the attempt call use it). */
  function startSpan(operation: Operation<unknown>): Span {
    const span = tracer.startSpan(operation.name, {
      provider: operation.provider,
      operationId: operation.id,
      driverKind: operation.driverKind,
      region: operation.region,
      idempotencyKey: operation.idempotencyKey,
    });
    operation.span = span;
    return span;
  }

  async function observe<TResult>(operation: Operation<TResult>, next: Next): Promise<TResult> {
    const timed = events.listenerCount('operation.success') + events.listenerCount('operation.failure') > 0;
    const started = timed ? performance.now() : 0;
    const span = tracing ? startSpan(operation) : undefined;
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
      const error = asPipelineError(thrown, operation);
      span?.end(error);
      if (error instanceof TypeError) throw error;
      if (events.listenerCount('operation.failure') > 0) {
        events.safeEmit('operation.failure', {
          ...base(operation),
          durationMs: performance.now() - started,
          error,
        });
      }
      throw error;
    }
  }
}

/** A `TypeError` (a programming mistake) as it is; anything else as a NovaCronError naming provider and operation. */
function asPipelineError(thrown: unknown, operation: Operation<unknown>): NovaCronError | TypeError {
  if (thrown instanceof TypeError) return thrown;
  return toNovaCronError(thrown, { provider: operation.provider, operation: operation.name });
}
