import { getEventListeners } from 'node:events';
import { NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { SimLatencyScheduler } from './sim-latency.js';

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Keeps the event loop turn running, as a client busy with many responses would.
  }
}

describe('SimLatencyScheduler', () => {
  it('resumes a call no earlier than its latency', async () => {
    const scheduler = new SimLatencyScheduler();
    const started = performance.now();
    await scheduler.wait(5, new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(5);
    expect(scheduler.waiting).toBe(0);
  });

  it('resumes calls in the order they fall due, whatever order they started in', async () => {
    const scheduler = new SimLatencyScheduler();
    const signal = new AbortController().signal;
    const order: number[] = [];
    await Promise.all(
      [30, 5, 20, 5, 10].map((ms, index) => scheduler.wait(ms, signal).then(() => order.push(index))),
    );
    expect(order).toEqual([1, 3, 4, 2, 0]);
  });

  it('lets each resumed call run on before the next one resumes, like one socket read per response', async () => {
    const scheduler = new SimLatencyScheduler();
    const signal = new AbortController().signal;
    const events: string[] = [];
    const call = async (name: string) => {
      await scheduler.wait(1, signal);
      events.push(`${name} resumed`);
      // A caller's own chain of awaits (the pipeline unwinding, the next request being sent).
      for (let step = 0; step < 5; step += 1) await Promise.resolve();
      events.push(`${name} done`);
    };
    await Promise.all([call('a'), call('b'), call('c')]);
    expect(events).toEqual(['a resumed', 'a done', 'b resumed', 'b done', 'c resumed', 'c done']);
  });

  it('resumes a call that fell due during a busy turn within a few turns of the event loop, not a timer later', async () => {
    const scheduler = new SimLatencyScheduler();
    const signal = new AbortController().signal;
    let turns = 0;
    let resumed = false;
    await scheduler.wait(1, signal);
    // As a client does when a response comes in: send the next request, then stay busy past its latency.
    const next = scheduler.wait(1, signal).then(() => {
      resumed = true;
    });
    busyFor(5);
    // Another call sent at the end of the busy turn.
    const other = scheduler.wait(1, signal);
    const countTurns = (): void => {
      if (resumed) return;
      turns += 1;
      setImmediate(countTurns);
    };
    setImmediate(countTurns);
    await Promise.all([next, other]);
    // One setTimeout per call would wait at least another 1 ms here: hundreds of turns of an idle loop.
    expect(turns).toBeLessThanOrEqual(5);
  });

  it('rejects at once on abort with the signal reason, shares one abort listener per signal, and lets go', async () => {
    const scheduler = new SimLatencyScheduler();
    const controller = new AbortController();
    const calls = Array.from({ length: 100 }, () => scheduler.wait(60_000, controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(scheduler.waiting).toBe(100);
    const reason = new NovaCronError({ code: 'TIMEOUT', message: 'deadline passed' });
    controller.abort(reason);
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === reason)).toBe(
      true,
    );
    expect(scheduler.waiting).toBe(0);
  });

  it('rejects with the reason as it is, as fetch does, when the signal aborts without an Error reason', async () => {
    const scheduler = new SimLatencyScheduler();
    const controller = new AbortController();
    controller.abort('user pressed ctrl-c');
    const error = await scheduler.wait(1, controller.signal).catch((thrown: unknown) => thrown);
    expect(error).toBe('user pressed ctrl-c');
  });

  it('resumes the calls still waiting when another call on a different signal aborts', async () => {
    const scheduler = new SimLatencyScheduler();
    const aborted = new AbortController();
    const kept = scheduler.wait(5, new AbortController().signal);
    const cancelled = scheduler.wait(5, aborted.signal);
    aborted.abort(new Error('stop'));
    await expect(cancelled).rejects.toThrow('stop');
    await expect(kept).resolves.toBeUndefined();
  });
});
