import type { Page } from '../driver/page.js';
import { NovaCronError } from '../errors/novacron-error.js';

/**
 * The one generic paginator: follows `nextCursor` until the last page and yields every item. A provider that hands
 * back a cursor it already gave (a loop that would never end) is reported as a `PROVIDER` error, never truncated.
 *
 * @example
 * for await (const vm of paginate((cursor) => fetchPage(cursor))) { ... }
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  description = 'list',
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      if (seen.has(cursor)) {
        throw new NovaCronError({
          code: 'PROVIDER',
          message: `${description} returned the page cursor '${cursor}' twice; stopping instead of looping. This is a driver bug: report it to the driver's authors.`,
        });
      }
      seen.add(cursor);
    }
  } while (cursor !== undefined);
}
