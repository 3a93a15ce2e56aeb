import { NovaCronError } from '../errors/novacron-error.js';
import { neverAbortedSignal } from '../util/abort.js';
import { type Deadline, startDeadline } from '../util/deadline.js';
import { SharedDeadlines } from '../util/shared-deadlines.js';
import type { Middleware } from './operation.js';

/**
 * The `timeout` step: gives the operation (all its attempts and the waits between them) a deadline of
 * `limits.timeoutMs`. An operation without a caller signal joins a deadline shared with those of its provider that
 * started in the same 10 ms ({@link SharedDeadlines}); one with a caller signal gets its own, joined with the
 * caller's by `AbortSignal.any`, so later steps and the driver never add listeners to the caller's own signal (one
 * signal shared by hundreds of calls stays free of NovaCron's listeners). When the deadline passes, the operation
 * fails with a non-retryable `TIMEOUT` that names the limit, whatever the driver threw.
 */
export function timeoutMiddleware(): Middleware {
  const shared = new SharedDeadlines();
  return {
    name: 'timeout',
    async handle(operation, next) {
      const callerSignal = operation.signal;
      const { timeoutMs } = operation.limits;
      let deadline: Deadline;
      if (callerSignal === neverAbortedSignal) {
        deadline = shared.join(operation.provider, timeoutMs);
        operation.signal = deadline.signal;
      } else {
        deadline = startDeadline(
          timeoutMs,
          () => `${operation.name} reached its deadline (limits.timeoutMs)`,
        );
        operation.signal = AbortSignal.any([callerSignal, deadline.signal]);
      }
      try {
        return await next(operation);
      } catch (error) {
        if (deadline.timedOut && !callerSignal.aborted) {
          throw new NovaCronError({
            code: 'TIMEOUT',
            retryable: false,
            provider: operation.provider,
            operation: operation.name,
            message: `${operation.name} on provider '${operation.provider}' did not finish within ${timeoutMs} ms (limits.timeoutMs). Raise limits.${operation.provider}.timeoutMs or check the provider.`,
            cause: NovaCronError.isInstance(error) ? error : undefined,
          });
        }
        throw error;
      } finally {
        deadline.clear();
        operation.signal = callerSignal;
      }
    },
  };
}
