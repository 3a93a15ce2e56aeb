import { NovaCronError } from '../errors/novacron-error.js';
import { neverAbortedSignal } from '../util/abort.js';
import type { Middleware } from './operation.js';

/**
 * The `timeout` step: gives the operation (all its attempts and the waits between them) a deadline of
 * `limits.timeoutMs`. Its signal becomes `AbortSignal.timeout(timeoutMs)`, joined with the caller's signal by
 * `AbortSignal.any` when there is one, so every later step and the driver listen to the joined signal, never to the
 * caller's own (one caller signal shared by hundreds of calls carries no listener of NovaCron's). When the deadline
 * passes, the operation fails with a non-retryable `TIMEOUT` that names the limit, whatever the driver threw.
 */
export function timeoutMiddleware(): Middleware {
  return {
    name: 'timeout',
    async handle(operation, next) {
      const callerSignal = operation.signal;
      const deadline = AbortSignal.timeout(operation.limits.timeoutMs);
      operation.signal =
        callerSignal === neverAbortedSignal ? deadline : AbortSignal.any([callerSignal, deadline]);
      try {
        return await next(operation);
      } catch (error) {
        if (deadline.aborted && !callerSignal.aborted)
          throw operationTimedOut(operation.provider, operation.name, operation.limits.timeoutMs, error);
        throw error;
      } finally {
        operation.signal = callerSignal;
      }
    },
  };
}

function operationTimedOut(
  provider: string,
  operation: string,
  timeoutMs: number,
  cause: unknown,
): NovaCronError {
  return new NovaCronError({
    code: 'TIMEOUT',
    retryable: false,
    provider,
    operation,
    message: `${operation} on provider '${provider}' did not finish within ${timeoutMs} ms (limits.timeoutMs). Raise limits.${provider}.timeoutMs or check the provider.`,
    cause: NovaCronError.isInstance(cause) ? cause : undefined,
  });
}
