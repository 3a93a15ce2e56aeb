import { setMaxListeners } from 'node:events';
import type { SharedDeadlines } from './shared-deadlines.js';

/** A running deadline: its signal, and whether it was the deadline (not the parent) that aborted it. */
export interface Deadline {
  /** Aborts with a `TimeoutError` reason when the deadline passes, or with the parent's reason when it aborts. */
  readonly signal: AbortSignal;
  /** True once the deadline itself passed. */
  readonly timedOut: boolean;
  /** Stops the timer and lets go of the parent. Call it when the work is done, whatever the outcome. */
  clear(): void;
}

/**
 * Starts a deadline of `ms` milliseconds, optionally inside a `parent` signal that NovaCron itself owns. `describe`
 * names what reached its deadline, for the abort reason (called only if it fires).
 *
 * It is an `AbortController` with a timer and at most one listener on the parent, both dropped by `clear()`, rather
 * than `AbortSignal.any` with `AbortSignal.timeout` (why: docs/benchmarks.md, "Deadlines"). Operations without a
 * caller signal share a deadline instead ({@link SharedDeadlines}).
 */
export function startDeadline(ms: number, describe: () => string, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  // The steps after this one, and the driver, may each listen to the signal once per attempt.
  setMaxListeners(0, controller.signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`${describe()} after ${ms} ms.`, 'TimeoutError'));
  }, ms);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
