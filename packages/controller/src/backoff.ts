/** Options of {@link ExponentialBackoff}. */
export interface BackoffOptions {
  /** The delay after a key's first failure. Default 100 ms. */
  baseDelayMs?: number | undefined;
  /** The largest delay, however many failures. Default 60,000 ms. */
  maxDelayMs?: number | undefined;
  /**
   * The share of each delay drawn at random, so keys that failed together do not retry together: a delay is
   * between `(1 - jitter)` and 1 times `min(maxDelayMs, baseDelayMs * 2^(failures - 1))`. 0 to 1; default 0.2.
   */
  jitter?: number | undefined;
  /** The random source for the jitter, in [0, 1). Default `Math.random`; tests inject a fixed one. */
  random?: (() => number) | undefined;
}

/**
 * Per-key exponential back-off, as client-go's `ItemExponentialFailureRateLimiter`: every failure of a key doubles
 * its next delay, up to a cap, with jitter; a success forgets the key, so its next failure starts from the base.
 *
 * @example
 * const backoff = new ExponentialBackoff({ baseDelayMs: 100, maxDelayMs: 10_000 });
 * backoff.next('group/web'); // ~100 ms
 * backoff.next('group/web'); // ~200 ms
 * backoff.forget('group/web');
 */
export class ExponentialBackoff {
  private readonly failuresByKey = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
    if (!(Number.isFinite(this.baseDelayMs) && this.baseDelayMs > 0))
      throw new TypeError(
        `backoff.baseDelayMs must be a positive number of milliseconds, not ${this.baseDelayMs}.`,
      );
    if (!(Number.isFinite(this.maxDelayMs) && this.maxDelayMs >= this.baseDelayMs))
      throw new TypeError(
        `backoff.maxDelayMs must be a number of milliseconds at least baseDelayMs (${this.baseDelayMs}), not ${this.maxDelayMs}.`,
      );
    if (!(this.jitter >= 0 && this.jitter <= 1))
      throw new TypeError(`backoff.jitter must be between 0 and 1, not ${this.jitter}.`);
  }

  /** Records a failure of `key` and returns how long to wait before trying it again. */
  next(key: string): number {
    const failures = (this.failuresByKey.get(key) ?? 0) + 1;
    this.failuresByKey.set(key, failures);
    // 2^failures overflows to Infinity long after the cap is reached, and Math.min handles Infinity.
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
    return Math.round(ceiling * (1 - this.jitter * this.random()));
  }

  /** Failures of `key` since it last succeeded. */
  failures(key: string): number {
    return this.failuresByKey.get(key) ?? 0;
  }

  /** Forgets `key`'s failures (after a success). */
  forget(key: string): void {
    this.failuresByKey.delete(key);
  }
}
