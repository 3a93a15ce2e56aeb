// nc.migrations.execute on real driver-sim fleets: order, limits, failures, and an aborted execution resumed by
// another client on the same store and the same simulated cloud.
import { createSimDriver, SimCloud } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../client/create-novacron.js';
import type { MigrationPlan, PlannedMove } from '../model/migration.js';
import type { VmRef } from '../model/vm.js';
import { MemoryStateStore } from '../store/memory-state-store.js';
import type { StateStore } from '../store/state-store.js';
import type { MigrationExecutionProgress } from './plan-executor.js';

function fleet(seed: number) {
  return new SimCloud({
    seed,
    hosts: 4,
    transitionDelayMs: 0,
    migration: { dirtyRateMiBps: { min: 5, max: 10 } },
  });
}

function client(cloud: SimCloud, store: StateStore = new MemoryStateStore()) {
  return createNovaCron({ providers: { sim: createSimDriver({ cloud }) }, store });
}

/** Creates running VMs, `count` per host given, and returns their refs. */
async function vmsOn(nc: ReturnType<typeof client>, hosts: string[]): Promise<VmRef[]> {
  const refs: VmRef[] = [];
  for (const [index, hostId] of hosts.entries()) {
    const vm = await nc.vms.create({
      provider: 'sim',
      name: `vm-${index}`,
      resources: { vcpus: 2, memoryMiB: 4096 },
      location: { hostId },
    });
    refs.push(vm.ref);
  }
  return refs;
}

function plan(moves: PlannedMove[]): MigrationPlan {
  return { format: 1, purpose: 'test', moves };
}

/** Tracks which moves run at once, from the progress reports. */
function concurrencyProbe() {
  const running = new Set<number>();
  const order: string[] = [];
  let most = 0;
  const onProgress = ({ index, status, progress }: MigrationExecutionProgress): void => {
    if (progress !== undefined) return;
    if (status === 'running') running.add(index);
    else running.delete(index);
    order.push(`${index}:${status}`);
    most = Math.max(most, running.size);
  };
  return { onProgress, order, most: () => most };
}

