// biome-ignore-all lint/complexity/useMathMinMax: comparisons mirror the Rust code exactly (NaN and signed-zero behaviour), which Math.min/Math.max would not.
import type {
  GroupSummaries,
  SeriesAggregator,
  SeriesAggregatorOptions,
  SeriesSummaries,
  WindowSummaries,
} from '../metrics-backend.js';
import {
  DEFAULT_SUMMARY_QUANTILES,
  GROUP_FIELDS,
  groupSummaryViews,
  SERIES_FIELDS,
  seriesSummaryViews,
  WINDOW_FIELDS,
  windowSummaryViews,
} from '../series-layout.js';
import { checkQuantile, checkRelativeAccuracy, JsSketch } from './js-sketch.js';

/** Resolved aggregator options (defaults applied and checked). */
export interface ResolvedAggregatorOptions {
  seriesCount: number;
  relativeAccuracy: number;
  ewmaAlpha: number;
  windowMs: number;
  windowBuckets: number;
}

/**
 * Applies defaults and checks aggregator options; `RangeError` names the bad option.
 *
 * @example resolveAggregatorOptions({ seriesCount: 10 }).windowMs; // 60000
 */
export function resolveAggregatorOptions(options: SeriesAggregatorOptions): ResolvedAggregatorOptions {
  const seriesCount = options?.seriesCount;
  if (!Number.isInteger(seriesCount) || seriesCount < 1 || seriesCount > 100_000_000) {
    throw new RangeError(
      `SeriesAggregator: seriesCount is ${String(seriesCount)}; it must be an integer from 1 to 100000000.`,
    );
  }
  const relativeAccuracy = checkRelativeAccuracy(options.relativeAccuracy);
  const ewmaAlpha = options.ewmaAlpha ?? 0.1;
  if (!(typeof ewmaAlpha === 'number' && ewmaAlpha > 0 && ewmaAlpha <= 1)) {
    throw new RangeError(
      `SeriesAggregator: ewmaAlpha is ${String(ewmaAlpha)}; it must be in (0, 1] (default 0.1).`,
    );
  }
  const windowMs = options.windowMs ?? 60_000;
  if (!(typeof windowMs === 'number' && Number.isFinite(windowMs) && windowMs > 0)) {
    throw new RangeError(
      `SeriesAggregator: windowMs is ${String(windowMs)}; it must be a positive number of milliseconds (default 60000).`,
    );
  }
  const windowBuckets = options.windowBuckets ?? 6;
  if (!Number.isInteger(windowBuckets) || windowBuckets < 1 || windowBuckets > 1024) {
    throw new RangeError(
      `SeriesAggregator: windowBuckets is ${String(windowBuckets)}; it must be an integer from 1 to 1024 (default 6).`,
    );
  }
  return { seriesCount, relativeAccuracy, ewmaAlpha, windowMs, windowBuckets };
}

/**
 * Checks the array types of an ingest batch (`TypeError` for the wrong kind of array).
 *
 * @example checkIngestTypes(new Uint32Array([0]), new Float64Array([1]), undefined);
 */
export function checkIngestTypes(
  seriesIds: Uint32Array,
  values: Float64Array,
  timestampsMs: Float64Array | undefined,
): void {
  if (!(seriesIds instanceof Uint32Array))
    throw new TypeError('SeriesAggregator.ingest: seriesIds must be a Uint32Array.');
  if (!(values instanceof Float64Array))
    throw new TypeError('SeriesAggregator.ingest: values must be a Float64Array.');
  if (timestampsMs !== undefined && !(timestampsMs instanceof Float64Array)) {
    throw new TypeError('SeriesAggregator.ingest: timestampsMs must be a Float64Array when given.');
  }
}

/**
 * Pure-TypeScript series aggregator with the same results as the native one.
 *
 * @example
 * const aggregator = new JsSeriesAggregator({ seriesCount: 2 });
 * aggregator.ingest(new Uint32Array([0, 1]), new Float64Array([1, 2]));
 */
