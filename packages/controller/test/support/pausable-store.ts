import type { Lease, StateStore } from '@novacron/core';

/** A store whose lease traffic a test can freeze, as a paused process's would be. */
export interface PausableStore {
  /** The store a replica uses. */
  readonly store: StateStore;
  /** From now on, lease calls (acquire, renew, release) of this replica never answer, like those of a frozen process. */
  pauseLeases(): void;
}

/**
 * Wraps `inner` so a test can simulate a replica paused past its ttl (a long GC, SIGSTOP) inside one process: after
 * `pauseLeases()` its renewals hang, so its lease expires in the store while the replica's own code goes on, which is
 * what a frozen process looks like when it wakes up. Data calls (get, put, list...) go through unchanged.
 */
export function pausableStore(inner: StateStore): PausableStore {
  let paused = false;
  const never = new Promise<never>(() => {});
  const wrap = (lease: Lease): Lease => ({
    name: lease.name,
    holder: lease.holder,
    fencingToken: lease.fencingToken,
    expiresAtMs: lease.expiresAtMs,
    renew: async () => (paused ? never : wrap(await lease.renew())),
    release: async () => (paused ? never : lease.release()),
  });
  const store: StateStore = {
    get: (key) => inner.get(key),
    put: (key, value, options) => inner.put(key, value, options),
    delete: (key, options) => inner.delete(key, options),
    list: (prefix) => inner.list(prefix),
    watch: (prefix, listener) => inner.watch(prefix, listener),
    acquireLease: async (name, holder, ttlMs) => {
      if (paused) return never;
      const lease = await inner.acquireLease(name, holder, ttlMs);
      return lease === undefined ? undefined : wrap(lease);
    },
    close: () => inner.close(),
  };
  return {
    store,
    pauseLeases: () => {
      paused = true;
    },
  };
}
