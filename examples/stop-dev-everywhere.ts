/**
 * Stop every running VM tagged env=dev on every provider, in one fan-out: two simulated regions here, but any mix of
 * KVM, AWS, Azure and GCP providers works the same way. A provider that fails is reported, not silently skipped.
 * Run: `npx tsx examples/stop-dev-everywhere.ts`
 */
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';

const nc = createNovaCron({
  providers: {
    'lab-east': createSimDriver({ seed: 1, transitionDelayMs: 5 }),
    'lab-west': createSimDriver({ seed: 2, transitionDelayMs: 5 }),
  },
});

// Seed both fleets with a mix of dev and prod VMs.
for (const provider of nc.providers()) {
  await nc.vms.createMany(
    Array.from({ length: 12 }, (_, index) => ({
      provider,
      name: `${provider}-${index}`,
      resources: { vcpus: 1, memoryMiB: 1024 },
      tags: { env: index % 3 === 0 ? 'prod' : 'dev' },
    })),
  );
}
for await (const vm of nc.vms.list()) await nc.vms.waitUntil(vm.ref, 'running');

// The job itself: list across every provider, stop what matches, wait for each to be stopped.
const listing = nc.vms.list({ tags: { env: 'dev' }, states: ['running'], partial: 'collect' });
const stopping: Promise<unknown>[] = [];
for await (const vm of listing) {
  stopping.push(nc.vms.stop(vm.ref).then(() => nc.vms.waitUntil(vm.ref, 'stopped')));
}
await Promise.all(stopping);
for (const failure of listing.failures)
  console.warn(`provider ${failure.provider} failed: ${failure.error.message}`);

const summary = new Map<string, number>();
for await (const vm of nc.vms.list()) {
  const key = `${vm.ref.provider} ${vm.tags.env} ${vm.state.name}`;
  summary.set(key, (summary.get(key) ?? 0) + 1);
}
console.log(`stopped ${stopping.length} dev VMs`);
for (const [key, count] of [...summary].sort()) console.log(`  ${key}: ${count}`);
await nc.close();
