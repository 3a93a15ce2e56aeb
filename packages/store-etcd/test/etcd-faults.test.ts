import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { NovaCronError, type StateStore, type StoreChange } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdStateStore, type EtcdStateStore } from '../src/index.js';
import {
  type EtcdCluster,
  type EtcdMember,
  etcdAvailable,
  startEtcdCluster,
  waitUntil,
} from './support/etcd-cluster.js';

const LEASE_CHILD = join(import.meta.dirname, 'support', 'lease-holder-child.ts');
const available = etcdAvailable();
let cluster: EtcdCluster;
const stores: StateStore[] = [];

/** A store on the cluster (every member unless `members` is given), under a prefix of its own unless one is given. */
async function open(prefix: string, members?: readonly EtcdMember[]): Promise<EtcdStateStore> {
  const endpoints = (members ?? cluster.members).map((member) => member.clientUrl);
  const store = await createEtcdStateStore({ endpoints, prefix, callTimeoutMs: 3_000 });
  stores.push(store);
  return store;
}

/**
 * Controller-like work: increments a counter with expected-version puts, one step at a time, retrying `UNAVAILABLE`
 * and resolving an ambiguous outcome (a write that etcd applied but whose answer was lost to a dying member comes back
 * as `CONFLICT` on retry) by reading the counter back. Every step must be applied exactly once.
 */
