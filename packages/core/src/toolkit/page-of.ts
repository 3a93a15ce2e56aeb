import type { Page, PageRequest } from '../driver/page.js';
import { createCursorCodec } from './opaque-cursor.js';

/** Options of {@link pageOf}. */
export interface PageOfOptions {
  /** The driver kind (named in the error for a foreign cursor). */
  driver: string;
  /** The list's name (`sizes`): cursors of other lists are refused. */
  list: string;
  /** The most items one page holds; the caller's `pageSize` is capped at it. It is also the default page size. */
  maxPageSize: number;
}

/**
 * One page of a list the driver holds whole in memory (a catalog, a fleet's hosts), with an opaque cursor that is
 * the offset of the next page. The core has already checked `request.pageSize` (a positive integer).
 *
 * @example
 * pageOf(['a', 'b', 'c'], { pageSize: 2 }, { driver: 'hetzner', list: 'images', maxPageSize: 100 });
 * // { items: ['a', 'b'], nextCursor: '...' }
 */
export function pageOf<T>(items: readonly T[], request: PageRequest, options: PageOfOptions): Page<T> {
  const cursors = offsetCursors(options.driver, options.list);
  const start = cursors.decode(request.cursor)?.offset ?? 0;
  const size = Math.min(request.pageSize ?? options.maxPageSize, options.maxPageSize);
  const end = Math.min(start + size, items.length);
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextCursor = cursors.encode({ offset: end });
  return page;
}

function offsetCursors(driver: string, list: string) {
  return createCursorCodec({
    driver,
    list,
    isPosition: (value): value is { offset: number } => {
      const offset = (value as { offset?: unknown } | null)?.offset;
      return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0;
    },
  });
}
