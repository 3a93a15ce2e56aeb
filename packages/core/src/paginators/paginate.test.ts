import { describe, expect, it } from 'vitest';
import { paginate } from './paginate.js';

describe('paginate', () => {
  it('follows every page to the end', async () => {
    const pages: Record<string, { items: number[]; nextCursor?: string }> = {
      start: { items: [1, 2], nextCursor: 'b' },
      b: { items: [3], nextCursor: 'c' },
      c: { items: [], nextCursor: 'd' },
      d: { items: [4] },
    };
    const items: number[] = [];
    for await (const item of paginate(async (cursor) => pages[cursor ?? 'start']!)) items.push(item);
    expect(items).toEqual([1, 2, 3, 4]);
  });

  it('stops with a PROVIDER error when a cursor repeats instead of looping forever', async () => {
    const items: number[] = [];
    const run = async () => {
      for await (const item of paginate(async () => ({ items: [1], nextCursor: 'same' }), 'broken list'))
        items.push(item);
    };
    await expect(run()).rejects.toMatchObject({
      code: 'PROVIDER',
      message: expect.stringContaining('broken list'),
    });
    expect(items).toEqual([1, 1]);
  });
});
