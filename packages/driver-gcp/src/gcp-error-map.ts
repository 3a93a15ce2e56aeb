import type { ErrorCode, NovaCronError } from '@novacron/core';
import { createErrorMapper, type ProviderFailure } from '@novacron/core/driver';

/** Where a Compute Engine failure happened, to name it in the message. */
export interface GcpErrorContext {
  /** The API method (`instances.insert`, `zoneOperations.wait`). */
  action: string;
  /** The project the driver serves. */
  project: string;
  /** The zone, where one is involved. */
  zone?: string | undefined;
  /** The instance, where one is involved. */
  instance?: string | undefined;
}

/**
 * A zone Operation that finished (`status: DONE`) with `error`: Compute Engine answered the request, then the change
 * failed. Its first error's code (`RESOURCE_ALREADY_EXISTS`, `QUOTA_EXCEEDED`...) picks the NovaCron code.
 */
export class GceOperationError extends Error {
  override readonly name = 'GceOperationError';
  /** The operation's first error code. */
  readonly operationCode: string;
  /** The operation's `httpErrorStatusCode`, where given. */
  readonly statusCode: number | undefined;
  /** The operation's name. */
  readonly operation: string;

  constructor(operation: string, operationCode: string, message: string, statusCode: number | undefined) {
    super(message);
    this.operation = operation;
    this.operationCode = operationCode;
    this.statusCode = statusCode;
  }
}

/**
 * Compute Engine's reasons (`ErrorInfo.reason` on HTTP errors, `errors[].code` on Operations) that mean something
 * NovaCron has a code for.
 *
 * `RESOURCE_NOT_READY` is a retryable `UNAVAILABLE`: Compute Engine uses it for an instance in transition (a stop on
 * a VM still STOPPING, a start on one still stopping), which a retry a moment later gets past. The wrong *stable*
 * state is not left to it: reboot, suspend and resume read the instance first and answer `CONFLICT` themselves.
 */
const BY_REASON: Record<string, { code: ErrorCode; retryable?: boolean }> = {
  notFound: { code: 'NOT_FOUND' },
  RESOURCE_NOT_FOUND: { code: 'NOT_FOUND' },
  alreadyExists: { code: 'ALREADY_EXISTS' },
  RESOURCE_ALREADY_EXISTS: { code: 'ALREADY_EXISTS' },
  rateLimitExceeded: { code: 'THROTTLED' },
  userRateLimitExceeded: { code: 'THROTTLED' },
  RATE_LIMIT_EXCEEDED: { code: 'THROTTLED' },
  resourceNotReady: { code: 'UNAVAILABLE', retryable: true },
  RESOURCE_NOT_READY: { code: 'UNAVAILABLE', retryable: true },
  quotaExceeded: { code: 'QUOTA_EXCEEDED' },
  QUOTA_EXCEEDED: { code: 'QUOTA_EXCEEDED' },
  ZONE_RESOURCE_POOL_EXHAUSTED: { code: 'NO_CAPACITY' },
  ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: { code: 'NO_CAPACITY' },
  resourceInUseByAnotherResource: { code: 'CONFLICT' },
  conditionNotMet: { code: 'CONFLICT' },
  RESOURCE_IN_USE_BY_ANOTHER_RESOURCE: { code: 'CONFLICT' },
  forbidden: { code: 'AUTH' },
  authError: { code: 'AUTH' },
  backendError: { code: 'UNAVAILABLE' },
  internalError: { code: 'UNAVAILABLE' },
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'Check the VM id (<zone>/<name>) and the project, or list VMs to find it.',
  ALREADY_EXISTS: 'An instance with that name exists in the zone: pick another name or delete it first.',
  THROTTLED: 'Compute Engine is rate-limiting this project; the NovaCron pipeline retries with backoff.',
  QUOTA_EXCEEDED: 'Raise the Compute Engine quota of the project and region, or use a smaller machine type.',
  NO_CAPACITY: 'The zone has no capacity for this machine type: try another zone or type, or retry later.',
  AUTH: 'Check the credentials given to createGcpDriver (authClient) and their IAM roles on the project.',
  UNAVAILABLE:
    'Compute Engine failed transiently or the instance is in transition; the NovaCron pipeline retries it.',
};

