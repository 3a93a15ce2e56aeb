/**
 * @novacron/native-metrics: quantile sketches, series aggregation and vector bin packing, in Rust
 * through Node-API with a pure-TypeScript fallback behind the same interface.
 *
 * @example
 * import { backend, Sketch, packVectors } from '@novacron/native-metrics';
 * const sketch = new Sketch();
 * sketch.addBatch(new Float64Array([1, 2, 3]));
 * console.log(backend, sketch.quantile(0.99));
 */
import { jsBackend } from './js/js-backend.js';
import type {
  MetricsBackend,
  PackVectors,
  SeriesAggregatorConstructor,
  SeriesAggregator as SeriesAggregatorInstance,
  SketchConstructor,
  Sketch as SketchInstance,
} from './metrics-backend.js';
import { createNativeBackend } from './native-backend.js';
import { loadNativeBinding } from './native-loader.js';

export type {
  GroupSummaries,
  MetricsBackend,
  PackInput,
  PackResult,
  PackVectors,
  SeriesAggregator as SeriesAggregatorInstance,
  SeriesAggregatorConstructor,
  SeriesAggregatorOptions,
  SeriesSummaries,
  Sketch as SketchInstance,
  SketchConstructor,
  SketchOptions,
  WindowSummaries,
} from './metrics-backend.js';

const loaded = loadNativeBinding(process.env);

/** The pure-TypeScript backend; always present. */
export const js: MetricsBackend = jsBackend;

/** The Rust backend; `undefined` when the binary did not load (see {@link nativeUnavailableReason}). */
export const native: MetricsBackend | undefined =
  loaded.binding === undefined ? undefined : createNativeBackend(loaded.binding);

/** Why the native backend is not in use (missing binary, load error, `NOVACRON_NATIVE=0`); `undefined` when it is. */
export const nativeUnavailableReason: string | undefined = loaded.reason;

const selected: MetricsBackend = native ?? js;

/** The backend behind the top-level `Sketch`, `SeriesAggregator` and `packVectors`. */
export const backend: 'native' | 'js' = selected.name;

/** Quantile sketch of the best available backend (see {@link SketchInstance}). */
export type Sketch = SketchInstance;
/** Quantile sketch class of the best available backend. */
export const Sketch: SketchConstructor = selected.Sketch;

/** Series aggregator of the best available backend. */
export type SeriesAggregator = SeriesAggregatorInstance;
/** Series aggregator class of the best available backend. */
export const SeriesAggregator: SeriesAggregatorConstructor = selected.SeriesAggregator;

/** Vector bin packing of the best available backend. */
export const packVectors: PackVectors = selected.packVectors;
