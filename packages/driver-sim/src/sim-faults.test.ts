import { type CreateVmSpec, NovaCronError, type ProviderVm } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, expectCode, listAll } from '../test/context.js';
import type { SimDriver } from './sim-driver.js';
import { createSimDriver } from './sim-driver.js';

/** A minimal stand-in for the core's retry step: retries retryable errors with the same key. */
async function createWithRetries(driver: SimDriver, name: string, key: string): Promise<ProviderVm> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await driver.doCreateVm({ name, size: 'sim.tiny' }, { ...createContext(key), attempt });
    } catch (error) {
      if (!(NovaCronError.isInstance(error) && error.retryable) || attempt > 50) throw error;
    }
  }
}

describe('idempotent create', () => {
  it('returns the same VM for the same key, and refuses the key for a different spec', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const first = await driver.doCreateVm(
      { name: 'a', size: 'sim.small', tags: { x: '1' } },
      createContext('key-1'),
    );
    const again = await driver.doCreateVm(
      { tags: { x: '1' }, size: 'sim.small', name: 'a' },
      createContext('key-1'),
    );
    expect(again).toEqual(first);
    expect(driver.sim.counts().vms).toBe(1);
    const error = await expectCode(
      driver.doCreateVm({ name: 'b', size: 'sim.small' }, createContext('key-1')),
      'CONFLICT',
    );
    expect(error.message).toContain('key-1');
    expect(error.message).toContain(first.id);
  });

  it('refuses a reused key when only the user data or the provider options differ', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const spec: CreateVmSpec = {
      name: 'a',
      size: 'sim.small',
      userData: '#!/bin/sh',
      providerOptions: { sim: { dirtyRateMiBps: 8 } },
    };
    await driver.doCreateVm(spec, createContext('key-2'));
    for (const changed of [
      { userData: '#!/bin/bash' },
      { providerOptions: { sim: { dirtyRateMiBps: 9 } } },
    ]) {
      await expectCode(driver.doCreateVm({ ...spec, ...changed }, createContext('key-2')), 'CONFLICT');
    }
    // The same spec with its keys in another order is the same request.
    const again = await driver.doCreateVm(
      {
        providerOptions: { sim: { dirtyRateMiBps: 8 } },
        userData: '#!/bin/sh',
        size: 'sim.small',
        name: 'a',
      },
      createContext('key-2'),
    );
    expect(again.name).toBe('a');
    expect(driver.sim.counts().vms).toBe(1);
  });

  it('after the VM is deleted, the same key returns its last record, terminated, and makes nothing', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('key-1'));
    await driver.doDeleteVm(vm.id, callContext());
    const replay = await driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('key-1'));
    expect(replay.id).toBe(vm.id);
    expect(replay.state.name).toBe('terminated');
    expect(driver.sim.counts().vms).toBe(0);
  });

  it('a lost response leaves the VM made; the retry with the same key returns it', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, faults: { create: { lostResponseRate: 1 } } });
    const error = await expectCode(
      driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('key-1')),
      'UNAVAILABLE',
    );
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/lost.*took effect/);
    expect(driver.sim.counts().vms).toBe(1);
    driver.sim.setFaults({});
    const vm = await driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('key-1'));
    expect(driver.sim.snapshot().vms.map((entry) => entry.id)).toEqual([vm.id]);
  });

  it('1,000 keyed creates through 20 % throttling/5xx and 5 % lost responses make exactly 1,000 VMs', async () => {
    const driver = createSimDriver({
      seed: 5,
      transitionDelayMs: 0,
      faults: { create: { throttleRate: 0.1, errorRate: 0.1, lostResponseRate: 0.05, retryAfterMs: 0 } },
    });
    const made = await Promise.all(
      Array.from({ length: 1000 }, (_, index) => createWithRetries(driver, `bulk-${index}`, `bulk-${index}`)),
    );
    expect(new Set(made.map((vm) => vm.id)).size).toBe(1000);
    const listed = await listAll(driver);
    expect(listed).toHaveLength(1000);
    expect(new Set(listed.map((vm) => vm.name)).size).toBe(1000);
    const stats = driver.sim.stats().create;
    expect(stats.throttled).toBeGreaterThan(50);
    expect(stats.errors).toBeGreaterThan(50);
    expect(stats.lostResponses).toBeGreaterThan(20);
  });
});

