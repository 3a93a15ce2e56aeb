/**
 * Rebalancing hot hosts: a simulated fleet of 6 hosts where two run at 88 % of their vCPUs, a plan that brings every
 * host under 80 % with few live migrations (printed), then executed with `nc.migrations.execute` and a progress bar.
 * Run: `npx tsx examples/rebalance-hot-hosts.ts`
 */
import { createNovaCron, PLACEMENT_TAGS } from '@novacron/core';
import { createSimDriver, type SimHostSpec } from '@novacron/driver-sim';
import { createScheduler, planRebalance } from '@novacron/scheduler';
import { SingleBar } from 'cli-progress';

const hosts: SimHostSpec[] = Array.from({ length: 6 }, (_, index) => ({
  id: `host-${index + 1}`,
  zone: index % 2 === 0 ? 'sim-1a' : 'sim-1b',
  capacity: { vcpus: 32, memoryMiB: 131_072 },
  overcommit: {},
}));
const scheduler = createScheduler();
const sim = createSimDriver({ seed: 5, hosts, transitionDelayMs: 0 });
const nc = createNovaCron({ providers: { sim }, placement: scheduler });

// Seven 4-vCPU VMs on each of host-1 and host-2 (28 of 32 vCPUs: 88 %); the two databases must stay apart.
await nc.vms.createMany(
  ['host-1', 'host-2'].flatMap((hostId, hostIndex) =>
    Array.from({ length: 7 }, (_, index) => ({
      provider: 'sim' as const,
      name: index === 0 ? `db-${hostIndex}` : `web-${hostIndex}-${index}`,
      resources: { vcpus: 4, memoryMiB: 8192 },
      location: { hostId },
      tags: index === 0 ? { [PLACEMENT_TAGS.antiAffinityGroup]: 'db' } : { role: 'web' },
    })),
  ),
);

const fleet = await nc.placement.fleet({ provider: 'sim' });
const load = (hostId: string) => {
  const host = fleet.hosts.find((each) => each.id === hostId)!;
  return `${Math.round((100 * host.allocated.vcpus) / host.capacity.vcpus)} %`;
};
console.log(`Before: host-1 at ${load('host-1')}, host-2 at ${load('host-2')} of their vCPUs.`);

// The plan: data, checked move by move against the scheduler's filters (capacity, anti-affinity...).
const plan = planRebalance(scheduler, { ...fleet, threshold: 0.8 });
const names = new Map(
  (await nc.vms.list({ provider: 'sim' }).toArray()).map((vm) => [vm.ref.id, vm.name] as const),
);
console.table(
  plan.moves.map((move) => ({ vm: names.get(move.vm.id), from: move.from, to: move.to, why: move.reason })),
);
console.log(
  `${plan.moves.length} moves, ${plan.complete ? 'every host ends under 80 %' : 'some hosts stay hot'}.`,
);
for (const shortfall of plan.shortfalls) console.log(`  ${shortfall.hostId}: ${shortfall.reason}`);

const bar = new SingleBar({
  format: 'rebalancing |{bar}| {value}/{total} moves | {running} running | {failed} failed',
  noTTYOutput: true,
  notTTYSchedule: 500,
});
bar.start(plan.moves.length, 0, { running: 0, failed: 0 });
const result = await nc.migrations.execute(plan, {
  concurrency: 4,
  perHostConcurrency: 2,
  onProgress: ({ overall }) => bar.update(overall.done, { running: overall.running, failed: overall.failed }),
});
bar.stop();

const after = await nc.placement.fleet({ provider: 'sim' });
const hottest = Math.max(...after.hosts.map((host) => host.allocated.vcpus / host.capacity.vcpus));
console.log(
  `Moved ${result.done.length}, failed ${result.failed.length}; the hottest host is now at ${Math.round(100 * hottest)} %.`,
);
if (!plan.complete || result.failed.length > 0 || hottest > 0.8)
  throw new Error('the rebalance did not complete');
await nc.close();
