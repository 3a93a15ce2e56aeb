import type { NovaCronError } from '../errors/novacron-error.js';

/**
 * What a tracer learns about an operation when it starts. Never the operation's input (which may hold secrets such
 * as user data or keys): only names and ids.
 */
export interface SpanAttributes {
  /** The provider name the client gave the driver instance (`aws-prod`), not the driver kind. */
  provider: string;
  /** The pipeline's id for the operation, stable across its attempts (also in `operation.*` events). */
  operationId: string;
  /** The driver's kind (`aws`, `kvm`, `sim`). */
  driverKind: string;
  /** The region the provider's driver serves, where it declares one (`DriverV1.region`). */
  region?: string | undefined;
  /** For creates: the idempotency key, the same on every attempt. */
  idempotencyKey?: string | undefined;
}

/** What the retry step tells a span before it waits to try again. */
export interface SpanRetry {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the pipeline waits before the next attempt, in milliseconds (Retry-After included). */
  delayMs: number;
  /** Why the attempt failed; `retryAfterMs` is set when the provider said how long to wait. */
  error: NovaCronError;
}

/**
 * A span opened around one operation, all its attempts included. Only `end` is required; a tracer that also
 * implements `attempt` and `retry` sees each attempt and each retry decision.
 */
export interface Span {
  /** Closes the span, with the error when the operation failed (a `NovaCronError`, or a `TypeError`). */
  end(error?: Error): void;
  /**
   * Runs one attempt: the driver call, inside the provider's queue slot. It must call `run` once and return (or
   * pass on) its promise; it may open an attempt span around it and make it the active context, so that what the
   * driver does (a cloud SDK's HTTP requests) is traced under the attempt. Default: `run()` as it is.
   */
  attempt?<TResult>(attempt: number, run: () => Promise<TResult>): Promise<TResult>;
  /** Called by the retry step after a failed attempt that will be tried again after `retry.delayMs`. */
  retry?(retry: SpanRetry): void;
}

/**
 * The tracing hook: adapt it to OpenTelemetry (`@novacron/opentelemetry` does) or any tracer. The default does
 * nothing, and an operation pays for tracing only when a tracer is set.
 *
 * @example
 * const tracer: Tracer = {
 *   startSpan: (name, attributes) => {
 *     const started = performance.now();
 *     return { end: (error) => console.log(name, attributes.provider, performance.now() - started, error?.message) };
 *   },
 * };
 * const nc = createNovaCron({ providers: { sim: createSimDriver() }, tracer });
 */
export interface Tracer {
  /** Opens a span for an operation (`vms.create`), in the caller's context. */
  startSpan(name: string, attributes: SpanAttributes): Span;
}

/** A tracer that records nothing. */
export const noopTracer: Tracer = { startSpan: () => ({ end: () => {} }) };
