import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('hands each key once however often it was added, in order', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(key);
    expect(queue.depth).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.depth).toBe(0);
  });

  it('holds a key added while processed until done, then hands it again once', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.depth).toBe(0);
    expect(queue.processingKeys()).toEqual(['a']);
    queue.done(key!);
    expect(queue.depth).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    expect(queue.depth).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const queue = new WorkQueue();
    const next = queue.get();
    queue.add('a');
    expect(await next).toBe('a');
  });

  it('keeps the earliest time of a delayed key and adds it when the time comes', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 60_000);
    queue.addAfter('a', 10);
    queue.addAfter('a', 30_000);
    expect(queue.delayedCount).toBe(1);
    expect(await queue.get()).toBe('a');
    expect(queue.delayedCount).toBe(0);
    queue.shutDown();
  });

  it('after shut-down ignores adds, drops waiting and delayed keys and releases workers', async () => {
    const queue = new WorkQueue();
    const idle = queue.get();
    queue.shutDown();
    expect(await idle).toBeUndefined();
    const other = new WorkQueue();
    other.add('a');
    other.addAfter('b', 60_000);
    other.shutDown();
    other.add('c');
    expect([other.depth, other.delayedCount, other.isShutDown]).toEqual([0, 0, true]);
    expect(await other.get()).toBeUndefined();
  });
});
