import { type DriverEvent, NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, createMany } from '../test/context.js';
import { createSimDriver } from './sim-driver.js';

describe('the driver object', () => {
  it('declares every capability, with maxPageSize from pageSize', () => {
    const driver = createSimDriver({ pageSize: 40 });
    expect(driver.specificationVersion).toBe('v1');
    expect(driver.kind).toBe('sim');
    expect(driver.capabilities).toMatchObject({
      suspend: true,
      reboot: true,
      hosts: true,
      createOnHost: true,
      sizes: true,
      images: true,
      locations: true,
      liveMigration: true,
      metrics: true,
      watch: true,
      maxPageSize: 40,
      maxNameLength: 63,
    });
    expect(Object.isFrozen(driver.capabilities)).toBe(true);
    expect(driver.getClient()).toBe(driver.sim);
  });

  it('is deterministic: the same seed and calls give the same fleet', async () => {
    async function run(seed: number) {
      const driver = createSimDriver({ seed, transitionDelayMs: 0, now: () => 1_700_000_000_000 });
      await createMany(driver, 30, 'a', { size: 'sim.medium', tags: { team: 'x' } });
      return driver.sim.snapshot();
    }
    expect(await run(8)).toEqual(await run(8));
    const vms = (await run(8)).vms;
    expect(vms[0]!.createdAt).toEqual(new Date(1_700_000_000_000));
    expect((await run(9)).vms.map((vm) => vm.dirtyRateMiBps)).not.toEqual(vms.map((vm) => vm.dirtyRateMiBps));
  });

  it('refuses bad options with a TypeError naming the option', () => {
    expect(() => createSimDriver({ hosts: 0 })).toThrow(/`hosts`/);
    expect(() => createSimDriver({ hosts: [] })).toThrow(TypeError);
    expect(() => createSimDriver({ pageSize: 2.5 })).toThrow(/`pageSize` must be an integer/);
    expect(() => createSimDriver({ transitionDelayMs: -1 })).toThrow(/transitionDelayMs/);
    expect(() => createSimDriver({ timeScale: Number.NaN })).toThrow(/timeScale/);
    expect(() => createSimDriver({ migration: { dirtyRateMiBps: { min: 10, max: 1 } } })).toThrow(
      /dirtyRateMiBps.max/,
    );
    expect(() =>
      createSimDriver({
        hosts: [
          { id: 'a', capacity: { vcpus: 1, memoryMiB: 1 } },
          { id: 'a', capacity: { vcpus: 1, memoryMiB: 1 } },
        ],
      }),
    ).toThrow(/used by two hosts/);
    expect(() => createSimDriver({ hosts: [{ id: 'a', capacity: { vcpus: -1, memoryMiB: 1 } }] })).toThrow(
      /capacity.vcpus/,
    );
    expect(() =>
      createSimDriver({
        hosts: [{ id: 'a', capacity: { vcpus: 1, memoryMiB: 1 }, state: 'sleeping' as never }],
      }),
    ).toThrow(/state/);
  });

  it('builds explicit hosts with their zones, labels, overcommit and state', async () => {
    const driver = createSimDriver({
      hosts: [
        {
          id: 'edge-1',
          zone: 'edge',
          capacity: { vcpus: 8, memoryMiB: 16384, diskGiB: 100 },
          labels: { tier: 'edge' },
        },
        {
          id: 'core-1',
          capacity: { vcpus: 32, memoryMiB: 65536 },
          overcommit: { vcpus: 2 },
          state: 'maintenance',
        },
      ],
    });
    const hosts = (await driver.doListHosts({}, callContext())).items;
    expect(hosts[0]).toEqual({
      id: 'edge-1',
      zone: 'edge',
      state: 'up',
      labels: { tier: 'edge' },
      capacity: { vcpus: 8, memoryMiB: 16384, diskGiB: 100, gpus: 0 },
      allocatable: { vcpus: 64, memoryMiB: 24576, diskGiB: 100, gpus: 0 },
      allocated: { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 },
      overcommit: { vcpus: 8, memoryMiB: 1.5 },
      vmCount: 0,
    });
    expect(hosts[1]).toMatchObject({
      zone: 'sim-1a',
      state: 'maintenance',
      allocatable: { vcpus: 64, memoryMiB: 65536 },
    });
    const locations = (await driver.doListLocations({}, callContext())).items.map((location) => location.id);
    expect(locations).toEqual(['sim-1', 'edge', 'sim-1a']);
  });
});

