import { NovaCronError, type Page, type PageRequest } from '@novacron/core';

/**
 * Encodes a list position as an opaque cursor. `list` ties the cursor to one list so a VM cursor passed to the
 * host list is refused rather than misread.
 */
export function encodeCursor(list: string, position: string): string {
  return Buffer.from(JSON.stringify({ l: list, p: position }), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor} for `list`; anything else is `INVALID_ARGUMENT` on `cursor`. */
export function decodeCursor(list: string, cursor: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw badCursor(list, cursor, error);
  }
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    (decoded as { l?: unknown }).l !== list ||
    typeof (decoded as { p?: unknown }).p !== 'string'
  ) {
    throw badCursor(list, cursor, undefined);
  }
  return (decoded as { p: string }).p;
}

/** The page size to use: the caller's wish capped at `maxPageSize`, `maxPageSize` when none is given. */
export function resolvePageSize(requested: number | undefined, maxPageSize: number): number {
  if (requested === undefined) return maxPageSize;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'pageSize',
      message: `pageSize must be a positive integer, got ${requested}; the sim driver returns at most ${maxPageSize} per page.`,
    });
  }
  return Math.min(requested, maxPageSize);
}

/** One page of a list that never changes while the driver lives (sizes, images, locations, hosts). */
export function pageOfFixedList<T>(
  list: string,
  items: readonly T[],
  request: PageRequest,
  maxPageSize: number,
): Page<T> {
  const size = resolvePageSize(request.pageSize, maxPageSize);
  const start = request.cursor === undefined ? 0 : Number(decodeCursor(list, request.cursor));
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw badCursor(list, request.cursor ?? '', undefined);
  }
  const end = Math.min(start + size, items.length);
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextCursor = encodeCursor(list, String(end));
  return page;
}

function badCursor(list: string, cursor: string, cause: unknown): NovaCronError {
  return new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'cursor',
    message: `Cursor '${cursor.slice(0, 40)}' is not a ${list} cursor of the sim driver. Pass back the nextCursor of the previous ${list} page unchanged, or omit it to start over.`,
    cause,
  });
}
