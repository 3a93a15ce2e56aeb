import type { HostState, Resources } from '@novacron/core';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';
import type { SimCloud } from './sim-cloud.js';

/** The cloud's API operations faults can be injected into; `'*'` in {@link SimFaults} applies to all of them. */
export const SIM_OPERATIONS = [
  'create',
  'get',
  'list',
  'start',
  'stop',
  'reboot',
  'delete',
  'suspend',
  'resume',
  'migrate',
  'metrics',
  'listHosts',
  'listSizes',
  'listImages',
  'listLocations',
] as const;

/** One of {@link SIM_OPERATIONS}. */
export type SimOperation = (typeof SIM_OPERATIONS)[number];

/**
 * The faults injected into one operation. Rates are probabilities in [0, 1] drawn independently per call from the
 * seeded sequence, in this order: latency, timeout, throttle, error, (the operation), lost response.
 *
 * @example
 * const rule: SimFaultRule = { throttleRate: 0.1, errorRate: 0.1, lostResponseRate: 0.05, latencyMs: { min: 1, max: 5 } };
 */
export interface SimFaultRule {
  /** Probability that the call fails with a retryable `UNAVAILABLE` before taking effect (like an HTTP 503). Default 0. */
  errorRate?: number | undefined;
  /** Probability that the call fails with a retryable `THROTTLED` before taking effect. Default 0. */
  throttleRate?: number | undefined;
  /** The `retryAfterMs` a throttled call carries (like `Retry-After`). Default 100. */
  retryAfterMs?: number | undefined;
  /** Wall-clock delay before the call does anything: a fixed number or a uniform `{ min, max }`. Default 0. */
  latencyMs?: number | { min: number; max: number } | undefined;
  /** Probability that the call hangs, taking no effect, until its signal aborts. Default 0. */
  timeoutRate?: number | undefined;
  /**
   * Probability that the call takes effect and then fails with a retryable `UNAVAILABLE`, as when a response is lost
   * on the way back. A create retried with the same idempotency key then returns the VM already made. Default 0.
   */
  lostResponseRate?: number | undefined;
}

/**
 * Faults per operation. The rule under `'*'` applies to every operation; a rule under an operation's own name
 * overrides it field by field.
 *
 * @example
 * const faults: SimFaults = { '*': { latencyMs: 1 }, create: { throttleRate: 0.2, lostResponseRate: 0.05 } };
 */
export type SimFaults = Partial<Record<SimOperation | '*', SimFaultRule>>;

/**
 * One simulated host.
 *
 * @example
 * const host: SimHostSpec = { id: 'gpu-1', zone: 'sim-1b', capacity: { vcpus: 32, memoryMiB: 131072, gpus: 4 }, labels: { gpu: 'l4' } };
 */
export interface SimHostSpec {
  /** Unique host id. */
  id: string;
  /** Physical capacity; `diskGiB` defaults to 8192 (8 TiB), `gpus` to 0. */
  capacity: Resources;
  /** Labels for placement filters. Default `{}`. */
  labels?: Record<string, string> | undefined;
  /** Zone. Default `'sim-1a'`. */
  zone?: string | undefined;
  /** Overcommit ratio per dimension; missing dimensions are 1. Default `{ vcpus: 8, memoryMiB: 1.5 }`. */
  overcommit?: Partial<Record<keyof Resources, number>> | undefined;
  /** Initial state. Default `'up'`. */
  state?: HostState | undefined;
}

/** Tuning of the pre-copy live-migration model. */
export interface SimMigrationOptions {
  /** Bandwidth when the policy gives none, in MiB/s (about 10 GbE). Default 1000. */
  defaultBandwidthMiBps?: number | undefined;
  /** Tolerated downtime when the policy gives none, in ms (libvirt's default). Default 300. */
  defaultMaxDowntimeMs?: number | undefined;
  /** Pre-copy iterations before giving up (or switching to post-copy). Default 30. */
  maxIterations?: number | undefined;
  /**
   * Range of the per-VM dirty-page rate in MiB/s; each VM draws a log-uniform rate from it, seeded by the driver's
   * seed and the VM id. Override one VM with `driver.sim.setDirtyRate`. Default `{ min: 5, max: 200 }`.
   */
  dirtyRateMiBps?: { min: number; max: number } | undefined;
  /** Relative noise on the dirty rate in each iteration (0.1 = +-10 %). Default 0.1. */
  dirtyRateJitter?: number | undefined;
}

/**
 * Options of a {@link SimCloud}: the simulated world. Every field is optional.
 *
 * @example
 * const cloud = new SimCloud({ seed: 7, hosts: 16, transitionDelayMs: 0, pageSize: 50 });
 */