/** What the driver reads of a gax `GoogleError`: nothing else of it is kept. */
interface GoogleErrorView {
  message: string;
  code?: unknown;
  httpStatusCode?: unknown;
  reason?: unknown;
  /** gaxios' error, kept by gax only for the 401 and 403 answers it lets gaxios reject. */
  cause?: { response?: { headers?: { get?: (name: string) => string | null } } };
}

/**
 * The `Retry-After` of an answer, in ms, where gax lets it through. Over the REST transport gax reads only the body
 * and the status of a 429 or 5xx: their headers are lost, and the pipeline's backoff applies. Only 401 and 403, which
 * gaxios rejects, keep the response (and its headers) on the error's `cause`: a 403 `rateLimitExceeded` with
 * `Retry-After` is the one case read here. Seconds or an HTTP date.
 */
function retryAfterMsOf(view: GoogleErrorView): number | undefined {
  const header = view.cause?.response?.headers?.get?.('retry-after');
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function classify(error: unknown): ProviderFailure | undefined {
  if (error instanceof GceOperationError) {
    const mapped = BY_REASON[error.operationCode];
    return {
      code: mapped?.code ?? 'PROVIDER',
      retryable: mapped?.retryable,
      message: error.message,
      providerCode: error.operationCode,
      statusCode: error.statusCode,
      requestId: error.operation,
    };
  }
  if (!(error instanceof Error)) return undefined;
  const view = error as unknown as GoogleErrorView;
  const statusCode = typeof view.httpStatusCode === 'number' ? view.httpStatusCode : undefined;
  const reason = typeof view.reason === 'string' ? view.reason : undefined;
  if (statusCode === undefined) {
    // A dropped connection reaches gax's fetch as an error without an HTTP status, and gax may replace its errno
    // `code` with a number of its own: read the message.
    if (/socket hang up|fetch failed|network|ECONNRESET|ECONNREFUSED/i.test(error.message)) {
      return { code: 'UNAVAILABLE', message: error.message };
    }
    return undefined;
  }
  const mapped = reason === undefined ? undefined : BY_REASON[reason];
  return {
    code: mapped?.code ?? byStatus(statusCode, error.message),
    retryable: mapped?.retryable,
    message: error.message,
    providerCode: reason,
    statusCode,
    retryAfterMs: retryAfterMsOf(view),
  };
}

function byStatus(statusCode: number, message: string): ErrorCode {
  if (statusCode === 404) return 'NOT_FOUND';
  if (statusCode === 409) return 'ALREADY_EXISTS';
  // A failed precondition (a stale fingerprint): the resource changed under the request.
  if (statusCode === 412) return 'CONFLICT';
  if (statusCode === 429) return 'THROTTLED';
  if (statusCode === 401 || statusCode === 403) return 'AUTH';
  if (statusCode >= 500) return 'UNAVAILABLE';
  if (statusCode === 400 && /is not ready/i.test(message)) return 'UNAVAILABLE';
  return 'PROVIDER';
}

const mapGcpError = createErrorMapper<GcpErrorContext>({
  driver: 'gcp',
  describe: ({ action, project, zone, instance }) =>
    `${action}${instance === undefined ? '' : ` on instance ${instance}`}${zone === undefined ? '' : ` in zone ${zone}`} of GCP project ${project}`,
  classify,
  hints: HINTS,
});

/**
 * Turns anything a Compute Engine call threw (a gax `GoogleError`, an Operation DONE with `error`, a dropped
 * connection) into a {@link NovaCronError} through the toolkit's mapper: the reason picks the code (`notFound`,
 * `alreadyExists`, `rateLimitExceeded`, `RESOURCE_NOT_READY`...), else the HTTP status; an aborted `signal` is
 * `TIMEOUT` or `ABORTED`; the `cause` keeps only the reason, the redacted message and the status.
 *
 * @example
 * try { await instances.get(request, { signal }); }
 * catch (error) { throw toGcpNovaCronError(error, { action: 'instances.get', project, zone }, signal); }
 */
export function toGcpNovaCronError(
  error: unknown,
  context: GcpErrorContext,
  signal?: AbortSignal,
): NovaCronError {
  return mapGcpError(error, context, signal);
}
