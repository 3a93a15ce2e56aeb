import type { Middleware, Next, Operation } from './operation.js';

/** Where to put a middleware: before or after a named step. Default: just before `timeout`. */
export interface MiddlewarePosition {
  /** Insert before the step with this name. */
  before?: string | undefined;
  /** Insert after the step with this name. */
  after?: string | undefined;
}

/**
 * A named, ordered middleware stack, outermost first. The built-in order is
 * `events -> validation -> (plugins) -> timeout -> retry -> queue -> attempt-timeout -> driver`; the driver call of each attempt runs
 * through the operation's tracing span when one is set (`Span.attempt` in `tracer.ts`).
 */
export class MiddlewareStack {
  private readonly steps: Middleware[] = [];
  /** The steps composed into one function; rebuilt after the stack changes, not on every call. */
  private composed: (<TResult>(operation: Operation<TResult>) => Promise<TResult>) | undefined;

  /** Appends a step at the end (closest to the driver). */
  push(middleware: Middleware): void {
    this.assertNew(middleware.name);
    this.steps.push(middleware);
    this.composed = undefined;
  }

  /** Inserts a step before or after a named one. */
  insert(middleware: Middleware, position: MiddlewarePosition): void {
    this.assertNew(middleware.name);
    const anchor = position.before ?? position.after;
    if (anchor === undefined) throw new TypeError('A middleware position needs `before` or `after`.');
    const index = this.steps.findIndex((step) => step.name === anchor);
    if (index < 0) {
      throw new TypeError(`No middleware named '${anchor}'. Steps: ${this.names().join(', ')}.`);
    }
    this.steps.splice(position.before !== undefined ? index : index + 1, 0, middleware);
    this.composed = undefined;
  }

  /** Removes a named step (for tests and advanced users). */
  remove(name: string): void {
    const index = this.steps.findIndex((step) => step.name === name);
    if (index >= 0) this.steps.splice(index, 1);
    this.composed = undefined;
  }

  /** The step names, outermost first. */
  names(): string[] {
    return this.steps.map((step) => step.name);
  }

  /** Runs an operation through every step and then its terminal call. */
  execute<TResult>(operation: Operation<TResult>): Promise<TResult> {
    this.composed ??= this.compose();
    return this.composed(operation);
  }

  private compose(): <TResult>(operation: Operation<TResult>) => Promise<TResult> {
    let next: Next = attemptCall;
    for (const step of [...this.steps].reverse()) {
      const inner = next;
      next = (operation) => step.handle(operation, inner);
    }
    return next;
  }

  private assertNew(name: string): void {
    if (this.steps.some((step) => step.name === name)) {
      throw new TypeError(`A middleware named '${name}' is already in the pipeline.`);
    }
  }
}

/**
 * The terminal call of every attempt: the operation's driver call, run through its span's `attempt` when a tracer
 * wants to see attempts (so the driver's own I/O is traced under the attempt), directly otherwise.
 */
function attemptCall<TResult>(operation: Operation<TResult>): Promise<TResult> {
  const context = { signal: operation.signal, operationId: operation.id, attempt: operation.attempt };
  const span = operation.span;
  if (span?.attempt === undefined) return operation.run(context);
  return span.attempt(operation.attempt, () => operation.run(context));
}