export interface SimCloudOptions {
  /** Seed of every random choice (faults, dirty rates, metrics). Default 1. */
  seed?: number | undefined;
  /**
   * The fleet: a host count (hosts `host-1`... alternating over zones `sim-1a` and `sim-1b`, 64 vCPUs, 256 GiB,
   * 8 TiB each, every fourth with 4 GPUs) or explicit specs. Default 8.
   */
  hosts?: number | SimHostSpec[] | undefined;
  /** Wall-clock time each lifecycle transition takes (pending -> running, stopping -> stopped); 0 = instant. Default 5. */
  transitionDelayMs?: number | undefined;
  /** Most VMs one `listVms` call returns (the driver's `capabilities.maxPageSize`); small so paging gets exercised. Default 25. */
  pageSize?: number | undefined;
  /** Faults to inject from the start; change them later with `driver.sim.setFaults`. Default none. */
  faults?: SimFaults | undefined;
  /** Live-migration model tuning. */
  migration?: SimMigrationOptions | undefined;
  /** Wall-clock milliseconds per simulated millisecond of migration time (0.001 = a 4 s migration takes 4 ms). Default 0.001. */
  timeScale?: number | undefined;
  /** The clock for `createdAt`, in ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Options of {@link createSimDriver}: the options of the cloud it makes, or a cloud of your own. Every field is
 * optional.
 *
 * @example
 * const driver = createSimDriver({ seed: 7, hosts: 16, transitionDelayMs: 0, pageSize: 50 });
 * const shared = createSimDriver({ cloud: new SimCloud({ seed: 7 }) });
 */
export interface SimDriverOptions extends SimCloudOptions {
  /**
   * The simulated cloud to drive, as other drivers take their SDK client; several drivers may share one. With it,
   * give no other option (they are the cloud's). Default: a new `SimCloud` made from the other options.
   */
  cloud?: SimCloud | undefined;
}

/** {@link SimCloudOptions} with every default applied. */
export interface ResolvedSimOptions {
  seed: number;
  hosts: number | SimHostSpec[];
  transitionDelayMs: number;
  pageSize: number;
  faults: SimFaults;
  migration: Required<{ [K in keyof SimMigrationOptions]: NonNullable<SimMigrationOptions[K]> }>;
  timeScale: number;
  now: () => number;
}

const WHERE = 'createSimDriver';
const OPTION_KEYS: OptionKeys<SimCloudOptions> = {
  seed: true,
  hosts: true,
  transitionDelayMs: true,
  pageSize: true,
  faults: true,
  migration: true,
  timeScale: true,
  now: true,
};
const MIGRATION_KEYS: OptionKeys<SimMigrationOptions> = {
  defaultBandwidthMiBps: true,
  defaultMaxDowntimeMs: true,
  maxIterations: true,
  dirtyRateMiBps: true,
  dirtyRateJitter: true,
};
const HOST_KEYS: OptionKeys<SimHostSpec> = {
  id: true,
  capacity: true,
  labels: true,
  zone: true,
  overcommit: true,
  state: true,
};
const RESOURCE_KEYS: OptionKeys<Resources> = { vcpus: true, memoryMiB: true, diskGiB: true, gpus: true };
const FAULT_RULE_KEYS: OptionKeys<SimFaultRule> = {
  errorRate: true,
  throttleRate: true,
  retryAfterMs: true,
  latencyMs: true,
  timeoutRate: true,
  lostResponseRate: true,
};
const RANGE_KEYS: OptionKeys<{ min: number; max: number }> = { min: true, max: true };

/**
 * Applies the defaults and checks the types and ranges; a bad option is a programming mistake (`TypeError`). Unknown
 * keys are refused in the options and in their own nested bags (`migration`, host specs with their `capacity` and
 * `overcommit`, fault rules, `{ min, max }` ranges); `labels` are free-form and not checked.
 */
export function resolveSimOptions(options: SimCloudOptions): ResolvedSimOptions {
  assertKnownOptions(WHERE, options, OPTION_KEYS);
  assertKnownOptions(WHERE, options.migration, MIGRATION_KEYS, 'migration');
  assertKnownOptions(WHERE, options.migration?.dirtyRateMiBps, RANGE_KEYS, 'migration.dirtyRateMiBps');
  if (Array.isArray(options.hosts)) {
    options.hosts.forEach((host, index) => {
      assertKnownOptions(WHERE, host, HOST_KEYS, `hosts[${index}]`);
      assertKnownOptions(WHERE, host?.capacity, RESOURCE_KEYS, `hosts[${index}].capacity`);
      assertKnownOptions(WHERE, host?.overcommit, RESOURCE_KEYS, `hosts[${index}].overcommit`);
    });
  }
  const migration = options.migration ?? {};
  const resolved: ResolvedSimOptions = {
    seed: options.seed ?? 1,
    hosts: options.hosts ?? 8,
    transitionDelayMs: options.transitionDelayMs ?? 5,
    pageSize: options.pageSize ?? 25,
    faults: options.faults ?? {},
    migration: {
      defaultBandwidthMiBps: migration.defaultBandwidthMiBps ?? 1000,
      defaultMaxDowntimeMs: migration.defaultMaxDowntimeMs ?? 300,
      maxIterations: migration.maxIterations ?? 30,
      dirtyRateMiBps: migration.dirtyRateMiBps ?? { min: 5, max: 200 },
      dirtyRateJitter: migration.dirtyRateJitter ?? 0.1,
    },
    timeScale: options.timeScale ?? 0.001,
    now: options.now ?? Date.now,
  };
  requireNumber('seed', resolved.seed, Number.MIN_SAFE_INTEGER);
  if (typeof resolved.hosts === 'number') requireInteger('hosts', resolved.hosts, 1);
  else if (!Array.isArray(resolved.hosts) || resolved.hosts.length === 0) {
    throw new TypeError(
      'createSimDriver: `hosts` must be a positive count or a non-empty array of host specs.',
    );
  }
  requireNumber('transitionDelayMs', resolved.transitionDelayMs, 0);
  requireInteger('pageSize', resolved.pageSize, 1);
  requireNumber('timeScale', resolved.timeScale, 0);
  requireNumber(
    'migration.defaultBandwidthMiBps',
    resolved.migration.defaultBandwidthMiBps,
    Number.MIN_VALUE,
  );
  requireNumber('migration.defaultMaxDowntimeMs', resolved.migration.defaultMaxDowntimeMs, 0);
  requireInteger('migration.maxIterations', resolved.migration.maxIterations, 1);
  requireNumber('migration.dirtyRateMiBps.min', resolved.migration.dirtyRateMiBps.min, Number.MIN_VALUE);
  requireNumber(
    'migration.dirtyRateMiBps.max',
    resolved.migration.dirtyRateMiBps.max,
    resolved.migration.dirtyRateMiBps.min,
  );
  requireNumber('migration.dirtyRateJitter', resolved.migration.dirtyRateJitter, 0);
  if (typeof resolved.now !== 'function') throw new TypeError('createSimDriver: `now` must be a function.');
  validateFaults(resolved.faults);
  return resolved;
}

/** Checks a {@link SimFaults} value; throws `TypeError` naming the bad field. */
export function validateFaults(faults: SimFaults): void {
  if (typeof faults !== 'object' || faults === null) throw new TypeError('Sim faults must be an object.');
  for (const [operation, rule] of Object.entries(faults)) {
    if (operation !== '*' && !(SIM_OPERATIONS as readonly string[]).includes(operation)) {
      throw new TypeError(
        `Unknown sim fault operation '${operation}'. Use '*' or one of: ${SIM_OPERATIONS.join(', ')}.`,
      );
    }
    if (rule === undefined) continue;
    assertKnownOptions('Sim faults', rule, FAULT_RULE_KEYS, `faults.${operation}`);
    if (typeof rule.latencyMs === 'object') {
      assertKnownOptions('Sim faults', rule.latencyMs, RANGE_KEYS, `faults.${operation}.latencyMs`);
    }
    for (const field of ['errorRate', 'throttleRate', 'timeoutRate', 'lostResponseRate'] as const) {
      const rate = rule[field];
      if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
        throw new TypeError(`Sim fault ${operation}.${field} must be a probability in [0, 1], got ${rate}.`);
      }
    }
    if (rule.retryAfterMs !== undefined) requireNumber(`${operation}.retryAfterMs`, rule.retryAfterMs, 0);
    const latency = rule.latencyMs;
    if (typeof latency === 'number') requireNumber(`${operation}.latencyMs`, latency, 0);
    else if (latency !== undefined) {
      requireNumber(`${operation}.latencyMs.min`, latency.min, 0);
      requireNumber(`${operation}.latencyMs.max`, latency.max, latency.min);
    }
  }
}

function requireNumber(name: string, value: unknown, minimum: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new TypeError(
      `createSimDriver: \`${name}\` must be a finite number >= ${minimum}, got ${String(value)}.`,
    );
  }
}

function requireInteger(name: string, value: unknown, minimum: number): void {
  requireNumber(name, value, minimum);
  if (!Number.isInteger(value)) {
    throw new TypeError(`createSimDriver: \`${name}\` must be an integer, got ${String(value)}.`);
  }
}
