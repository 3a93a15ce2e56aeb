import { type ErrorCode, RETRYABLE_BY_DEFAULT } from './error-codes.js';

const MARKER = Symbol.for('novacron.error');
/** The sentence {@link NovaCronError.withAttempts} appends, so a second call replaces rather than repeats it. */
const GAVE_UP = / Gave up after \d+ attempts\.$/;

/** What a {@link NovaCronError} is built from. */
export interface NovaCronErrorOptions {
  /** The stable code. */
  code: ErrorCode;
  /** What happened, to what, and what to do. */
  message: string;
  /** The provider name (the client's name for the driver instance), where one is involved. */
  provider?: string | undefined;
  /** The operation (`vms.create`), where one is involved. */
  operation?: string | undefined;
  /** Whether trying again may succeed. Default: true for THROTTLED, TIMEOUT, UNAVAILABLE. */
  retryable?: boolean | undefined;
  /** How long the provider asked us to wait before retrying, in milliseconds (from `Retry-After`). */
  retryAfterMs?: number | undefined;
  /** For `INVALID_ARGUMENT`: the path of the bad field (`resources.vcpus`). */
  field?: string | undefined;
  /** The HTTP status, where the failure came over HTTP. */
  statusCode?: number | undefined;
  /** Attempts made before the operation failed (1 = no retry), where the operation reached the provider. */
  attempts?: number | undefined;
  /** The underlying error (a libvirt error, an SDK exception). Never carries secrets. */
  cause?: unknown;
}

/**
 * The one error class of NovaCron. Every failure the SDK reports is a `NovaCronError` with a stable `code`;
 * programming mistakes (wrong argument types) are plain `TypeError`s.
 *
 * Use {@link NovaCronError.isInstance} rather than `instanceof`: it works across duplicate installs of the package.
 *
 * @example
 * try { await nc.vms.get('lab:web-9'); }
 * catch (error) { if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') { ... } }
 */
export class NovaCronError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  /** The provider involved, where one is. */
  readonly provider: string | undefined;
  /** The operation involved, where one is. */
  readonly operation: string | undefined;
  /** Milliseconds the provider asked us to wait, where it said. */
  readonly retryAfterMs: number | undefined;
  /** For `INVALID_ARGUMENT`: the path of the bad field. */
  readonly field: string | undefined;
  /** HTTP status, where there was one. */
  readonly statusCode: number | undefined;
  /**
   * Attempts made before the operation failed, set by the pipeline's retry step (1 when it was not retried).
   * Undefined when the call never reached the provider (refused by validation, say) or the error was not raised by
   * a client call.
   */
  readonly attempts: number | undefined;

  constructor(options: NovaCronErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NovaCronError';
    this.code = options.code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(options.code);
    this.provider = options.provider;
    this.operation = options.operation;
    this.retryAfterMs = options.retryAfterMs;
    this.field = options.field;
    this.statusCode = options.statusCode;
    this.attempts = options.attempts;
    // A global-registry symbol, not a class check, so errors from another copy of the package are recognised.
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any `NovaCronError`, even one made by another copy of this package. */
  static isInstance(error: unknown): error is NovaCronError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /**
   * Returns a copy with `provider` and `operation` filled in where they were missing, keeping everything else.
   * The core uses it so that errors thrown by drivers name the client's provider and the operation, in the fields
   * and at the start of the message.
   */
  withContext(context: { provider?: string; operation?: string }): NovaCronError {
    if (
      (this.provider !== undefined || context.provider === undefined) &&
      (this.operation !== undefined || context.operation === undefined)
    ) {
      return this;
    }
    // An error a driver threw names neither: the message then starts with the call the user made and the name the
    // user gave the provider (`vms.create on provider 'lab-east': ...`), not the driver's kind or inner call.
    const prefix =
      this.provider === undefined && this.operation === undefined && context.operation !== undefined
        ? `${context.operation}${context.provider === undefined ? '' : ` on provider '${context.provider}'`}: `
        : '';
    const copy = new NovaCronError({
      code: this.code,
      message: `${prefix}${this.message}`,
      retryable: this.retryable,
      ...definedOnly({
        provider: this.provider ?? context.provider,
        operation: this.operation ?? context.operation,
        retryAfterMs: this.retryAfterMs,
        field: this.field,
        statusCode: this.statusCode,
        attempts: this.attempts,
        cause: this.cause,
      }),
    });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }

  /**
   * Returns a copy that records how many attempts were made; after more than one, the message ends with "Gave up
   * after N attempts." The pipeline's retry step uses it on every failure it lets through.
   */
  withAttempts(attempts: number): NovaCronError {
    if (this.attempts === attempts) return this;
    const base = this.message.replace(GAVE_UP, '');
    const sentence = /[.!?]$/.test(base) ? base : `${base}.`;
    const message = attempts > 1 ? `${sentence} Gave up after ${attempts} attempts.` : base;
    const copy = new NovaCronError({
      code: this.code,
      message,
      retryable: this.retryable,
      attempts,
      ...definedOnly({
        provider: this.provider,
        operation: this.operation,
        retryAfterMs: this.retryAfterMs,
        field: this.field,
        statusCode: this.statusCode,
        cause: this.cause,
      }),
    });
    if (this.stack !== undefined) copy.stack = this.stack.replace(this.message, message);
    return copy;
  }

  /** A plain, serialisable view (for logs, journals and events). */
  toJSON(): Record<string, unknown> {
    return definedOnly({
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      provider: this.provider,
      operation: this.operation,
      field: this.field,
      statusCode: this.statusCode,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
    });
  }
}

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
