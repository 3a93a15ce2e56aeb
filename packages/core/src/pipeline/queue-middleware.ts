import PQueue from 'p-queue';
import type { Middleware } from './operation.js';

/**
 * The `queue` step: one p-queue per provider, with the provider's concurrency and calls-per-second limits.
 * Each attempt takes a slot, so a retry waiting out its backoff holds none.
 */
export function queueMiddleware(): Middleware & { queueFor(provider: string): PQueue | undefined } {
  const queues = new Map<string, PQueue>();
  return {
    name: 'queue',
    queueFor: (provider) => queues.get(provider),
    handle(operation, next) {
      let queue = queues.get(operation.provider);
      if (queue === undefined) {
        const { concurrency, perSecond } = operation.limits;
        queue =
          perSecond === undefined
            ? new PQueue({ concurrency })
            : new PQueue({
                concurrency,
                intervalCap: perSecond,
                interval: 1000,
                carryoverIntervalCount: true,
              });
        queues.set(operation.provider, queue);
      }
      // A task that starts at once (no rate limit, a free slot, nobody waiting) cannot be cancelled while waiting,
      // so it skips the abort bookkeeping, which is a good part of the queue's cost per call.
      const startsAtOnce =
        operation.limits.perSecond === undefined && queue.size === 0 && queue.pending < queue.concurrency;
      return queue.add(() => next(operation), startsAtOnce ? {} : { signal: operation.signal });
    },
  };
}
