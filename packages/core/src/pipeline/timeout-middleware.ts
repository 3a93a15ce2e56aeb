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
      const deadline = new AbortController();
      const timer = setTimeout(() => {
        deadline.abort(
          new NovaCronError({
            code: 'TIMEOUT',
            message: `${operation.name} on provider '${operation.provider}' did not finish within ${operation.limits.timeoutMs} ms. Raise limits.${operation.provider}.timeoutMs or check the provider.`,
            provider: operation.provider,
            operation: operation.name,
            retryable: false,
          }),
        );
      }, operation.limits.timeoutMs);
      const callerSignal = operation.signal;
      operation.signal = AbortSignal.any([callerSignal, deadline.signal]);
      try {
        return await next(operation);
      } finally {
        clearTimeout(timer);
        operation.signal = callerSignal;
      }
    },
  };
}
