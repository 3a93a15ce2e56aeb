import { type MetricName, type MetricsQuery, NovaCronError } from '@novacron/core';
import { SIM_METRICS } from './sim-metrics.js';

/** The most samples one series of one read may hold. */
export const MAX_SAMPLES_PER_SERIES = 100_000;

/** A metrics query checked and with its defaults applied. */
export interface ResolvedMetricsQuery {
  fromMs: number;
  toMs: number;
  stepMs: number;
  metrics: MetricName[];
}

/** Checks a metrics query; failures are `INVALID_ARGUMENT` naming the field. `stepMs` defaults to 60,000. */
export function resolveMetricsQuery(query: MetricsQuery): ResolvedMetricsQuery {
  const fromMs = query.from instanceof Date ? query.from.getTime() : Number.NaN;
  const toMs = query.to instanceof Date ? query.to.getTime() : Number.NaN;
  if (!Number.isFinite(fromMs)) throw invalid('from', '`from` must be a valid Date.');
  if (!Number.isFinite(toMs) || toMs <= fromMs)
    throw invalid('to', '`to` must be a valid Date after `from`.');
  const stepMs = query.stepMs ?? 60_000;
  if (!Number.isFinite(stepMs) || stepMs <= 0) {
    throw invalid('stepMs', `stepMs must be a positive number of milliseconds, got ${stepMs}.`);
  }
  if ((toMs - fromMs) / stepMs > MAX_SAMPLES_PER_SERIES) {
    throw invalid(
      'stepMs',
      `The window holds more than ${MAX_SAMPLES_PER_SERIES} samples at stepMs ${stepMs}; use a larger step or a shorter window.`,
    );
  }
  if (!Array.isArray(query.metrics)) throw invalid('metrics', '`metrics` must be an array of metric names.');
  for (const metric of query.metrics) {
    if (!SIM_METRICS.includes(metric)) {
      throw invalid(
        'metrics',
        `Unknown metric '${String(metric)}'. The sim reports ${SIM_METRICS.join(', ')}.`,
      );
    }
  }
  return { fromMs, toMs, stepMs, metrics: [...new Set(query.metrics)] };
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, message });
}
