/**
 * From a plan to VMs, then a migration plan executed: a simulated fleet of 6 hosts, 24 VMs planned by the
 * scheduler (the plan printed as a table) and applied, then host-1 drained: a `MigrationPlan` from the scheduler's
 * `planDrain`, run by `nc.migrations.execute` with a progress bar.
 * Run: `npx tsx examples/place-and-migrate.ts`
 */
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { createScheduler, formatPlan, planDrain } from '@novacron/scheduler';
import { SingleBar } from 'cli-progress';

const sim = createSimDriver({ seed: 11, hosts: 6, transitionDelayMs: 0 });
const scheduler = createScheduler();
const nc = createNovaCron({ providers: { sim }, placement: scheduler });

// 1. Plan: 20 web VMs and 4 databases that must not share a host.
const plan = await nc.placement.plan({
  provider: 'sim',
  vms: [
    ...Array.from({ length: 20 }, (_, index) => ({
      name: `web-${index}`,
      size: 'sim.xlarge',
      image: 'debian-12',
      tags: { role: 'web' },
    })),
    ...Array.from({ length: 4 }, (_, index) => ({
      name: `db-${index}`,
      resources: { vcpus: 16, memoryMiB: 131_072 },
      image: 'debian-12',
      antiAffinityGroup: 'db',
    })),
  ],
  objective: 'spread',
});
console.log(formatPlan(plan, { limit: 8 }));

// 2. Apply: re-checked against the fleet under the provider's placement lease, then created on the planned hosts.
const applied = await nc.placement.apply(plan);
console.log(
  `\napplied plan ${applied.planId}: ${applied.created.length} created, ${applied.failed.length} failed`,
);

// 3. Drain host-1: the scheduler's drain planner spreads its VMs over the other hosts, within their capacity and
// the databases' anti-affinity, as a MigrationPlan.
const drain = planDrain(scheduler, { ...(await nc.placement.fleet({ provider: 'sim' })), hostId: 'host-1' });
if (!drain.complete) throw new Error(`host-1 cannot be drained: ${drain.shortfalls[0]?.reason}`);

const bar = new SingleBar({
  format: 'draining host-1 |{bar}| {value}/{total} moves | {running} running | {failed} failed',
  noTTYOutput: true,
  notTTYSchedule: 500,
});
bar.start(drain.moves.length, 0, { running: 0, failed: 0 });
const result = await nc.migrations.execute(drain, {
  concurrency: 4,
  perHostConcurrency: 2,
  onProgress: ({ overall }) => bar.update(overall.done, { running: overall.running, failed: overall.failed }),
});
bar.stop();

console.log(
  `moved ${result.done.length}, failed ${result.failed.length}, skipped ${result.skipped.length}; host-1 now runs ${sim.sim.counts().byHost['host-1'] ?? 0} VMs`,
);
for (const { move, error } of result.failed) console.log(`  ${move.vm.id}: ${error.message}`);
if (result.done.length !== drain.moves.length) throw new Error('the drain did not complete');
await nc.close();
