import type { Fence, Lease } from './state-store.js';
import { assertKey, assertTtl, fenceConflict, leaseLost } from './store-checks.js';

interface LeaseRecord {
  holder: string;
  fencingToken: number;
  expiresAtMs: number;
  ttlMs: number;
}

/**
 * The leases of one process, shared by the memory and file stores: one holder per name until expiry or release,
 * and a fencing token per name that only ever grows (kept after release, so a new holding never reuses one).
 */
export class LeaseTable {
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly lastTokens = new Map<string, number>();

  /** @param now the clock leases expire by. */
  constructor(private readonly now: () => number) {}

  /** Takes `name` for `holder`, or returns undefined while another holder's holding is current. */
  acquire(name: string, holder: string, ttlMs: number): Lease | undefined {
    assertKey(name);
    assertTtl(ttlMs);
    const existing = this.leases.get(name);
    if (existing !== undefined && existing.holder !== holder && existing.expiresAtMs > this.now())
      return undefined;
    const fencingToken = (this.lastTokens.get(name) ?? 0) + 1;
    this.lastTokens.set(name, fencingToken);
    const record = { holder, fencingToken, ttlMs, expiresAtMs: this.now() + ttlMs };
    this.leases.set(name, record);
    return this.handle(name, record);
  }

  /** Throws `CONFLICT` (naming `key`, the write refused) unless `fence` names the current, unexpired holding. */
  checkFence(key: string, fence: Fence): void {
    const current = this.leases.get(fence.name);
    if (
      current === undefined ||
      current.fencingToken !== fence.fencingToken ||
      current.expiresAtMs <= this.now()
    )
      throw fenceConflict(key, fence);
  }

  private handle(name: string, record: LeaseRecord): Lease {
    return {
      name,
      holder: record.holder,
      fencingToken: record.fencingToken,
      expiresAtMs: record.expiresAtMs,
      renew: async () => {
        if (this.leases.get(name) !== record || record.expiresAtMs <= this.now())
          throw leaseLost(name, record.holder);
        record.expiresAtMs = this.now() + record.ttlMs;
        return this.handle(name, record);
      },
      release: async () => {
        if (this.leases.get(name) === record) this.leases.delete(name);
      },
    };
  }
}
