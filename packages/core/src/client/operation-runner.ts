import { randomUUID } from 'node:crypto';
import type { ZodType } from 'zod';
import { type OptionalCapability, unsupportedCall } from '../driver/capability-check.js';
import type { DriverCallContext, DriverV1 } from '../driver/driver-v1.js';
import type { RuntimeDriver } from '../driver/runtime-driver.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';
import { type LimitsOptions, type ResolvedLimits, resolveLimits } from '../pipeline/limits.js';
import type { MiddlewareStack } from '../pipeline/middleware-stack.js';
import type { Operation } from '../pipeline/operation.js';
import { neverAbortedSignal, throwIfAborted } from '../util/abort.js';

/** What an API method hands the runner for one call. */
export interface OperationRequest<T> {
  /** Operation name (`vms.start`). */
  name: string;
  /** Provider name. */
  provider: string;
  /** The caller's input (validated against `schema`). */
  input: unknown;
  /** Safe to repeat. */
  idempotent: boolean;
  /** For creates. */
  idempotencyKey?: string | undefined;
  /** Validation schema. */
  schema?: ZodType | undefined;
  /** The caller's cancellation. */
  signal?: AbortSignal | undefined;
  /** A deadline for this operation instead of the provider's `limits.timeoutMs` (long migrations). */
  timeoutMs?: number | undefined;
  /** The capability the call needs; an undeclared one is refused here, before the pipeline. */
  capability?: OptionalCapability | undefined;
  /** The driver call. */
  call: (driver: DriverV1, context: DriverCallContext) => Promise<T>;
}

/**
 * Turns API calls into pipeline operations: resolves the provider (unknown names are `INVALID_ARGUMENT`), its limits,
 * and a terminal call through the runtime guard, then runs the operation through the middleware stack.
 */
export class OperationRunner {
  private readonly limitsCache = new Map<string, ResolvedLimits>();
  /** Operation ids are this client's random prefix plus a counter: unique, and far cheaper than a UUID each. */
  private readonly idPrefix = randomUUID().slice(0, 8);
  private nextId = 1;

  constructor(
    private readonly stack: MiddlewareStack,
    private readonly providers: ReadonlyMap<string, RuntimeDriver>,
    private readonly limits: LimitsOptions | undefined,
  ) {}

  /** The runtime driver for `provider`, or an `INVALID_ARGUMENT` error naming the known providers. */
  runtime(provider: string, operation: string): RuntimeDriver {
    const runtime = this.providers.get(provider);
    if (runtime === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'provider',
        operation,
        message: `Unknown provider '${provider}' in ${operation}. Known providers: ${[...this.providers.keys()].join(', ') || 'none'}. Add it to createNovaCron({ providers }).`,
      });
    }
    return runtime;
  }

  /**
   * Runs one operation through the pipeline. A failure comes back as a {@link NovaCronError} naming the provider and
   * the operation (a `TypeError`, a programming mistake, as it is), with the caller's own frames appended to its
   * stack ("Called from:"), which the queue would otherwise cut off.
   */
  async run<T>(request: OperationRequest<T>): Promise<T> {
    try {
      return await this.execute(request);
    } catch (thrown) {
      const error =
        thrown instanceof TypeError
          ? thrown
          : toNovaCronError(thrown, { provider: request.provider, operation: request.name });
      appendCallerStack(error);
      throw error;
    }
  }

  private execute<T>(request: OperationRequest<T>): Promise<T> {
    const runtime = this.runtime(request.provider, request.name);
    if (request.capability !== undefined) {
      const refused = unsupportedCall(request.provider, runtime.driver, request.capability, request.name);
      if (refused !== undefined) throw refused;
    }
    // A call whose signal has already aborted sends nothing, whatever the driver does with signals.
    throwIfAborted(request.signal, request.name);
    const limits = this.limitsFor(request.provider, runtime.driver);
    // One object shape for every operation (no conditional spreads): V8 keeps the middleware monomorphic.
    const operation: Operation<T> = {
      id: `${this.idPrefix}-${(this.nextId++).toString(36)}`,
      name: request.name,
      provider: request.provider,
      driverKind: runtime.driver.kind,
      region: runtime.driver.region,
      input: request.input,
      idempotent: request.idempotent,
      idempotencyKey: request.idempotencyKey,
      schema: request.schema,
      // A long call with its own deadline (a migration) is one attempt as long as the whole operation.
      limits:
        request.timeoutMs === undefined
          ? limits
          : { ...limits, timeoutMs: request.timeoutMs, attemptTimeoutMs: request.timeoutMs },
      signal: request.signal ?? neverAbortedSignal,
      attempt: 1,
      run: (context: DriverCallContext) =>
        runtime.invoke(request.name, context.signal, (driver) => request.call(driver, context)),
    };
    return this.stack.execute(operation);
  }

  private limitsFor(provider: string, driver: DriverV1): ResolvedLimits {
    let resolved = this.limitsCache.get(provider);
    if (resolved === undefined) {
      resolved = resolveLimits(this.limits, provider, driver.defaultLimits);
      this.limitsCache.set(provider, resolved);
    }
    return resolved;
  }
}

const CALLER_MARKER = '\nCalled from:';

/**
 * Appends the frames of whoever awaited the failed operation. Taken in a catch block of an async function, a new
 * stack trace holds V8's async frames, the caller's included; it costs nothing on success.
 */
function appendCallerStack(error: Error): void {
  if (error.stack === undefined || error.stack.includes(CALLER_MARKER)) return;
  const here = new Error().stack?.split('\n').slice(2).join('\n');
  if (here) error.stack += `${CALLER_MARKER}\n${here}`;
}
