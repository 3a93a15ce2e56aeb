/** Options of a {@link Sketch}. */
export interface SketchOptions {
  /**
   * Relative accuracy of every quantile: the answer is within `relativeAccuracy * |exact|` of the
   * exact value. Strictly between 0 and 1. Default `0.01` (1 %).
   */
  relativeAccuracy?: number | undefined;
}

/**
 * DDSketch-style quantile sketch: relative-accuracy quantiles, exact count/min/max, mergeable,
 * serialisable. Both backends implement it with bit-identical bins and bytes.
 *
 * @example
 * const sketch = new Sketch({ relativeAccuracy: 0.01 });
 * sketch.addBatch(new Float64Array([3, 1, 2]));
 * sketch.quantile(0.5); // ~2
 */
export interface Sketch {
  /** Adds one finite value; throws `RangeError` for NaN or infinities. */
  add(value: number): void;
  /** Adds a batch in one call (the fast path); all or nothing, `RangeError` names the bad index. */
  addBatch(values: Float64Array): void;
  /** Adds every sample of `other` (same relative accuracy; either backend). */
  merge(other: Sketch): void;
  /** Value at rank `floor(q * (count - 1))`, within the relative accuracy; NaN when empty. */
  quantile(q: number): number;
  /** One {@link Sketch.quantile} per entry of `qs`. */
  quantiles(qs: Float64Array): Float64Array;
  /** Number of samples. */
  readonly count: number;
  /** Sum of the samples (Neumaier-compensated; 0 when empty). */
  readonly sum: number;
  /** Smallest sample, exact; NaN when empty. */
  readonly min: number;
  /** Largest sample, exact; NaN when empty. */
  readonly max: number;
  /** The relative accuracy this sketch was built with. */
  readonly relativeAccuracy: number;
  /** Versioned, stable byte form (format 1), readable by either backend. */
  toBytes(): Uint8Array;
}

/** The `Sketch` class of a backend. */
export interface SketchConstructor {
  new (options?: SketchOptions): Sketch;
  /** Decodes {@link Sketch.toBytes}; throws an `Error` naming the problem on truncated or corrupted bytes. */
  fromBytes(bytes: Uint8Array): Sketch;
}

/** Options of a {@link SeriesAggregator}. */
export interface SeriesAggregatorOptions {
  /** Number of series; ids are `0 .. seriesCount - 1`. Required. */
  seriesCount: number;
  /** Relative accuracy of the per-series sketches. Default `0.01`. */
  relativeAccuracy?: number | undefined;
  /** Weight of each new sample in the EWMA, in (0, 1]. Default `0.1`. */
  ewmaAlpha?: number | undefined;
  /** Length of the rolling window in milliseconds (only timestamped samples enter it). Default `60000`. */
  windowMs?: number | undefined;
  /** Buckets the rolling window is divided into (its time resolution). Default `6`. */
  windowBuckets?: number | undefined;
}

/** Per-series summaries, one entry per series id in each typed array (views into one buffer). */
export interface SeriesSummaries {
  count: Float64Array;
  sum: Float64Array;
  /** NaN for series without samples (as are mean, last, ewma, anomaly and the quantiles). */
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  /** Last sample in ingestion order. */
  last: Float64Array;
  /** Exponentially weighted moving average (`ewmaAlpha` per sample). */
  ewma: Float64Array;
  /**
   * Robust anomaly score: `(ewma - median) / (1.4826 * MAD)`, MAD estimated as half the
   * interquartile range; ±Infinity when the spread is zero and the level differs from the median.
   */
  anomaly: Float64Array;
  /** `quantiles[j][series]` for the requested `qs[j]`. */
  quantiles: Float64Array[];
}

/** Per-group roll-up summaries. */
export interface GroupSummaries {
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  quantiles: Float64Array[];
}

/** Rolling-window summaries per series (count, sum, min, max, mean over the window). */
export interface WindowSummaries {
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
}

/**
 * Aggregates many series at once: per-series sketches, EWMA, last value, rolling windows,
 * group roll-ups and a robust anomaly score, all written into typed arrays.
 *
 * @example
 * const aggregator = new SeriesAggregator({ seriesCount: 2 });
 * aggregator.ingest(new Uint32Array([0, 1, 0]), new Float64Array([1, 5, 3]));
 * aggregator.summarize().mean; // Float64Array [2, 5]
 */
export interface SeriesAggregator {
  /** Number of series. */
  readonly seriesCount: number;
  /**
   * Ingests samples: `seriesIds[i]` gets `values[i]` (at `timestampsMs[i]`, which feeds the rolling
   * window). All or nothing: a `RangeError` names the first bad index.
   */
  ingest(seriesIds: Uint32Array, values: Float64Array, timestampsMs?: Float64Array | undefined): void;
  /** Per-series summaries with the quantiles `qs` (default 0.5, 0.9, 0.99). */
  summarize(qs?: Float64Array | undefined): SeriesSummaries;
  /** Merges series by `groupOfSeries[series]` (-1 = left out) into `groupCount` groups. */
  rollup(groupOfSeries: Int32Array, groupCount: number, qs?: Float64Array | undefined): GroupSummaries;
  /** Summaries of the rolling window that ends at `nowMs`. */
  windowSummary(nowMs: number): WindowSummaries;
  /** A copy of one series' sketch, on the same backend. */
  sketch(seriesId: number): Sketch;
}

/** The `SeriesAggregator` class of a backend. */
export interface SeriesAggregatorConstructor {
  new (options: SeriesAggregatorOptions): SeriesAggregator;
}

/** Input of {@link PackVectors}. */
export interface PackInput {
  /** Number of dimensions (resources), 1 to 64. */
  dims: number;
  /** `n * dims` demands, row-major; finite and non-negative. */
  items: Float64Array;
  /** `m * dims` capacities, row-major (remaining capacity of each host); finite and non-negative. */
  binCapacities: Float64Array;
  /** `n` groups: items with the same group >= 0 never share a bin (anti-affinity); -1 = none. Default none. */
  groups?: Int32Array | undefined;
  /**
   * Eligibility: `allowed[itemClass[i] * m + bin] !== 0` when item `i` may go to `bin`;
   * `itemClass[i] = -1` allows every bin. Default: every bin allowed.
   */
  eligible?: { itemClass: Int32Array; allowed: Uint8Array } | undefined;
  /** `pack` = fewest bins used (default); `spread` = lowest peak utilisation per placement. */
  objective?: 'pack' | 'spread' | undefined;
  /** `fast` (default) = two greedy heuristics; `improve` = a portfolio plus bounded local search. */
  effort?: 'fast' | 'improve' | undefined;
}

/** Result of {@link PackVectors}. */
export interface PackResult {
  /** Bin per item, -1 = unplaced. */
  assignment: Int32Array;
  /** Bins holding at least one item. */
  binsUsed: number;
}

/**
 * Multi-dimensional bin packing with anti-affinity and eligibility. Never exceeds a capacity,
 * never violates a constraint, deterministic (both backends return the same assignment).
 */
export type PackVectors = (input: PackInput) => PackResult;

/** What each backend provides. */
export interface MetricsBackend {
  /** `'native'` (Rust through Node-API) or `'js'` (the TypeScript fallback). */
  readonly name: 'native' | 'js';
  readonly Sketch: SketchConstructor;
  readonly SeriesAggregator: SeriesAggregatorConstructor;
  readonly packVectors: PackVectors;
}
