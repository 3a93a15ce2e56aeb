/** The metric names drivers may report. Drivers report those they have and ignore the rest. */
export type MetricName =
  | 'cpu.utilization'
  | 'memory.used.bytes'
  | 'memory.utilization'
  | 'disk.read.bytesPerSecond'
  | 'disk.write.bytesPerSecond'
  | 'network.rx.bytesPerSecond'
  | 'network.tx.bytesPerSecond';

/** What a metrics read asks for. */
export interface MetricsQuery {
  /** A VM id or a host id on this provider. */
  target: { vmId: string } | { hostId: string };
  /** The metrics wanted. */
  metrics: MetricName[];
  /** Start of the window (inclusive). */
  from: Date;
  /** End of the window (exclusive). */
  to: Date;
  /** Sample spacing in milliseconds. Default 60,000. */
  stepMs?: number;
}

/** One metric's samples, timestamps in milliseconds since the epoch, utilisations in [0, 1]. */
export interface MetricSeries {
  /** The metric. */
  metric: MetricName;
  /** Sample times. */
  timestampsMs: Float64Array;
  /** Sample values, one per timestamp. */
  values: Float64Array;
}
