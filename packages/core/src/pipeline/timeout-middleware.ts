import { setMaxListeners } from 'node:events';
import { NovaCronError } from '../errors/novacron-error.js';
import { neverAbortedSignal } from '../util/abort.js';
import type { Middleware } from './operation.js';

/** Operations without a caller signal that start within this window share one deadline signal. */
const DEADLINE_WINDOW_MS = 10;

/** A deadline shared by the operations of one provider and timeout that started in the same window. */
interface SharedDeadline {
  controller: AbortController;
  timer: NodeJS.Timeout;
  /** Operations of this window still running: the timer keeps the process alive only while there are some. */
  running: number;
  /** Operations starting after this time (performance.now()) open a new window. */
  closesAt: number;
}

/**
 * The `timeout` step: gives the operation (all its attempts) a deadline of `limits.timeoutMs` by replacing its
 * signal with one that also aborts, with a `TIMEOUT` error as reason, when the deadline passes.
 *
 * Operations with a caller signal get a controller of their own. The far more common ones without share a deadline
 * per provider, timeout and 10 ms window (so a deadline may fire up to 10 ms late): one controller and one timer for
 * hundreds of calls instead of one each, which is most of this step's cost.
 */
export function timeoutMiddleware(): Middleware {
  // provider -> timeoutMs -> the open window (nested maps: no key string to build on every call)
  const shared = new Map<string, Map<number, SharedDeadline>>();

  const joinSharedDeadline = (provider: string, timeoutMs: number): SharedDeadline => {
    let byTimeout = shared.get(provider);
    if (byTimeout === undefined) {
      byTimeout = new Map();
      shared.set(provider, byTimeout);
    }
    const windows = byTimeout;
    const now = performance.now();
    let deadline = windows.get(timeoutMs);
    if (deadline === undefined || now >= deadline.closesAt) {
      const controller = new AbortController();
      // Every operation of the window (and the driver calls under it) may listen to this one signal.
      setMaxListeners(0, controller.signal);
      const fresh: SharedDeadline = {
        controller,
        running: 0,
        closesAt: now + DEADLINE_WINDOW_MS,
        timer: setTimeout(() => {
          controller.abort(timeoutError(provider, timeoutMs));
          if (windows.get(timeoutMs) === fresh) windows.delete(timeoutMs);
        }, timeoutMs + DEADLINE_WINDOW_MS),
      };
      deadline = fresh;
      windows.set(timeoutMs, deadline);
    }
    if (deadline.running === 0) deadline.timer.ref();
    deadline.running += 1;
    return deadline;
  };

  return {
    name: 'timeout',
    async handle(operation, next) {
      const callerSignal = operation.signal;
      const { provider } = operation;
      const { timeoutMs } = operation.limits;
      if (callerSignal === neverAbortedSignal) {
        const deadline = joinSharedDeadline(provider, timeoutMs);
        operation.signal = deadline.controller.signal;
        try {
          return await next(operation);
        } finally {
          deadline.running -= 1;
          if (deadline.running === 0) deadline.timer.unref();
          operation.signal = callerSignal;
        }
      }
      const own = new AbortController();
      const onCallerAbort = () => own.abort(callerSignal.reason);
      if (callerSignal.aborted) onCallerAbort();
      else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => own.abort(timeoutError(provider, timeoutMs)), timeoutMs);
      operation.signal = own.signal;
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

function timeoutError(provider: string, timeoutMs: number): NovaCronError {
  return new NovaCronError({
    code: 'TIMEOUT',
    retryable: false,
    provider,
    message: `An operation on provider '${provider}' did not finish within ${timeoutMs} ms. Raise limits.${provider}.timeoutMs or check the provider.`,
  });
}
