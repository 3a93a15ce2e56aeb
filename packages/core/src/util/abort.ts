import { setMaxListeners } from 'node:events';
import { NovaCronError } from '../errors/novacron-error.js';

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal` aborts.
 * The timer is cleared on abort so nothing keeps the process alive.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error to throw for an aborted signal: its reason when that is an Error, else a plain `AbortError`. */
export function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

/** Throws an `ABORTED` {@link NovaCronError} when `signal` is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw new NovaCronError({
      code: 'ABORTED',
      message: `${what} was cancelled before it started.`,
      cause: signal.reason,
    });
  }
}

/**
 * The signal of operations whose caller gave none: it never aborts. Shared, so it may carry one listener per
 * operation in flight; the warning for more than 10 listeners is turned off for it.
 */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;
setMaxListeners(0, neverAbortedSignal);
