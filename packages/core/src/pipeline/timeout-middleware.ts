import { NovaCronError } from '../errors/novacron-error.js';
import type { Middleware } from './operation.js';

/**
 * The `timeout` step: gives the operation (all its attempts) a deadline of `limits.timeoutMs` by replacing its
 * signal with one that also aborts, with a `TIMEOUT` error as reason, when the deadline passes.
 */
export function timeoutMiddleware(): Middleware {
  return {
    name: 'timeout',
    async handle(operation, next) {
      // One controller per operation, aborted by the caller's signal or the deadline. (AbortSignal.any would do
      // the same but costs tens of microseconds per call on Node 20.)
      const combined = new AbortController();
      const callerSignal = operation.signal;
      const onCallerAbort = () => combined.abort(callerSignal.reason);
      if (callerSignal.aborted) onCallerAbort();
      else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => {
        combined.abort(
          new NovaCronError({
            code: 'TIMEOUT',
            message: `${operation.name} on provider '${operation.provider}' did not finish within ${operation.limits.timeoutMs} ms. Raise limits.${operation.provider}.timeoutMs or check the provider.`,
            provider: operation.provider,
            operation: operation.name,
            retryable: false,
          }),
        );
      }, operation.limits.timeoutMs);
      operation.signal = combined.signal;
      try {
        return await next(operation);
      } finally {
        clearTimeout(timer);
        callerSignal.removeEventListener('abort', onCallerAbort);
        operation.signal = callerSignal;
      }
    },
  };
}
