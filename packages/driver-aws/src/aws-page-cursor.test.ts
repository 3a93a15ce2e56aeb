import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAwsCursor, encodeAwsCursor, slicePage } from './aws-page-cursor.js';

describe('aws page cursors', () => {
  it('round-trips every position', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.nat(),
        fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
        (token, offset, providerPageSize) => {
          expect(decodeAwsCursor(encodeAwsCursor({ token, offset, providerPageSize }))).toEqual({
            token,
            offset,
            providerPageSize,
          });
        },
      ),
    );
  });

  it('refuses cursors it did not make', () => {
    for (const cursor of [
      'x',
      Buffer.from('{"o":-1}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      expect(() => decodeAwsCursor(cursor)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'cursor' }),
      );
    }
  });

  it('cuts provider pages into NovaCron pages that concatenate back to every item, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(), { maxLength: 30 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (providerPages, pageSize) => {
          // providerPages[i] is what the provider returns for token `t${i}` (the first page has no token).
          const seen: number[] = [];
          let cursor: string | undefined;
          let calls = 0;
          do {
            const position = decodeAwsCursor(cursor);
            const index = position.token === undefined ? 0 : Number(position.token.slice(1));
            const next = index + 1 < providerPages.length ? `t${index + 1}` : undefined;
            const page = slicePage(providerPages[index]!, position, next, pageSize);
            expect(page.items.length).toBeLessThanOrEqual(pageSize);
            seen.push(...page.items);
            cursor = page.nextCursor;
            calls += 1;
          } while (cursor !== undefined && calls < 1_000);
          expect(seen).toEqual(providerPages.flat());
        },
      ),
    );
  });
});
