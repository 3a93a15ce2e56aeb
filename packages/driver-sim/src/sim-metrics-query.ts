import type { MetricName } from '@novacron/core';
import { invalidParameter } from './sim-api-error.js';
import type { SimMetricDataInput } from './sim-cloud-types.js';
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

/** Checks a metric-data request; failures are `InvalidParameterValue` naming the parameter. `stepMs` defaults to 60,000. */
export function resolveMetricsQuery(input: SimMetricDataInput): ResolvedMetricsQuery {
  const { fromMs, toMs } = input;
  if (!Number.isFinite(fromMs)) throw invalidParameter('fromMs', '`from` must be a valid time.');
  if (!Number.isFinite(toMs) || toMs <= fromMs)
    throw invalidParameter('toMs', '`to` must be a valid time after `from`.');
  const stepMs = input.stepMs ?? 60_000;
  if (!Number.isFinite(stepMs) || stepMs <= 0) {
    throw invalidParameter('stepMs', `stepMs must be a positive number of milliseconds, got ${stepMs}.`);
  }
  if ((toMs - fromMs) / stepMs > MAX_SAMPLES_PER_SERIES) {
    throw invalidParameter(
      'stepMs',
      `The window holds more than ${MAX_SAMPLES_PER_SERIES} samples at stepMs ${stepMs}; use a larger step or a shorter window.`,
    );
  }
  if (!Array.isArray(input.metrics))
    throw invalidParameter('metrics', '`metrics` must be an array of metric names.');
  for (const metric of input.metrics) {
    if (!(SIM_METRICS as readonly string[]).includes(metric)) {
      throw invalidParameter(
        'metrics',
        `Unknown metric '${String(metric)}'. The sim reports ${SIM_METRICS.join(', ')}.`,
      );
    }
  }
  return { fromMs, toMs, stepMs, metrics: [...new Set(input.metrics as readonly MetricName[])] };
}
