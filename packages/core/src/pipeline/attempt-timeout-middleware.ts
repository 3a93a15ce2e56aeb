import { NovaCronError } from '../errors/novacron-error.js';
import { startDeadline } from '../util/deadline.js';
import type { Middleware, Next, Operation } from './operation.js';

/**
 * The `attempt-timeout` step, closest to the driver: gives each attempt its own deadline of
 * `limits.attemptTimeoutMs` (when one is set, by the user or as the driver's default), counted from when the attempt
 * leaves the queue. The driver's signal aborts with a
 * `TimeoutError` reason when it passes, and the attempt fails with a retryable `TIMEOUT`, which the retry step repeats
 * when the operation is safe to repeat (idempotent, or a create with its key), as smithy's request timeout does: one
 * response held open forever costs one attempt, not the whole operation deadline.
 */
export function attemptTimeoutMiddleware(): Middleware {
  return {
    name: 'attempt-timeout',
    handle(operation, next) {
      const { attemptTimeoutMs, timeoutMs } = operation.limits;
      if (attemptTimeoutMs === undefined || attemptTimeoutMs >= timeoutMs) return next(operation);
      return withAttemptDeadline(operation, next, attemptTimeoutMs);
    },
  };
}

async function withAttemptDeadline<TResult>(
  operation: Operation<TResult>,
  next: Next,
  attemptTimeoutMs: number,
): Promise<TResult> {
  const operationSignal = operation.signal;
  const deadline = startDeadline(
    attemptTimeoutMs,
    () => `attempt ${operation.attempt} of ${operation.name} reached its deadline (limits.attemptTimeoutMs)`,
    operationSignal,
  );
  operation.signal = deadline.signal;
  try {
    return await next(operation);
  } catch (error) {
    if (deadline.timedOut && !operationSignal.aborted) {
      throw new NovaCronError({
        code: 'TIMEOUT',
        retryable: true,
        provider: operation.provider,
        operation: operation.name,
        message: `Attempt ${operation.attempt} of ${operation.name} on provider '${operation.provider}' got no answer within ${attemptTimeoutMs} ms (limits.attemptTimeoutMs).`,
        cause: NovaCronError.isInstance(error) ? error : undefined,
      });
    }
    throw error;
  } finally {
    deadline.clear();
    operation.signal = operationSignal;
  }
}
