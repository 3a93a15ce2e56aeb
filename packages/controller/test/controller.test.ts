import { createNovaCron, MemoryStateStore, type StateStore } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { type Controller, type ControllerOptions, createController } from '../src/index.js';
import { gate, waitFor } from './support/wait-for.js';

const controllers: Controller[] = [];

/** A controller on a memory store that resyncs nothing unless told; stopped after each test. */
function makeController(
  overrides: Partial<ControllerOptions> & Pick<ControllerOptions, 'reconcile'>,
): Controller {
  const controller = createController({
    name: 'test',
    store: new MemoryStateStore(),
    resync: { keys: () => [], intervalMs: 60_000 },
    leaderElection: { ttlMs: 3_000 },
    ...overrides,
  });
  controllers.push(controller);
  controller.start();
  return controller;
}

const stopAfterTest: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((controller) => controller.stop({ timeoutMs: 1_000 })));
  await Promise.all(stopAfterTest.splice(0).map((stop) => stop()));
});

describe('the work queue of a controller', () => {
  it('never reconciles one key twice at once, and reconciles a key added meanwhile once more, after', async () => {
    const calls: string[] = [];
    const running = new Map<string, number>();
    let mostAtOnce = 0;
    const firstA = gate();
    const controller = makeController({
      concurrency: 4,
      reconcile: async (key) => {
        const now = (running.get(key) ?? 0) + 1;
        running.set(key, now);
        mostAtOnce = Math.max(mostAtOnce, now);
        calls.push(key);
        if (key === 'a' && calls.filter((call) => call === 'a').length === 1) await firstA.opened;
        running.set(key, now - 1);
      },
    });
    await waitFor('leadership', () => controller.isLeader);
    controller.enqueue('a');
    await waitFor('the first reconcile of a', () => calls.length === 1);
    for (let event = 0; event < 10; event += 1) controller.enqueue('a');
    for (let event = 0; event < 3; event += 1) controller.enqueue('b');
    await waitFor('b, on another worker, while a is held', () => calls.includes('b'));
    expect(calls.filter((call) => call === 'a')).toHaveLength(1);
    firstA.open();
    await waitFor('a again', () => calls.filter((call) => call === 'a').length === 2);
    await waitFor('an idle queue', () => {
      const metrics = controller.metrics();
      return metrics.processing === 0 && metrics.queueDepth === 0;
    });
    expect(calls.filter((call) => call === 'a')).toHaveLength(2);
    // An idle worker took the first b at once; the two adds that followed collapsed into one more reconcile.
    expect(calls.filter((call) => call === 'b')).toHaveLength(2);
    expect(mostAtOnce).toBe(1);
  });

  it('backs a failing key off exponentially and starts over after a success', async () => {
    let failuresToCome = 4;
    const attempts: Array<{ attempt: number; atMs: number }> = [];
    const delays: number[] = [];
    const controller = makeController({
      backoff: { baseDelayMs: 20, maxDelayMs: 1_000, jitter: 0 },
      observer: { retryScheduled: (record) => delays.push(record.delayMs) },
      reconcile: async (_key, { attempt }) => {
        attempts.push({ attempt, atMs: Date.now() });
        if (failuresToCome > 0) {
          failuresToCome -= 1;
          throw new Error('the provider said no');
        }
      },
    });
    await waitFor('leadership', () => controller.isLeader);
    controller.enqueue('x');
    await waitFor('the success after four failures', () => attempts.length === 5);
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(delays).toEqual([20, 40, 80, 160]);
    for (let index = 1; index < attempts.length; index += 1) {
      // Timers may fire a millisecond early by rounding; never earlier than that.
      expect(attempts[index]!.atMs - attempts[index - 1]!.atMs).toBeGreaterThanOrEqual(
        delays[index - 1]! - 2,
      );
    }
    failuresToCome = 1;
    controller.enqueue('x');
    await waitFor('the next failure and its retry', () => attempts.length === 7);
    expect(delays.slice(4)).toEqual([20]);
    expect(attempts.slice(5).map((entry) => entry.attempt)).toEqual([1, 2]);
    expect(controller.metrics()).toMatchObject({ errors: 5, retries: 5, reconciles: 7 });
  });

  it('reconciles every key on each resync, with no event at all', async () => {
    const counts = new Map<string, number>();
    makeController({
      resync: { keys: async () => ['a', 'b', 'c'], intervalMs: 50 },
      reconcile: async (key) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
      },
    });
    await waitFor('three resyncs of every key', () =>
      ['a', 'b', 'c'].every((key) => (counts.get(key) ?? 0) >= 3),
    );
  });

  it('lets a running reconcile finish on stop, refusing new work meanwhile, then releases the lease', async () => {
    const store = new MemoryStateStore();
    const release = gate();
    let reconcileSignal: AbortSignal | undefined;
    let finished = false;
    const controller = makeController({
      store,
      leaderElection: { leaseName: 'leader', ttlMs: 3_000 },
      reconcile: async (key, { signal }) => {
        if (key !== 'slow') return;
        reconcileSignal = signal;
        await release.opened;
        finished = true;
      },
    });
    await waitFor('leadership', () => controller.isLeader);
    controller.enqueue('slow');
    await waitFor('the slow reconcile to start', () => reconcileSignal !== undefined);
    let stopped = false;
    const stopping = controller.stop({ timeoutMs: 30_000 }).then((result) => {
      stopped = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(controller.enqueue('other')).toBe(false);
    expect(reconcileSignal!.aborted).toBe(false);
    release.open();
    expect(await stopping).toEqual({ completed: true, abandonedKeys: [] });
    expect(finished).toBe(true);
    expect(await store.acquireLease('leader', 'someone-else', 1_000)).toBeDefined();
  });

  it('aborts reconciles still running at the stop deadline and revokes their fence', async () => {
    const store = new MemoryStateStore();
    let context: { signal: AbortSignal; fence: { name: string; fencingToken: number } } | undefined;
    const controller = makeController({
      store,
      reconcile: async (_key, { signal, fence }) => {
        context = { signal, fence };
        await new Promise(() => {}); // a reconcile that never ends
      },
    });
    await waitFor('leadership', () => controller.isLeader);
    controller.enqueue('stuck');
    await waitFor('the reconcile to start', () => context !== undefined);
    expect(await controller.stop({ timeoutMs: 100 })).toEqual({ completed: false, abandonedKeys: ['stuck'] });
    expect(context!.signal.aborted).toBe(true);
    await expect(store.put('late', 1, { fence: context!.fence })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('reopens a failed event stream after a resync, and survives an observer that throws', async () => {
    let opened = 0;
    let resyncs = 0;
    const failures: string[] = [];
    const reconciled: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const controller = createController<string>({
        name: 'stream',
        store: new MemoryStateStore(),
        resync: {
          keys: () => {
            resyncs += 1;
            return [];
          },
          intervalMs: 60_000,
        },
        watch: {
          events: async function* () {
            opened += 1;
            yield `event-${opened}`;
            if (opened === 1) throw new Error('the stream broke');
            await new Promise(() => {});
          },
          keysOf: (change) => change,
        },
        observer: {
          failed: (failure) => failures.push(`${failure.source}: ${(failure.error as Error).message}`),
          reconciled: (record) => {
            reconciled.push(record.key);
            throw new Error('a broken observer');
          },
        },
        reconcile: async () => {},
      });
      controller.start();
      stopAfterTest.push(() => controller.stop({ timeoutMs: 1_000 }));
      await waitFor('the second stream', () => reconciled.includes('event-2'));
      expect(failures).toEqual(['watch: the stream broke']);
      expect(resyncs).toBeGreaterThanOrEqual(2);
      await waitFor('the warning', () =>
        warnings.some((message) => message.includes('observer.reconciled threw')),
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('maps VM events of the simulated fleet to keys and reconciles them', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ seed: 3, transitionDelayMs: 0 }) } });
    try {
      const seen = new Set<string>();
      const controller = makeController({
        watch: {
          events: (signal) => nc.vms.watch({ signal }),
          keysOf: (change) => `${change.ref.provider}:${change.ref.id}`,
        },
        reconcile: async (key) => {
          seen.add(key);
        },
      });
      await waitFor('leadership', () => controller.isLeader);
      // The watch subscribes when the term starts; a VM created from now on is reported.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const vm = await nc.vms.create({ provider: 'sim', name: 'web-1', size: 'sim.small' });
      await waitFor('the VM key to be reconciled', () => seen.has(`sim:${vm.ref.id}`));
    } finally {
      await nc.close();
    }
  });
});

describe('createController options', () => {
  const base = {
    name: 'x',
    store: new MemoryStateStore() as StateStore,
    resync: { keys: () => [] },
    reconcile: async () => {},
  };

  it('refuses unknown and malformed options with a TypeError naming them', () => {
    expect(() => createController({ ...base, concurency: 2 } as ControllerOptions)).toThrow(/'concurency'/);
    expect(() => createController({ ...base, concurrency: 0 })).toThrow(
      /concurrency must be a positive integer/,
    );
    expect(() =>
      createController({ ...base, leaderElection: { ttlMs: 1_000, renewDeadlineMs: 2_000 } }),
    ).toThrow(/retryEveryMs < renewDeadlineMs < ttlMs/);
    expect(() => createController({ ...base, backoff: { jitter: 3 } })).toThrow(TypeError);
    expect(() => createController({ ...base, resync: {} } as unknown as ControllerOptions)).toThrow(
      /resync.keys must be a function/,
    );
  });

  it('refuses a second start', () => {
    const controller = createController(base);
    controllers.push(controller);
    controller.start();
    expect(() => controller.start()).toThrow(/already started/);
  });

  it('steps down when a renewal finds the lease taken, and refuses the old term its writes and actions', async () => {
    let storeNow = Date.now();
    const store = new MemoryStateStore(() => storeNow);
    const held = gate();
    const outcomes: string[] = [];
    const leadership: boolean[] = [];
    const refusals: unknown[] = [];
    const controller = makeController({
      store,
      leaderElection: { leaseName: 'leader', ttlMs: 3_000, retryEveryMs: 50 },
      observer: {
        reconciled: (record) => outcomes.push(record.outcome),
        leadershipChanged: (record) => leadership.push(record.leader),
      },
      reconcile: async (key, { fence, assertLeader }) => {
        await store.put(`state/${key}`, 'first', { fence });
        await held.opened;
        refusals.push(await store.put(`state/${key}`, 'late', { fence }).catch((error: unknown) => error));
        refusals.push(
          await Promise.resolve()
            .then(assertLeader)
            .catch((error: unknown) => error),
        );
      },
    });
    await waitFor('leadership', () => controller.isLeader);
    controller.enqueue('k');
    await waitFor('the first write', () => controller.metrics().processing === 1);
    storeNow += 10_000; // the store's clock says the lease expired: another replica takes it
    expect(await store.acquireLease('leader', 'other-replica', 60_000)).toBeDefined();
    await waitFor('the step-down', () => !controller.isLeader);
    held.open();
    await waitFor('the reconcile to end', () => outcomes.length === 1);
    expect(outcomes).toEqual(['abandoned']);
    expect(refusals).toMatchObject([
      { code: 'CONFLICT', message: expect.stringMatching(/no longer held with fencing token 1/) },
      { code: 'CONFLICT', message: expect.stringMatching(/no longer leads \(lost\)/) },
    ]);
    expect(leadership).toEqual([true, false]);
    expect((await store.get('state/k'))?.value).toBe('first');
  });
});
