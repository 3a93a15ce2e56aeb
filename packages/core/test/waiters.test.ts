import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import { waitUntilVmState } from '../src/waiters/wait-until-vm-state.js';

describe('waitUntilVmState (standalone, on a client)', () => {
  it('waits for a state, resolves undefined for a deleted VM, and fails fast on a dead end', async () => {
    const driver = createSimDriver({ seed: 21, transitionDelayMs: 30 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'waited',
      resources: { vcpus: 1, memoryMiB: 512 },
    });
    expect(vm.state.name).toBe('pending');
    const running = await waitUntilVmState(nc, vm.ref, 'running', { timeoutMs: 5_000, intervalMs: 5 });
    expect(running?.state.name).toBe('running');
    await nc.vms.delete(vm.ref);
    expect(
      await waitUntilVmState(nc, `sim:${vm.ref.id}`, 'terminated', { timeoutMs: 5_000, intervalMs: 5 }),
    ).toBeUndefined();
    await expect(waitUntilVmState(nc, vm.ref, 'running', { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('wakes on vm.state events instead of sleeping out a long interval', async () => {
    const driver = createSimDriver({ seed: 22, transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'woken',
      resources: { vcpus: 1, memoryMiB: 512 },
    });
    const stopping = waitUntilVmState(nc, vm.ref, 'stopped', { intervalMs: 60_000, timeoutMs: 120_000 });
    await nc.vms.stop(vm.ref);
    await nc.vms.get(vm.ref); // the observation emits vm.state, which wakes the waiter long before 60 s
    expect((await stopping)?.state.name).toBe('stopped');
  });
});