describe('nc.migrations.execute on driver-sim', () => {
  it('runs a plan within the limits, a move into a host waiting for the move that frees it', async () => {
    const cloud = fleet(1);
    const nc = client(cloud);
    const [a, b, c, d] = await vmsOn(nc, ['host-1', 'host-1', 'host-1', 'host-3']);
    const probe = concurrencyProbe();
    const result = await nc.migrations.execute(
      plan([
        { vm: a!, from: 'host-1', to: 'host-2' },
        { vm: b!, from: 'host-1', to: 'host-2' },
        { vm: c!, from: 'host-1', to: 'host-4' },
        { vm: d!, from: 'host-3', to: 'host-1' },
      ]),
      { concurrency: 4, perHostConcurrency: 1, onProgress: probe.onProgress },
    );
    expect(result.done.map(({ index, earlier }) => [index, earlier])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(result.failed).toEqual([]);
    expect(probe.most()).toBe(1); // every move leaves host-1 or enters it, one at a time there
    expect(probe.order.indexOf('3:running')).toBeGreaterThan(probe.order.indexOf('2:done'));
    const hosts = Object.fromEntries(
      await Promise.all([a, b, c, d].map(async (ref) => [ref!.id, (await nc.vms.get(ref!)).location.hostId])),
    );
    expect(hosts).toEqual({ [a!.id]: 'host-2', [b!.id]: 'host-2', [c!.id]: 'host-4', [d!.id]: 'host-1' });
  });

  it('runs independent moves at once up to the concurrency', async () => {
    const cloud = fleet(2);
    const nc = client(cloud);
    const [a, b, c] = await vmsOn(nc, ['host-1', 'host-2', 'host-3']);
    const probe = concurrencyProbe();
    await nc.migrations.execute(
      plan([
        { vm: a!, from: 'host-1', to: 'host-4' },
        { vm: b!, from: 'host-2', to: 'host-4' },
        { vm: c!, from: 'host-3', to: 'host-4' },
      ]),
      { concurrency: 2, perHostConcurrency: 3, onProgress: probe.onProgress },
    );
    expect(probe.most()).toBe(2);
  });

  it('stops at a failed move (a migration that never converges), or goes on with continueOnError', async () => {
    for (const continueOnError of [false, true]) {
      const cloud = fleet(3);
      const nc = client(cloud);
      const [a, b, c, d] = await vmsOn(nc, ['host-1', 'host-1', 'host-2', 'host-2']);
      cloud.control.setDirtyRate(b!.id, 5_000); // dirties faster than the bandwidth: the migration times out
      const moves: PlannedMove[] = [
        { vm: a!, from: 'host-1', to: 'host-3' },
        { vm: b!, from: 'host-1', to: 'host-3' },
        { vm: c!, from: 'host-2', to: 'host-4' },
        { vm: d!, from: 'host-2', to: 'host-1' }, // waits for the moves out of host-1, b's included
      ];
      const result = await nc.migrations.execute(plan(moves), { concurrency: 1, continueOnError });
      expect(result.failed.map(({ index, error }) => [index, error.code])).toEqual([[1, 'TIMEOUT']]);
      if (continueOnError) {
        expect(result.done.map(({ index }) => index)).toEqual([0, 2]);
        expect(result.skipped).toEqual([
          { index: 3, move: moves[3], reason: expect.stringMatching(/move 1/) },
        ]);
      } else {
        expect(result.done.map(({ index }) => index)).toEqual([0]);
        expect(result.skipped.map(({ index }) => index)).toEqual([2, 3]);
      }
      expect((await nc.vms.get(b!)).location.hostId).toBe('host-1');
    }
  });

  it('an execution aborted by its signal is resumed by another client without repeating a move', async () => {
    const cloud = fleet(4);
    const store = new MemoryStateStore();
    const first = client(cloud, store);
    const refs = await vmsOn(first, ['host-1', 'host-1', 'host-1', 'host-1']);
    const drain = plan(refs.map((vm, index) => ({ vm, from: 'host-1', to: `host-${2 + (index % 3)}` })));
    const controller = new AbortController();
    const stopped = await first.migrations.execute(drain, {
      concurrency: 1,
      signal: controller.signal,
      onProgress: ({ status }) => {
        if (status === 'done') controller.abort();
      },
    });
    expect(stopped.done.map(({ index }) => index)).toEqual([0]);
    expect(stopped.cancelled.map(({ index }) => index)).toEqual([1, 2, 3]);
    expect(cloud.control.stats().migrate.calls).toBe(1);

    const second = client(cloud, store); // another process: a new client on the same store and fleet
    const resumed = await second.migrations.execute(JSON.parse(JSON.stringify(drain)));
    expect(resumed.executionId).toBe(stopped.executionId);
    expect(resumed.done.map(({ index, earlier }) => [index, earlier])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(cloud.control.stats().migrate.calls).toBe(4); // each move migrated once
    expect(cloud.control.counts().byHost['host-1']).toBeUndefined();
    const again = await second.migrations.execute(drain);
    expect(again.done.every(({ earlier }) => earlier)).toBe(true);
    expect(cloud.control.stats().migrate.calls).toBe(4);
  });

  it('a move left running by a process that died is done when its VM reached the destination', async () => {
    const cloud = fleet(5);
    const store = new MemoryStateStore();
    const nc = client(cloud, store);
    const [a] = await vmsOn(nc, ['host-1']);
    const moves = plan([{ vm: a!, from: 'host-1', to: 'host-2' }]);
    await (await nc.migrations.start({ vm: a!, to: 'host-2' })).done;
    const id = (await nc.migrations.execute(moves, { signal: AbortSignal.abort() })).executionId;
    const key = `migration-executions/${id}`;
    const entry = (await store.get<{ moves: Array<{ status: string }> }>(key))!;
    await store.put(key, { ...entry.value, moves: [{ status: 'running' }] });
    const calls = cloud.control.stats().migrate.calls;
    const result = await client(cloud, store).migrations.execute(moves);
    expect(result.done).toMatchObject([{ index: 0, earlier: true }]);
    expect(cloud.control.stats().migrate.calls).toBe(calls);
  });

  it('refuses a second execution of a plan that is running', async () => {
    const cloud = fleet(6);
    const nc = client(cloud);
    const [a] = await vmsOn(nc, ['host-1']);
    const moves = plan([{ vm: a!, from: 'host-1', to: 'host-2' }]);
    const running = nc.migrations.execute(moves);
    await expect(nc.migrations.execute(moves)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await running).done).toHaveLength(1);
  });
});
