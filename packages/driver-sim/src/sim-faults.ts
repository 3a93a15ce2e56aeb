import { SimApiError } from './sim-api-error.js';
import { SimLatencyScheduler } from './sim-latency.js';
import {
  SIM_OPERATIONS,
  type SimFaultRule,
  type SimFaults,
  type SimOperation,
  validateFaults,
} from './sim-options.js';
import { SeededRandom } from './sim-random.js';

/** How often each kind of fault hit one operation, plus its call count. */
export interface SimOperationStats {
  /** Calls made. */
  calls: number;
  /** Calls failed with `THROTTLED`. */
  throttled: number;
  /** Calls failed with `UNAVAILABLE` before taking effect. */
  errors: number;
  /** Calls hung until aborted. */
  timeouts: number;
  /** Calls that took effect and then failed with `UNAVAILABLE`. */
  lostResponses: number;
}

/**
 * Injects the configured faults around each call of the cloud's API, drawing from a seeded sequence so a run with the same
 * seed and the same call order fails the same calls.
 */
export class SimFaultInjector {
  #faults: SimFaults;
  readonly #random: SeededRandom;
  readonly #stats = new Map<SimOperation, SimOperationStats>();
  readonly #latencyScheduler = new SimLatencyScheduler();

  constructor(seed: number, faults: SimFaults) {
    this.#faults = faults;
    this.#random = new SeededRandom(seed, 'faults');
    for (const operation of SIM_OPERATIONS) {
      this.#stats.set(operation, { calls: 0, throttled: 0, errors: 0, timeouts: 0, lostResponses: 0 });
    }
  }

  /** The faults in force. */
  get faults(): SimFaults {
    return this.#faults;
  }

  /** Replaces the faults in force (`{}` = none). */
  set(faults: SimFaults): void {
    validateFaults(faults);
    this.#faults = faults;
  }

  /** A copy of the per-operation counters. */
  stats(): Record<SimOperation, SimOperationStats> {
    const copy = {} as Record<SimOperation, SimOperationStats>;
    for (const [operation, stats] of this.#stats) copy[operation] = { ...stats };
    return copy;
  }

  /**
   * Runs `effect` inside the faults of `operation`: latency, then maybe a hang, a throttle or an error (the effect
   * does not happen), then the effect, then maybe a lost response (the effect happened, the call still fails).
   */
  async run<T>(operation: SimOperation, signal: AbortSignal, effect: () => T | Promise<T>): Promise<T> {
    const stats = this.#stats.get(operation)!;
    stats.calls += 1;
    signal.throwIfAborted();
    const rule = this.#ruleFor(operation);
    if (rule !== undefined) {
      const latency = this.#latency(rule);
      if (latency > 0) await this.#latencyScheduler.wait(latency, signal);
      if (this.#random.chance(rule.timeoutRate ?? 0)) {
        stats.timeouts += 1;
        await untilAborted(signal);
      }
      if (this.#random.chance(rule.throttleRate ?? 0)) {
        stats.throttled += 1;
        const retryAfterMs = rule.retryAfterMs ?? 100;
        throw new SimApiError(
          'Throttling',
          `The sim cloud throttled ${operation} (injected fault). Retry after ${retryAfterMs} ms.`,
          { status: 429, retryAfterMs },
        );
      }
      if (this.#random.chance(rule.errorRate ?? 0)) {
        stats.errors += 1;
        throw new SimApiError(
          'ServiceUnavailable',
          `The sim cloud failed ${operation} with a transient error (injected fault); nothing was changed. Retry it.`,
          { status: 503 },
        );
      }
    }
    // Most effects are synchronous: awaiting one only to unwrap it would cost an extra turn of the microtask queue.
    const outcome = effect();
    const result = outcome instanceof Promise ? await outcome : outcome;
    if (rule !== undefined && this.#random.chance(rule.lostResponseRate ?? 0)) {
      stats.lostResponses += 1;
      throw new SimApiError(
        'ResponseLost',
        `The response of the sim cloud's ${operation} was lost (injected fault) although the operation took effect. Retry it; creates must reuse their client token.`,
        { status: 502 },
      );
    }
    return result;
  }

  #ruleFor(operation: SimOperation): SimFaultRule | undefined {
    const general = this.#faults['*'];
    const specific = this.#faults[operation];
    if (general === undefined) return specific;
    if (specific === undefined) return general;
    return { ...general, ...withoutUndefined(specific) };
  }

  #latency(rule: SimFaultRule): number {
    const latency = rule.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return latency.max > latency.min ? this.#random.between(latency.min, latency.max) : latency.min;
  }
}

/** Never resolves; rejects with the signal's reason when it aborts (an injected timeout). */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function withoutUndefined(rule: SimFaultRule): SimFaultRule {
  return Object.fromEntries(Object.entries(rule).filter(([, value]) => value !== undefined)) as SimFaultRule;
}
