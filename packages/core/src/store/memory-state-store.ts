import { NovaCronError } from '../errors/novacron-error.js';
import type { Lease, StateStore, StoreChange, StoredEntry } from './state-store.js';
import { StoreWatchers } from './store-watchers.js';

interface LeaseRecord {
  holder: string;
  expiresAtMs: number;
  ttlMs: number;
}

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
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly watchers = new StoreWatchers();

  constructor(private readonly now: () => number = Date.now) {}

  async get<T>(key: string): Promise<StoredEntry<T> | undefined> {
    const stored = this.entries.get(key);
    return stored === undefined
      ? undefined
      : { key, value: JSON.parse(stored.json) as T, version: stored.version };
  }

  async put<T>(
    key: string,
    value: T,
    options: { expectedVersion?: number | undefined } = {},
  ): Promise<number> {
    assertKey(key);
    const current = this.entries.get(key)?.version ?? 0;
    checkVersion(key, current, options.expectedVersion);
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`The value for '${key}' is not JSON-serialisable.`);
    const version = current + 1;
    this.entries.set(key, { json, version });
    this.watchers.notify({ type: 'put', key, entry: { key, value: JSON.parse(json), version } });
    return version;
  }

  async delete(key: string, options: { expectedVersion?: number | undefined } = {}): Promise<void> {
    const current = this.entries.get(key)?.version ?? 0;
    if (options.expectedVersion !== undefined) checkVersion(key, current, options.expectedVersion);
    if (this.entries.delete(key)) this.watchers.notify({ type: 'delete', key });
  }

  async list<T>(prefix: string): Promise<StoredEntry<T>[]> {
    return [...this.entries.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => {
        const stored = this.entries.get(key)!;
        return { key, value: JSON.parse(stored.json) as T, version: stored.version };
      });
  }

  watch<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    return this.watchers.add(prefix, listener);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const existing = this.leases.get(name);
    if (existing !== undefined && existing.holder !== holder && existing.expiresAtMs > this.now())
      return undefined;
    const record = { holder, ttlMs, expiresAtMs: this.now() + ttlMs };
    this.leases.set(name, record);
    return this.leaseHandle(name, record);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }

  private leaseHandle(name: string, record: LeaseRecord): Lease {
    return {
      name,
      holder: record.holder,
      expiresAtMs: record.expiresAtMs,
      renew: async () => {
        const current = this.leases.get(name);
        if (current !== record || record.expiresAtMs <= this.now()) {
          throw new NovaCronError({
            code: 'CONFLICT',
            message: `Lease '${name}' was lost by '${record.holder}' (expired or taken over). Acquire it again.`,
          });
        }
        record.expiresAtMs = this.now() + record.ttlMs;
        return this.leaseHandle(name, record);
      },
      release: async () => {
        if (this.leases.get(name) === record) this.leases.delete(name);
      },
    };
  }
}

/** Throws `CONFLICT` when `expected` is given and differs from `current`. */
export function checkVersion(key: string, current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new NovaCronError({
      code: 'CONFLICT',
      message: `State '${key}' is at version ${current}, not the expected ${expected}: someone else changed it. Read it again and retry.`,
    });
  }
}

/** Throws a `TypeError` for empty keys. */
export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError('State store keys must be non-empty strings.');
}
