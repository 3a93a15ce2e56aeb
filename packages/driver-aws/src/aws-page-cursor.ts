import { NovaCronError } from '@novacron/core';

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
  providerPageSize?: number | undefined;
}

/**
 * Encodes a position as the opaque cursor NovaCron hands back to callers.
 *
 * @example
 * encodeAwsCursor({ token: 'abc', offset: 100 }); // 'eyJ0IjoiYWJjIiwibyI6MTAwfQ'
 */
export function encodeAwsCursor(position: AwsPagePosition): string {
  return Buffer.from(
    JSON.stringify({ t: position.token, o: position.offset, m: position.providerPageSize }),
    'utf8',
  ).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeAwsCursor}; absent means the first page.
 *
 * @throws NovaCronError INVALID_ARGUMENT (field `cursor`) when the cursor was not made by this driver.
 */
export function decodeAwsCursor(cursor: string | undefined): AwsPagePosition {
  if (cursor === undefined || cursor === '') return { offset: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t?: unknown;
      o?: unknown;
      m?: unknown;
    };
    const offset = parsed.o;
    const size = parsed.m;
    if (
      (parsed.t === undefined || typeof parsed.t === 'string') &&
      Number.isSafeInteger(offset) &&
      (offset as number) >= 0 &&
      (size === undefined || (Number.isSafeInteger(size) && (size as number) > 0))
    ) {
      return {
        token: parsed.t as string | undefined,
        offset: offset as number,
        providerPageSize: size as number | undefined,
      };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'cursor',
    message:
      'The list cursor was not made by the aws driver. Pass back exactly the nextCursor of the previous page.',
  });
}

/**
 * Cuts one NovaCron page out of a provider page: at most `pageSize` items from `position.offset`, with the cursor of
 * what follows (the rest of this provider page, else the next provider page, else nothing).
 *
 * @example
 * slicePage(['a', 'b', 'c'], { offset: 0 }, 'next', 2); // { items: ['a', 'b'], nextCursor: <offset 2 of this page> }
 */
export function slicePage<T>(
  providerItems: readonly T[],
  position: AwsPagePosition,
  providerNextToken: string | undefined,
  pageSize: number,
): { items: T[]; nextCursor?: string } {
  const end = position.offset + pageSize;
  const items = providerItems.slice(position.offset, end);
  if (end < providerItems.length) {
    return {
      items,
      nextCursor: encodeAwsCursor({
        token: position.token,
        offset: end,
        providerPageSize: position.providerPageSize,
      }),
    };
  }
  if (providerNextToken !== undefined && providerNextToken !== '') {
    return {
      items,
      nextCursor: encodeAwsCursor({
        token: providerNextToken,
        offset: 0,
        providerPageSize: position.providerPageSize,
      }),
    };
  }
  return { items };
}
