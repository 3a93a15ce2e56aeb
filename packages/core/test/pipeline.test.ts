import { createSimDriver, SimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import { NovaCronError } from '../src/errors/novacron-error.js';
import type { MiddlewarePosition } from '../src/pipeline/middleware-stack.js';
import type { Middleware } from '../src/pipeline/operation.js';
import { ExponentialBackoffStrategy } from '../src/pipeline/retry-strategy.js';
import type { NovaCronPlugin } from '../src/registry/plugin-registry.js';

const small = { vcpus: 1, memoryMiB: 256 };

/** A plugin that adds one middleware step, named like the plugin, at `position` (default: before `timeout`). */
function pluginWith(
  name: string,
  handle: Middleware['handle'],
  position?: MiddlewarePosition,
): NovaCronPlugin {
  return {
    name,
    version: '1.0.0',
    specificationVersion: 'v1',
    middleware: [{ middleware: { name, handle }, ...(position === undefined ? {} : { position }) }],
  };
}

describe('the operations pipeline (driver-sim)', () => {
  it('has the documented named order', () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver() } });
    expect(nc.pipeline.names()).toEqual([
      'events',
      'validation',
      'timeout',
      'retry',
      'queue',
      'attempt-timeout',
    ]);
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field before anything reaches the driver', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'name'],
      [{ name: 'a'.repeat(64) }, 'name'],
      [{ name: 'web 1' }, 'name'],
      [{ name: 'ok', resources: { vcpus: -1, memoryMiB: 512 } }, 'resources.vcpus'],
      [{ name: 'ok', resources: { vcpus: 1, memoryMiB: Number.NaN } }, 'resources.memoryMiB'],
      [{ name: 'ok', resources: undefined, size: undefined }, 'resources'],
      [{ name: 'ok', provider: 'nowhere' }, 'provider'],
    ];
    for (const [override, field] of cases) {
      const error = await nc.vms
        .create({ provider: 'sim', name: 'x', resources: small, ...override } as never)
        .catch((thrown: unknown) => thrown);
      expect(NovaCronError.isInstance(error), `case ${field}`).toBe(true);
      expect((error as NovaCronError).code).toBe('INVALID_ARGUMENT');
      expect((error as NovaCronError).field).toBe(field);
    }
    expect(driver.sim.stats().create.calls).toBe(0);
    // A size is the provider's own name: the driver refuses it (one look-up), and nothing is made.
    const unknownSize = await nc.vms
      .create({ provider: 'sim', name: 'ok', size: 'sim.enormous' })
      .catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(unknownSize) && unknownSize.field).toBe('size');
    expect(driver.sim.counts().vms).toBe(0);
  });

  it('emits start, retry and success events in order, honouring Retry-After', async () => {
    const driver = createSimDriver({
      seed: 3,
      transitionDelayMs: 0,
      faults: { get: { throttleRate: 1, retryAfterMs: 30 } },
    });
    const nc = createNovaCron({
      providers: { sim: driver },
      limits: { sim: { retry: { maxAttempts: 3, baseDelayMs: 1 } } },
    });
    const vm = await nc.vms.create({ provider: 'sim', name: 'evented', resources: small });
    const log: string[] = [];
    const delays: number[] = [];
    nc.events.on('operation.start', (event) => log.push(`start:${event.operation}`));
    nc.events.on('operation.retry', (event) => {
      log.push(`retry:${event.attempt}`);
      delays.push(event.delayMs);
    });
    nc.events.on('operation.failure', (event) => log.push(`failure:${event.error.code}`));
    nc.events.on('operation.success', (event) => log.push(`success:${event.operation}`));
    await expect(nc.vms.get(vm.ref)).rejects.toMatchObject({
      code: 'THROTTLED',
      provider: 'sim',
      operation: 'vms.get',
    });
    expect(log).toEqual(['start:vms.get', 'retry:1', 'retry:2', 'failure:THROTTLED']);
    expect(delays.every((delay) => delay >= 30)).toBe(true);
    driver.sim.setFaults({});
    log.length = 0;
    await nc.vms.get(vm.ref);
    expect(log).toEqual(['start:vms.get', 'success:vms.get']);
  });

  it('never retries a non-idempotent operation without a key, and never retries CONFLICT', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { retry: { baseDelayMs: 1 } } } });
    const vm = await nc.vms.create({ provider: 'sim', name: 'conflicted', resources: small });
    await nc.vms.stop(vm.ref);
    await nc.vms.waitUntil(vm.ref, 'stopped');
    let retries = 0;
    nc.events.on('operation.retry', () => retries++);
    await expect(nc.vms.suspend(vm.ref)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(retries).toBe(0);
  });

  it('limits calls in flight per provider to the configured concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const probe = pluginWith(
      'in-flight-probe',
      async (operation, next) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        try {
          return await next(operation);
        } finally {
          inFlight -= 1;
        }
      },
      { after: 'queue' },
    );
    const driver = createSimDriver({ transitionDelayMs: 0, faults: { create: { latencyMs: 2 } } });
    const nc = createNovaCron({
      providers: { sim: driver },
      limits: { sim: { concurrency: 3 } },
      plugins: [probe],
    });
    const result = await nc.vms.createMany(
      Array.from({ length: 30 }, (_, index) => ({ provider: 'sim', name: `q-${index}`, resources: small })),
      { concurrency: 30 },
    );
    expect(result.created).toHaveLength(30);
    expect(peak).toBe(3);
  });

  it('lets a policy plugin veto creates over a budget, sending nothing', async () => {
    const budget = pluginWith('vcpu-budget', async (operation, next) => {
      const vcpus = (operation.input as { resources?: { vcpus: number } }).resources?.vcpus ?? 0;
      if (operation.name === 'vms.create' && vcpus > 8) {
        throw new NovaCronError({
          code: 'QUOTA_EXCEEDED',
          message: `Budget allows 8 vCPUs per VM, asked ${vcpus}.`,
        });
      }
      return next(operation);
    });
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver }, plugins: [budget] });
    expect(nc.pipeline.names()).toEqual([
      'events',
      'validation',
      'vcpu-budget',
      'timeout',
      'retry',
      'queue',
      'attempt-timeout',
    ]);
    await expect(
      nc.vms.create({ provider: 'sim', name: 'huge', resources: { vcpus: 32, memoryMiB: 1024 } }),
    ).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', provider: 'sim', operation: 'vms.create' });
    expect(driver.sim.stats().create.calls).toBe(0);
    await nc.vms.create({ provider: 'sim', name: 'fine', resources: small });
    expect(driver.sim.counts().vms).toBe(1);
  });

  it('retries a retryable failure that a plugin after the retry step throws synchronously, and maps a plain one', async () => {
    let calls = 0;
    const flaky = pluginWith(
      'flaky-proxy',
      // Not async on purpose: it throws instead of returning a rejected promise.
      (operation, next) => {
        calls += 1;
        if (operation.name === 'vms.get' && calls === 2) {
          throw new NovaCronError({ code: 'UNAVAILABLE', message: 'proxy hiccup' });
        }
        if (operation.name === 'vms.reboot') throw new Error('proxy lost its config');
        return next(operation);
      },
      { after: 'retry' },
    );
    const nc = createNovaCron({
      providers: { sim: createSimDriver({ transitionDelayMs: 0 }) },
      plugins: [flaky],
      retryStrategy: new ExponentialBackoffStrategy(() => 0),
    });
    const vm = await nc.vms.create({ provider: 'sim', name: 'proxied', resources: small });
    await expect(nc.vms.get(vm.ref)).resolves.toMatchObject({ name: 'proxied' });
    expect(calls).toBe(3);
    await expect(nc.vms.reboot(vm.ref)).rejects.toMatchObject({
      code: 'PROVIDER',
      provider: 'sim',
      operation: 'vms.reboot',
    });
  });

  it('gives an operation a deadline: a hung call ends with TIMEOUT', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, faults: { list: { timeoutRate: 1 } } });
    const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { timeoutMs: 100 } } });
    await expect(nc.vms.list({ provider: 'sim' }).toArray()).rejects.toMatchObject({
      code: 'TIMEOUT',
      provider: 'sim',
    });
  });

  it('keeps secrets out of events and errors', async () => {
    const secret = 'hunter2-super-secret-token';
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const seen: string[] = [];
    for (const name of ['operation.start', 'operation.success', 'operation.failure', 'vm.state'] as const) {
      nc.events.on(name, (event: unknown) => seen.push(JSON.stringify(event)));
    }
    await nc.vms.create({
      provider: 'sim',
      name: 'with-secret',
      resources: small,
      userData: `#cloud-config\npassword: ${secret}`,
    });
    const error = await nc.vms
      .create({ provider: 'sim', name: 'bad name', resources: small, userData: secret })
      .catch((thrown: unknown) => thrown);
    seen.push(String((error as Error).message), JSON.stringify(error));
    expect(seen.join('\n')).not.toContain(secret);
  });

  it('initialises a driver lazily once, retries a failed init, and refuses calls after close', async () => {
    let inits = 0;
    class FlakyInitDriver extends SimDriver {
      override async init(): Promise<void> {
        inits += 1;
        if (inits === 1) throw new NovaCronError({ code: 'AUTH', message: 'credentials not ready' });
      }
    }
    const nc = createNovaCron({ providers: { sim: new FlakyInitDriver({ transitionDelayMs: 0 }) } });
    await expect(nc.vms.list({ provider: 'sim' }).toArray()).rejects.toMatchObject({ code: 'AUTH' });
    await nc.vms.list({ provider: 'sim' }).toArray();
    await nc.vms.list({ provider: 'sim' }).toArray();
    expect(inits).toBe(2);
    await nc.close();
    await expect(nc.vms.list({ provider: 'sim' }).toArray()).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: false,
    });
  });

  it('maps what a plain JavaScript driver throws synchronously, or returns without a promise, once initialised', async () => {
    class PlainDriver extends SimDriver {
      // Not async on purpose: a driver written without async functions.
      override doGetVm(vmId: string): Promise<never> {
        throw new Error(`disk on fire for ${vmId}`);
      }
      override doRebootVm(): Promise<void> {
        return undefined as never;
      }
    }
    const nc = createNovaCron({ providers: { sim: new PlainDriver({ transitionDelayMs: 0 }) } });
    const vm = await nc.vms.create({ provider: 'sim', name: 'plain', resources: small });
    const error = await nc.vms.get(vm.ref).catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ provider: 'sim', operation: 'vms.get' });
    expect((error as Error).message).toContain('disk on fire');
    await expect(nc.vms.reboot(vm.ref)).resolves.toBeUndefined();
    await nc.close();
  });

  it('refuses a driver of another specification version with a TypeError', () => {
    const driver = { ...createSimDriver(), specificationVersion: 'v2' };
    expect(() => createNovaCron({ providers: { sim: driver as never } })).toThrow(/supports 'v1'/);
  });
});

describe('stack traces', () => {
  it('keep the caller of a failed operation', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver() } });
    async function lookUpMissingVmForTheReport() {
      return await nc.vms.get('sim:vm-missing');
    }
    const error = (await lookUpMissingVmForTheReport().catch((thrown: unknown) => thrown)) as Error;
    expect(error.stack).toContain('Called from:');
    expect(error.stack).toContain('lookUpMissingVmForTheReport');
  });
});
