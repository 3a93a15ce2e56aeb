/**
 * Placement: a simulated fleet of 12 hosts (two zones, GPUs on every fourth host, one host in maintenance, a few
 * VMs already running), a batch of 60 VMs placed by the scheduler, the plan printed as a table with the VMs it
 * could not place explained, then one more VM decided online.
 * Run: `npx tsx examples/place-fleet.ts` (in-memory; nothing is created: a plan is data).
 */
import { createNovaCron, type PlacementDemand, type PlacementHost } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { createScheduler, defaultFilters, formatPlan, maxVmsPerHost } from '@novacron/scheduler';

const driver = createSimDriver({ seed: 42, hosts: 12, transitionDelayMs: 0 });
driver.sim.setHostState('host-6', 'maintenance');
const nc = createNovaCron({ providers: { sim: driver } });
for (const [name, hostId] of [
  ['db-0', 'host-1'],
  ['db-1', 'host-2'],
]) {
  await nc.vms.create({
    provider: 'sim',
    name: name!,
    resources: { vcpus: 16, memoryMiB: 65_536 },
    location: { hostId: hostId! },
  });
}

// The hosts as the provider reports them; the groups of the VMs they run come from our own records.
const hosts: PlacementHost[] = [];
for await (const host of nc.hosts.list({ provider: 'sim' })) hosts.push(host);
hosts.find((host) => host.id === 'host-1')!.antiAffinityGroups = ['db'];
hosts.find((host) => host.id === 'host-2')!.antiAffinityGroups = ['db'];

const demands: PlacementDemand[] = [
  ...Array.from({ length: 40 }, (_, index) => ({
    key: `web-${index}`,
    resources: { vcpus: 4, memoryMiB: 16_384, diskGiB: 40 },
    ...(index % 2 === 0 ? { zone: 'sim-1a' } : {}),
  })),
  ...Array.from({ length: 6 }, (_, index) => ({
    key: `db-${index + 2}`,
    resources: { vcpus: 16, memoryMiB: 131_072, diskGiB: 500 },
    antiAffinityGroup: 'db',
  })),
  ...Array.from({ length: 10 }, (_, index) => ({
    key: `ml-${index}`,
    resources: { vcpus: 8, memoryMiB: 65_536, diskGiB: 200, gpus: 2 },
    requiredLabels: { gpu: 'sim-l4' },
  })),
  { key: 'train-big', resources: { vcpus: 32, memoryMiB: 262_144, gpus: 8 } },
  { key: 'cache-0', resources: { vcpus: 2, memoryMiB: 8192 }, affinityGroup: 'cache' },
  { key: 'cache-1', resources: { vcpus: 2, memoryMiB: 8192 }, affinityGroup: 'cache' },
  { key: 'edge-0', resources: { vcpus: 2, memoryMiB: 4096 }, zone: 'sim-9z' },
];

const scheduler = createScheduler({ filters: [...defaultFilters(), maxVmsPerHost({ limit: 12 })] });
const plan = scheduler.place({ hosts, demands });
console.log(formatPlan(plan, { limit: 15 }));

console.log(
  '\nThe plan is data: JSON round trip, then re-checked against the fleet (as an apply step would):',
);
const copy = JSON.parse(JSON.stringify(plan)) as typeof plan;
const check = scheduler.verify(copy, hosts);
console.log(`  ok=${check.ok}, stale hosts: ${check.stale.length}, violations: ${check.violations.length}`);

const session = scheduler.session(hosts);
const decision = session.place({
  key: 'late-1',
  resources: { vcpus: 2, memoryMiB: 4096 },
  preferredLabels: { rack: 'r2' },
});
console.log(
  `\nOnline decision for late-1: ${decision.placed ? `host ${decision.hostId}` : decision.unplaced.explanation}`,
);

await nc.close();
