import { NovaCronError } from '../errors/novacron-error.js';
import { isAbortError, toNovaCronError } from '../errors/to-novacron-error.js';
import type { DriverV1 } from './driver-v1.js';

const REQUIRED_METHODS = [
  'doListVms',
  'doGetVm',
  'doCreateVm',
  'doStartVm',
  'doStopVm',
  'doDeleteVm',
] as const;

/**
 * The runtime guard around every driver: checks the driver's shape once, initialises it lazily exactly once
 * (a failed init is retried on the next call), refuses calls after `close()`, and turns whatever a driver throws
 * into a {@link NovaCronError} naming the provider and the operation.
 */
export class RuntimeDriver {
  private initPromise: Promise<void> | undefined;
  /** True once `init` has succeeded. */
  private initialised = false;
  private closed = false;

  constructor(
    /** The client's name for this driver instance. */
    readonly provider: string,
    /** The wrapped driver. */
    readonly driver: DriverV1,
  ) {
    assertDriverV1(provider, driver);
  }

  /** True once {@link RuntimeDriver.close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs one driver call: refuses it after close, initialises the driver first, and maps failures.
   * An abort (the caller's or the deadline's) wins over whatever the driver threw because of it.
   */
  invoke<T>(operation: string, signal: AbortSignal, call: (driver: DriverV1) => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new NovaCronError({
          code: 'UNAVAILABLE',
          retryable: false,
          message: `Provider '${this.provider}' is closed; ${operation} was refused. Create a new client to continue.`,
          provider: this.provider,
          operation,
        }),
      );
    }
    const mapFailure = (error: unknown): never => {
      throw this.mapFailure(error, signal, operation);
    };
    // Once initialised (every call but the first few), the call goes straight to the driver: no extra await.
    if (this.initialised) {
      try {
        return Promise.resolve(call(this.driver)).catch(mapFailure);
      } catch (error) {
        return Promise.reject(this.mapFailure(error, signal, operation));
      }
    }
    return this.ensureInitialised(signal)
      .then(() => call(this.driver))
      .catch(mapFailure);
  }

  /** An abort (the caller's or the deadline's) wins over whatever the driver threw because of it. */
  private mapFailure(error: unknown, signal: AbortSignal, operation: string): unknown {
    if (error instanceof TypeError) return error;
    if (signal.aborted && (isAbortError(error) || error === signal.reason || isAbortCode(error))) {
      return abortError(signal, this.provider, operation);
    }
    return toNovaCronError(error, { provider: this.provider, operation });
  }

  /** Closes the driver once; later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.initPromise !== undefined) {
      await this.initPromise.catch(() => {});
      await this.driver.close?.();
    }
  }

  private ensureInitialised(signal: AbortSignal): Promise<void> {
    if (this.initPromise === undefined) {
      const init = this.driver.init?.({ signal }) ?? Promise.resolve();
      this.initPromise = init.then(
        () => {
          this.initialised = true;
        },
        (error: unknown) => {
          // Forget the failure so the next call tries again.
          this.initPromise = undefined;
          throw error;
        },
      );
    }
    return this.initPromise;
  }
}

function isAbortCode(error: unknown): boolean {
  return NovaCronError.isInstance(error) && error.code === 'ABORTED';
}

function abortError(signal: AbortSignal, provider: string, operation: string): NovaCronError {
  if (NovaCronError.isInstance(signal.reason)) return signal.reason.withContext({ provider, operation });
  return new NovaCronError({
    code: 'ABORTED',
    message: `${operation} on provider '${provider}' was cancelled by the caller.`,
    provider,
    operation,
    cause: signal.reason,
  });
}

/** Throws a `TypeError` when `driver` does not implement the v1 contract. */
export function assertDriverV1(provider: string, driver: unknown): asserts driver is DriverV1 {
  if (typeof driver !== 'object' || driver === null) {
    throw new TypeError(
      `Provider '${provider}' must be a driver object (e.g. createSimDriver()), got ${driver}.`,
    );
  }
  const candidate = driver as Partial<DriverV1> & Record<string, unknown>;
  if (candidate.specificationVersion !== 'v1') {
    throw new TypeError(
      `Provider '${provider}' implements driver specification '${String(candidate.specificationVersion)}', but this @novacron/core supports 'v1'. Upgrade the driver or core so they match.`,
    );
  }
  if (typeof candidate.kind !== 'string' || typeof candidate.capabilities !== 'object') {
    throw new TypeError(
      `Provider '${provider}' lacks 'kind' or 'capabilities'. Extend DriverBase to get both.`,
    );
  }
  const missing = REQUIRED_METHODS.filter((name) => typeof candidate[name] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(`Provider '${provider}' (${candidate.kind}) lacks ${missing.join(', ')}.`);
  }
}
