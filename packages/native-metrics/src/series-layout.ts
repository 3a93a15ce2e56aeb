import type { GroupSummaries, SeriesSummaries, WindowSummaries } from './metrics-backend.js';

/** Fields per series before the quantile columns: count, sum, min, max, mean, last, ewma, anomaly. */
export const SERIES_FIELDS = 8;
/** Fields per group before the quantile columns: count, sum, min, max, mean. */
export const GROUP_FIELDS = 5;
/** Fields per series of a window summary: count, sum, min, max, mean. */
export const WINDOW_FIELDS = 5;
/** Quantiles summarised when the caller gives none. */
export const DEFAULT_SUMMARY_QUANTILES = new Float64Array([0.5, 0.9, 0.99]);

function column(buffer: Float64Array, field: number, rows: number): Float64Array {
  return buffer.subarray(field * rows, (field + 1) * rows);
}

function quantileColumns(buffer: Float64Array, first: number, count: number, rows: number): Float64Array[] {
  return Array.from({ length: count }, (_, index) => column(buffer, first + index, rows));
}

/**
 * Views of a column-major series summary buffer (`buffer[field * series + id]`).
 *
 * @example seriesSummaryViews(new Float64Array(2 * 11), 2, 3).mean;
 */
export function seriesSummaryViews(buffer: Float64Array, series: number, quantiles: number): SeriesSummaries {
  return {
    count: column(buffer, 0, series),
    sum: column(buffer, 1, series),
    min: column(buffer, 2, series),
    max: column(buffer, 3, series),
    mean: column(buffer, 4, series),
    last: column(buffer, 5, series),
    ewma: column(buffer, 6, series),
    anomaly: column(buffer, 7, series),
    quantiles: quantileColumns(buffer, SERIES_FIELDS, quantiles, series),
  };
}

/**
 * Views of a column-major group roll-up buffer (`buffer[field * groups + group]`).
 *
 * @example groupSummaryViews(new Float64Array(4 * 8), 4, 3).count;
 */
export function groupSummaryViews(buffer: Float64Array, groups: number, quantiles: number): GroupSummaries {
  return {
    count: column(buffer, 0, groups),
    sum: column(buffer, 1, groups),
    min: column(buffer, 2, groups),
    max: column(buffer, 3, groups),
    mean: column(buffer, 4, groups),
    quantiles: quantileColumns(buffer, GROUP_FIELDS, quantiles, groups),
  };
}

/**
 * Views of a column-major window summary buffer.
 *
 * @example windowSummaryViews(new Float64Array(5 * 2), 2).mean;
 */
export function windowSummaryViews(buffer: Float64Array, series: number): WindowSummaries {
  return {
    count: column(buffer, 0, series),
    sum: column(buffer, 1, series),
    min: column(buffer, 2, series),
    max: column(buffer, 3, series),
    mean: column(buffer, 4, series),
  };
}
