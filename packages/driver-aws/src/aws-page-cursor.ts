import type { Page } from '@novacron/core';
import { type CursorCodec, createCursorCodec } from '@novacron/core/driver';

/**
 * Where a list stands: the EC2 `NextToken` of the provider page being read (absent = the first page) and how many
 * of that page's items were already handed out. EC2 (and moto) may return more items than asked for on one page
 * (moto counts reservations, not instances), so a provider page can span several NovaCron pages.
 */
export interface AwsPagePosition {
  /** The `NextToken` that fetches the provider page being read; absent for the first page. */
  token?: string | undefined;
  /** Items of that provider page already returned. */
  offset: number;
  /** The `MaxResults` that page was read with (re-reading it with another size would shift the offset). */
  providerPageSize: number;
}

/** EC2's `MaxResults` range for `DescribeInstances` and `DescribeImages`. */
const MIN_PROVIDER_PAGE = 5;
const MAX_PROVIDER_PAGE = 1000;

function isPosition(value: unknown): value is AwsPagePosition {
  const { token, offset, providerPageSize } = (value ?? {}) as Record<string, unknown>;
  return (
    (token === undefined || typeof token === 'string') &&
    Number.isSafeInteger(offset) &&
    (offset as number) >= 0 &&
    Number.isSafeInteger(providerPageSize) &&
    (providerPageSize as number) >= MIN_PROVIDER_PAGE &&
    (providerPageSize as number) <= MAX_PROVIDER_PAGE
  );
}

/**
 * The cursor codec of one of the driver's provider-paged lists (`vms`, `images`), from the toolkit: a cursor of
 * another list or driver, or an edited one, is `INVALID_ARGUMENT` on `cursor`.
 */
export function awsCursorCodec(list: 'vms' | 'images'): CursorCodec<AwsPagePosition> {
  return createCursorCodec({ driver: 'aws', list, isPosition });
}

/**
 * Where to read from: the decoded cursor, or the first provider page read with `MaxResults` = `pageSize` (raised to
 * EC2's minimum of 5).
 */
export function startPosition(
  cursors: CursorCodec<AwsPagePosition>,
  cursor: string | undefined,
  pageSize: number,
): AwsPagePosition {
  return (
    cursors.decode(cursor) ?? {
      offset: 0,
      providerPageSize: Math.min(MAX_PROVIDER_PAGE, Math.max(MIN_PROVIDER_PAGE, pageSize)),
    }
  );
}

/**
 * Cuts one NovaCron page out of a provider page: at most `pageSize` items from `position.offset`, with the cursor of
 * what follows (the rest of this provider page, else the next provider page, else nothing).
 *
 * @example
 * slicePage(cursors, ['a', 'b', 'c'], { offset: 0, providerPageSize: 5 }, 'next', 2);
 * // { items: ['a', 'b'], nextCursor: <offset 2 of this provider page> }
 */
export function slicePage<T>(
  cursors: CursorCodec<AwsPagePosition>,
  providerItems: readonly T[],
  position: AwsPagePosition,
  providerNextToken: string | undefined,
  pageSize: number,
): Page<T> {
  const end = position.offset + pageSize;
  const page: Page<T> = { items: providerItems.slice(position.offset, end) };
  if (end < providerItems.length) {
    page.nextCursor = cursors.encode({ ...position, offset: end });
  } else if (providerNextToken !== undefined && providerNextToken !== '') {
    page.nextCursor = cursors.encode({
      token: providerNextToken,
      offset: 0,
      providerPageSize: position.providerPageSize,
    });
  }
  return page;
}
