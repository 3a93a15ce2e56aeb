import { setMaxListeners } from 'node:events';
import type { Deadline } from './deadline.js';

/** Operations that start within this window share one deadline: it may fire up to this much late. */
const WINDOW_MS = 10;

/** One window's deadline, shared by the operations of one provider and timeout that started in it. */
interface Window {
  readonly controller: AbortController;
  readonly timer: NodeJS.Timeout;
  /** Operations of this window still running: the timer keeps the process alive only while there are some. */
  running: number;
  /** Operations starting at or after this time (`performance.now()`) open a new window. */
  readonly closesAt: number;
}

/**
 * Deadlines shared by the operations of one provider and timeout that start within the same 10 ms window: one
 * controller and one timer for hundreds of calls instead of one each, which measured as most of the pipeline's
 * per-call cost (docs/benchmarks.md, "Deadlines"). Used only for operations without a caller signal; the deadline
 * fires up to 10 ms late.
 */
export class SharedDeadlines {
  /** provider -> timeoutMs -> the open window. */
  private readonly windows = new Map<string, Map<number, Window>>();

  /** Joins the open window of `provider` and `timeoutMs` (opening one if needed); `clear()` leaves it. */
  join(provider: string, timeoutMs: number): Deadline {
    let byTimeout = this.windows.get(provider);
    if (byTimeout === undefined) {
      byTimeout = new Map();
      this.windows.set(provider, byTimeout);
    }
    const now = performance.now();
    let window = byTimeout.get(timeoutMs);
    if (window === undefined || now >= window.closesAt) {
      window = openWindow(byTimeout, timeoutMs, now);
      byTimeout.set(timeoutMs, window);
    }
    if (window.running === 0) window.timer.ref();
    window.running += 1;
    const joined = window;
    return {
      signal: joined.controller.signal,
      get timedOut() {
        return joined.controller.signal.aborted;
      },
      clear() {
        joined.running -= 1;
        if (joined.running === 0) joined.timer.unref();
      },
    };
  }
}

function openWindow(windows: Map<number, Window>, timeoutMs: number, now: number): Window {
  const controller = new AbortController();
  // Every operation of the window, and the driver calls under them, may listen to this one signal.
  setMaxListeners(0, controller.signal);
  const window: Window = {
    controller,
    running: 0,
    closesAt: now + WINDOW_MS,
    timer: setTimeout(() => {
      controller.abort(
        new DOMException(`The operation reached its deadline after ${timeoutMs} ms.`, 'TimeoutError'),
      );
      if (windows.get(timeoutMs) === window) windows.delete(timeoutMs);
    }, timeoutMs + WINDOW_MS),
  };
  return window;
}
