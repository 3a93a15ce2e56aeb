import { LeaseTable } from './lease-table.js';
import type { Lease, StateStore, StoreChange, StoredEntry, StoreWriteOptions } from './state-store.js';
import { assertKey, checkVersion, compareKeys } from './store-checks.js';
import { StoreWatchers } from './store-watchers.js';

/**
 * A {@link StateStore} in memory: fast, lost with the process. Values are deep-copied in and out (through JSON),
 * so callers can never mutate what is stored and non-serialisable values fail at once.
 *
 * @example
 * const store = new MemoryStateStore();
 * await store.put('migrations/m-1', record, { expectedVersion: 0 });
 */
export class MemoryStateStore implements StateStore {
  private readonly entries = new Map<string, { json: string; version: number }>();
  private readonly leases: LeaseTable;
  private readonly watchers = new StoreWatchers();

  /** @param now the clock leases expire by. Default `Date.now`. */
  constructor(now: () => number = Date.now) {
    this.leases = new LeaseTable(now);
  }

  async get<T>(key: string): Promise<StoredEntry<T> | undefined> {
    assertKey(key);
    const stored = this.entries.get(key);
    return stored === undefined
      ? undefined
      : { key, value: JSON.parse(stored.json) as T, version: stored.version };
  }

  async put<T>(key: string, value: T, options: StoreWriteOptions = {}): Promise<number> {
    assertKey(key);
    this.checkWrite(key, options);
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`The value for '${key}' is not JSON-serialisable.`);
    const version = (this.entries.get(key)?.version ?? 0) + 1;
    this.entries.set(key, { json, version });
    this.watchers.notify({ type: 'put', key, entry: { key, value: JSON.parse(json), version } });
    return version;
  }

  async delete(key: string, options: StoreWriteOptions = {}): Promise<void> {
    assertKey(key);
    this.checkWrite(key, options);
    if (this.entries.delete(key)) this.watchers.notify({ type: 'delete', key });
  }

  async list<T>(prefix: string): Promise<StoredEntry<T>[]> {
    return [...this.entries.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort(compareKeys)
      .map((key) => {
        const stored = this.entries.get(key)!;
        return { key, value: JSON.parse(stored.json) as T, version: stored.version };
      });
  }

  watch<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    return this.watchers.add(prefix, listener);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    return this.leases.acquire(name, holder, ttlMs);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }

  private checkWrite(key: string, options: StoreWriteOptions): void {
    if (options.fence !== undefined) this.leases.checkFence(key, options.fence);
    if (options.expectedVersion !== undefined)
      checkVersion(key, this.entries.get(key)?.version ?? 0, options.expectedVersion);
  }
}
