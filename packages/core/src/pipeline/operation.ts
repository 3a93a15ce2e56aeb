import type { ZodType } from 'zod';
import type { DriverCallContext } from '../driver/driver-v1.js';
import type { ResolvedLimits } from './limits.js';
import type { Span } from './tracer.js';

/**
 * One call travelling through the pipeline. Middleware may read everything, and may replace `signal` (the timeout
 * step does), `attempt` (the retry step does) and `span` (the events step does, when a tracer is set).
 */
export interface Operation<TResult = unknown> {
  /** Unique per operation, stable across retries. */
  readonly id: string;
  /** The operation's name (`vms.create`, `vms.stop`, `hosts.list`...). */
  readonly name: string;
  /** The provider name the call goes to. */
  readonly provider: string;
  /** The kind of the provider's driver (`aws`, `kvm`, `sim`). */
  readonly driverKind: string;
  /** The region the provider's driver serves, where it declares one (`DriverV1.region`). */
  readonly region: string | undefined;
  /** The caller's input, after argument parsing; policy plugins may inspect it. Never emitted in events. */
  readonly input: unknown;
  /** True when repeating the call cannot do harm (gets, lists, stop, start, delete). */
  readonly idempotent: boolean;
  /** For creates: the key that makes retries safe. */
  readonly idempotencyKey?: string | undefined;
  /** The schema the validation step checks `input` against. */
  readonly schema?: ZodType | undefined;
  /** The limits in force for this provider. */
  readonly limits: ResolvedLimits;
  /** Cancellation: the caller's signal, combined with the deadline by the timeout step. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /** The operation's tracing span, while a tracer observes it; the innermost call runs through `span.attempt`. */
  span?: Span | undefined;
  /** The terminal call: the driver method behind the runtime guard. */
  readonly run: (context: DriverCallContext) => Promise<TResult>;
}

/** Calls the rest of the stack. */
export type Next = <TResult>(operation: Operation<TResult>) => Promise<TResult>;

/**
 * One named step of the pipeline.
 *
 * @example
 * const audit: Middleware = {
 *   name: 'audit',
 *   async handle(operation, next) { log(operation.name); return next(operation); },
 * };
 */
export interface Middleware {
  /** Unique within a stack. */
  readonly name: string;
  /** Does the step's work and calls `next` (or throws to veto the call). */
  handle<TResult>(operation: Operation<TResult>, next: Next): Promise<TResult>;
}