describe('watch', () => {
  it('pushes host.state on host changes and stops when unsubscribed or aborted', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const first: DriverEvent[] = [];
    const second: DriverEvent[] = [];
    const controller = new AbortController();
    const unsubscribe = await driver.doWatch((event) => first.push(event), {
      signal: new AbortController().signal,
    });
    await driver.doWatch((event) => second.push(event), { signal: controller.signal });
    expect(driver.sim.counts().watchers).toBe(2);
    driver.sim.setHostState('host-1', 'maintenance');
    driver.sim.setHostState('host-1', 'maintenance');
    expect(first).toEqual([{ type: 'host.state', hostId: 'host-1', state: 'maintenance' }]);
    controller.abort();
    await unsubscribe();
    expect(driver.sim.counts().watchers).toBe(0);
    driver.sim.setHostState('host-1', 'up');
    await driver.doCreateVm({ name: 'a', size: 'sim.tiny' }, createContext('a'));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
  });

  it('keeps going when a listener throws, reporting a process warning', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const seen: DriverEvent[] = [];
    await driver.doWatch(
      () => {
        throw new Error('listener bug');
      },
      { signal: new AbortController().signal },
    );
    await driver.doWatch((event) => seen.push(event), { signal: new AbortController().signal });
    const vm = await driver.doCreateVm({ name: 'a', size: 'sim.tiny' }, createContext('a'));
    expect(vm.state.name).toBe('running');
    expect(seen).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.some((message) => message.includes('listener bug'))).toBe(true);
  });
});

describe('control surface', () => {
  it('counts by state and host, snapshots copies, and settles pending transitions', async () => {
    const driver = createSimDriver({ transitionDelayMs: 60_000 });
    const made = await createMany(driver, 3, 'c');
    expect(driver.sim.counts()).toMatchObject({
      hosts: 8,
      vms: 3,
      byState: { booting: 3 },
      byHost: { 'host-1': 3 },
      pendingTransitions: 3,
      migrationsInFlight: 0,
    });
    driver.sim.settle();
    expect(driver.sim.counts()).toMatchObject({ byState: { running: 3 }, pendingTransitions: 0 });
    const snapshot = driver.sim.snapshot();
    snapshot.vms[0]!.tags.mutated = 'yes';
    snapshot.hosts[0]!.allocated.vcpus = 999;
    expect((await driver.doGetVm(made[0]!.id, callContext())).tags).toEqual({});
    expect(driver.sim.snapshot().hosts[0]!.allocated.vcpus).toBe(3);
    await driver.close();
  });

  it('sets per-VM dirty rates and refuses unknown VMs or bad rates with a TypeError', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const [vm] = await createMany(driver, 1);
    driver.sim.setDirtyRate(vm!.id, 123);
    expect((await driver.doGetVm(vm!.id, callContext())).raw).toMatchObject({ dirtyRateMiBps: 123 });
    expect(() => driver.sim.setDirtyRate('vm-nope', 1)).toThrow(TypeError);
    expect(() => driver.sim.setDirtyRate(vm!.id, -1)).toThrow(TypeError);
    expect(() => driver.sim.setHostState('host-77', 'down')).toThrow(/no sim host 'host-77'/);
  });

  it('close cancels pending transitions and detaches watchers', async () => {
    const driver = createSimDriver({ transitionDelayMs: 60_000 });
    await driver.doWatch(() => {}, { signal: new AbortController().signal });
    await createMany(driver, 2);
    await driver.close();
    expect(driver.sim.counts()).toMatchObject({
      pendingTransitions: 0,
      watchers: 0,
      byState: { booting: 2 },
    });
  });

  it('errors are NovaCronErrors recognisable across copies', async () => {
    const driver = createSimDriver();
    const error = await driver.doGetVm('vm-00000009', callContext()).catch((reason: unknown) => reason);
    expect(NovaCronError.isInstance(error)).toBe(true);
  });
});
