/**
 * Quickstart: a simulated fleet, a few VMs created, listed, waited on and stopped, with every event printed.
 * Run: `npx tsx examples/quickstart.ts` (no cloud account, no hypervisor: the sim driver is in-memory).
 */
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';

const nc = createNovaCron({
  providers: { sim: createSimDriver({ seed: 42, hosts: 4, transitionDelayMs: 20 }) },
  limits: { sim: { concurrency: 8 } },
});

nc.events.on('vm.state', ({ ref, state, previous }) => {
  console.log(`  event vm.state    ${ref.provider}:${ref.id} ${previous?.name ?? '(new)'} -> ${state.name}`);
});
nc.events.on('operation.retry', ({ operation, attempt, delayMs, error }) => {
  console.log(
    `  event retry       ${operation} attempt ${attempt} in ${delayMs.toFixed(0)} ms (${error.code})`,
  );
});

console.log('Hosts in the simulated fleet:');
for await (const host of nc.hosts.list({ provider: 'sim' })) {
  console.log(
    `  ${host.id} zone=${host.zone} vcpus=${host.capacity.vcpus} memory=${host.capacity.memoryMiB} MiB`,
  );
}

console.log('Creating three VMs...');
const vms = await Promise.all(
  ['web-1', 'web-2', 'db-1'].map((name) =>
    nc.vms.create({
      provider: 'sim',
      name,
      resources: { vcpus: 2, memoryMiB: 4096, diskGiB: 20 },
      tags: { env: 'dev', app: name.split('-')[0]! },
    }),
  ),
);
await Promise.all(vms.map((vm) => nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: 10_000 })));

console.log('VMs tagged env=dev:');
for await (const vm of nc.vms.list({ tags: { env: 'dev' } })) {
  console.log(`  ${vm.ref.provider}:${vm.ref.id} ${vm.name} on ${vm.location.hostId} is ${vm.state.name}`);
}

console.log('Stopping web-2...');
const web2 = vms[1]!;
await nc.vms.stop(web2.ref);
const stopped = await nc.vms.waitUntil(web2.ref, 'stopped', { timeoutMs: 10_000 });
console.log(`  ${stopped.name} is ${stopped.state.name}`);

await nc.close();
console.log('Done.');
