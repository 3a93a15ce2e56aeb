/**
 * A controller keeps 50 VM groups (tag `group`) at their desired sizes on the simulated fleet while hosts fail, creates
 * are throttled and some create responses are lost, and a few groups are scaled up mid-run. It prints progress and
 * exits 0 once every group runs exactly its desired size; it exits 1 if any group ever had more VMs than desired, or
 * if the creates counted at the simulated cloud are not exactly the shortfall (one per slot, one per crashed VM).
 *
 * How a group never overshoots: each VM fills a numbered slot (tag `slot`, 0..size-1), and is created with the
 * idempotency key `<group>-<slot>-<generation>`. A retry, a lost response, a second reconcile or a deposed leader
 * asking again with the same key gets the same VM. The generation moves on (a fenced, versioned write to the store)
 * only when a create with the current key returns a terminated VM: that key's VM is gone, so the slot needs a new one.
 * Run: `npx tsx examples/keep-groups-at-size.ts`
 */

import { createController, type ReconcileContext } from '@novacron/controller';
import { createNovaCron, MemoryStateStore, type Vm } from '@novacron/core';
import { createSimDriver, SimCloud } from '@novacron/driver-sim';

const GROUPS = Array.from({ length: 50 }, (_, index) => `g${String(index).padStart(2, '0')}`);
const HOSTS_TO_FAIL = ['host-1', 'host-4', 'host-7', 'host-10'];
const DEADLINE_MS = 40_000;

const cloud = new SimCloud({
  seed: 15,
  hosts: 12,
  transitionDelayMs: 20,
  faults: {
    create: { throttleRate: 0.2, lostResponseRate: 0.05, retryAfterMs: 20, latencyMs: { min: 1, max: 5 } },
  },
});
const nc = createNovaCron({
  providers: { sim: createSimDriver({ cloud }) },
  limits: { sim: { concurrency: 16, perSecond: 150, retry: { maxAttempts: 6, baseDelayMs: 10 } } },
});
const store = new MemoryStateStore();

// Desired sizes live in the store (1 to 6 VMs per group); `desired` mirrors them for the overshoot check below.
const desired = new Map<string, number>();
async function setDesired(group: string, size: number): Promise<void> {
  desired.set(group, Math.max(size, desired.get(group) ?? 0));
  await store.put(`groups/${group}/desired`, { size });
}
for (const [index, group] of GROUPS.entries()) await setDesired(group, (index % 6) + 1);

// --- The controller ------------------------------------------------------------------------------------------------

/** Which group each VM belongs to, learnt from lists and creates, so a VM event wakes its group. */
const groupOfVm = new Map<string, string>();

async function reconcileGroup(group: string, context: ReconcileContext) {
  const { signal, assertLeader } = context;
  const size = (await store.get<{ size: number }>(`groups/${group}/desired`))?.value.size ?? 0;
  const vms = await nc.vms.list({ provider: 'sim', tags: { group }, signal }).toArray();
  for (const vm of vms) groupOfVm.set(vm.ref.id, group);

  // A VM whose host died is lost: delete it, so its slot can be filled again.
  for (const vm of vms.filter((each) => each.state.name === 'error')) {
    assertLeader();
    await nc.vms.delete(vm.ref, { signal });
  }
  const occupied = new Set(vms.filter((vm) => vm.state.name !== 'error').map((vm) => Number(vm.tags.slot)));
  let pending = vms.some((vm) => vm.state.name !== 'running');
  for (let slot = 0; slot < size; slot += 1) {
    if (occupied.has(slot)) continue;
    const vm = await fillSlot(group, slot, context);
    pending ||= vm?.state.name !== 'running';
  }
  // Level-triggered: look again shortly while VMs boot or crashed ones are being replaced.
  return pending ? { requeueAfterMs: 200 } : undefined;
}

/** Creates the VM of one slot, or returns the one its key already made; moves the generation on when that one is gone. */
async function fillSlot(group: string, slot: number, context: ReconcileContext): Promise<Vm | undefined> {
  const slotKey = `groups/${group}/slots/${slot}`;
  const record = await store.get<{ generation: number }>(slotKey);
  const generation = record?.value.generation ?? 0;
  context.assertLeader();
  const vm = await nc.vms.create(
    {
      provider: 'sim',
      name: `${group}-${slot}-${generation}`,
      size: 'sim.small',
      tags: { group, slot: String(slot), generation: String(generation) },
      idempotencyKey: `${group}-${slot}-${generation}`,
    },
    { signal: context.signal },
  );
  groupOfVm.set(vm.ref.id, group);
  if (vm.state.name !== 'terminated') return vm;
  // This key's VM existed and is gone: the next generation gets a new key. Fenced, so a deposed leader cannot move it;
  // versioned, so two reconciles cannot both move it.
  await store.put(
    slotKey,
    { generation: generation + 1 },
    { fence: context.fence, expectedVersion: record?.version ?? 0 },
  );
  return undefined;
}

