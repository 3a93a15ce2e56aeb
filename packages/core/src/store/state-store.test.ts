import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NovaCronError } from '../errors/novacron-error.js';
import { FileStateStore } from './file-state-store.js';
import { MemoryStateStore } from './memory-state-store.js';
import type { StateStore, StoreChange } from './state-store.js';

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});
const newDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'novacron-store-'));
  directories.push(directory);
  return directory;
};

const implementations: Array<[string, () => Promise<StateStore>]> = [
  ['MemoryStateStore', async () => new MemoryStateStore()],
  ['FileStateStore', async () => FileStateStore.open(await newDirectory())],
];

describe.each(implementations)('%s', (_name, open) => {
  it('versions every put and refuses writes at the wrong version with CONFLICT', async () => {
    const store = await open();
    expect(await store.put('migrations/a', { phase: 'pending' }, { expectedVersion: 0 })).toBe(1);
    expect(await store.put('migrations/a', { phase: 'transferring' }, { expectedVersion: 1 })).toBe(2);
    const conflict = await store
      .put('migrations/a', { phase: 'x' }, { expectedVersion: 1 })
      .catch((error: unknown) => error);
    expect(NovaCronError.isInstance(conflict) && conflict.code).toBe('CONFLICT');
    await expect(store.put('migrations/a', {}, { expectedVersion: 0 })).rejects.toThrow(/version 2/);
    expect(await store.get('migrations/a')).toEqual({
      key: 'migrations/a',
      value: { phase: 'transferring' },
      version: 2,
    });
  });

  it('lists by prefix in key order, deletes, and reports changes to watchers', async () => {
    const store = await open();
    const changes: StoreChange[] = [];
    const stop = store.watch('vms/', (change) => changes.push(change));
    await store.put('vms/b', 2);
    await store.put('vms/a', 1);
    await store.put('other/c', 3);
    expect((await store.list('vms/')).map((entry) => entry.key)).toEqual(['vms/a', 'vms/b']);
    await store.delete('vms/a');
    await store.delete('vms/missing');
    expect(await store.get('vms/a')).toBeUndefined();
    stop();
    await store.put('vms/z', 9);
    expect(changes.map((change) => `${change.type}:${change.key}`)).toEqual([
      'put:vms/b',
      'put:vms/a',
      'delete:vms/a',
    ]);
  });

  it('hands out a lease to one holder at a time', async () => {
    const store = await open();
    const lease = await store.acquireLease('leader', 'replica-1', 60_000);
    expect(lease?.holder).toBe('replica-1');
    expect(await store.acquireLease('leader', 'replica-2', 60_000)).toBeUndefined();
    await lease!.release();
    expect((await store.acquireLease('leader', 'replica-2', 60_000))?.holder).toBe('replica-2');
  });

  it('stores copies, so callers cannot mutate stored values', async () => {
    const store = await open();
    const value = { list: [1] };
    await store.put('k', value);
    value.list.push(2);
    expect((await store.get<{ list: number[] }>('k'))?.value.list).toEqual([1]);
  });
});

describe('FileStateStore durability', () => {
  it('survives reopening and leaves no temporary files behind', async () => {
    const directory = await newDirectory();
    const first = await FileStateStore.open(directory);
    await Promise.all(Array.from({ length: 20 }, (_, index) => first.put(`journal/${index}`, { index })));
    await first.put('journal/0', { index: 0, again: true });
    await first.close();
    const second = await FileStateStore.open(directory);
    expect((await second.list('journal/')).length).toBe(20);
    expect(await second.get('journal/0')).toMatchObject({ version: 2, value: { again: true } });
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('expires leases: a lapsed lease can be taken and the old holder cannot renew', async () => {
    let now = 1_000;
    const store = new MemoryStateStore(() => now);
    const lease = await store.acquireLease('shard-1', 'a', 100);
    now += 101;
    expect((await store.acquireLease('shard-1', 'b', 100))?.holder).toBe('b');
    await expect(lease!.renew()).rejects.toThrow(/was lost/);
  });
});
