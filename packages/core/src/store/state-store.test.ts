import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testStateStore } from '../testing/state-store-conformance.js';
import { FileStateStore } from './file-state-store.js';
import { MemoryStateStore } from './memory-state-store.js';

const newDirectory = () => mkdtemp(join(tmpdir(), 'novacron-store-'));

testStateStore('MemoryStateStore', () => ({ open: async () => new MemoryStateStore() }));

testStateStore(
  'FileStateStore',
  async () => {
    const directory = await newDirectory();
    return {
      open: () => FileStateStore.open(directory),
      destroy: () => rm(directory, { recursive: true, force: true }),
    };
  },
  { durable: true },
);

describe('MemoryStateStore leases on an injected clock', () => {
  it('expires a lease exactly at its ttl and refuses the old holder renewal and fenced writes', async () => {
    let now = 1_000;
    const store = new MemoryStateStore(() => now);
    const lease = await store.acquireLease('shard-1', 'a', 100);
    now += 99;
    expect(await store.acquireLease('shard-1', 'b', 100)).toBeUndefined();
    expect(await store.put('k', 1, { fence: lease! })).toBe(1);
    now += 1;
    await expect(store.put('k', 2, { fence: lease! })).rejects.toThrow(/no longer held with fencing token 1/);
    expect((await store.acquireLease('shard-1', 'b', 100))?.fencingToken).toBe(2);
    await expect(lease!.renew()).rejects.toThrow(/was lost/);
  });
});

describe('FileStateStore on disk', () => {
  it('survives reopening and leaves no temporary files behind', async () => {
    const directory = await newDirectory();
    try {
      const first = await FileStateStore.open(directory);
      await Promise.all(Array.from({ length: 20 }, (_, index) => first.put(`journal/${index}`, { index })));
      await first.put('journal/0', { index: 0, again: true });
      await first.close();
      const second = await FileStateStore.open(directory);
      expect((await second.list('journal/')).length).toBe(20);
      expect(await second.get('journal/0')).toMatchObject({ version: 2, value: { again: true } });
      expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
