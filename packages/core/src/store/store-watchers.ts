import type { StoreChange } from './state-store.js';

/** The watcher list every store implementation shares: add by prefix, notify matching listeners. */
export class StoreWatchers {
  private readonly watchers = new Set<{ prefix: string; listener: (change: StoreChange) => void }>();

  /** Adds a listener for keys under `prefix`; returns the function that removes it. */
  add<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    const watcher = { prefix, listener: listener as (change: StoreChange) => void };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Tells every listener whose prefix matches. */
  notify(change: StoreChange): void {
    for (const watcher of this.watchers) {
      if (change.key.startsWith(watcher.prefix)) watcher.listener(change);
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.watchers.clear();
  }
}
