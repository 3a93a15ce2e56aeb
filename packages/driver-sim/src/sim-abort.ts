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
 * The sleepers waiting on each signal. A signal gets one abort listener however many calls sleep on it: Node's
 * `addEventListener` scans the listeners already there, so one listener per call on a shared deadline signal made
 * every simulated latency cost more the more calls were in flight.
 */
const sleepersBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `wake` when `signal` aborts; returns the function that stops it. Shares one listener per signal. */
function wakeOnAbort(signal: AbortSignal, wake: () => void): () => void {
  let sleepers = sleepersBySignal.get(signal);
  if (sleepers === undefined) {
    const created = new Set<() => void>();
    sleepersBySignal.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        sleepersBySignal.delete(signal);
        for (const sleeper of created) sleeper();
      },
      { once: true },
    );
    sleepers = created;
  }
  sleepers.add(wake);
  const registered = sleepers;
  return () => registered.delete(wake);
}

/**
 * Waits `ms` milliseconds of wall time, rejecting with {@link abortError} as soon as `signal` aborts.
 * The timer keeps the process alive, as a real request in flight would.
 */
export function sleep(ms: number, signal: AbortSignal, operation: string): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal, operation));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopWaking();
      resolve();
    }, ms);
    const stopWaking = wakeOnAbort(signal, () => {
      clearTimeout(timer);
      reject(abortError(signal, operation));
    });
  });
}

/** Never resolves; rejects with {@link abortError} when `signal` aborts (an injected timeout). */
export function hangUntilAborted(signal: AbortSignal, operation: string): Promise<never> {
  if (signal.aborted) return Promise.reject(abortError(signal, operation));
  return new Promise<never>((_resolve, reject) => {
    wakeOnAbort(signal, () => reject(abortError(signal, operation)));
  });
}

/** Lets other tasks (and abort listeners) run, without a timer. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
