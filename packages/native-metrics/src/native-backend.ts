import {
  checkIngestTypes,
  checkNow,
  checkQuantileList,
  checkRollup,
  checkSeriesId,
  resolveAggregatorOptions,
} from './js/js-series-aggregator.js';
import { checkQuantile, checkRelativeAccuracy } from './js/js-sketch.js';
import type {
  GroupSummaries,
  MetricsBackend,
  PackInput,
  PackResult,
  SeriesAggregator,
  SeriesAggregatorOptions,
  SeriesSummaries,
  Sketch,
  SketchConstructor,
  SketchOptions,
  WindowSummaries,
} from './metrics-backend.js';
import { toJavaScriptError } from './native-errors.js';
import type { NativeBinding } from './native-loader.js';
import { checkPackInput } from './pack-input.js';
import {
  DEFAULT_SUMMARY_QUANTILES,
  GROUP_FIELDS,
  groupSummaryViews,
  SERIES_FIELDS,
  seriesSummaryViews,
  WINDOW_FIELDS,
  windowSummaryViews,
} from './series-layout.js';

/** Single `add` calls are buffered and sent to Rust in batches of this size (a Node-API call costs ~80 ns). */
const ADD_BUFFER_SIZE = 512;

function call<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toJavaScriptError(error);
  }
}

