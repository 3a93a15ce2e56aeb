import type { ProviderVm } from '@novacron/core';

/** What a driver remembers of a create by its idempotency key. */
export interface RememberedCreate {
  /** The fingerprint of the spec the key was first used with. */
  fingerprint: string;
  /** The VM name the key was first used with. */
  name: string;
  /** The create in flight, shared by a concurrent create with the same key. */
  pending?: Promise<ProviderVm>;
}

/** How many keys a driver remembers by default. */
export const DEFAULT_REMEMBERED_KEYS = 10_000;

/**
 * The idempotency keys a driver has seen, least recently used forgotten first once `capacity` is reached, so a
 * long-lived driver's memory stays bounded. A key in flight is not forgotten while others can be. Forgetting is safe
 * for the common case: the VM carries its key and spec as tags, so a retry with the same name is still recognised;
 * only the same key with *another name* goes unnoticed once forgotten, as it does across processes.
 */
export class CreateKeyMemory {
  private readonly entries = new Map<string, RememberedCreate>();

  constructor(private readonly capacity: number = DEFAULT_REMEMBERED_KEYS) {}

  /** The entry of `key`, now the most recently used; `undefined` for a key not remembered. */
  get(key: string): RememberedCreate | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Remembers `entry` under `key` as the most recently used, forgetting the least recently used over capacity. */
  set(key: string, entry: RememberedCreate): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.leastRecentlyUsed());
  }

  /** The least recently used key not in flight, else the least recently used key. */
  private leastRecentlyUsed(): string {
    for (const [key, each] of this.entries) if (each.pending === undefined) return key;
    return this.entries.keys().next().value!;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.entries.size;
  }
}
