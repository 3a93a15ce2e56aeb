import { afterEach, describe, expect, it } from 'vitest';
import { NovaCronError } from '../errors/novacron-error.js';
import type { Lease, StateStore, StoreChange } from '../store/state-store.js';

/** A fresh, empty place to keep state (a new directory, a new etcd prefix) that the suite opens stores on. */
export interface StateStoreBackend {
  /** Opens a store on this backend. Called more than once when the suite's `shared` or `durable` option is set. */
  open(): Promise<StateStore>;
  /** Removes what the test left behind, after its stores are closed. Optional. */
  destroy?(): Promise<void>;
}

/** Options of {@link testStateStore}. */
export interface TestStateStoreOptions {
  /**
   * Whether two stores open at the same time on one backend see each other's writes, watches and leases (etcd: yes;
   * memory and file: no, their watches and leases are per instance). Default false.
   */
  shared?: boolean | undefined;
  /** Whether a store opened on a backend after another was closed sees its data (file, etcd). Default false. */
  durable?: boolean | undefined;
  /**
   * The ttl the lease-expiry tests ask for, in milliseconds. Default 300. A store that rounds ttls up (etcd grants
   * whole seconds, at least about two) makes those tests wait longer, not fail.
   */
  leaseTtlMs?: number | undefined;
  /** How many keys the list test writes, to cross the store's paging. Default 250. */
  listKeyCount?: number | undefined;
  /** Per-test timeout in milliseconds, and the wait for watch events and lease expiry. Default 60,000. */
  timeoutMs?: number | undefined;
}

/**
 * The conformance suite every {@link StateStore} passes. Call it at the top level of a vitest file with a factory of
 * fresh backends. It checks versioned puts and deletes (0 = must not exist), lists by prefix in UTF-8 key order that
 * are never truncated, JSON values that round-trip as copies, watches (puts, deletes, unsubscribing, and across
 * instances when `shared`), exclusive leases with expiry, renewal and release, fencing tokens that refuse a deposed
 * holder's writes, and that exactly one of several concurrent expected-version puts wins.
 *
 * @example
 * testStateStore('FileStateStore', async () => {
 *   const directory = await mkdtemp(join(tmpdir(), 'store-'));
 *   return { open: () => FileStateStore.open(directory), destroy: () => rm(directory, { recursive: true }) };
 * }, { durable: true });
 */