export class JsSeriesAggregator implements SeriesAggregator {
  readonly #options: ResolvedAggregatorOptions;
  readonly #bucketMs: number;
  readonly #sketches: JsSketch[];
  readonly #ewma: Float64Array;
  readonly #last: Float64Array;
  readonly #slotEpoch: Float64Array;
  readonly #slotCount: Float64Array;
  readonly #slotSum: Float64Array;
  readonly #slotMin: Float64Array;
  readonly #slotMax: Float64Array;

  constructor(options: SeriesAggregatorOptions) {
    this.#options = resolveAggregatorOptions(options);
    const { seriesCount, windowBuckets, relativeAccuracy } = this.#options;
    this.#bucketMs = this.#options.windowMs / windowBuckets;
    this.#sketches = Array.from({ length: seriesCount }, () => new JsSketch({ relativeAccuracy }));
    this.#ewma = new Float64Array(seriesCount).fill(Number.NaN);
    this.#last = new Float64Array(seriesCount).fill(Number.NaN);
    const slots = seriesCount * windowBuckets;
    this.#slotEpoch = new Float64Array(slots).fill(Number.NEGATIVE_INFINITY);
    this.#slotCount = new Float64Array(slots);
    this.#slotSum = new Float64Array(slots);
    this.#slotMin = new Float64Array(slots).fill(Number.POSITIVE_INFINITY);
    this.#slotMax = new Float64Array(slots).fill(Number.NEGATIVE_INFINITY);
  }

  get seriesCount(): number {
    return this.#options.seriesCount;
  }

