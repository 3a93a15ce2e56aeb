import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awsCursorCodec, slicePage, startPosition } from './aws-page-cursor.js';

describe('aws page cursors', () => {
  const vms = awsCursorCodec('vms');

  it('round-trips every position', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.nat(),
        fc.integer({ min: 5, max: 1000 }),
        (token, offset, providerPageSize) => {
          const position = { ...(token === undefined ? {} : { token }), offset, providerPageSize };
          expect(vms.decode(vms.encode(position))).toEqual(position);
        },
      ),
    );
  });

  it("refuses cursors it did not make: another list's, a hand-edited one, garbage", () => {
    const images = awsCursorCodec('images');
    for (const cursor of [
      'x',
      images.encode({ offset: 0, providerPageSize: 5 }),
      Buffer.from('{"d":"aws","l":"vms","p":{"offset":-1,"providerPageSize":5}}').toString('base64url'),
      Buffer.from('{"d":"aws","l":"vms","p":{"offset":0,"providerPageSize":5000}}').toString('base64url'),
    ]) {
      expect(() => startPosition(vms, cursor, 10)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'cursor' }),
      );
    }
  });

  it('starts with MaxResults in EC2 range (5 to 1,000)', () => {
    expect(startPosition(vms, undefined, 1)).toEqual({ offset: 0, providerPageSize: 5 });
    expect(startPosition(vms, undefined, 300)).toEqual({ offset: 0, providerPageSize: 300 });
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
            const position = startPosition(vms, cursor, pageSize);
            const index = position.token === undefined ? 0 : Number(position.token.slice(1));
            const next = index + 1 < providerPages.length ? `t${index + 1}` : undefined;
            const page = slicePage(vms, providerPages[index]!, position, next, pageSize);
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
