import type { MigrationProgress } from '@novacron/core';
import { sleep } from '@novacron/core/driver';

/** The inputs of one pre-copy run. Sizes in bytes, rates in bytes per second, times in simulated ms. */
export interface PreCopyInput {
  memoryBytes: number;
  bandwidthBytesPerSecond: number;
  dirtyRateBytesPerSecond: number;
  maxDowntimeMs: number;
  maxIterations: number;
  completionTimeoutMs: number | undefined;
  onTimeout: 'abort' | 'postcopy';
  autoConverge: boolean;
  /** Multiplier of the dirty rate in one iteration (seeded noise around 1). */
  jitter: (iteration: number) => number;
  /** Wall ms per simulated ms. */
  timeScale: number;
  /** Aborts the pre-copy phase (not post-copy, which cannot be undone once the guest runs on the destination). */
  signal: AbortSignal;
  onProgress: (progress: MigrationProgress) => void;
}

/** How a pre-copy run ended. */
export interface PreCopyResult {
  /** `converged`: stop-and-copy within the downtime; `postcopy`: switched over and pulled the rest; `timeout`: gave up. */
  outcome: 'converged' | 'postcopy' | 'timeout';
  /** Downtime in simulated ms (for `timeout`, the downtime the last iteration would have needed). */
  downtimeMs: number;
  bytesTransferred: number;
  iterations: number;
  /** Simulated ms from start to end. */
  elapsedMs: number;
  /** Dirty rate of the last iteration. */
  lastDirtyRateBytesPerSecond: number;
}

/** Bytes of CPU and device state sent while the guest is paused in a post-copy switch-over. */
const POSTCOPY_DEVICE_STATE_BYTES = 8 * 1_048_576;

/**
 * Simulates a pre-copy live migration. Iteration 1 sends all memory; each next one sends the pages dirtied during
 * the previous one (dirty rate x its duration, at most all memory). When what is left can be sent within the
 * tolerated downtime, the guest pauses and the rest goes (downtime = remaining / bandwidth). After
 * `maxIterations` iterations or `completionTimeoutMs` of simulated time it gives up, or switches to post-copy.
 * With `autoConverge` the guest's dirty rate is throttled by 20 % from iteration 3, 10 % more per iteration
 * (QEMU's cpu-throttle defaults). Sleeps take `simulated ms x timeScale` of wall time.
 */
export async function runPreCopy(input: PreCopyInput): Promise<PreCopyResult> {
  const clock = new ScaledClock(input.timeScale);
  const bandwidth = input.bandwidthBytesPerSecond;
  const threshold = (bandwidth * input.maxDowntimeMs) / 1000;
  let remaining = input.memoryBytes;
  let processed = 0;
  let elapsedMs = 0;
  let throttle = 0;
  let dirtyRate = input.dirtyRateBytesPerSecond;
  for (let iteration = 1; ; iteration += 1) {
    dirtyRate = input.dirtyRateBytesPerSecond * input.jitter(iteration) * (1 - throttle);
    const durationMs = (remaining / bandwidth) * 1000;
    await clock.advance(durationMs, input.signal);
    processed += remaining;
    elapsedMs += durationMs;
    remaining = Math.min(input.memoryBytes, Math.round((dirtyRate * durationMs) / 1000));
    const downtimeMs = (remaining / bandwidth) * 1000;
    const progress = {
      bytesProcessed: processed,
      bytesRemaining: remaining,
      bytesTotal: processed + remaining,
      iteration,
      dirtyRateBytesPerSecond: dirtyRate,
      downtimeMs,
    };
    input.onProgress({ phase: 'transferring', ...progress });
    if (remaining <= threshold) {
      input.signal.throwIfAborted();
      input.onProgress({ phase: 'switching-over', ...progress });
      await clock.advance(downtimeMs, input.signal);
      return {
        outcome: 'converged',
        downtimeMs,
        bytesTransferred: processed + remaining,
        iterations: iteration,
        elapsedMs: elapsedMs + downtimeMs,
        lastDirtyRateBytesPerSecond: dirtyRate,
      };
    }
    const outOfTime = input.completionTimeoutMs !== undefined && elapsedMs >= input.completionTimeoutMs;
    if (iteration >= input.maxIterations || outOfTime) {
      if (input.onTimeout === 'abort') {
        return {
          outcome: 'timeout',
          downtimeMs,
          bytesTransferred: processed,
          iterations: iteration,
          elapsedMs,
          lastDirtyRateBytesPerSecond: dirtyRate,
        };
      }
      return postCopy(input, clock, { processed, remaining, iteration, elapsedMs, dirtyRate });
    }
    if (input.autoConverge && iteration >= 2)
      throttle = Math.min(0.99, throttle === 0 ? 0.2 : throttle + 0.1);
  }
}

async function postCopy(
  input: PreCopyInput,
  clock: ScaledClock,
  state: { processed: number; remaining: number; iteration: number; elapsedMs: number; dirtyRate: number },
): Promise<PreCopyResult> {
  input.signal.throwIfAborted();
  const bandwidth = input.bandwidthBytesPerSecond;
  const downtimeMs = (Math.min(POSTCOPY_DEVICE_STATE_BYTES, state.remaining) / bandwidth) * 1000;
  input.onProgress({
    phase: 'switching-over',
    bytesProcessed: state.processed,
    bytesRemaining: state.remaining,
    bytesTotal: state.processed + state.remaining,
    iteration: state.iteration + 1,
    dirtyRateBytesPerSecond: 0,
    downtimeMs,
  });
  // From here the guest runs on the destination: the rest is pulled on demand and cannot be cancelled.
  const pullMs = (state.remaining / bandwidth) * 1000;
  await clock.advance(downtimeMs + pullMs, undefined);
  return {
    outcome: 'postcopy',
    downtimeMs,
    bytesTransferred: state.processed + state.remaining,
    iterations: state.iteration + 1,
    elapsedMs: state.elapsedMs + downtimeMs + pullMs,
    lastDirtyRateBytesPerSecond: state.dirtyRate,
  };
}

/**
 * Turns simulated time into wall time at `timeScale`, carrying sub-millisecond remainders so many short steps add
 * up correctly; steps shorter than a millisecond still yield to the event loop so aborts are seen.
 */
class ScaledClock {
  #debtMs = 0;
  readonly #timeScale: number;

  constructor(timeScale: number) {
    this.#timeScale = timeScale;
  }

  async advance(simulatedMs: number, signal: AbortSignal | undefined): Promise<void> {
    this.#debtMs += simulatedMs * this.#timeScale;
    if (this.#debtMs >= 1) {
      const wallMs = Math.floor(this.#debtMs);
      this.#debtMs -= wallMs;
      await sleep(wallMs, signal);
    } else {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
  }
}
