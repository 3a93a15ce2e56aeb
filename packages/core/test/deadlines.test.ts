import { createNovaCron, type DriverV1, NovaCronError } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { afterEach, describe, expect, it } from 'vitest';

/** The sim, with its first `count` calls of `method` held open until their signal aborts. */
function withHeldCalls(method: 'doCreateVm' | 'doGetVm', count: number): DriverV1 & { held: number } {
  const sim = createSimDriver({ seed: 5 });
  const original = sim[method].bind(sim) as (...args: unknown[]) => Promise<unknown>;
  const driver = sim as unknown as DriverV1 & { held: number };
  driver.held = 0;
  (driver as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    const { signal } = args[args.length - 1] as { signal: AbortSignal };
    if (driver.held >= count) return original(...args);
    driver.held += 1;
    return new Promise((_resolve, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
  };
  return driver;
}

describe('deadlines', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.length = 0;
  });

  it('gives each attempt its own deadline and retries a create held open forever, with its key', async () => {
    const driver = withHeldCalls('doCreateVm', 1);
    const nc = createNovaCron({
      providers: { sim: driver },
      limits: { default: { attemptTimeoutMs: 200, timeoutMs: 30_000, retry: { baseDelayMs: 1 } } },
    });
    const retries: string[] = [];
    nc.events.on('operation.retry', ({ error }) => retries.push(error.code));
    const started = performance.now();
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'held',
      resources: { vcpus: 1, memoryMiB: 256 },
    });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(driver.held).toBe(1);
    expect(retries).toEqual(['TIMEOUT']);
    expect((await nc.vms.list({ provider: 'sim' }).toArray()).map((each) => each.ref.id)).toEqual([
      vm.ref.id,
    ]);
    await nc.close();
  });

  it('ends an operation at its deadline with a TIMEOUT that names the limit, not the last attempt', async () => {
    const nc = createNovaCron({
      providers: { sim: withHeldCalls('doGetVm', 1_000) },
      limits: {
        default: { attemptTimeoutMs: 100, timeoutMs: 450, retry: { maxAttempts: 50, baseDelayMs: 1 } },
      },
    });
    const error = await nc.vms.get('sim:vm-00000001').catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error)).toBe(true);
    expect((error as NovaCronError).code).toBe('TIMEOUT');
    expect((error as NovaCronError).retryable).toBe(false);
    expect((error as NovaCronError).message).toContain('limits.timeoutMs');
    await nc.close();
  });

  it('adds no listener to a caller signal shared by hundreds of calls (no MaxListenersExceededWarning)', async () => {
    process.on('warning', onWarning);
    const nc = createNovaCron({ providers: { sim: createSimDriver({ seed: 6, hosts: 64 }) } });
    const shared = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        nc.vms.create(
          { provider: 'sim', name: `shared-${index}`, resources: { vcpus: 1, memoryMiB: 128 } },
          { signal: shared },
        ),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    await nc.close();
  });
});
