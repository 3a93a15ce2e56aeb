import { NovaCronError, type Page, type PageRequest } from '@novacron/core';

/** Makes the opaque cursor handed to callers from a position (a VM name, a list index). */
export function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * Reads back a cursor made by {@link encodeCursor}; absent means the first page.
 *
 * @throws NovaCronError INVALID_ARGUMENT (field `cursor`) when the cursor was not made by this driver.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (value === '' || encodeCursor(value) !== cursor) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
      message: `The cursor "${cursor}" was not made by the kvm driver; pass back nextCursor unchanged.`,
    });
  }
  return value;
}

/** One page of a fixed list; the cursor is the index of the next page's first item. */
export function indexPage<T>(items: readonly T[], request: PageRequest, maxPageSize: number): Page<T> {
  const start = request.cursor === undefined ? 0 : Number.parseInt(decodeCursor(request.cursor) ?? '0', 10);
  const size = Math.min(request.pageSize ?? maxPageSize, maxPageSize);
  const end = start + size;
  return end < items.length
    ? { items: items.slice(start, end), nextCursor: encodeCursor(String(end)) }
    : { items: items.slice(start) };
}
