import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore, MemoryStateStore, type StateStore } from '@novacron/core';
import { createEtcdStateStore } from '@novacron/store-etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EtcdCluster,
  etcdAvailable,
  startEtcdCluster,
} from '../../store-etcd/test/support/etcd-cluster.js';
import {
  type Controller,
  createController,
  type ReconcileContext,
  type TermEndReason,
} from '../src/index.js';
import { pausableStore } from './support/pausable-store.js';
import { gate, waitFor } from './support/wait-for.js';

/** Two replicas' views of one backend: the same instance in one process, or two clients of one etcd cluster. */
interface Backend {
  stores: [StateStore, StateStore];
  close(): Promise<void>;
}

interface BackendKind {
  name: string;
  /** The lease ttl the tests use (etcd grants whole seconds). */
  ttlMs: number;
  open(): Promise<Backend>;
}

let cluster: EtcdCluster | undefined;
const kinds: BackendKind[] = [
  {
    name: 'MemoryStateStore',
    ttlMs: 1_000,
    open: async () => {
      const store = new MemoryStateStore();
      return { stores: [store, store], close: () => store.close() };
    },
  },
  {
    name: 'FileStateStore',
    ttlMs: 1_000,
    open: async () => {
      const directory = await mkdtemp(join(tmpdir(), 'novacron-controller-'));
      const store = await FileStateStore.open(directory);
      return {
        stores: [store, store],
        close: async () => {
          await store.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
    },
  },
];
if (etcdAvailable()) {
  kinds.push({
    name: 'etcd (one member)',
    ttlMs: 2_000,
    open: async () => {
      const prefix = `controller-test/${randomUUID()}/`;
      const first = await createEtcdStateStore({ endpoints: cluster!.endpoints, prefix });
      const second = await createEtcdStateStore({ endpoints: cluster!.endpoints, prefix });
      return {
        stores: [first, second],
        close: async () => void (await Promise.all([first.close(), second.close()])),
      };
    },
  });
  beforeAll(async () => {
    cluster = await startEtcdCluster(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
}

describe.each(kinds)('two controller replicas on $name', (kind) => {
  const retryEveryMs = 100;

  /** A replica that resyncs keys `k1`, `k2` every 100 ms and records who reconciled what. */
  function replica(
    identity: string,
    store: StateStore,
    calls: Array<{ identity: string; key: string }>,
    reconcile: (key: string, context: ReconcileContext) => Promise<void> = async () => {},
    stepDowns: TermEndReason[] = [],
  ): Controller {
    return createController({
      name: 'replicas',
      store,
      observer: {
        leadershipChanged: (record) => {
          if (record.reason !== undefined) stepDowns.push(record.reason);
        },
      },
      resync: { keys: () => ['k1', 'k2'], intervalMs: 100 },
      leaderElection: {
        identity,
        ttlMs: kind.ttlMs,
        renewDeadlineMs: Math.round(kind.ttlMs * 0.6),
        retryEveryMs,
      },
      reconcile: async (key, context) => {
        calls.push({ identity, key });
        await reconcile(key, context);
      },
    });
  }

  it('reconciles on the leader only, and on the other replica once the leader stops', async () => {
    const backend = await kind.open();
    const calls: Array<{ identity: string; key: string }> = [];
    const a = replica('a', backend.stores[0], calls);
    const b = replica('b', backend.stores[1], calls);
    try {
      a.start();
      await waitFor('a to lead', () => a.isLeader);
      b.start();
      await waitFor('several resyncs', () => calls.length >= 10);
      expect(b.isLeader).toBe(false);
      expect(new Set(calls.map((call) => call.identity))).toEqual(new Set(['a']));
      await a.stop();
      const before = calls.length;
      await waitFor('b to lead', () => b.isLeader);
      await waitFor('b to reconcile', () => calls.slice(before).some((call) => call.identity === 'b'));
      expect(calls.slice(before).every((call) => call.identity === 'b')).toBe(true);
    } finally {
      await Promise.all([a.stop({ timeoutMs: 1_000 }), b.stop({ timeoutMs: 1_000 })]);
      await backend.close();
    }
  });

  it('lets the other replica take over from a paused leader within the ttl plus a margin, and refuses the paused one its late write', async () => {
    const backend = await kind.open();
    const paused = pausableStore(backend.stores[0]);
    const calls: Array<{ identity: string; key: string }> = [];
    const wakeUp = gate();
    let holdA = false;
    let heldContext: ReconcileContext | undefined;
    let lateWrite: unknown;
    const stepDowns: TermEndReason[] = [];
    const a = replica(
      'a',
      paused.store,
      calls,
      async (key, context) => {
        if (!holdA || key !== 'k1') return;
        holdA = false;
        await paused.store.put('state/k1', 'a', { fence: context.fence });
        heldContext = context;
        await wakeUp.opened; // "frozen" here, then wakes up and carries on as if it still led
        lateWrite = await paused.store
          .put('state/k1', 'a-late', { fence: context.fence })
          .catch((error) => error);
      },
      stepDowns,
    );
    const b = replica('b', backend.stores[1], calls, async (key, context) => {
      if (key === 'k1') await backend.stores[1].put('state/k1', 'b', { fence: context.fence });
    });
    try {
      a.start();
      await waitFor('a to lead', () => a.isLeader);
      b.start();
      holdA = true;
      await waitFor('a to hold a reconcile', () => heldContext !== undefined);
      paused.pauseLeases();
      const pausedAtMs = Date.now();
      await waitFor('b to take over', () => b.isLeader, kind.ttlMs + 20_000);
      const takeoverMs = Date.now() - pausedAtMs;
      // The lease lapses at most ttl after a's last renewal (before the pause); b tries every retryEveryMs.
      expect(takeoverMs).toBeLessThan(kind.ttlMs + retryEveryMs + 2_500);
      await waitFor("a's step-down", () => stepDowns.length === 1);
      expect(stepDowns).toEqual(['renew-deadline']); // a stopped taking work by itself
      expect(a.isLeader).toBe(false);
      expect(heldContext!.signal.aborted).toBe(true);
      await waitFor("b's write", async () => (await backend.stores[1].get('state/k1'))?.value === 'b');
      wakeUp.open();
      await waitFor("a's late write to be answered", () => lateWrite !== undefined);
      expect(lateWrite).toMatchObject({ code: 'CONFLICT' });
      expect((await backend.stores[1].get('state/k1'))?.value).toBe('b');
      expect(() => heldContext!.assertLeader()).toThrow(/no longer leads/);
    } finally {
      await Promise.all([a.stop({ timeoutMs: 500 }), b.stop({ timeoutMs: 1_000 })]);
      await backend.close();
    }
  }, 60_000);
});
