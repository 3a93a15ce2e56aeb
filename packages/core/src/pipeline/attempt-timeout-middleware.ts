import { NovaCronError } from '../errors/novacron-error.js';
import type { Middleware } from './operation.js';

/**
 * The `attempt-timeout` step, closest to the driver: gives each attempt its own deadline of
 * `limits.attemptTimeoutMs`, counted from when the attempt leaves the queue. The driver's signal aborts with a
 * `TimeoutError` reason when it passes, and the attempt fails with a retryable `TIMEOUT`, which the retry step repeats
 * when the operation is safe to repeat (idempotent, or a create with its key), as smithy's request timeout does: one
 * response held open forever costs one attempt, not the whole operation deadline.
 */
export function attemptTimeoutMiddleware(): Middleware {
  return {
    name: 'attempt-timeout',
    async handle(operation, next) {
      const operationSignal = operation.signal;
      const { attemptTimeoutMs } = operation.limits;
      if (attemptTimeoutMs >= operation.limits.timeoutMs) return next(operation);
      const deadline = AbortSignal.timeout(attemptTimeoutMs);
      operation.signal = AbortSignal.any([operationSignal, deadline]);
      try {
        return await next(operation);
      } catch (error) {
        if (deadline.aborted && !operationSignal.aborted) {
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
        operation.signal = operationSignal;
      }
    },
  };
}
