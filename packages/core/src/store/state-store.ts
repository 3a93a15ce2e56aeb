/** One stored value with its version (1 after the first put, +1 for each later put). */
export interface StoredEntry<T = unknown> {
  /** The key. */
  key: string;
  /** The value (JSON-serialisable). */
  value: T;
  /** 1 after the first put, +1 on every later put; a delete resets it (the next put is version 1 again). */
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

/**
 * What a fenced write names: a lease and the fencing token of one holding of it. A {@link Lease} is a `Fence`, and
 * so is the plain object `{ name, fencingToken }`, which can be handed to another process or stored.
 */
export interface Fence {
  /** The lease name. */
  readonly name: string;
  /** The fencing token of the holding the write belongs to. */
  readonly fencingToken: number;
}

/** A held lease: one holder at a time, until it expires or is released. */
export interface Lease extends Fence {
  /** Who holds it. */
  readonly holder: string;
  /** When it lapses unless renewed (ms since the epoch, by this process's clock). */
  readonly expiresAtMs: number;
  /**
   * Larger for every successful acquisition of this lease name than for any earlier one (by any holder, and by the
   * same holder acquiring again); unchanged by {@link Lease.renew}. Pass the lease as `fence` to make a write
   * conditional on this holding still being current.
   */
  readonly fencingToken: number;
  /** Extends the lease by its ttl; throws `CONFLICT` if this holding was lost meanwhile (expired or taken over). */
  renew(): Promise<Lease>;
  /** Gives the lease up (nothing happens if this holding was already lost). */
  release(): Promise<void>;
}

/** Conditions on a put or delete; every condition given must hold, or the write throws `CONFLICT` and changes nothing. */
export interface StoreWriteOptions {
  /** The version the key must be at (0 = the key must not exist). Default: any version. */
  expectedVersion?: number | undefined;
  /**
   * A lease holding that must still be current when the write is applied, checked atomically with it: a deposed
   * holder's write (its lease expired or was taken over, even if it still holds the lease object) is refused.
   * Default: no fence.
   */
  fence?: Fence | undefined;
}

/**
 * Where NovaCron keeps what must survive: migration journals, operation handles, controller state.
 * Values must be JSON-serialisable. Keys are non-empty strings; lists come back in key order, comparing keys by
 * their UTF-8 bytes (as etcd does). Implementations: {@link MemoryStateStore}, {@link FileStateStore}, and
 * `@novacron/store-etcd` for controllers run as replicas. Every implementation passes the conformance suite
 * `testStateStore` from `@novacron/core/testing`.
 */
export interface StateStore {
  /** The entry at `key`, or undefined. */
  get<T = unknown>(key: string): Promise<StoredEntry<T> | undefined>;
  /**
   * Writes `value` at `key` and returns the new version. With `expectedVersion` and/or `fence`, the write happens
   * only if they hold; otherwise it throws `CONFLICT`.
   */
  put<T = unknown>(key: string, value: T, options?: StoreWriteOptions): Promise<number>;
  /**
   * Deletes `key`. Missing keys are fine unless `expectedVersion` says otherwise; with `expectedVersion` and/or
   * `fence`, it happens only if they hold (`CONFLICT` otherwise).
   */
  delete(key: string, options?: StoreWriteOptions): Promise<void>;
  /** Every entry whose key starts with `prefix`, in key order (UTF-8 byte order), never truncated. */
  list<T = unknown>(prefix: string): Promise<StoredEntry<T>[]>;
  /** Calls `listener` on every change under `prefix` until the returned function is called. */
  watch<T = unknown>(prefix: string, listener: (change: StoreChange<T>) => void): () => void;
  /**
   * Takes the lease `name` for `holder` for `ttlMs`, or returns undefined when another holder has it. The same
   * holder acquiring again gets a new holding (a larger fencing token) and its earlier handle is lost. A store may
   * round `ttlMs` up (etcd grants whole seconds); the lease's `expiresAtMs` says what was granted.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Releases resources (file handles, timers, connections). */
  close(): Promise<void>;
}
