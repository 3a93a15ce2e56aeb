import { describe, expect, it } from 'vitest';
import { callContext, createContext, createMany, expectCode, listAll } from '../test/context.js';
import { createSimDriver } from './sim-driver.js';

describe('placement and capacity', () => {
  it('places first fit on an up host with room, in the zone asked for, and accounts allocations', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const first = await driver.doCreateVm({ name: 'a', size: 'sim.large' }, createContext('a'));
    expect(first.location).toEqual({ region: 'sim-1', zone: 'sim-1a', hostId: 'host-1' });
    expect(first.resources).toEqual({ vcpus: 4, memoryMiB: 16384, diskGiB: 80, gpus: 0 });
    const zoned = await driver.doCreateVm(
      { name: 'b', size: 'sim.small', location: { zone: 'sim-1b' } },
      createContext('b'),
    );
    expect(zoned.location.hostId).toBe('host-2');
    const pinned = await driver.doCreateVm(
      { name: 'c', resources: { vcpus: 2, memoryMiB: 2048 }, location: { hostId: 'host-5' } },
      createContext('c'),
    );
    expect(pinned.location).toMatchObject({ hostId: 'host-5', zone: 'sim-1a' });
    const host1 = driver.sim.snapshot().hosts.find((host) => host.id === 'host-1')!;
    expect(host1.allocated).toEqual({ vcpus: 4, memoryMiB: 16384, diskGiB: 80, gpus: 0 });
    expect(host1.allocatable).toEqual({ vcpus: 512, memoryMiB: 393216, diskGiB: 8192, gpus: 0 });
    expect(host1.vmCount).toBe(1);
    await driver.doDeleteVm(first.id, callContext());
    const after = driver.sim.snapshot().hosts.find((host) => host.id === 'host-1')!;
    expect(after.allocated).toEqual({ vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 });
    expect(after.vmCount).toBe(0);
  });

  it('skips hosts in maintenance or down and puts GPU VMs on GPU hosts', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    driver.sim.setHostState('host-1', 'maintenance');
    driver.sim.setHostState('host-2', 'down');
    const vm = await driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('a'));
    expect(vm.location.hostId).toBe('host-3');
    const gpu = await driver.doCreateVm({ name: 'g', size: 'sim.gpu' }, createContext('g'));
    expect(gpu.location.hostId).toBe('host-4');
    await expectCode(
      driver.doCreateVm({ name: 'p', size: 'sim.small', location: { hostId: 'host-1' } }, createContext('p')),
      'NO_CAPACITY',
    );
  });

  it('answers NO_CAPACITY naming the demand and the hosts considered, and changes nothing', async () => {
    const driver = createSimDriver({
      transitionDelayMs: 0,
      hosts: [
        { id: 'small-1', zone: 'z1', capacity: { vcpus: 4, memoryMiB: 8192 }, overcommit: {} },
        {
          id: 'small-2',
          zone: 'z1',
          capacity: { vcpus: 4, memoryMiB: 8192 },
          overcommit: {},
          state: 'maintenance',
        },
      ],
    });
    const error = await expectCode(
      driver.doCreateVm({ name: 'big', resources: { vcpus: 8, memoryMiB: 4096 } }, createContext('big')),
      'NO_CAPACITY',
    );
    expect(error.message).toContain('8 vCPU, 4096 MiB memory');
    expect(error.message).toContain('small-1 (free 4 vCPU, 8192 MiB');
    expect(error.message).toContain('small-2 (maintenance');
    expect(error.retryable).toBe(false);
    expect(driver.sim.counts().vms).toBe(0);
    await createMany(driver, 4, 'fill', { resources: { vcpus: 1, memoryMiB: 1024 } });
    await expectCode(
      driver.doCreateVm({ name: 'one-more', resources: { vcpus: 1, memoryMiB: 1 } }, createContext('x')),
      'NO_CAPACITY',
    );
  });

  // Names, resources and tags are the core's to check (against the manifest) before the driver sees a call; the sim
  // checks only what it defines: its sizes, images, region, zones, hosts and provider options.
  it('checks what the sim defines: size or resources, image, region, zone, host and its provider options', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'a' }, 'resources'],
      [{ name: 'a', size: 'sim.huge' }, 'size'],
      [{ name: 'a', size: 'sim.huge', resources: { vcpus: 1, memoryMiB: 512 } }, 'size'],
      [{ name: 'a', size: 'sim.small', image: 'plan9' }, 'image'],
      [{ name: 'a', size: 'sim.small', location: { region: 'eu-west-1' } }, 'location.region'],
      [{ name: 'a', size: 'sim.small', location: { zone: 'sim-1z' } }, 'location.zone'],
      [{ name: 'a', size: 'sim.small', location: { hostId: 'host-99' } }, 'location.hostId'],
      [{ name: 'a', size: 'sim.small', location: { hostId: 'host-1', zone: 'sim-1b' } }, 'location.hostId'],
      [
        { name: 'a', size: 'sim.small', providerOptions: { sim: { dirtyRateMiBps: -1 } } },
        'providerOptions.sim.dirtyRateMiBps',
      ],
      [{ name: 'a', size: 'sim.small', providerOptions: { sim: { dirtyRate: 1 } } }, 'providerOptions.sim'],
    ];
    for (const [index, [spec, field]] of cases.entries()) {
      const error = await expectCode(
        driver.doCreateVm(spec as never, createContext(`bad-${index}`)),
        'INVALID_ARGUMENT',
      );
      expect(error.field, JSON.stringify(spec)).toBe(field);
      if (field === 'size') expect(error.message).toContain('sim.tiny, sim.small');
    }
    expect(driver.sim.counts().vms).toBe(0);
  });

  it('lets explicit resources win over the size, keeps the size name, and allows duplicate names', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm(
      {
        name: 'same',
        size: 'sim.medium',
        resources: { vcpus: 3, memoryMiB: 3000 },
        image: 'debian-12',
        tags: { env: 'dev' },
      },
      createContext('one'),
    );
    expect(vm).toMatchObject({
      name: 'same',
      size: 'sim.medium',
      image: 'debian-12',
      tags: { env: 'dev' },
      resources: { vcpus: 3, memoryMiB: 3000, diskGiB: 0, gpus: 0 },
    });
    expect(vm.addresses.private).toEqual(['10.0.0.1']);
    const twin = await driver.doCreateVm({ name: 'same', size: 'sim.small' }, createContext('two'));
    expect(twin.id).not.toBe(vm.id);
    expect(twin.id).toMatch(/^vm-[0-9a-f]{8}$/);
  });

  it('stays exact first fit as hosts fill, free up and come back', async () => {
    const driver = createSimDriver({
      transitionDelayMs: 0,
      hosts: ['h1', 'h2', 'h3'].map((id) => ({
        id,
        capacity: { vcpus: 2, memoryMiB: 4096 },
        overcommit: {},
      })),
    });
    const spec = { resources: { vcpus: 1, memoryMiB: 1024 } };
    const made = await createMany(driver, 5, 'f', spec);
    expect(made.map((vm) => vm.location.hostId)).toEqual(['h1', 'h1', 'h2', 'h2', 'h3']);
    await driver.doDeleteVm(made[0]!.id, callContext());
    const refill = await driver.doCreateVm({ name: 'refill', ...spec }, createContext('refill'));
    expect(refill.location.hostId).toBe('h1');
    driver.sim.setHostState('h1', 'maintenance');
    await driver.doDeleteVm(refill.id, callContext());
    const skipped = await driver.doCreateVm({ name: 'skipped', ...spec }, createContext('skipped'));
    expect(skipped.location.hostId).toBe('h3');
    driver.sim.setHostState('h1', 'up');
    const back = await driver.doCreateVm({ name: 'back', ...spec }, createContext('back'));
    expect(back.location.hostId).toBe('h1');
  });

  it('creates 3,000 VMs and lists them all without quadratic work', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    await createMany(driver, 3000);
    expect(driver.sim.counts().vms).toBe(3000);
    const listed = await listAll(driver);
    expect(listed).toHaveLength(3000);
    expect(new Set(listed.map((vm) => vm.id)).size).toBe(3000);
    for (const vm of listed.slice(0, 1500)) await driver.doDeleteVm(vm.id, callContext());
    expect(await listAll(driver)).toHaveLength(1500);
  });
});
