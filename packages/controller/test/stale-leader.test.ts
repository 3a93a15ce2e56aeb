import { createNovaCron, MemoryStateStore, type NovaCron } from '@novacron/core';
import { createSimDriver, SimCloud } from '@novacron/driver-sim';
import { expect, it } from 'vitest';
import { createController, type ReconcileContext } from '../src/index.js';
import { pausableStore } from './support/pausable-store.js';
import { gate, waitFor } from './support/wait-for.js';

const GROUPS = ['g0', 'g1', 'g2'];
const SIZE = 3;

/**
 * The slot pattern of docs/controllers.md: slot `s` of a group is filled by a create with the idempotency key
 * `<group>-<s>-<generation>`; the generation moves on (fenced, versioned) only when that key's VM is gone.
 * `beforeCreate` runs after the leadership check and before the create: the window no local check can close.
 */
function groupReconciler(
  nc: NovaCron,
  store: MemoryStateStore | ReturnType<typeof pausableStore>['store'],
  beforeCreate: (group: string) => Promise<void> = async () => {},
) {
  return async (group: string, { signal, fence, assertLeader }: ReconcileContext) => {
    const vms = await nc.vms.list({ provider: 'sim', tags: { group }, signal }).toArray();
    for (const vm of vms.filter((each) => each.state.name === 'error'))
      await nc.vms.delete(vm.ref, { signal });
    const occupied = new Set(vms.filter((vm) => vm.state.name !== 'error').map((vm) => Number(vm.tags.slot)));
    const missing = Array.from({ length: SIZE }, (_, slot) => slot).filter((slot) => !occupied.has(slot));
    const records = await Promise.all(missing.map((slot) => store.get<number>(`slots/${group}/${slot}`)));
    assertLeader();
    await beforeCreate(group);
    for (const [index, slot] of missing.entries()) {
      const generation = records[index]?.value ?? 0;
      const key = `${group}-${slot}-${generation}`;
      // No signal: a create already sent when the process froze is not cancelled by the step-down it sleeps through.
      const vm = await nc.vms.create({
        provider: 'sim',
        name: key,
        size: 'sim.small',
        tags: { group, slot: String(slot) },
        idempotencyKey: key,
      });
      if (vm.state.name === 'terminated')
        await store.put(`slots/${group}/${slot}`, generation + 1, {
          fence,
          expectedVersion: records[index]?.version ?? 0,
        });
    }
    return missing.length > 0 || vms.some((vm) => vm.state.name !== 'running')
      ? { requeueAfterMs: 50 }
      : undefined;
  };
}

it('a leader paused between its check and its creates, waking after a failover, adds no VM to any group', async () => {
  const cloud = new SimCloud({ seed: 5, hosts: 3, transitionDelayMs: 5 });
  const clients = [0, 1].map(() => createNovaCron({ providers: { sim: createSimDriver({ cloud }) } }));
  const store = new MemoryStateStore();
  const paused = pausableStore(store);

  // The referee counts every VM at the cloud: a group must never have more than SIZE that are not terminated.
  const live = new Map<string, string>();
  let most = 0;
  cloud.subscribe((event) => {
    if (event.type !== 'vm.status') return;
    if (event.status === 'terminated') live.delete(event.vmId);
    else
      live.set(event.vmId, cloud.control.snapshot().vms.find((vm) => vm.id === event.vmId)?.tags.group ?? '');
    for (const group of GROUPS)
      most = Math.max(most, [...live.values()].filter((each) => each === group).length);
  });

  const frozen = gate();
  let aFroze = false;
  let aWokeUp = false;
  const options = {
    name: 'groups',
    resync: { keys: () => GROUPS, intervalMs: 200 },
    concurrency: 3,
    backoff: { baseDelayMs: 20, maxDelayMs: 200 },
  };
  const aErrors: string[] = [];
  const a = createController({
    ...options,
    store: paused.store,
    observer: { reconciled: (record) => record.error !== undefined && aErrors.push(String(record.error)) },
    leaderElection: { identity: 'a', ttlMs: 1_000, renewDeadlineMs: 600, retryEveryMs: 100 },
    reconcile: groupReconciler(clients[0]!, paused.store, async (group) => {
      if (group !== 'g0' || aFroze) return;
      aFroze = true;
      paused.pauseLeases();
      await frozen.opened;
      aWokeUp = true;
    }),
  });
  const b = createController({
    ...options,
    store,
    leaderElection: { identity: 'b', ttlMs: 1_000, renewDeadlineMs: 600, retryEveryMs: 100 },
    reconcile: groupReconciler(clients[1]!, store),
  });
  const converged = () =>
    GROUPS.every(
      (group) =>
        cloud.control.snapshot().vms.filter((vm) => vm.tags.group === group && vm.status === 'running')
          .length === SIZE,
    );
  try {
    a.start();
    await waitFor('a to lead', () => a.isLeader);
    b.start();
    await waitFor('a to freeze in the middle of g0', () => aFroze);
    await waitFor('b to take over', () => b.isLeader);
    await waitFor('b to converge', converged);
    // Every g0 VM dies with its host; b replaces them under the next generation.
    const g0Host = cloud.control.snapshot().vms.find((vm) => vm.tags.group === 'g0')!.hostId;
    cloud.control.setHostState(g0Host, 'down');
    await waitFor('b to converge again', () => {
      const g0 = cloud.control.snapshot().vms.filter((vm) => vm.tags.group === 'g0');
      return converged() && g0.every((vm) => vm.hostId !== g0Host);
    });
    const before = cloud.control.snapshot().vms.length;
    const createCallsBefore = cloud.control.stats().create.calls;
    frozen.open(); // a wakes up with g0 read long ago, and creates its slots under the old keys
    await waitFor('a to act on its stale view', () => aWokeUp && a.metrics().processing === 0);
    expect(cloud.control.stats().create.calls).toBeGreaterThan(createCallsBefore); // a's creates reached the cloud
    expect(cloud.control.snapshot().vms.length).toBe(before); // ...and made nothing: their keys' VMs were gone
    expect(aErrors.some((error) => /no longer held with fencing token/.test(error))).toBe(true);
    expect(converged()).toBe(true);
    expect(most).toBe(SIZE);
    // b moved g0's generations on once; a's attempt to move them again was refused by the fence.
    expect((await store.list<number>('slots/g0/')).map((entry) => entry.value)).toEqual([1, 1, 1]);
  } finally {
    await Promise.all([a.stop({ timeoutMs: 500 }), b.stop({ timeoutMs: 2_000 })]);
    await Promise.all(clients.map((client) => client.close()));
  }
}, 60_000);
