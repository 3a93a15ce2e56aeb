/**
 * A work queue of keys with client-go's `workqueue` semantics, so a key is never processed by two workers at once and
 * a burst of events for one key costs one reconcile:
 * - `dirty`: keys that need processing. Adding a key already dirty does nothing (de-duplication).
 * - `processing`: keys a worker holds, from {@link WorkQueue.get} to {@link WorkQueue.done}. A key added while it is
 *   processed is marked dirty but not queued; `done` queues it again, so it is processed once more, after.
 * - delayed keys ({@link WorkQueue.addAfter}) wait on a timer, keeping the earliest time asked for, then are added.
 * After {@link WorkQueue.shutDown}, adds are ignored, waiting and delayed keys are dropped, and `get` returns
 * undefined, which ends the workers' loops.
 *
 * @example
 * const queue = new WorkQueue();
 * queue.add('group/web');
 * const key = await queue.get(); // 'group/web'
 * try { await reconcile(key); } finally { queue.done(key); }
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { readyAtMs: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  /** Marks `key` for processing, unless it already is (then nothing changes). Ignored after shut-down. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.ready.push(key);
    else this.hand(key, waiter);
  }

  /** Adds `key` after `delayMs`; if it is already waiting, the earlier of the two times is kept. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAtMs = Date.now() + delayMs;
    const waiting = this.delayed.get(key);
    if (waiting !== undefined) {
      if (waiting.readyAtMs <= readyAtMs) return;
      clearTimeout(waiting.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { readyAtMs, timer });
  }

  /** The next key to process (the worker now holds it), waiting for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) {
      this.take(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.shuttingDown || !this.dirty.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.ready.push(key);
    else this.hand(key, waiter);
  }

  /** Refuses new keys, drops waiting and delayed ones, and releases every idle worker (their `get` returns undefined). */
  shutDown(): void {
    this.shuttingDown = true;
    this.ready.length = 0;
    this.dirty.clear();
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** True after {@link WorkQueue.shutDown}. */
  get isShutDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys waiting for a worker (the queue depth). */
  get depth(): number {
    return this.ready.length;
  }

  /** Keys waiting on a back-off or requeue timer. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** Keys held by workers now. */
  processingKeys(): string[] {
    return [...this.processing];
  }

  private take(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }

  private hand(key: string, waiter: (key: string) => void): void {
    this.take(key);
    waiter(key);
  }
}
