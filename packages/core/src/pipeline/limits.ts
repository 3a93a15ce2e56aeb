/** Retry settings. */
export interface RetryLimits {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number | undefined;
  /** The first backoff ceiling in milliseconds; it doubles each attempt. Default 100. */
  baseDelayMs?: number | undefined;
  /** The largest backoff in milliseconds. Default 20,000. */
  maxDelayMs?: number | undefined;
}

/** Limits for one provider (or the default for all). */
export interface ProviderLimits {
  /** Calls in flight at once to this provider. Default 8. */
  concurrency?: number | undefined;
  /** Calls started per second; absent = unlimited. */
  perSecond?: number | undefined;
  /** Deadline for one whole operation (all attempts) in milliseconds. Default 300,000 (5 minutes). */
  timeoutMs?: number | undefined;
  /**
   * Deadline for one attempt, from when it leaves the queue, in milliseconds; a timed-out attempt of a call that is
   * safe to repeat is retried. Default: the driver's `defaultLimits.attemptTimeoutMs` (drivers that talk to a network
   * set one), else none: an attempt may then take the whole operation deadline.
   */
  attemptTimeoutMs?: number | undefined;
  /** Retry settings. */
  retry?: RetryLimits | undefined;
}

/** `createNovaCron`'s `limits`: a default plus per-provider overrides, merged field by field. */
export type LimitsOptions = { default?: ProviderLimits | undefined } & Record<
  string,
  ProviderLimits | undefined
>;

/** Limits with every field decided. */
export interface ResolvedLimits {
  concurrency: number;
  perSecond: number | undefined;
  timeoutMs: number;
  attemptTimeoutMs: number | undefined;
  retry: Required<{ [K in keyof RetryLimits]: number }>;
}

const BUILT_IN: ResolvedLimits = {
  concurrency: 8,
  perSecond: undefined,
  timeoutMs: 300_000,
  attemptTimeoutMs: undefined,
  retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 20_000 },
};

/**
 * Merges, field by field, `limits[provider]`, `limits.default`, the driver's own defaults (`driverDefaults`) and the
 * built-in defaults, and checks the numbers.
 */
export function resolveLimits(
  limits: LimitsOptions | undefined,
  provider: string,
  driverDefaults: Pick<ProviderLimits, 'attemptTimeoutMs'> = {},
): ResolvedLimits {
  const base = limits?.default ?? {};
  const own = limits?.[provider] ?? {};
  const resolved: ResolvedLimits = {
    concurrency: own.concurrency ?? base.concurrency ?? BUILT_IN.concurrency,
    perSecond: own.perSecond ?? base.perSecond ?? BUILT_IN.perSecond,
    timeoutMs: own.timeoutMs ?? base.timeoutMs ?? BUILT_IN.timeoutMs,
    attemptTimeoutMs:
      own.attemptTimeoutMs ??
      base.attemptTimeoutMs ??
      driverDefaults.attemptTimeoutMs ??
      BUILT_IN.attemptTimeoutMs,
    retry: {
      maxAttempts: own.retry?.maxAttempts ?? base.retry?.maxAttempts ?? BUILT_IN.retry.maxAttempts,
      baseDelayMs: own.retry?.baseDelayMs ?? base.retry?.baseDelayMs ?? BUILT_IN.retry.baseDelayMs,
      maxDelayMs: own.retry?.maxDelayMs ?? base.retry?.maxDelayMs ?? BUILT_IN.retry.maxDelayMs,
    },
  };
  const positive: Array<[string, number | undefined]> = [
    ['concurrency', resolved.concurrency],
    ['perSecond', resolved.perSecond],
    ['timeoutMs', resolved.timeoutMs],
    ['attemptTimeoutMs', resolved.attemptTimeoutMs],
    ['retry.maxAttempts', resolved.retry.maxAttempts],
  ];
  for (const [field, value] of positive) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      throw new TypeError(`limits.${provider}.${field} must be a positive number, got ${value}.`);
    }
  }
  return resolved;
}
