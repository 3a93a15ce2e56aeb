import type { ErrorCode } from '@novacron/core';
import { createErrorMapper } from '@novacron/core/driver';
import { SimApiError, type SimErrorReason } from './sim-api-error.js';

/** Where a sim cloud call failed: the API action and, where there is one, the VM or host it was about. */
export interface SimCallSite {
  action: string;
  id?: string | undefined;
}

const CODES: Record<SimErrorReason, ErrorCode> = {
  InvalidParameterValue: 'INVALID_ARGUMENT',
  VmNotFound: 'NOT_FOUND',
  HostNotFound: 'NOT_FOUND',
  IncorrectState: 'CONFLICT',
  IdempotentParameterMismatch: 'CONFLICT',
  InsufficientCapacity: 'NO_CAPACITY',
  Throttling: 'THROTTLED',
  ServiceUnavailable: 'UNAVAILABLE',
  ResponseLost: 'UNAVAILABLE',
  MigrationTimeout: 'TIMEOUT',
  MigrationHostDown: 'UNAVAILABLE',
};

/** The NovaCron request field of each cloud parameter the cloud may refuse. */
const FIELDS: Record<string, string> = {
  zone: 'location.zone',
  hostId: 'location.hostId',
  fromMs: 'from',
  toMs: 'to',
  bandwidthMiBps: 'policy.bandwidthMiBps',
  maxDowntimeMs: 'policy.maxDowntimeMs',
  completionTimeoutMs: 'policy.completionTimeoutMs',
};

/**
 * The sim cloud's errors as NovaCron errors, through the toolkit's mapper: its abort policy (a deadline is
 * `TIMEOUT`, a cancellation `ABORTED`), and a `ProviderError` cause with the cloud's reason and status.
 */
export const toSimError = createErrorMapper<SimCallSite>({
  driver: 'sim',
  describe: ({ action, id }) => (id === undefined ? `sim ${action}` : `sim ${action} ${id}`),
  classify: (error) => {
    if (!(error instanceof SimApiError)) return undefined;
    const parameter = error.parameter;
    return {
      code: CODES[error.reason],
      message: error.message,
      providerCode: error.reason,
      statusCode: error.status,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      field: parameter === undefined ? undefined : (FIELDS[parameter] ?? parameter),
    };
  },
});
