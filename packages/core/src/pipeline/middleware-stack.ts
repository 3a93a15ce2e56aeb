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
 * `events -> validation -> (plugins) -> timeout -> retry -> queue -> driver`.
 */
export class MiddlewareStack {
  private readonly steps: Middleware[] = [];

  /** Appends a step at the end (closest to the driver). */
  push(middleware: Middleware): void {
    this.assertNew(middleware.name);
    this.steps.push(middleware);
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
  }

  /** Removes a named step (for tests and advanced users). */
  remove(name: string): void {
    const index = this.steps.findIndex((step) => step.name === name);
    if (index >= 0) this.steps.splice(index, 1);
  }

  /** The step names, outermost first. */
  names(): string[] {
    return this.steps.map((step) => step.name);
  }

  /** Runs an operation through every step and then its terminal call. */
  execute<TResult>(operation: Operation<TResult>): Promise<TResult> {
    const steps = this.steps;
    const dispatch = (index: number): Next =>
      (<T>(current: Operation<T>): Promise<T> => {
        const step = steps[index];
        if (step === undefined) {
          return current.run({ signal: current.signal, operationId: current.id, attempt: current.attempt });
        }
        return step.handle(current, dispatch(index + 1));
      }) as Next;
    return dispatch(0)(operation);
  }

  private assertNew(name: string): void {
    if (this.steps.some((step) => step.name === name)) {
      throw new TypeError(`A middleware named '${name}' is already in the pipeline.`);
    }
  }
}
