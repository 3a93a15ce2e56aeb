import { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';

/** A provider whose part of a fan-out list failed. */
export interface ProviderFailure {
  /** The provider name. */
  provider: string;
  /** What went wrong. */
  error: NovaCronError;
}

/** What to do when one provider of a fan-out list fails. */
export type PartialFailureMode = 'throw' | 'collect';

/**
 * A `for await` iterable over one or many providers' items. Providers are read concurrently and their items
 * interleaved. A provider that fails does not stop the others; once every provider is done, the failures are
 * thrown as one `NovaCronError` (mode `throw`, the default) whose message names each failed provider and whose
 * `cause` is an `AggregateError`, or kept in {@link FanOutListing.failures} (mode `collect`). Never silent.
 *
 * @example
 * const listing = nc.vms.list({ partial: 'collect' });
 * for await (const vm of listing) { ... }
 * for (const failure of listing.failures) console.warn(failure.provider, failure.error.message);
 */
export class FanOutListing<T> implements AsyncIterable<T> {
  /** Providers that failed (filled as the listing runs). */
  readonly failures: ProviderFailure[] = [];

  constructor(
    private readonly operation: string,
    private readonly sources: ReadonlyArray<{ provider: string; items: () => AsyncIterable<T> }>,
    private readonly mode: PartialFailureMode,
  ) {}

  /** Collects every item into an array (same failure rules as iterating). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.sources.length === 1 && this.mode === 'throw') {
      yield* this.sources[0]!.items();
      return;
    }
    const iterators = this.sources.map((source) => ({
      provider: source.provider,
      iterator: source.items()[Symbol.asyncIterator](),
    }));
    const pending = new Map<
      number,
      Promise<{ index: number; result?: IteratorResult<T>; error?: unknown }>
    >();
    const pull = (index: number) =>
      iterators[index]!.iterator.next().then(
        (result) => ({ index, result }),
        (error: unknown) => ({ index, error }),
      );
    for (let index = 0; index < iterators.length; index += 1) pending.set(index, pull(index));
    try {
      while (pending.size > 0) {
        const settled = await Promise.race(pending.values());
        const { provider } = iterators[settled.index]!;
        if (settled.error !== undefined) {
          pending.delete(settled.index);
          this.failures.push({
            provider,
            error: toNovaCronError(settled.error, { provider, operation: this.operation }),
          });
        } else if (settled.result?.done) {
          pending.delete(settled.index);
        } else {
          pending.set(settled.index, pull(settled.index));
          yield settled.result!.value;
        }
      }
    } finally {
      await Promise.all(iterators.map(({ iterator }) => iterator.return?.().catch(() => undefined)));
    }
    if (this.failures.length > 0 && this.mode === 'throw') {
      const first = this.failures[0]!.error;
      throw new NovaCronError({
        code: first.code,
        retryable: first.retryable,
        operation: this.operation,
        message: `${this.operation} failed on ${this.failures.length} of ${this.sources.length} providers: ${this.failures
          .map((failure) => `'${failure.provider}' (${failure.error.code}: ${failure.error.message})`)
          .join(
            '; ',
          )}. The other providers' items were delivered; pass { partial: 'collect' } to keep going without an error.`,
        cause: new AggregateError(
          this.failures.map((failure) => failure.error),
          'provider failures',
        ),
      });
    }
  }
}
