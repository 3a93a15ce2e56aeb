import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, createMany, expectCode, listAll } from '../test/context.js';
import { createSimDriver } from './sim-driver.js';

// Page sizes are the core's to check; cursors and page slicing are core's toolkit (createCursorCodec, pageOf). These
// test the driver's lists as a caller sees them.
describe('pagination', () => {
  it('returns pages of at most maxPageSize and follows to the end without a cursor on the last page', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    expect(driver.capabilities.maxPageSize).toBe(25);
    await createMany(driver, 60);
    const first = await driver.doListVms({}, callContext());
    expect(first.items).toHaveLength(25);
    const asked = await driver.doListVms({ pageSize: 1000 }, callContext());
    expect(asked.items).toHaveLength(25);
    const small = await driver.doListVms({ pageSize: 7 }, callContext());
    expect(small.items).toHaveLength(7);
    const second = await driver.doListVms({ cursor: first.nextCursor! }, callContext());
    const third = await driver.doListVms({ cursor: second.nextCursor! }, callContext());
    expect(third.items).toHaveLength(10);
    expect(third.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items, ...third.items].map((vm) => vm.name)).toEqual(
      Array.from({ length: 60 }, (_, index) => `vm-${index}`),
    );
  });

  it('has no next cursor when the last page is exactly full, and an empty fleet lists empty', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    expect(await driver.doListVms({}, callContext())).toEqual({ items: [] });
    await createMany(driver, 25);
    expect((await driver.doListVms({}, callContext())).nextCursor).toBeUndefined();
  });

  it('never skips or repeats a VM that exists throughout, whatever is created or deleted meanwhile', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 40 }),
        async (initial, pageSize, changes) => {
          const driver = createSimDriver({ transitionDelayMs: 0, pageSize: 30 });
          const made = await createMany(driver, initial, 'base');
          const survivors = new Set(made.map((vm) => vm.id));
          const seen: string[] = [];
          let cursor: string | undefined;
          let step = 0;
          do {
            const page = await driver.doListVms(
              { pageSize, ...(cursor === undefined ? {} : { cursor }) },
              callContext(),
            );
            seen.push(...page.items.map((vm) => vm.id));
            cursor = page.nextCursor;
            const change = changes[step];
            step += 1;
            if (change === undefined) continue;
            const [create, pick] = change;
            if (create) {
              await driver.doCreateVm(
                { name: `new-${step}`, size: 'sim.tiny' },
                createContext(`new-${step}`),
              );
            } else {
              const all = driver.sim.snapshot().vms;
              const victim = all[pick % Math.max(1, all.length)];
              if (victim !== undefined) {
                survivors.delete(victim.id);
                await driver.doDeleteVm(victim.id, callContext());
              }
            }
          } while (cursor !== undefined);
          expect(new Set(seen).size).toBe(seen.length);
          for (const id of survivors) expect(seen).toContain(id);
        },
      ),
      { numRuns: 60, seed: 20261121 },
    );
  });

  it('pushes tag, state, host and zone filters down, across pages', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, pageSize: 10 });
    for (let index = 0; index < 40; index += 1) {
      await driver.doCreateVm(
        {
          name: `vm-${index}`,
          size: 'sim.small',
          tags: { env: index % 4 === 0 ? 'dev' : 'prod', team: 'a' },
        },
        createContext(`k${index}`),
      );
    }
    const placed = await driver.doCreateVm(
      { name: 'pinned', size: 'sim.small', location: { hostId: 'host-6' }, tags: { env: 'dev' } },
      createContext('pinned'),
    );
    const all = await listAll(driver);
    await driver.doStopVm(all[3]!.id, { force: false }, callContext());
    await driver.doStopVm(all[8]!.id, { force: false }, callContext());
    expect(await listAll(driver, { tags: { env: 'dev' } })).toHaveLength(11);
    expect(await listAll(driver, { tags: { env: 'dev', team: 'a' } })).toHaveLength(10);
    expect((await listAll(driver, { states: ['stopped'] })).map((vm) => vm.id)).toEqual([
      all[3]!.id,
      all[8]!.id,
    ]);
    expect((await listAll(driver, { hostId: 'host-6' })).map((vm) => vm.id)).toEqual([placed.id]);
    expect((await listAll(driver, { zone: 'sim-1b' })).map((vm) => vm.id)).toEqual([placed.id]);
    const sparse = await driver.doListVms({ filter: { hostId: 'host-6' } }, callContext());
    expect(sparse.nextCursor).toBeUndefined();
  });

  it('refuses cursors it did not make, or made for another list', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, pageSize: 2 });
    await createMany(driver, 3);
    const hosts = await driver.doListHosts({}, callContext());
    const error = await expectCode(
      driver.doListVms({ cursor: hosts.nextCursor! }, callContext()),
      'INVALID_ARGUMENT',
    );
    expect(error.field).toBe('cursor');
    await expectCode(driver.doListVms({ cursor: 'garbage' }, callContext()), 'INVALID_ARGUMENT');
  });

  it('pages hosts, sizes, images and locations', async () => {
    const driver = createSimDriver({ pageSize: 3 });
    const hosts = [];
    let cursor: string | undefined;
    do {
      const page = await driver.doListHosts(cursor === undefined ? {} : { cursor }, callContext());
      expect(page.items.length).toBeLessThanOrEqual(3);
      hosts.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(hosts.map((host) => host.id)).toEqual(
      Array.from({ length: 8 }, (_, index) => `host-${index + 1}`),
    );
    expect(hosts[3]).toMatchObject({ zone: 'sim-1b', labels: { rack: 'r1', gpu: 'sim-l4' }, state: 'up' });
    const sizes = await driver.doListSizes({ pageSize: 10 }, callContext());
    expect(sizes.items.map((size) => size.name)).toEqual(['sim.tiny', 'sim.small', 'sim.medium']);
    const locations = await driver.doListLocations({}, callContext());
    expect(locations.items).toEqual([
      { id: 'sim-1', kind: 'region' },
      { id: 'sim-1a', kind: 'zone', region: 'sim-1' },
      { id: 'sim-1b', kind: 'zone', region: 'sim-1' },
    ]);
    const images = await driver.doListImages({}, callContext());
    expect(images.items[0]).toMatchObject({ id: 'debian-12', os: 'linux' });
    expect(images.nextCursor).toBeDefined();
  });

  it('offers GPU sizes only in zones with GPU hosts', async () => {
    const driver = createSimDriver({ pageSize: 50 });
    const sizes = (await driver.doListSizes({}, callContext())).items;
    expect(sizes.find((size) => size.name === 'sim.gpu')!.locations).toEqual(['sim-1b']);
    expect(sizes.find((size) => size.name === 'sim.small')!.locations).toBeUndefined();
  });
});
