/** One stored value with its version (1 after the first put, +1 for each later put). */
export interface StoredEntry<T = unknown> {
  /** The key. */
  key: string;
  /** The value (JSON-serialisable). */
  value: T;
  /** Increases by one on every put. */
  version: number;
}

/** A change seen by a watcher. */
export interface StoreChange<T = unknown> {
  /** `put` or `delete`. */
  type: 'put' | 'delete';
  /** The key. */
  key: string;
  /** The new entry, for puts. */
  entry?: StoredEntry<T>;
}

/** A held lease: one holder at a time, until it expires or is released. */
export interface Lease {
  /** The lease name. */
  readonly name: string;
  /** Who holds it. */
  readonly holder: string;
  /** When it lapses unless renewed (ms since the epoch). */
  readonly expiresAtMs: number;
  /** Extends the lease by its ttl; throws `CONFLICT` if it was lost meanwhile. */
  renew(): Promise<Lease>;
  /** Gives the lease up. */
  release(): Promise<void>;
}

/**
 * Where NovaCron keeps what must survive: migration journals, operation handles, controller state.
 * Values must be JSON-serialisable. Implementations: {@link MemoryStateStore}, {@link FileStateStore}; an
 * etcd-backed one fits the same interface for multi-process controllers.
 */
export interface StateStore {
  /** The entry at `key`, or undefined. */
  get<T = unknown>(key: string): Promise<StoredEntry<T> | undefined>;
  /**
   * Writes `value` at `key` and returns the new version. With `expectedVersion`, the write happens only if the
   * current version matches (0 = the key must not exist); otherwise it throws `CONFLICT`.
   */
  put<T = unknown>(
    key: string,
    value: T,
    options?: { expectedVersion?: number | undefined },
  ): Promise<number>;
  /** Deletes `key` (with `expectedVersion`, only at that version; `CONFLICT` otherwise). Missing keys are fine. */
  delete(key: string, options?: { expectedVersion?: number | undefined }): Promise<void>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list<T = unknown>(prefix: string): Promise<StoredEntry<T>[]>;
  /** Calls `listener` on every change under `prefix` until the returned function is called. */
  watch<T = unknown>(prefix: string, listener: (change: StoreChange<T>) => void): () => void;
  /** Takes the lease `name` for `holder` for `ttlMs`, or returns undefined when another holder has it. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Releases resources (file handles, timers). */
  close(): Promise<void>;
}
