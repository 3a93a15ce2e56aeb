import type { DriverCallContext, DriverV1 } from '../driver/driver-v1.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { abortReason, sleep } from '../util/abort.js';

/** The `do*` methods {@link withFaults} can inject faults into (every one but `doWatch`). */
export type FaultableMethod =
  | 'doListVms'
  | 'doGetVm'
  | 'doCreateVm'
  | 'doStartVm'
  | 'doStopVm'
  | 'doRebootVm'
  | 'doDeleteVm'
  | 'doSuspendVm'
  | 'doResumeVm'
  | 'doListHosts'
  | 'doListSizes'
  | 'doListImages'
  | 'doListLocations'
  | 'doMigrateVm'
  | 'doReadMetrics';

/** Every method {@link withFaults} can fault, in the contract's order. */
export const FAULTABLE_METHODS: readonly FaultableMethod[] = [
  'doListVms',
  'doGetVm',
  'doCreateVm',
  'doStartVm',
  'doStopVm',
  'doRebootVm',
  'doDeleteVm',
  'doSuspendVm',
  'doResumeVm',
  'doListHosts',
  'doListSizes',
  'doListImages',
  'doListLocations',
  'doMigrateVm',
  'doReadMetrics',
];

/** What {@link withFaults} injects. Each rate is the share of calls, from 0 to 1, drawn independently per call. */
export interface FaultRules {
  /** Seed of the draws, so a faulted run can be replayed. Default 1. */
  seed?: number | undefined;
  /** Calls refused with `THROTTLED` before the provider acts, as a 429 with `Retry-After` would be. Default 0. */
  throttleRate?: number | undefined;
  /** The `Retry-After` of those refusals, in milliseconds. Default 5. */
  retryAfterMs?: number | undefined;
  /** Calls refused with a retryable `UNAVAILABLE` (a 503) before the provider acts. Default 0. */
  serverErrorRate?: number | undefined;
  /**
   * Calls the provider carries out whose answer is then lost (`UNAVAILABLE` after the act): a retried create must
   * find the VM its first attempt made, a retried stop must be a no-op. Default 0.
   */
  lostResponseRate?: number | undefined;
  /** Calls that never answer until their signal aborts (an attempt deadline or the caller). Default 0. */
  hangRate?: number | undefined;
  /** Latency added before every call, in milliseconds: a fixed value or `[min, max]`. Default 0. */
  latencyMs?: number | readonly [number, number] | undefined;
  /** The methods faults apply to. Default: every `do*` method but `doWatch`. */
  methods?: readonly FaultableMethod[] | undefined;
}

/** How many faults a {@link withFaults} driver injected, by kind. */
export interface FaultCounts {
  throttled: number;
  serverErrors: number;
  lostResponses: number;
  hangs: number;
}

/** A driver wrapped by {@link withFaults}: the same contract, plus the counts of what was injected. */
export type FaultyDriver = DriverV1 & { readonly injected: Readonly<FaultCounts> };

/**
 * Wraps any driver so that its calls meet the faults of a real network and a real provider: throttling with
 * `Retry-After`, 5xx errors, latency, hangs and lost responses. The wrapped driver keeps the kind, the capabilities
 * and exactly the optional methods of the original, so the core treats it as the same driver. The conformance suite
 * runs every driver twice, clean and wrapped, as abstract-level re-runs its suite on a sublevel.
 *
 * @example
 * const faulty = withFaults(createSimDriver(), { throttleRate: 0.1, serverErrorRate: 0.1, lostResponseRate: 0.03 });
 * const nc = createNovaCron({ providers: { sim: faulty } }); // the pipeline's retries hide every fault
 */
export function withFaults(driver: DriverV1, rules: FaultRules): FaultyDriver {
  checkRules(rules);
  const random = seededRandom(rules.seed ?? 1);
  const injected: FaultCounts = { throttled: 0, serverErrors: 0, lostResponses: 0, hangs: 0 };
  const methods = new Set<string>(rules.methods ?? FAULTABLE_METHODS);
  const [minLatency, maxLatency] =
    typeof rules.latencyMs === 'number' ? [rules.latencyMs, rules.latencyMs] : (rules.latencyMs ?? [0, 0]);

  const faulty = async (
    method: string,
    call: () => Promise<unknown>,
    signal: AbortSignal,
  ): Promise<unknown> => {
    const latency = minLatency + random() * (maxLatency - minLatency);
    if (latency > 0) await sleep(latency, signal);
    if (random() < (rules.hangRate ?? 0)) {
      injected.hangs += 1;
      return hang(signal);
    }
    if (random() < (rules.throttleRate ?? 0)) {
      injected.throttled += 1;
      throw new NovaCronError({
        code: 'THROTTLED',
        statusCode: 429,
        retryAfterMs: rules.retryAfterMs ?? 5,
        message: `${method} was throttled (injected by withFaults).`,
      });
    }
    if (random() < (rules.serverErrorRate ?? 0)) {
      injected.serverErrors += 1;
      throw new NovaCronError({
        code: 'UNAVAILABLE',
        statusCode: 503,
        message: `${method} met a 503 (injected by withFaults).`,
      });
    }
    const lose = random() < (rules.lostResponseRate ?? 0);
    const result = await call();
    if (lose) {
      injected.lostResponses += 1;
      throw new NovaCronError({
        code: 'UNAVAILABLE',
        message: `${method} was carried out but its response was lost (injected by withFaults).`,
      });
    }
    return result;
  };

  const wrapped: Record<string, unknown> = {
    specificationVersion: driver.specificationVersion,
    kind: driver.kind,
    capabilities: driver.capabilities,
    injected,
  };
  if (driver.init) wrapped.init = driver.init.bind(driver);
  if (driver.close) wrapped.close = driver.close.bind(driver);
  if (driver.getClient) wrapped.getClient = driver.getClient.bind(driver);
  if (driver.doWatch) wrapped.doWatch = driver.doWatch.bind(driver);
  for (const method of FAULTABLE_METHODS) {
    const original = (driver as unknown as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    const bound = (original as (...args: unknown[]) => Promise<unknown>).bind(driver);
    wrapped[method] = methods.has(method)
      ? (...args: unknown[]) => {
          const context = args[args.length - 1] as DriverCallContext;
          return faulty(method, () => bound(...args), context.signal);
        }
      : bound;
  }
  return wrapped as unknown as FaultyDriver;
}

function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
  });
}

function checkRules(rules: FaultRules): void {
  for (const name of ['throttleRate', 'serverErrorRate', 'lostResponseRate', 'hangRate'] as const) {
    const rate = rules[name];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new TypeError(`withFaults: ${name} must be between 0 and 1, got ${rate}.`);
    }
  }
  const latency = rules.latencyMs;
  const [min, max] = typeof latency === 'number' ? [latency, latency] : (latency ?? [0, 0]);
  if (!(min >= 0 && max >= min)) {
    throw new TypeError(`withFaults: latencyMs must be a number >= 0 or [min, max] with 0 <= min <= max.`);
  }
  for (const method of rules.methods ?? []) {
    if (!FAULTABLE_METHODS.includes(method)) {
      throw new TypeError(
        `withFaults: '${method}' is not a do* method faults apply to (${FAULTABLE_METHODS.join(', ')}).`,
      );
    }
  }
}

/** mulberry32: a tiny seeded generator, enough to replay a run's faults; not for anything statistical. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
