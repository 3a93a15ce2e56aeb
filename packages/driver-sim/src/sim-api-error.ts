/**
 * The simulated cloud's own error codes, as a provider's API names its failures (EC2's `InvalidInstanceID.NotFound`,
 * `IncorrectInstanceState`...). The driver maps them onto NovaCron codes in `sim-error-map.ts`.
 */
export type SimErrorReason =
  | 'InvalidParameterValue'
  | 'VmNotFound'
  | 'HostNotFound'
  | 'IncorrectState'
  | 'IdempotentParameterMismatch'
  | 'InsufficientCapacity'
  | 'Throttling'
  | 'ServiceUnavailable'
  | 'ResponseLost'
  | 'MigrationTimeout'
  | 'MigrationHostDown';

/** What a {@link SimApiError} carries besides its reason and message. */
export interface SimApiErrorDetails {
  /** The HTTP-like status the simulated API answered with. */
  status: number;
  /** For `InvalidParameterValue`: the request parameter refused (`size`, `hostId`, `dirtyRateMiBps`). */
  parameter?: string | undefined;
  /** For `Throttling`: how long to wait before retrying (a `Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  /** Whether repeating the same call may succeed. Default: true for 429 and 5xx, false otherwise. */
  retryable?: boolean | undefined;
}

/**
 * The error every call of the {@link SimCloud} API throws, shaped like an SDK's service error: a reason code, an
 * HTTP-like status and a message. It knows nothing of NovaCron.
 *
 * @example
 * try {
 *   await cloud.getVm('vm-ffffffff');
 * } catch (error) {
 *   if (error instanceof SimApiError && error.reason === 'VmNotFound') console.log(error.status); // 404
 * }
 */
export class SimApiError extends Error {
  /** The cloud's code for the failure. */
  readonly reason: SimErrorReason;
  /** The HTTP-like status. */
  readonly status: number;
  /** The refused request parameter, for `InvalidParameterValue`. */
  readonly parameter: string | undefined;
  /** The `Retry-After` of a throttled call, in ms. */
  readonly retryAfterMs: number | undefined;
  /** Whether repeating the call may succeed. */
  readonly retryable: boolean;

  constructor(reason: SimErrorReason, message: string, details: SimApiErrorDetails) {
    super(message);
    this.name = 'SimApiError';
    this.reason = reason;
    this.status = details.status;
    this.parameter = details.parameter;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? (details.status === 429 || details.status >= 500);
  }
}

/** A 400 `InvalidParameterValue` naming the refused parameter. */
export function invalidParameter(parameter: string, message: string): SimApiError {
  return new SimApiError('InvalidParameterValue', message, { status: 400, parameter });
}