const controller = createController({
  name: 'keep-groups-at-size',
  store,
  concurrency: 8,
  reconcile: reconcileGroup,
  resync: { keys: () => GROUPS, intervalMs: 2_000 },
  watch: {
    events: (signal) => nc.vms.watch({ signal, provider: 'sim' }),
    keysOf: (change) => groupOfVm.get(change.ref.id),
  },
  backoff: { baseDelayMs: 50, maxDelayMs: 2_000 },
});
// Desired sizes are events too: a change in the store wakes its group.
store.watch('groups/', (change) => {
  const group = /^groups\/([^/]+)\/desired$/.exec(change.key)?.[1];
  if (group !== undefined) controller.enqueue(group);
});

// --- The referee: every VM counted at the simulated cloud, never through the controller ----------------------------

const groupOfCloudVm = new Map<string, string>();
const liveByGroup = new Map<string, Set<string>>();
const createdByGroup = new Map<string, number>();
const crashedByGroup = new Map<string, number>();
const overshoots: string[] = [];
const bump = (counts: Map<string, number>, group: string) => counts.set(group, (counts.get(group) ?? 0) + 1);
cloud.subscribe((event) => {
  if (event.type !== 'vm.status') return;
  if (event.statusReason === 'created') {
    const group = cloud.control.snapshot().vms.find((vm) => vm.id === event.vmId)?.tags.group ?? '';
    groupOfCloudVm.set(event.vmId, group);
    bump(createdByGroup, group);
  }
  const group = groupOfCloudVm.get(event.vmId) ?? '';
  const live = liveByGroup.get(group) ?? new Set<string>();
  liveByGroup.set(group, live);
  if (event.status === 'terminated') live.delete(event.vmId);
  else live.add(event.vmId);
  if (event.status === 'crashed') bump(crashedByGroup, group);
  if (live.size > (desired.get(group) ?? 0))
    overshoots.push(`${group} has ${live.size} VMs, desired ${desired.get(group)}`);
});

// --- The run ----------------------------------------------------------------------------------------------------------

const startedAt = Date.now();
const seconds = () => ((Date.now() - startedAt) / 1000).toFixed(1);
controller.start();

const chaos = (async () => {
  for (const hostId of HOSTS_TO_FAIL) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    cloud.control.setHostState(hostId, 'down');
    console.log(`[${seconds()}s] host ${hostId} is down`);
  }
  for (const group of GROUPS.slice(0, 5)) await setDesired(group, (desired.get(group) ?? 0) + 2);
  console.log(`[${seconds()}s] scaled ${GROUPS.slice(0, 5).join(', ')} up by 2`);
})();

function converged(): boolean {
  const vms = cloud.control.snapshot().vms;
  return GROUPS.every((group) => {
    const members = vms.filter((vm) => vm.tags.group === group);
    return members.length === desired.get(group) && members.every((vm) => vm.status === 'running');
  });
}

let done = false;
await chaos;
while (!done && Date.now() - startedAt < DEADLINE_MS) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const counts = cloud.control.counts();
  const total = [...desired.values()].reduce((sum, size) => sum + size, 0);
  const metrics = controller.metrics();
  const crashed = [...crashedByGroup.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    `[${seconds()}s] running ${counts.byState.running ?? 0}/${total} · booting ${counts.byState.booting ?? 0} · crashed ${crashed} · queue ${metrics.queueDepth} · reconciles ${metrics.reconciles} (errors ${metrics.errors}) · create calls throttled ${cloud.control.stats().create.throttled}, responses lost ${cloud.control.stats().create.lostResponses}`,
  );
  done = converged();
}

await controller.stop();
await nc.close();

const wrongCounts = GROUPS.filter(
  (group) => (createdByGroup.get(group) ?? 0) !== desired.get(group)! + (crashedByGroup.get(group) ?? 0),
);
const creates = [...createdByGroup.values()].reduce((sum, count) => sum + count, 0);
console.log(
  `${done ? 'converged' : 'NOT converged'} after ${seconds()}s: ${creates} VMs created for ${GROUPS.length} groups, ${overshoots.length} overshoots, ${wrongCounts.length} groups with creates other than their shortfall`,
);
for (const overshoot of overshoots.slice(0, 10)) console.log(`  overshoot: ${overshoot}`);
for (const group of wrongCounts.slice(0, 10))
  console.log(
    `  ${group}: ${createdByGroup.get(group) ?? 0} created, desired ${desired.get(group)}, crashed ${crashedByGroup.get(group) ?? 0}`,
  );
process.exitCode = done && overshoots.length === 0 && wrongCounts.length === 0 ? 0 : 1;
