import { NovaCronError } from '@novacron/core';

/**
 * The error to throw when `signal` has aborted: the signal's own reason when it is an `Error` (so the pipeline
 * recognises its own timeouts), otherwise an `ABORTED` {@link NovaCronError} that keeps the reason as `cause`.
 */
export function abortError(signal: AbortSignal, operation: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new NovaCronError({
    code: 'ABORTED',
    message: `The sim driver's ${operation} was cancelled by the caller.`,
    cause: reason,
  });
}

/** Throws {@link abortError} when `signal` has already aborted. */
export function throwIfAborted(signal: AbortSignal, operation: string): void {
  if (signal.aborted) throw abortError(signal, operation);
}

/**
 * Waits `ms` milliseconds of wall time, rejecting with {@link abortError} as soon as `signal` aborts.
 * The timer keeps the process alive, as a real request in flight would.
 */
export function sleep(ms: number, signal: AbortSignal, operation: string): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal, operation));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal, operation));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolves; rejects with {@link abortError} when `signal` aborts (an injected timeout). */
export function hangUntilAborted(signal: AbortSignal, operation: string): Promise<never> {
  if (signal.aborted) return Promise.reject(abortError(signal, operation));
  return new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(abortError(signal, operation)), { once: true });
  });
}

/** Lets other tasks (and abort listeners) run, without a timer. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
