import type { ErrorCode } from '../errors/error-codes.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { ProviderError } from './provider-error.js';

/** What a driver reads from one provider failure for {@link createErrorMapper}. */
export interface ProviderFailure {
  /** The NovaCron code it means. */
  code: ErrorCode;
  /** The provider's message (credentials in it are redacted). */
  message: string;
  /** The provider's own code. */
  providerCode?: string | undefined;
  /** The provider's request id. */
  requestId?: string | undefined;
  /** The HTTP status. */
  statusCode?: number | undefined;
  /** Overrides the code's default retryability. */
  retryable?: boolean | undefined;
  /** The provider's `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** For `INVALID_ARGUMENT`: the request field the provider refused (`providerOptions.aws.subnetId`). */
  field?: string | undefined;
}

/** Options of {@link createErrorMapper}. */
export interface ErrorMapperOptions<TContext> {
  /** The driver kind, for messages about failures it does not recognise. */
  driver: string;
  /**
   * Reads a provider failure: its code, message, request id, status. Return `undefined` for an error the driver does
   * not recognise; it becomes `PROVIDER` (or `UNAVAILABLE` for a network error such as `ECONNRESET`).
   */
  classify(error: unknown, context: TContext): ProviderFailure | undefined;
  /** Says where it happened, for the message: `StopInstances on i-0abc in eu-west-1`. */
  describe(context: TContext): string;
  /** What to do, per code, appended to the message: `{ AUTH: 'Check the credentials of the aws driver.' }`. */
  hints?: Partial<Record<ErrorCode, string>> | undefined;
}

/** Maps anything a provider call threw to a {@link NovaCronError}. */
export type ErrorMapper<TContext> = (
  error: unknown,
  context: TContext,
  signal?: AbortSignal,
) => NovaCronError;

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Makes a driver's error mapper. Every driver maps errors the same way:
 * - a `NovaCronError` passes through unchanged;
 * - one abort policy: when `signal` has aborted, whatever was thrown, the result is `TIMEOUT` (retryable) if the
 *   signal's reason is a timeout (the attempt's deadline), else `ABORTED`; with the signal live, an `AbortError` is
 *   `ABORTED` and anything else is classified (a network error with a `TimeoutError` name and an errno `code` is
 *   `UNAVAILABLE`, one without is a retryable `TIMEOUT`);
 * - a recognised provider failure gets its code, the provider's message, request id and status;
 * - network errors are `UNAVAILABLE`; anything else is `PROVIDER`.
 * The `cause` is a {@link ProviderError} holding only the provider's code, redacted message, request id and status:
 * never the SDK's error, which carries signed requests and credentials.
 *
 * @example
 * const toHetznerError = createErrorMapper<{ action: string }>({
 *   driver: 'hetzner',
 *   describe: (context) => context.action,
 *   classify: (error) => error instanceof HetznerApiError
 *     ? { code: error.status === 404 ? 'NOT_FOUND' : 'PROVIDER', message: error.message, statusCode: error.status }
 *     : undefined,
 *   hints: { AUTH: 'Check the API token given to createHetznerDriver.' },
 * });
 */
export function createErrorMapper<TContext>(options: ErrorMapperOptions<TContext>): ErrorMapper<TContext> {
  return (error, context, signal) => {
    if (NovaCronError.isInstance(error)) return error;
    const where = options.describe(context);
    if (signal?.aborted) {
      const timedOut = signal.reason instanceof Error && signal.reason.name === 'TimeoutError';
      return new NovaCronError({
        code: timedOut ? 'TIMEOUT' : 'ABORTED',
        message: timedOut
          ? `${where} did not answer before its deadline.`
          : `${where} was cancelled by the caller.`,
      });
    }
    // With the signal still live, an error is what it says: an AbortError from code of the driver's own is a
    // cancellation; a `TimeoutError` (SDKs name socket timeouts and some connection failures so) is classified below.
    if (error instanceof Error && error.name === 'AbortError') {
      return new NovaCronError({ code: 'ABORTED', message: `${where} was cancelled.` });
    }
    const failure = options.classify(error, context) ?? unrecognised(error);
    const hint = options.hints?.[failure.code];
    const providerCode = failure.providerCode === undefined ? '' : ` (${failure.providerCode})`;
    const cause = new ProviderError(failure);
    return new NovaCronError({
      code: failure.code,
      message: `${where} failed${providerCode}: ${cause.message}${hint === undefined ? '' : ` ${hint}`}`,
      retryable: failure.retryable,
      retryAfterMs: failure.retryAfterMs,
      field: failure.field,
      statusCode: failure.statusCode,
      cause,
    });
  };
}

function unrecognised(error: unknown): ProviderFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) {
    return { code: 'UNAVAILABLE', providerCode: code, message };
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { code: 'TIMEOUT', retryable: true, providerCode: 'TimeoutError', message };
  }
  return { code: 'PROVIDER', message, providerCode: typeof code === 'string' ? code : undefined };
}
