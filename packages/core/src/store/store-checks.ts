import { NovaCronError } from '../errors/novacron-error.js';
import type { Fence } from './state-store.js';

/** Throws `CONFLICT` when `expected` is given and differs from `current`. */
export function checkVersion(key: string, current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new NovaCronError({
      code: 'CONFLICT',
      message: `State '${key}' is at version ${current}, not the expected ${expected}: someone else changed it. Read it again and retry.`,
    });
  }
}

/** The `CONFLICT` for a write fenced by a lease holding that is no longer current. */
export function fenceConflict(key: string, fence: Fence): NovaCronError {
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Write to '${key}' refused: lease '${fence.name}' is no longer held with fencing token ${fence.fencingToken} (it expired or another holder took it). Stop acting as its holder and acquire the lease again.`,
  });
}

/** The `CONFLICT` for renewing a lease holding that was lost. */
export function leaseLost(name: string, holder: string): NovaCronError {
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Lease '${name}' was lost by '${holder}' (expired or taken over). Acquire it again.`,
  });
}

/** Throws a `TypeError` for empty keys. */
export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError('State store keys must be non-empty strings.');
}

/** Throws a `TypeError` unless `ttlMs` is a positive, finite number of milliseconds. */
export function assertTtl(ttlMs: number): void {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new TypeError(`A lease ttl must be a positive number of milliseconds, not ${ttlMs}.`);
}

/** Orders keys by their UTF-8 bytes, the order of the contract (and of etcd), which differs from `sort()`'s UTF-16. */
export function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}