describe('fault injection', () => {
  it('errorRate fails with retryable UNAVAILABLE before any effect', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, faults: { create: { errorRate: 1 } } });
    const error = await expectCode(
      driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('k')),
      'UNAVAILABLE',
    );
    expect(error).toMatchObject({ retryable: true, statusCode: 503 });
    expect(driver.sim.counts().vms).toBe(0);
    expect(driver.sim.stats().create).toEqual({
      calls: 1,
      throttled: 0,
      errors: 1,
      timeouts: 0,
      lostResponses: 0,
    });
  });

  it('throttleRate fails with THROTTLED carrying retryAfterMs', async () => {
    const driver = createSimDriver({ faults: { list: { throttleRate: 1, retryAfterMs: 1234 } } });
    const error = await expectCode(driver.doListVms({}, callContext()), 'THROTTLED');
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 1234, statusCode: 429 });
    const defaulted = createSimDriver({ faults: { list: { throttleRate: 1 } } });
    expect((await expectCode(defaulted.doListVms({}, callContext()), 'THROTTLED')).retryAfterMs).toBe(100);
  });

  it('timeoutRate hangs the call, without effect, until its signal aborts: TIMEOUT on a deadline', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, faults: { '*': { timeoutRate: 1 } } });
    const controller = new AbortController();
    const call = driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('k', controller.signal));
    let settled = false;
    void call.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    controller.abort(new DOMException('attempt deadline passed', 'TimeoutError'));
    await expectCode(call, 'TIMEOUT');
    expect(driver.sim.counts().vms).toBe(0);
    expect(driver.sim.stats().create.timeouts).toBe(1);
  });

  it('latency delays the call and an abort during it throws at once; a non-Error reason becomes ABORTED', async () => {
    const driver = createSimDriver({ faults: { get: { latencyMs: 60_000 } } });
    const controller = new AbortController();
    const call = driver.doGetVm('vm-00000001', callContext(controller.signal));
    controller.abort('user pressed ctrl-c');
    await expectCode(call, 'ABORTED');
    const small = createSimDriver({ faults: { list: { latencyMs: { min: 1, max: 3 } } } });
    expect(await small.doListVms({}, callContext())).toEqual({ items: [] });
  });

  it('an already-aborted signal fails before anything happens', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const reason = new DOMException('gone', 'AbortError');
    await expectCode(
      driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('k', AbortSignal.abort(reason))),
      'ABORTED',
    );
    expect(driver.sim.counts().vms).toBe(0);
  });

  it('lost responses apply to every operation: a stop takes effect and still fails', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm({ name: 'a', size: 'sim.small' }, createContext('k'));
    driver.sim.setFaults({ stop: { lostResponseRate: 1 } });
    await expectCode(driver.doStopVm(vm.id, { force: false }, callContext()), 'UNAVAILABLE');
    driver.sim.setFaults({});
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('stopped');
    await driver.doStopVm(vm.id, { force: false }, callContext());
  });

  it("merges an operation's rule over the '*' rule field by field", async () => {
    const driver = createSimDriver({
      transitionDelayMs: 0,
      faults: { '*': { errorRate: 1 }, get: { errorRate: 0, throttleRate: 0 } },
    });
    await expectCode(driver.doListVms({}, callContext()), 'UNAVAILABLE');
    await expectCode(driver.doGetVm('vm-00000001', callContext()), 'NOT_FOUND');
    expect(driver.sim.faults).toEqual({ '*': { errorRate: 1 }, get: { errorRate: 0, throttleRate: 0 } });
  });

  it('fails the same calls for the same seed and different ones for another seed', async () => {
    async function pattern(seed: number): Promise<string> {
      const driver = createSimDriver({ seed, faults: { list: { errorRate: 0.5 } } });
      let outcome = '';
      for (let index = 0; index < 64; index += 1) {
        outcome += await driver.doListVms({}, callContext()).then(
          () => '.',
          () => 'x',
        );
      }
      return outcome;
    }
    expect(await pattern(11)).toBe(await pattern(11));
    expect(await pattern(11)).not.toBe(await pattern(12));
  });

  it('refuses malformed fault rules with a TypeError', () => {
    const driver = createSimDriver();
    expect(() => driver.sim.setFaults({ create: { errorRate: 2 } })).toThrow(TypeError);
    expect(() => driver.sim.setFaults({ create: { latencyMs: { min: 5, max: 1 } } })).toThrow(TypeError);
    expect(() => driver.sim.setFaults({ explode: {} } as never)).toThrow(
      /Unknown sim fault operation 'explode'/,
    );
    expect(() => createSimDriver({ faults: { list: { throttleRate: -0.1 } } })).toThrow(TypeError);
  });
});
