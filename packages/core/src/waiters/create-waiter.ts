import { NovaCronError } from '../errors/novacron-error.js';
import { sleep } from '../util/abort.js';

/** What one check of a waiter found. */
export type WaiterCheck<T> =
  | { status: 'done'; value: T }
  | { status: 'retry'; observed: string }
  | { status: 'failed'; error: NovaCronError };

/** Timing of a waiter. */
export interface WaiterOptions {
  /** Give up after this many milliseconds with `TIMEOUT`. Default 300,000. */
  timeoutMs?: number | undefined;
  /** First delay between checks. Default 200 ms. */
  minDelayMs?: number | undefined;
  /** Largest delay between checks (the delay grows by half each check). Default 5,000 ms. */
  maxDelayMs?: number | undefined;
  /** Cancels the wait with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** Checks immediately when this fires (e.g. a `vm.state` event), instead of sleeping the full delay. */
  wake?: ((callback: () => void) => () => void) | undefined;
}

/**
 * The one generic waiter: runs `check` until it says done (resolves) or failed (throws), sleeping a growing delay
 * between checks. Throws `TIMEOUT` (naming what was last observed) or `ABORTED`.
 *
 * @example
 * await createWaiter('VM lab:web-1 to be running', async () => ..., { timeoutMs: 60_000 });
 */
export async function createWaiter<T>(
  description: string,
  check: (signal: AbortSignal) => Promise<WaiterCheck<T>>,
  options: WaiterOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  let delayMs = options.minDelayMs ?? 200;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  let observed = 'nothing yet';
  try {
    for (;;) {
      const result = await check(signal);
      if (result.status === 'done') return result.value;
      if (result.status === 'failed') throw result.error;
      observed = result.observed;
      await sleepOrWake(delayMs, signal, options.wake);
      delayMs = Math.min(maxDelayMs, delayMs * 1.5);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    // Once the wait's own signal fired, whatever the last check threw (often a transient error from a call the
    // deadline cut short) is only the cause: the answer is TIMEOUT or ABORTED.
    if (options.signal?.aborted) {
      throw new NovaCronError({
        code: 'ABORTED',
        message: `Waiting for ${description} was cancelled (last seen: ${observed}).`,
        cause: error,
      });
    }
    throw new NovaCronError({
      code: 'TIMEOUT',
      retryable: false,
      message: `Timed out after ${timeoutMs} ms waiting for ${description} (last seen: ${observed}). Raise timeoutMs or check the provider.`,
      cause: error,
    });
  }
}

async function sleepOrWake(delayMs: number, signal: AbortSignal, wake: WaiterOptions['wake']): Promise<void> {
  if (wake === undefined) return sleep(delayMs, signal);
  const early = new AbortController();
  const unsubscribe = wake(() => early.abort());
  try {
    await sleep(delayMs, AbortSignal.any([signal, early.signal]));
  } catch (error) {
    if (signal.aborted) throw error;
  } finally {
    unsubscribe();
  }
}
