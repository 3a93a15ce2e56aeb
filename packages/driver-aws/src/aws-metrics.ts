import {
  type CloudWatchClient,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { type MetricName, type MetricSeries, type MetricsQuery, NovaCronError } from '@novacron/core';
import { toAwsNovaCronError } from './aws-error-map.js';

/** How each NovaCron metric is read from CloudWatch's `AWS/EC2` namespace. */
const CLOUDWATCH_METRICS: Partial<Record<MetricName, { metricName: string; stat: 'Average' | 'Sum' }>> = {
  'cpu.utilization': { metricName: 'CPUUtilization', stat: 'Average' },
  'network.rx.bytesPerSecond': { metricName: 'NetworkIn', stat: 'Sum' },
  'network.tx.bytesPerSecond': { metricName: 'NetworkOut', stat: 'Sum' },
  'disk.read.bytesPerSecond': { metricName: 'EBSReadBytes', stat: 'Sum' },
  'disk.write.bytesPerSecond': { metricName: 'EBSWriteBytes', stat: 'Sum' },
};

/** The metrics the aws driver can read (memory needs the CloudWatch agent and is not among them). */
export const AWS_METRICS: readonly MetricName[] = Object.keys(CLOUDWATCH_METRICS) as MetricName[];

/**
 * Reads EC2 instance metrics through one paginated CloudWatch `GetMetricData` query: CPU utilisation (as a 0..1
 * fraction), network and EBS bytes per second (CloudWatch sums per period, divided by the period). Metrics the
 * account does not have come back as empty series; metrics CloudWatch has no source for (memory) are left out.
 *
 * @example
 * await readAwsMetrics(cloudWatch, 'eu-west-1', { target: { vmId: 'i-0abc' }, metrics: ['cpu.utilization'], from, to }, signal);
 */
export async function readAwsMetrics(
  client: CloudWatchClient,
  region: string,
  query: MetricsQuery,
  signal: AbortSignal,
): Promise<MetricSeries[]> {
  if (!('vmId' in query.target)) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'target',
      message: 'EC2 exposes no hosts: read metrics for a VM ({ vmId }) on the aws driver.',
    });
  }
  const instanceId = query.target.vmId;
  // CloudWatch periods are multiples of 60 seconds for standard-resolution metrics.
  const periodSeconds = Math.max(60, Math.round((query.stepMs ?? 60_000) / 60_000) * 60);
  const wanted = query.metrics.filter((metric) => CLOUDWATCH_METRICS[metric] !== undefined);
  if (wanted.length === 0) return [];
  const queries: MetricDataQuery[] = wanted.map((metric, index) => {
    const source = CLOUDWATCH_METRICS[metric]!;
    return {
      Id: `m${index}`,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/EC2',
          MetricName: source.metricName,
          Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
        },
        Period: periodSeconds,
        Stat: source.stat,
      },
    };
  });
  const samples = wanted.map(() => new Map<number, number>());
  try {
    for await (const page of paginateGetMetricData(
      { client },
      { MetricDataQueries: queries, StartTime: query.from, EndTime: query.to, ScanBy: 'TimestampAscending' },
      { abortSignal: signal },
    )) {
      for (const result of page.MetricDataResults ?? []) {
        const index = Number(result.Id?.slice(1));
        const series = samples[index];
        if (series === undefined) continue;
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        timestamps.forEach((timestamp, position) => {
          const value = values[position];
          if (value !== undefined) series.set(new Date(timestamp).getTime(), value);
        });
      }
    }
  } catch (error) {
    throw toAwsNovaCronError(error, { action: 'GetMetricData', region, instanceId }, signal);
  }
  return wanted.map((metric, index) => {
    const source = CLOUDWATCH_METRICS[metric]!;
    const points = [...(samples[index] ?? new Map<number, number>()).entries()].sort(
      ([left], [right]) => left - right,
    );
    const scale = metric === 'cpu.utilization' ? 1 / 100 : source.stat === 'Sum' ? 1 / periodSeconds : 1;
    return {
      metric,
      timestampsMs: Float64Array.from(points, ([timestamp]) => timestamp),
      values: Float64Array.from(points, ([, value]) => value * scale),
    };
  });
}
