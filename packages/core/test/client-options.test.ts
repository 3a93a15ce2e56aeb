import { createSimDriver, SimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import type { DriverCallContext, DriverStopOptions } from '../src/driver/driver-v1.js';

describe('client options that reach drivers', () => {
  it('filters lists by size', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ transitionDelayMs: 0 }) } });
    const sizes = await nc.sizes.list({ provider: 'sim' }).toArray();
    const [first, second] = [sizes[0]!.name, sizes[1]!.name];
    await nc.vms.create({ provider: 'sim', name: 'a', size: first });
    await nc.vms.create({ provider: 'sim', name: 'b', size: second });
    await nc.vms.create({ provider: 'sim', name: 'c', size: second });
    expect((await nc.vms.list({ sizes: [second] }).toArray()).map((vm) => vm.name).sort()).toEqual([
      'b',
      'c',
    ]);
  });

  it('never reads the whole size catalog to create, and an unknown size is refused naming the field', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const size = (await nc.sizes.list({ provider: 'sim' }).toArray())[0]!.name;
    const before = driver.sim.stats().listSizes.calls;
    for (let index = 0; index < 5; index++)
      await nc.vms.create({ provider: 'sim', name: `s-${index}`, size });
    expect(driver.sim.stats().listSizes.calls - before).toBe(0);
    await expect(nc.vms.create({ provider: 'sim', name: 'x', size: 'sim.nope' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'size',
    });
  });

  it('passes stop providerOptions through to the driver', async () => {
    const seen: DriverStopOptions[] = [];
    class RecordingDriver extends SimDriver {
      override async doStopVm(
        vmId: string,
        options: DriverStopOptions,
        context: DriverCallContext,
      ): Promise<void> {
        seen.push(options);
        return super.doStopVm(vmId, options, context);
      }
    }
    const nc = createNovaCron({ providers: { sim: new RecordingDriver({ transitionDelayMs: 0 }) } });
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'sleepy',
      resources: { vcpus: 1, memoryMiB: 512 },
    });
    await nc.vms.stop(vm.ref, { providerOptions: { aws: { hibernate: true } } });
    await nc.vms.stop(vm.ref, { force: true });
    expect(seen).toEqual([{ force: false, providerOptions: { aws: { hibernate: true } } }, { force: true }]);
  });
});

describe('metrics', () => {
  it('reads host and VM series through the client', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ transitionDelayMs: 0 }) } });
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'measured',
      resources: { vcpus: 2, memoryMiB: 2048 },
    });
    const to = new Date('2026-11-21T12:00:00Z');
    const query = {
      metrics: ['cpu.utilization' as const],
      from: new Date(to.getTime() - 3_600_000),
      to,
      stepMs: 60_000,
    };
    const [hostSeries] = await nc.hosts.readMetrics('sim', vm.location.hostId!, query);
    const [vmSeries] = await nc.vms.readMetrics(vm.ref, query);
    for (const series of [hostSeries!, vmSeries!]) {
      expect(series.metric).toBe('cpu.utilization');
      expect(series.values.length).toBe(60);
      expect(series.timestampsMs.length).toBe(60);
    }
  });
});
