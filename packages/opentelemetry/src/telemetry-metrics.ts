import type { Histogram, Meter } from '@opentelemetry/api';

/** The name of the histogram of operation durations, in seconds. */
export const METRIC_OPERATION_DURATION = 'novacron.operation.duration';
/** The name of the histogram of attempts per operation. */
export const METRIC_OPERATION_ATTEMPTS = 'novacron.operation.attempts';

/** The instruments every operation records to when it ends. */
export interface OperationInstruments {
  /** Seconds from the operation's start to its end, all attempts and waits included. */
  duration: Histogram;
  /** Attempts made: 1 without a retry, 0 when the call was refused before it reached the provider. */
  attempts: Histogram;
}

/** Makes the instruments on `meter`. Buckets reach 10 minutes, as a VM create or a migration can take minutes. */
export function createOperationInstruments(meter: Meter): OperationInstruments {
  return {
    duration: meter.createHistogram(METRIC_OPERATION_DURATION, {
      description: 'Duration of NovaCron client operations, retries and backoff included.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
        ],
      },
    }),
    attempts: meter.createHistogram(METRIC_OPERATION_ATTEMPTS, {
      description: 'Attempts made per NovaCron client operation (1 = no retry).',
      unit: '{attempt}',
      advice: { explicitBucketBoundaries: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20] },
    }),
  };
}
