import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import type { VmState } from '../src/model/vm.js';

const small = { vcpus: 1, memoryMiB: 256 };

describe('vm.state events', () => {
  it('report each change the client sees, with the state before it', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ transitionDelayMs: 0 }) } });
    const seen: Array<{ state: string; previous: string | undefined }> = [];
    nc.events.on('vm.state', ({ state, previous }) =>
      seen.push({ state: state.name, previous: previous?.name }),
    );
    const vm = await nc.vms.create({ provider: 'sim', name: 'watched', resources: small });
    await nc.vms.get(vm.ref);
    await nc.vms.get(vm.ref);
    await nc.vms.stop(vm.ref);
    await nc.vms.get(vm.ref);
    // Without transition delays the sim's VMs come back from create already running.
    expect(seen).toEqual([
      { state: 'running', previous: undefined },
      { state: 'stopped', previous: 'running' },
    ]);
    await nc.close();
  });

  it('reach a listener that subscribes later at the first sighting of each VM, without a previous state', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ transitionDelayMs: 0 }) } });
    const vm = await nc.vms.create({ provider: 'sim', name: 'late', resources: small });
    await nc.vms.get(vm.ref);
    const seen: Array<{ state: VmState; previous: VmState | undefined }> = [];
    nc.events.on('vm.state', ({ state, previous }) => seen.push({ state, previous }));
    await nc.vms.get(vm.ref);
    await nc.vms.get(vm.ref);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.state.name).toBe('running');
    expect(seen[0]?.previous).toBeUndefined();
    await nc.close();
  });
});
