import { type ErrorCode, RETRYABLE_BY_DEFAULT } from './error-codes.js';

const MARKER = Symbol.for('novacron.error');

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
    // A global-registry symbol, not a class check, so errors from another copy of the package are recognised.
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any `NovaCronError`, even one made by another copy of this package. */
  static isInstance(error: unknown): error is NovaCronError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /**
   * Returns a copy with `provider` and `operation` filled in where they were missing, keeping everything else.
   * The core uses it so that errors thrown by drivers name the client's provider and the operation.
   */
  withContext(context: { provider?: string; operation?: string }): NovaCronError {
    if (
      (this.provider !== undefined || context.provider === undefined) &&
      (this.operation !== undefined || context.operation === undefined)
    ) {
      return this;
    }
    const copy = new NovaCronError({
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...definedOnly({
        provider: this.provider ?? context.provider,
        operation: this.operation ?? context.operation,
        retryAfterMs: this.retryAfterMs,
        field: this.field,
        statusCode: this.statusCode,
        cause: this.cause,
      }),
    });
    if (this.stack !== undefined) copy.stack = this.stack;
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
    });
  }
}

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
