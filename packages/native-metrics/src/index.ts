/**
 * @novacron/native-metrics: quantile sketches, series aggregation and vector bin packing, in Rust
 * through Node-API with a pure-TypeScript fallback behind the same interface.
 *
 * Importing it loads nothing: the binding is loaded on first use of `Sketch`, `SeriesAggregator`,
 * `packVectors`, `backend()` or `native()` (so `sideEffects: false` holds).
 *
 * @example
 * import { backend, Sketch, packVectors } from '@novacron/native-metrics';
 * const sketch = new Sketch();
 * sketch.addBatch(new Float64Array([1, 2, 3]));
 * console.log(backend(), sketch.quantile(0.99));
 */
import { jsBackend } from './js/js-backend.js';
import type {
  MetricsBackend,
  PackVectors,
  SeriesAggregatorConstructor,
  SeriesAggregator as SeriesAggregatorInstance,
  SeriesAggregatorOptions,
  SketchConstructor,
  Sketch as SketchInstance,
  SketchOptions,
} from './metrics-backend.js';
import { createNativeBackend } from './native-backend.js';
import { loadNativeBinding } from './native-loader.js';
import { NativeRequiredError } from './native-required-error.js';

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
export { NativeRequiredError } from './native-required-error.js';

interface NativeState {
  native: MetricsBackend | undefined;
  reason: string | undefined;
  /** Set under `NOVACRON_NATIVE=required` when the binding did not load. */
  requiredError: (() => NativeRequiredError) | undefined;
}

let state: NativeState | undefined;

/** Loads the binding once, on first need; never at import. */
function nativeState(): NativeState {
  if (state === undefined) {
    const loaded = loadNativeBinding(process.env);
    const required = process.env.NOVACRON_NATIVE === 'required' && loaded.binding === undefined;
    state = {
      native: loaded.binding === undefined ? undefined : createNativeBackend(loaded.binding),
      reason: loaded.reason,
      requiredError: required
        ? () => new NativeRequiredError(loaded.problem ?? '', loaded.platform)
        : undefined,
    };
  }
  return state;
}

function selectedBackend(): MetricsBackend {
  const current = nativeState();
  if (current.requiredError !== undefined) throw current.requiredError();
  return current.native ?? jsBackend;
}

/** The pure-TypeScript backend; always present. */
export const js: MetricsBackend = jsBackend;

/**
 * The Rust backend, or `undefined` when the binary did not load (see {@link nativeUnavailableReason}).
 * Loads the binding on first call.
 *
 * @example
 * const fast = native() ?? js;
 */
export function native(): MetricsBackend | undefined {
  return nativeState().native;
}

/**
 * Why the native backend is not in use (binary not installed, load error, `NOVACRON_NATIVE=0`), with
 * the fix; `undefined` when it is. Loads the binding on first call; never throws.
 *
 * @example
 * if (backend() === 'js') console.warn(nativeUnavailableReason());
 */
export function nativeUnavailableReason(): string | undefined {
  return nativeState().reason;
}

/**
 * The backend behind the top-level `Sketch`, `SeriesAggregator` and `packVectors`. Loads the
 * binding on first call; throws {@link NativeRequiredError} under `NOVACRON_NATIVE=required` when it
 * did not load.
 *
 * @example
 * backend(); // 'native'
 */
export function backend(): 'native' | 'js' {
  return selectedBackend().name;
}

/** Quantile sketch of the best available backend (see {@link SketchInstance}). */
export type Sketch = SketchInstance;

/**
 * Quantile sketch class of the best available backend. The class is chosen at the first
 * construction (which loads the binding); `instanceof Sketch` holds for its instances.
 */
export const Sketch: SketchConstructor = class Sketch {
  constructor(options?: SketchOptions) {
    // biome-ignore lint/correctness/noConstructorReturn: the instance is the selected backend's, chosen lazily.
    return new (selectedBackend().Sketch)(options);
  }

  static fromBytes(bytes: Uint8Array): SketchInstance {
    return selectedBackend().Sketch.fromBytes(bytes);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof selectedBackend().Sketch;
  }
} as unknown as SketchConstructor;

/** Series aggregator of the best available backend. */
export type SeriesAggregator = SeriesAggregatorInstance;

/**
 * Series aggregator class of the best available backend, chosen at the first construction (which
 * loads the binding); `instanceof SeriesAggregator` holds for its instances.
 */
export const SeriesAggregator: SeriesAggregatorConstructor = class SeriesAggregator {
  constructor(options: SeriesAggregatorOptions) {
    // biome-ignore lint/correctness/noConstructorReturn: the instance is the selected backend's, chosen lazily.
    return new (selectedBackend().SeriesAggregator)(options);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof selectedBackend().SeriesAggregator;
  }
} as unknown as SeriesAggregatorConstructor;

/**
 * Vector bin packing of the best available backend (loads the binding on first call).
 *
 * @example
 * packVectors({ dims: 1, items: new Float64Array([2, 3]), binCapacities: new Float64Array([5]) });
 */
export const packVectors: PackVectors = (input) => selectedBackend().packVectors(input);
