import type { MetricsBackend } from '../metrics-backend.js';
import { jsPackVectors } from './js-pack-vectors.js';
import { JsSeriesAggregator } from './js-series-aggregator.js';
import { JsSketch } from './js-sketch.js';

/**
 * The pure-TypeScript backend: always available, same results as the native one, slower.
 *
 * @example
 * const sketch = new jsBackend.Sketch();
 * sketch.add(42);
 */
export const jsBackend: MetricsBackend = Object.freeze({
  name: 'js',
  Sketch: JsSketch,
  SeriesAggregator: JsSeriesAggregator,
  packVectors: jsPackVectors,
});