function startCounting(store: StateStore, key: string) {
  let steps = 0;
  let unavailable = 0;
  let running = true;
  const done = (async () => {
    await store.put(key, { count: 0, step: 0 }, { expectedVersion: 0 });
    while (running) {
      const step = steps + 1;
      for (;;) {
        try {
          const current = await store.get<{ count: number; step: number }>(key);
          if (current!.value.step === step) break; // applied by an attempt whose answer was lost
          await store.put(
            key,
            { count: current!.value.count + 1, step },
            { expectedVersion: current!.version },
          );
          break;
        } catch (error) {
          if (!NovaCronError.isInstance(error) || !['UNAVAILABLE', 'CONFLICT'].includes(error.code))
            throw error;
          if (error.code === 'UNAVAILABLE') unavailable += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      steps = step;
    }
  })();
  return {
    steps: () => steps,
    async stop() {
      running = false;
      await done;
      return { steps, unavailable };
    },
  };
}

async function expectCounter(store: StateStore, key: string, steps: number): Promise<void> {
  expect((await store.get<{ count: number; step: number }>(key))?.value).toEqual({
    count: steps,
    step: steps,
  });
}

describe.runIf(available)('etcd state store under faults (three-member cluster)', () => {
  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await cluster?.stop();
  });

  it('keeps working through the other members when one is killed with SIGKILL mid-work', {
    timeout: 180_000,
  }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const store = await open(prefix);
    const work = startCounting(store, 'counter');
    await waitUntil('some steps', 30_000, () => work.steps() >= 20);
    const leader = await cluster.leader();
    const victim = cluster.members.find((member) => member !== leader)!;
    await cluster.kill(victim);
    const atKill = work.steps();
    await waitUntil('50 steps after the kill', 60_000, () => work.steps() >= atKill + 50);
    const { steps } = await work.stop();
    await expectCounter(store, 'counter', steps);
    await cluster.restart(victim);
    // The restarted member caught up with what was written while it was dead: read through it alone.
    await expectCounter(await open(prefix, [victim]), 'counter', steps);
  });

  it('resumes writes after the leader is killed and a new one is elected', { timeout: 180_000 }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const store = await open(prefix);
    const work = startCounting(store, 'counter');
    await waitUntil('some steps', 30_000, () => work.steps() >= 20);
    const leader = await cluster.leader();
    await cluster.kill(leader);
    const atKill = work.steps();
    await waitUntil('50 steps after the leader died', 60_000, () => work.steps() >= atKill + 50);
    const newLeader = await cluster.leader();
    expect(newLeader).not.toBe(leader);
    const { steps } = await work.stop();
    await expectCounter(store, 'counter', steps);
    await cluster.restart(leader);
    await expectCounter(await open(prefix, [leader]), 'counter', steps);
  });

  it('keeps working while a member is partitioned (SIGSTOP), which catches up after SIGCONT', {
    timeout: 180_000,
  }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const store = await open(prefix);
    const work = startCounting(store, 'counter');
    await waitUntil('some steps', 30_000, () => work.steps() >= 20);
    // Freeze the leader: the hardest case, an election must happen and calls routed to it time out.
    const frozen = await cluster.leader();
    cluster.pause(frozen);
    try {
      const atPause = work.steps();
      await waitUntil('50 steps while a member is frozen', 90_000, () => work.steps() >= atPause + 50);
    } finally {
      cluster.resume(frozen);
    }
    const { steps } = await work.stop();
    await expectCounter(store, 'counter', steps);
    await cluster.waitHealthy();
    const throughFrozen = await open(prefix, [frozen]);
    await waitUntil('the resumed member to catch up', 60_000, async () => {
      const value = await throughFrozen.get<{ count: number }>('counter').catch(() => undefined);
      return value?.value.count === steps;
    });
  });

  it("refuses a frozen lease holder's late fenced write once its lease expired, and takes the new holder's", {
    timeout: 180_000,
  }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const store = await open(prefix);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', LEASE_CHILD, cluster.endpoints.join(','), prefix, '2000'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitUntil('the child to hold the lease and write', 60_000, () => /wrote 3\n/.test(output));
      const childToken = Number(/holding (\d+)/.exec(output)![1]);
      expect(await store.acquireLease('leader', 'parent', 2_000)).toBeUndefined();
      // A paused process: no keep-alives, no writes, until SIGCONT.
      child.kill('SIGSTOP');
      let lease: Awaited<ReturnType<typeof store.acquireLease>>;
      await waitUntil('the lease to expire', 60_000, async () => {
        lease = await store.acquireLease('leader', 'parent', 60_000);
        return lease !== undefined;
      });
      expect(lease!.fencingToken).toBeGreaterThan(childToken);
      await store.put('work/target', { by: 'parent' }, { fence: lease! });
      child.kill('SIGCONT');
      expect(await exited).toBe(0);
      expect(output).toMatch(/refused CONFLICT\n$/);
      expect((await store.get('work/target'))?.value).toEqual({ by: 'parent' });
      expect(
        await store.put('work/target', { by: 'parent', again: true }, { fence: lease! }),
      ).toBeGreaterThan(1);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });

  it('resumes a watch from its last revision after its member restarts, replaying every change it missed', {
    timeout: 180_000,
  }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const [first, watched, third] = cluster.members;
    const watching = await open(prefix, [watched!]);
    const writer = await open(prefix, [first!, third!]);
    const seen: StoreChange[] = [];
    watching.watch('vms/', (change) => seen.push(change));
    await writer.put('vms/a', 1);
    await waitUntil('the put of vms/a=1', 30_000, () =>
      seen.some((change) => describeChange(change) === 'put vms/a=1 v1'),
    );
    const before = seen.length;
    await cluster.kill(watched!);
    await writer.put('vms/a', 2);
    await writer.put('vms/a', 3);
    await writer.delete('vms/a');
    await writer.put('vms/b', 1);
    await cluster.restart(watched!);
    await waitUntil('the changes made while disconnected', 90_000, () => seen.length >= before + 4);
    // Unlike a recovery from compaction, nothing is summarised: every change, in order, intermediate values included.
    expect(seen.slice(before).map(describeChange)).toEqual([
      'put vms/a=2 v2',
      'put vms/a=3 v3',
      'delete vms/a',
      'put vms/b=1 v1',
    ]);
  });

  it('recovers a watch whose revision was compacted while it was disconnected, by re-listing', {
    timeout: 180_000,
  }, async () => {
    const prefix = `faults/${randomUUID()}/`;
    const [watched, ...others] = cluster.members;
    const watching = await open(prefix, [watched!]);
    const writer = await open(prefix, others);
    await writer.put('vms/a', 1);
    await writer.put('vms/b', 1);
    const seen: StoreChange[] = [];
    watching.watch('vms/', (change) => seen.push(change));
    await writer.put('vms/a', 2);
    await waitUntil('the put of vms/a=2', 30_000, () =>
      seen.some((change) => describeChange(change) === 'put vms/a=2 v2'),
    );
    const before = seen.length;
    await cluster.kill(watched!);
    // While the watcher's member is dead: change, delete, create, then compact the history it would resume from.
    await writer.put('vms/a', 3);
    await writer.delete('vms/b');
    await writer.put('vms/c', 1);
    await writer.put('other/x', 1);
    const revision = (await writer.getClient().kv.range({ key: Buffer.from('x') })).header.revision;
    await writer.getClient().kv.compact({ revision, physical: true });
    await cluster.restart(watched!);
    await waitUntil('the changes made while disconnected', 90_000, () => seen.length >= before + 3);
    expect(seen.slice(before).map(describeChange).sort()).toEqual([
      'delete vms/b',
      'put vms/a=3 v3',
      'put vms/c=1 v1',
    ]);
    // And the watch streams on after its recovery.
    await writer.put('vms/d', 1);
    await waitUntil('a change after the recovery', 60_000, () =>
      seen.some((change) => change.key === 'vms/d'),
    );
    expect(seen.length).toBe(before + 4);
  });
});

function describeChange(change: StoreChange): string {
  return change.type === 'delete'
    ? `delete ${change.key}`
    : `put ${change.key}=${JSON.stringify(change.entry?.value)} v${change.entry?.version}`;
}