export function testStateStore(
  name: string,
  makeBackend: () => StateStoreBackend | Promise<StateStoreBackend>,
  options: TestStateStoreOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const leaseTtlMs = options.leaseTtlMs ?? 300;
  const listKeyCount = options.listKeyCount ?? 250;
  const cleanups: Array<() => Promise<void>> = [];

  /** A backend for this test and a first store on it; both are cleaned up after the test. */
  const setUp = async (): Promise<{ store: StateStore; open: () => Promise<StateStore> }> => {
    const backend = await makeBackend();
    if (backend.destroy !== undefined) cleanups.push(() => backend.destroy!());
    const open = async () => {
      const store = await backend.open();
      cleanups.push(() => store.close());
      return store;
    };
    return { store: await open(), open };
  };

  afterEach(async () => {
    // Stores close before their backend is destroyed: cleanups run newest first.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Resolves once `condition` holds, checking every 10 ms; fails after the suite's timeout. */
  const waitFor = async (what: string, condition: () => boolean | Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  /** Waits until `name` can be taken by `holder`, which happens once the current holding expires. */
  const acquireWhenFree = async (store: StateStore, lease: string, holder: string): Promise<Lease> => {
    let taken: Lease | undefined;
    await waitFor(`lease '${lease}' to expire`, async () => {
      taken = await store.acquireLease(lease, holder, 60_000);
      return taken !== undefined;
    });
    return taken!;
  };

  describe(`StateStore conformance: ${name}`, { timeout: timeoutMs * 2 }, () => {
    it('versions puts from 1 and refuses a put at the wrong version with CONFLICT, changing nothing', async () => {
      const { store } = await setUp();
      expect(await store.get('jobs/a')).toBeUndefined();
      expect(await store.put('jobs/a', { phase: 'pending' }, { expectedVersion: 0 })).toBe(1);
      expect(await store.put('jobs/a', { phase: 'running' })).toBe(2);
      expect(await store.put('jobs/a', { phase: 'done' }, { expectedVersion: 2 })).toBe(3);
      await expectConflict(store.put('jobs/a', { phase: 'x' }, { expectedVersion: 2 }));
      await expectConflict(store.put('jobs/a', { phase: 'x' }, { expectedVersion: 0 }));
      await expectConflict(store.put('jobs/b', { phase: 'x' }, { expectedVersion: 1 }));
      expect(await store.get('jobs/a')).toEqual({ key: 'jobs/a', value: { phase: 'done' }, version: 3 });
      expect(await store.get('jobs/b')).toBeUndefined();
    });

    it('deletes, with an expected version when asked, and a recreated key starts again at version 1', async () => {
      const { store } = await setUp();
      await store.delete('jobs/missing');
      await store.delete('jobs/missing', { expectedVersion: 0 });
      await expectConflict(store.delete('jobs/missing', { expectedVersion: 1 }));
      await store.put('jobs/a', 1);
      await store.put('jobs/a', 2);
      await expectConflict(store.delete('jobs/a', { expectedVersion: 1 }));
      expect((await store.get('jobs/a'))?.version).toBe(2);
      await store.delete('jobs/a', { expectedVersion: 2 });
      expect(await store.get('jobs/a')).toBeUndefined();
      expect(await store.put('jobs/a', 3, { expectedVersion: 0 })).toBe(1);
    });

    it('lists by prefix in UTF-8 key order, with keys that are prefixes of others and unicode keys', async () => {
      const { store } = await setUp();
      const keys = ['a', 'a/b', 'a/b/c', 'a/b0', 'a/bc', 'ab', 'u/z', 'u/é', 'u/ｚ', 'u/😀', 'u/日本'];
      for (const key of [...keys].reverse()) await store.put(key, key);
      expect((await store.list('a/b')).map((entry) => entry.key)).toEqual(['a/b', 'a/b/c', 'a/b0', 'a/bc']);
      expect((await store.list('a')).map((entry) => entry.key)).toEqual([
        'a',
        'a/b',
        'a/b/c',
        'a/b0',
        'a/bc',
        'ab',
      ]);
      // Byte order: z (7A) < é (C3) < 日 (E6) < ｚ (EF) < 😀 (F0); UTF-16's sort() would put 😀 before ｚ.
      expect((await store.list('u/')).map((entry) => entry.key)).toEqual([
        'u/z',
        'u/é',
        'u/日本',
        'u/ｚ',
        'u/😀',
      ]);
      expect((await store.list('')).map((entry) => entry.key)).toEqual(sortByBytes(keys));
      expect(await store.list('nothing/')).toEqual([]);
      const entry = (await store.list<string>('u/😀'))[0];
      expect(entry).toEqual({ key: 'u/😀', value: 'u/😀', version: 1 });
    });

    it(`lists ${listKeyCount} keys whole, across the store's pages`, async () => {
      const { store } = await setUp();
      const keys = Array.from(
        { length: listKeyCount },
        (_, index) => `many/${String(index).padStart(5, '0')}`,
      );
      await Promise.all(keys.map((key, index) => store.put(key, { index })));
      await store.put('many', 'not under many/');
      await store.put('manz/0', 'after the prefix');
      const listed = await store.list<{ index: number }>('many/');
      expect(listed.map((entry) => entry.key)).toEqual(keys);
      expect(listed.every((entry, index) => entry.value.index === index && entry.version === 1)).toBe(true);
    });

    it('round-trips JSON values exactly, as copies, and refuses values JSON cannot hold', async () => {
      const { store } = await setUp();
      const values: unknown[] = [
        { nested: { list: [1, 'two', null, true, { deep: [] }] }, unicode: 'žluťoučký 🐎', empty: '' },
        [1, 2, 3],
        'a string',
        0,
        -1.5,
        false,
        null,
        {},
      ];
      for (const [index, value] of values.entries()) {
        await store.put(`values/${index}`, value);
        expect((await store.get(`values/${index}`))?.value).toEqual(value);
      }
      const original = { list: [1] };
      await store.put('values/copy', original);
      original.list.push(2);
      const read = await store.get<{ list: number[] }>('values/copy');
      read!.value.list.push(3);
      expect((await store.get<{ list: number[] }>('values/copy'))?.value.list).toEqual([1]);
      await expect(store.put('values/bad', undefined)).rejects.toThrow();
      expect(await store.get('values/bad')).toBeUndefined();
    });

    it('tells watchers about puts and deletes under their prefix, in order, until they unsubscribe', async () => {
      const { store } = await setUp();
      const seen: StoreChange[] = [];
      const control: StoreChange[] = [];
      const stop = store.watch('vms/', (change) => seen.push(change));
      store.watch('vms/', (change) => control.push(change));
      await store.put('vms/b', { n: 1 });
      await store.put('vms/a', { n: 2 });
      await store.put('other/c', { n: 3 });
      await store.put('vms/b', { n: 4 });
      await store.delete('vms/a');
      await waitFor('four watch events', () => seen.length >= 4);
      expect(seen).toEqual([
        { type: 'put', key: 'vms/b', entry: { key: 'vms/b', value: { n: 1 }, version: 1 } },
        { type: 'put', key: 'vms/a', entry: { key: 'vms/a', value: { n: 2 }, version: 1 } },
        { type: 'put', key: 'vms/b', entry: { key: 'vms/b', value: { n: 4 }, version: 2 } },
        { type: 'delete', key: 'vms/a' },
      ]);
      stop();
      await store.put('vms/z', 9);
      await waitFor('the control watcher to see vms/z', () =>
        control.some((change) => change.key === 'vms/z'),
      );
      expect(seen).toHaveLength(4);
    });

    it.runIf(options.shared)(
      'tells a watcher on one instance about writes made through another',
      async () => {
        const { store, open } = await setUp();
        const other = await open();
        const seen: StoreChange[] = [];
        store.watch('shared/', (change) => seen.push(change));
        await other.put('shared/k', 'from the other instance');
        await other.delete('shared/k');
        await waitFor('two watch events', () => seen.length >= 2);
        expect(seen.map((change) => `${change.type}:${change.key}`)).toEqual([
          'put:shared/k',
          'delete:shared/k',
        ]);
        expect(seen[0]?.entry?.value).toBe('from the other instance');
      },
    );

    it('hands a lease to one holder at a time, with a larger fencing token for every new holding', async () => {
      const { store } = await setUp();
      const first = await store.acquireLease('leader', 'replica-1', 60_000);
      expect(first).toMatchObject({ name: 'leader', holder: 'replica-1' });
      expect(first!.fencingToken).toBeGreaterThan(0);
      expect(first!.expiresAtMs).toBeGreaterThan(Date.now());
      expect(await store.acquireLease('leader', 'replica-2', 60_000)).toBeUndefined();
      const renewed = await first!.renew();
      expect(renewed.fencingToken).toBe(first!.fencingToken);
      expect(renewed.expiresAtMs).toBeGreaterThanOrEqual(first!.expiresAtMs);
      await first!.release();
      const second = await store.acquireLease('leader', 'replica-2', 60_000);
      expect(second?.holder).toBe('replica-2');
      expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
      await expectConflict(first!.renew());
      await first!.release();
      expect(await store.acquireLease('leader', 'replica-1', 60_000)).toBeUndefined();
      // The same holder acquiring again starts a new holding; the earlier handle is lost.
      const third = await store.acquireLease('leader', 'replica-2', 60_000);
      expect(third!.fencingToken).toBeGreaterThan(second!.fencingToken);
      await expectConflict(second!.renew());
      expect((await third!.renew()).fencingToken).toBe(third!.fencingToken);
      expect(await store.acquireLease('other-lease', 'replica-1', 60_000)).toBeDefined();
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
        await expect(store.acquireLease('bad-ttl', 'replica-1', ttl)).rejects.toThrow(TypeError);
    });

    it('lets another holder take an expired lease; the old holder can no longer renew it', async () => {
      const { store } = await setUp();
      const old = await store.acquireLease('shard-1', 'a', leaseTtlMs);
      const taken = await acquireWhenFree(store, 'shard-1', 'b');
      expect(taken.holder).toBe('b');
      expect(taken.fencingToken).toBeGreaterThan(old!.fencingToken);
      await expectConflict(old!.renew());
      await old!.release();
      expect(await store.acquireLease('shard-1', 'a', 60_000)).toBeUndefined();
    });

    it("refuses a deposed holder's fenced writes, even with the lease object in hand", async () => {
      const { store } = await setUp();
      const old = await store.acquireLease('leader', 'a', leaseTtlMs);
      expect(await store.put('desired/x', 1, { fence: old! })).toBe(1);
      const current = await acquireWhenFree(store, 'leader', 'b');
      await expectConflict(store.put('desired/x', 2, { fence: old! }));
      await expectConflict(store.put('desired/x', 2, { fence: old!, expectedVersion: 1 }));
      await expectConflict(store.delete('desired/x', { fence: old! }));
      const plain = { name: old!.name, fencingToken: old!.fencingToken };
      await expectConflict(store.put('desired/y', 1, { fence: plain }));
      expect(await store.get('desired/x')).toMatchObject({ value: 1, version: 1 });
      expect(await store.get('desired/y')).toBeUndefined();
      expect(await store.put('desired/x', 3, { fence: current })).toBe(2);
      expect(
        await store.put('desired/x', 4, { fence: { name: 'leader', fencingToken: current.fencingToken } }),
      ).toBe(3);
      await expectConflict(store.put('desired/x', 5, { fence: current, expectedVersion: 1 }));
      await store.delete('desired/x', { fence: current, expectedVersion: 3 });
      expect(await store.get('desired/x')).toBeUndefined();
      await current.release();
      await expectConflict(store.put('desired/x', 6, { fence: current }));
      await expectConflict(store.put('desired/x', 6, { fence: { name: 'never-held', fencingToken: 1 } }));
    });

    it.runIf(options.shared)('shares leases and checks fences across instances on one backend', async () => {
      const { store, open } = await setUp();
      const other = await open();
      const lease = await store.acquireLease('leader', 'a', 60_000);
      expect(await other.acquireLease('leader', 'b', 60_000)).toBeUndefined();
      expect(await other.put('desired/x', 1, { fence: lease! })).toBe(1);
      await lease!.release();
      await expectConflict(other.put('desired/x', 2, { fence: lease! }));
      expect((await other.acquireLease('leader', 'b', 60_000))?.fencingToken).toBeGreaterThan(
        lease!.fencingToken,
      );
    });

    it('lets exactly one of several concurrent expected-version puts win', async () => {
      const { store, open } = await setUp();
      const stores = options.shared ? [store, await open(), await open()] : [store];
      const version = await store.put('race/key', { writer: -1 });
      for (let round = 0; round < 3; round += 1) {
        const expectedVersion = version + round;
        const attempts = Array.from({ length: 12 }, (_, writer) =>
          stores[writer % stores.length]!.put('race/key', { writer, round }, { expectedVersion }),
        );
        const results = await Promise.allSettled(attempts);
        const winners = results.flatMap((result, writer) => (result.status === 'fulfilled' ? [writer] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(conflictCode(result.reason)).toBe('CONFLICT');
        }
        expect(await store.get('race/key')).toMatchObject({
          value: { writer: winners[0], round },
          version: expectedVersion + 1,
        });
      }
    });

    it.runIf(options.durable)('keeps its data for a store opened on the same backend later', async () => {
      const { store, open } = await setUp();
      await store.put('journal/a', { step: 1 });
      await store.put('journal/a', { step: 2 });
      await store.put('journal/b', { step: 1 });
      await store.delete('journal/b');
      await store.close();
      const reopened = await open();
      expect(await reopened.list('journal/')).toEqual([{ key: 'journal/a', value: { step: 2 }, version: 2 }]);
    });
  });
}

/** Asserts that `promise` rejects with a `NovaCronError` whose code is `CONFLICT`. */
async function expectConflict(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(conflictCode(outcome), String(outcome)).toBe('CONFLICT');
}

function conflictCode(error: unknown): string | undefined {
  return NovaCronError.isInstance(error) ? error.code : undefined;
}

function sortByBytes(keys: string[]): string[] {
  return [...keys].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
}
