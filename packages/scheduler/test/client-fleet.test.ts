// nc.placement.fleet: the provider's hosts and VMs as the rebalance planners take them, on a real driver-sim fleet.
import { createNovaCron, PLACEMENT_TAGS } from '@novacron/core';
import { createSimDriver, SimCloud } from '@novacron/driver-sim';
import { expect, it } from 'vitest';
import { createScheduler, planRebalance } from '../src/index.js';

const hosts = ['h-1', 'h-2', 'h-3'].map((id) => ({
  id,
  zone: 'a',
  capacity: { vcpus: 16, memoryMiB: 65_536 },
  overcommit: {},
}));

it('reads hosts, VMs and their groups, and a rebalance planned from it runs through nc.migrations.execute', async () => {
  const cloud = new SimCloud({ seed: 3, hosts, transitionDelayMs: 0 });
  const scheduler = createScheduler();
  const nc = createNovaCron({ providers: { sim: createSimDriver({ cloud }) }, placement: scheduler });
  for (let index = 0; index < 4; index++) {
    await nc.vms.create({
      provider: 'sim',
      name: `web-${index}`,
      resources: { vcpus: 4, memoryMiB: 4096 },
      location: { hostId: 'h-1' },
      tags: index === 0 ? { [PLACEMENT_TAGS.antiAffinityGroup]: 'db' } : {},
    });
  }

  const fleet = await nc.placement.fleet({ provider: 'sim' });
  expect(fleet.hosts.map((host) => host.id)).toEqual(['h-1', 'h-2', 'h-3']);
  expect(fleet.hosts[0]).toMatchObject({ allocated: { vcpus: 16 }, vmCount: 4, antiAffinityGroups: ['db'] });
  expect(fleet.vms).toHaveLength(4);
  const first = fleet.vms.find((vm) => vm.demand.antiAffinityGroup === 'db');
  expect(first).toMatchObject({ hostId: 'h-1', demand: { resources: { vcpus: 4, memoryMiB: 4096 } } });
  expect(first?.demand.key).toBe(first?.ref.id);

  const plan = planRebalance(scheduler, { ...fleet, threshold: 0.8 });
  expect(plan.complete).toBe(true);
  expect(plan.moves.length).toBeGreaterThan(0);
  const result = await nc.migrations.execute(plan);
  expect(result.failed).toEqual([]);
  const after = await nc.placement.fleet({ provider: 'sim' });
  for (const host of after.hosts) expect(host.allocated.vcpus).toBeLessThanOrEqual(0.8 * 16);
  await nc.close();
});

it('refuses a provider without hosts, naming it', async () => {
  const nc = createNovaCron({
    providers: { sim: createSimDriver({ seed: 1 }) },
    placement: createScheduler(),
  });
  await expect(nc.placement.fleet({ provider: 'nope' as 'sim' })).rejects.toThrow(/nope/);
  await nc.close();
});
