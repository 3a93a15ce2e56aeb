import { randomUUID } from 'node:crypto';
import { NovaCronError } from '../errors/novacron-error.js';
import type { Fence, Lease, StateStore } from '../store/state-store.js';
import { sleep } from '../util/abort.js';

/** How long one holding lasts unless renewed; it is renewed every third of it while held. */
const LEASE_TTL_MS = 30_000;

/** A lease taken with {@link holdLease}: renewed in the background until released. */
export interface HeldLease {
  /** The holding, for fenced writes (`store.put(key, value, { fence })`): refused once the holding is lost. */
  readonly fence: Fence;
  /** Aborts when the holding is lost (a renewal failed): stop acting under it. */
  readonly lost: AbortSignal;
  /** Stops renewing and gives the lease up. */
  release(): Promise<void>;
}

/**
 * Takes the lease `name` in `store`, waiting (polling) while another holder has it, for at most `waitMs`; keeps it
 * renewed until released. Throws `CONFLICT` naming the lease when the wait runs out, `ABORTED` when `signal` aborts.
 *
 * @example
 * const lease = await holdLease(store, 'placement/sim', { waitMs: 60_000, what: 'placement.apply', hint: 'Try again.' });
 * try { ... } finally { await lease.release(); }
 */
export async function holdLease(
  store: StateStore,
  name: string,
  options: { waitMs: number; what: string; hint: string; signal?: AbortSignal | undefined },
): Promise<HeldLease> {
  const holder = randomUUID();
  const deadline = Date.now() + options.waitMs;
  let pause = 5;
  let lease: Lease | undefined = await store.acquireLease(name, holder, LEASE_TTL_MS);
  while (lease === undefined) {
    if (Date.now() >= deadline)
      throw new NovaCronError({
        code: 'CONFLICT',
        retryable: true,
        operation: options.what,
        message: `${options.what}: lease '${name}' is held by another holder${options.waitMs > 0 ? ` (waited ${options.waitMs} ms)` : ''}. ${options.hint}`,
      });
    await sleep(pause, options.signal).catch((error: unknown) => {
      throw new NovaCronError({
        code: 'ABORTED',
        operation: options.what,
        message: `${options.what} was cancelled while waiting for lease '${name}'; nothing was done.`,
        cause: error,
      });
    });
    pause = Math.min(pause * 2, 100);
    lease = await store.acquireLease(name, holder, LEASE_TTL_MS);
  }
  const lost = new AbortController();
  let current = lease;
  const timer = setInterval(() => {
    current.renew().then(
      (renewed) => {
        current = renewed;
      },
      (error: unknown) => {
        clearInterval(timer);
        lost.abort(error);
      },
    );
  }, LEASE_TTL_MS / 3);
  timer.unref();
  return {
    fence: { name, fencingToken: lease.fencingToken },
    lost: lost.signal,
    release: async () => {
      clearInterval(timer);
      await current.release();
    },
  };
}