  ingest(seriesIds: Uint32Array, values: Float64Array, timestampsMs?: Float64Array | undefined): void {
    checkIngestTypes(seriesIds, values, timestampsMs);
    const limit = this.seriesCount;
    if (seriesIds.length !== values.length) {
      throw new RangeError(
        `SeriesAggregator.ingest: seriesIds has ${seriesIds.length} entries but values has ${values.length}; they must have the same length.`,
      );
    }
    if (timestampsMs !== undefined) {
      if (timestampsMs.length !== values.length) {
        throw new RangeError(
          `SeriesAggregator.ingest: timestampsMs has ${timestampsMs.length} entries but values has ${values.length}; they must have the same length.`,
        );
      }
      for (let index = 0; index < timestampsMs.length; index += 1) {
        const time = timestampsMs[index]!;
        if (time - time !== 0) {
          throw new RangeError(
            `SeriesAggregator.ingest: timestampsMs[${index}] is ${String(time)}; timestamps must be finite. Nothing of this batch was ingested.`,
          );
        }
      }
    }
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index]!;
      if (value - value !== 0) {
        throw new RangeError(
          `SeriesAggregator.ingest: values[${index}] is ${String(value)}; samples must be finite numbers. Nothing of this batch was ingested.`,
        );
      }
    }
    for (let index = 0; index < seriesIds.length; index += 1) {
      if (seriesIds[index]! >= limit) {
        throw new RangeError(
          `SeriesAggregator.ingest: seriesIds[${index}] is ${seriesIds[index]}; ids must be below seriesCount (${limit}). Nothing of this batch was ingested.`,
        );
      }
    }
    for (let index = 0; index < values.length; index += 1) {
      this.#apply(
        seriesIds[index]!,
        values[index]!,
        timestampsMs === undefined ? undefined : timestampsMs[index]!,
      );
    }
  }

  #apply(id: number, value: number, time: number | undefined): void {
    this.#sketches[id]!.addFinite(value);
    const ewma = this.#ewma[id]!;
    this.#ewma[id] = Number.isNaN(ewma) ? value : ewma + this.#options.ewmaAlpha * (value - ewma);
    this.#last[id] = value;
    if (time === undefined) return;
    const epoch = Math.floor(time / this.#bucketMs);
    const buckets = this.#options.windowBuckets;
    const slot = id * buckets + (epoch - Math.floor(epoch / buckets) * buckets);
    const current = this.#slotEpoch[slot]!;
    if (epoch < current) return; // older than the data already in this slot: outside the window
    if (epoch > current) {
      this.#slotEpoch[slot] = epoch;
      this.#slotCount[slot] = 0;
      this.#slotSum[slot] = 0;
      this.#slotMin[slot] = Number.POSITIVE_INFINITY;
      this.#slotMax[slot] = Number.NEGATIVE_INFINITY;
    }
    this.#slotCount[slot]! += 1;
    this.#slotSum[slot]! += value;
    if (value < this.#slotMin[slot]!) this.#slotMin[slot] = value;
    if (value > this.#slotMax[slot]!) this.#slotMax[slot] = value;
  }

  summarize(qs: Float64Array = DEFAULT_SUMMARY_QUANTILES): SeriesSummaries {
    checkQuantileList(qs);
    const series = this.seriesCount;
    const out = new Float64Array(series * (SERIES_FIELDS + qs.length));
    for (let id = 0; id < series; id += 1) {
      const sketch = this.#sketches[id]!;
      const count = sketch.count;
      const sum = sketch.sum;
      out[id] = count;
      out[series + id] = sum;
      out[2 * series + id] = sketch.min;
      out[3 * series + id] = sketch.max;
      out[4 * series + id] = count === 0 ? Number.NaN : sum / count;
      out[5 * series + id] = this.#last[id]!;
      out[6 * series + id] = this.#ewma[id]!;
      out[7 * series + id] = anomalyScore(sketch, this.#ewma[id]!);
      for (let column = 0; column < qs.length; column += 1) {
        out[(SERIES_FIELDS + column) * series + id] = sketch.quantileUnchecked(qs[column]!);
      }
    }
    return seriesSummaryViews(out, series, qs.length);
  }

  rollup(
    groupOfSeries: Int32Array,
    groupCount: number,
    qs: Float64Array = DEFAULT_SUMMARY_QUANTILES,
  ): GroupSummaries {
    checkQuantileList(qs);
    const series = this.seriesCount;
    checkRollup(groupOfSeries, groupCount, series);
    const groups = Array.from(
      { length: groupCount },
      () => new JsSketch({ relativeAccuracy: this.#options.relativeAccuracy }),
    );
    for (let id = 0; id < series; id += 1) {
      const group = groupOfSeries[id]!;
      if (group >= 0) groups[group]!.merge(this.#sketches[id]!);
    }
    const out = new Float64Array(groupCount * (GROUP_FIELDS + qs.length));
    for (let group = 0; group < groupCount; group += 1) {
      const sketch = groups[group]!;
      const count = sketch.count;
      const sum = sketch.sum;
      out[group] = count;
      out[groupCount + group] = sum;
      out[2 * groupCount + group] = sketch.min;
      out[3 * groupCount + group] = sketch.max;
      out[4 * groupCount + group] = count === 0 ? Number.NaN : sum / count;
      for (let column = 0; column < qs.length; column += 1) {
        out[(GROUP_FIELDS + column) * groupCount + group] = sketch.quantileUnchecked(qs[column]!);
      }
    }
    return groupSummaryViews(out, groupCount, qs.length);
  }

  windowSummary(nowMs: number): WindowSummaries {
    checkNow(nowMs);
    const series = this.seriesCount;
    const buckets = this.#options.windowBuckets;
    const out = new Float64Array(series * WINDOW_FIELDS);
    const nowEpoch = Math.floor(nowMs / this.#bucketMs);
    const oldest = nowEpoch - buckets;
    for (let id = 0; id < series; id += 1) {
      let count = 0;
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let slot = id * buckets; slot < (id + 1) * buckets; slot += 1) {
        const epoch = this.#slotEpoch[slot]!;
        if (epoch > oldest && epoch <= nowEpoch) {
          count += this.#slotCount[slot]!;
          sum += this.#slotSum[slot]!;
          min = this.#slotMin[slot]! < min ? this.#slotMin[slot]! : min;
          max = this.#slotMax[slot]! > max ? this.#slotMax[slot]! : max;
        }
      }
      const empty = count === 0;
      out[id] = count;
      out[series + id] = sum;
      out[2 * series + id] = empty ? Number.NaN : min;
      out[3 * series + id] = empty ? Number.NaN : max;
      out[4 * series + id] = empty ? Number.NaN : sum / count;
    }
    return windowSummaryViews(out, series);
  }

  sketch(seriesId: number): JsSketch {
    checkSeriesId(seriesId, this.seriesCount);
    return JsSketch.fromBytes(this.#sketches[seriesId]!.toBytes());
  }
}

/**
 * `(level - median) / (1.4826 * MAD)` with MAD estimated as half the interquartile range.
 *
 * @example anomalyScore(sketch, sketch.quantile(0.5)); // 0
 */
export function anomalyScore(sketch: JsSketch, level: number): number {
  if (sketch.count === 0 || Number.isNaN(level)) return Number.NaN;
  const median = sketch.quantileUnchecked(0.5);
  const mad = (sketch.quantileUnchecked(0.75) - sketch.quantileUnchecked(0.25)) / 2;
  const deviation = level - median;
  if (mad > 0) return deviation / (1.4826 * mad);
  if (deviation === 0) return 0;
  return deviation > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * Checks a list of quantiles; `RangeError` names the bad entry.
 *
 * @example checkQuantileList(new Float64Array([0.5]));
 */
export function checkQuantileList(qs: Float64Array): void {
  if (!(qs instanceof Float64Array)) throw new TypeError('quantiles must be a Float64Array.');
  for (let index = 0; index < qs.length; index += 1) checkQuantile(qs[index]!, `quantiles[${index}]`);
}

/**
 * Checks a roll-up mapping; `RangeError` names the bad entry.
 *
 * @example checkRollup(new Int32Array([0, -1]), 1, 2);
 */
export function checkRollup(groupOfSeries: Int32Array, groupCount: number, series: number): void {
  if (!(groupOfSeries instanceof Int32Array))
    throw new TypeError('SeriesAggregator.rollup: groupOfSeries must be an Int32Array.');
  if (!Number.isInteger(groupCount) || groupCount < 0 || groupCount > 2 ** 31 - 1) {
    throw new RangeError(
      `SeriesAggregator.rollup: groupCount is ${String(groupCount)}; it must be a non-negative integer.`,
    );
  }
  if (groupOfSeries.length !== series) {
    throw new RangeError(
      `SeriesAggregator.rollup: groupOfSeries has ${groupOfSeries.length} entries but there are ${series} series; give one group per series (-1 = none).`,
    );
  }
  for (let index = 0; index < series; index += 1) {
    const group = groupOfSeries[index]!;
    if (group < -1 || group >= groupCount) {
      throw new RangeError(
        `SeriesAggregator.rollup: groupOfSeries[${index}] is ${group}; groups must be -1 or below groupCount (${groupCount}).`,
      );
    }
  }
}

/**
 * Checks the end of a rolling window.
 *
 * @example checkNow(Date.now());
 */
export function checkNow(nowMs: number): void {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new RangeError(
      `SeriesAggregator.windowSummary: nowMs is ${String(nowMs)}; it must be a finite timestamp in milliseconds.`,
    );
  }
}

/**
 * Checks a series id against the series count.
 *
 * @example checkSeriesId(0, 1);
 */
export function checkSeriesId(seriesId: number, seriesCount: number): void {
  if (!Number.isInteger(seriesId) || seriesId < 0 || seriesId >= seriesCount) {
    throw new RangeError(
      `SeriesAggregator.sketch: series ${String(seriesId)} is not below seriesCount (${seriesCount}).`,
    );
  }
}