function createSketchClass(binding: NativeBinding): SketchConstructor {
  type Inner = InstanceType<NativeBinding['NativeSketch']>;
  const stats = new Float64Array(5);
  let adopted: Inner | undefined;

  class NativeSketch implements Sketch {
    readonly #inner: Inner;
    readonly #relativeAccuracy: number;
    #pending: Float64Array | undefined;
    #pendingLength = 0;

    constructor(options?: SketchOptions) {
      if (adopted !== undefined) {
        this.#inner = adopted;
        adopted = undefined;
        this.#inner.statsInto(stats);
        this.#relativeAccuracy = stats[4]!;
        return;
      }
      this.#relativeAccuracy = checkRelativeAccuracy(options?.relativeAccuracy);
      this.#inner = call(() => new binding.NativeSketch(this.#relativeAccuracy));
    }

    static fromBytes(bytes: Uint8Array): NativeSketch {
      if (!(bytes instanceof Uint8Array)) {
        throw new TypeError('Sketch.fromBytes: bytes must be a Uint8Array written by Sketch.toBytes.');
      }
      adopted = call(() => binding.NativeSketch.fromBytes(bytes));
      return new NativeSketch();
    }

    #flush(): void {
      if (this.#pendingLength === 0 || this.#pending === undefined) return;
      this.#inner.addBatch(this.#pending.subarray(0, this.#pendingLength));
      this.#pendingLength = 0;
    }

    get count(): number {
      return this.#stat(0);
    }

    get sum(): number {
      return this.#stat(1);
    }

    get min(): number {
      return this.#stat(2);
    }

    get max(): number {
      return this.#stat(3);
    }

    get relativeAccuracy(): number {
      return this.#relativeAccuracy;
    }

    #stat(index: number): number {
      this.#flush();
      this.#inner.statsInto(stats);
      return stats[index]!;
    }

    add(value: number): void {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RangeError(`Sketch.add: value is ${String(value)}; samples must be finite numbers.`);
      }
      if (this.#pending === undefined) this.#pending = new Float64Array(ADD_BUFFER_SIZE);
      this.#pending[this.#pendingLength] = value;
      this.#pendingLength += 1;
      if (this.#pendingLength === ADD_BUFFER_SIZE) this.#flush();
    }

    addBatch(values: Float64Array): void {
      if (!(values instanceof Float64Array))
        throw new TypeError('Sketch.addBatch: values must be a Float64Array.');
      this.#flush();
      call(() => this.#inner.addBatch(values));
    }

    merge(other: Sketch): void {
      this.#flush();
      let source: Inner;
      if (other instanceof NativeSketch && other !== this) {
        other.#flush();
        source = other.#inner;
      } else {
        source = call(() => binding.NativeSketch.fromBytes(other.toBytes()));
      }
      call(() => this.#inner.merge(source));
    }

    quantile(q: number): number {
      checkQuantile(q, 'Sketch.quantile: q');
      this.#flush();
      return this.#inner.quantile(q);
    }

    quantiles(qs: Float64Array): Float64Array {
      if (!(qs instanceof Float64Array)) throw new TypeError('Sketch.quantiles: qs must be a Float64Array.');
      for (let index = 0; index < qs.length; index += 1)
        checkQuantile(qs[index]!, `Sketch.quantiles: qs[${index}]`);
      this.#flush();
      const out = new Float64Array(qs.length);
      this.#inner.quantilesInto(qs, out);
      return out;
    }

    toBytes(): Uint8Array {
      this.#flush();
      return this.#inner.toBytes();
    }
  }
  return NativeSketch;
}

function createAggregatorClass(binding: NativeBinding, Sketch: SketchConstructor) {
  return class NativeSeriesAggregator implements SeriesAggregator {
    readonly #inner: InstanceType<NativeBinding['NativeSeriesAggregator']>;
    readonly #seriesCount: number;

    constructor(options: SeriesAggregatorOptions) {
      const resolved = resolveAggregatorOptions(options);
      this.#seriesCount = resolved.seriesCount;
      this.#inner = call(
        () =>
          new binding.NativeSeriesAggregator(
            resolved.seriesCount,
            resolved.relativeAccuracy,
            resolved.ewmaAlpha,
            resolved.windowMs,
            resolved.windowBuckets,
          ),
      );
    }

    get seriesCount(): number {
      return this.#seriesCount;
    }

    ingest(seriesIds: Uint32Array, values: Float64Array, timestampsMs?: Float64Array | undefined): void {
      checkIngestTypes(seriesIds, values, timestampsMs);
      call(() => this.#inner.ingest(seriesIds, values, timestampsMs));
    }

    summarize(qs: Float64Array = DEFAULT_SUMMARY_QUANTILES): SeriesSummaries {
      checkQuantileList(qs);
      const out = new Float64Array(this.#seriesCount * (SERIES_FIELDS + qs.length));
      call(() => this.#inner.summarizeInto(qs, out));
      return seriesSummaryViews(out, this.#seriesCount, qs.length);
    }

    rollup(
      groupOfSeries: Int32Array,
      groupCount: number,
      qs: Float64Array = DEFAULT_SUMMARY_QUANTILES,
    ): GroupSummaries {
      checkQuantileList(qs);
      checkRollup(groupOfSeries, groupCount, this.#seriesCount);
      const out = new Float64Array(groupCount * (GROUP_FIELDS + qs.length));
      call(() => this.#inner.rollupInto(groupOfSeries, groupCount, qs, out));
      return groupSummaryViews(out, groupCount, qs.length);
    }

    windowSummary(nowMs: number): WindowSummaries {
      checkNow(nowMs);
      const out = new Float64Array(this.#seriesCount * WINDOW_FIELDS);
      call(() => this.#inner.windowSummaryInto(nowMs, out));
      return windowSummaryViews(out, this.#seriesCount);
    }

    sketch(seriesId: number): Sketch {
      checkSeriesId(seriesId, this.#seriesCount);
      return Sketch.fromBytes(this.#inner.seriesSketchBytes(seriesId));
    }
  };
}

/**
 * Wraps the raw Node-API binding into the public {@link MetricsBackend} shape (argument checks
 * shared with the TypeScript backend, Rust errors mapped to `RangeError`/`Error`).
 *
 * @example
 * const backend = createNativeBackend(loadNativeBinding(process.env).binding!);
 */
export function createNativeBackend(binding: NativeBinding): MetricsBackend {
  const Sketch = createSketchClass(binding);
  const SeriesAggregator = createAggregatorClass(binding, Sketch);
  const packVectors = (input: PackInput): PackResult => {
    const checked = checkPackInput(input);
    const result = call(() =>
      binding.nativePackVectors(
        checked.dims,
        checked.items,
        checked.binCapacities,
        checked.groups,
        checked.itemClass,
        checked.allowed,
        checked.objective,
        checked.effort,
      ),
    );
    return { assignment: result.assignment, binsUsed: result.binsUsed };
  };
  return Object.freeze({ name: 'native', Sketch, SeriesAggregator, packVectors });
}
