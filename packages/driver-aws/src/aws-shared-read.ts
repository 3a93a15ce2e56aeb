/**
 * A read made once and kept (a catalog), shared by every caller that asks while it is under way. Each caller waits
 * under its own signal: its deadline or cancellation ends its wait at once, and the read itself is aborted only when
 * every caller waiting for it has gone, so one caller's timeout never fails another's wait. A failed read is
 * forgotten: the next caller starts a new one.
 *
 * @example
 * const catalog = new AwsSharedRead((signal) => readWholeCatalog(signal));
 * const types = await catalog.get(context.signal);
 */
export class AwsSharedRead<T> {
  private done: Promise<T> | undefined;
  private running: { result: Promise<T>; controller: AbortController; waiting: number } | undefined;

  /** `read` is given a signal that aborts when no caller waits any more. */
  constructor(private readonly read: (signal: AbortSignal) => Promise<T>) {}

  /** The value, read now or earlier; rejects with `signal.reason` as soon as `signal` aborts. */
  get(signal: AbortSignal): Promise<T> {
    if (this.done !== undefined) return this.done;
    if (signal.aborted) return Promise.reject(signal.reason);
    const running = this.running ?? this.start();
    running.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      let waiting = true;
      const leave = (): boolean => {
        if (!waiting) return false;
        waiting = false;
        signal.removeEventListener('abort', onAbort);
        running.waiting -= 1;
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        if (running.waiting === 0) running.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      running.result.then(
        (value) => {
          if (leave()) resolve(value);
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }

  private start(): NonNullable<AwsSharedRead<T>['running']> {
    const controller = new AbortController();
    const result = this.read(controller.signal);
    const running = { result, controller, waiting: 0 };
    this.running = running;
    result.then(
      () => {
        this.done = result;
      },
      () => undefined,
    );
    const forget = (): void => {
      if (this.running === running) this.running = undefined;
    };
    result.then(forget, forget);
    return running;
  }
}
