import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createNovaCron, type NovaCron } from '../client/create-novacron.js';
import { DEFAULT_CAPABILITIES } from '../driver/driver-capabilities.js';
import type { DriverV1 } from '../driver/driver-v1.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { NovaCronError } from '../errors/novacron-error.js';
import type { CreateVmSpec, Vm, VmRef } from '../model/vm.js';
import type { LimitsOptions } from '../pipeline/limits.js';

/** Options of {@link testDriver}. */
export interface TestDriverOptions {
  /** Shown in the test names. */
  name: string;
  /** Makes a fresh, isolated driver for each test. */
  factory: () => DriverV1 | Promise<DriverV1>;
  /** A valid create spec for this driver. Default: `{ name, resources: { vcpus: 1, memoryMiB: 256 } }`. */
  createSpec?: ((name: string) => CreateVmSpec) | undefined;
  /** How many VMs the pagination test makes. Default 2,500; 0 skips it (say why in your test file). */
  paginationVmCount?: number | undefined;
  /** An id that names no VM on this provider, in the provider's id format. Default `novacron-missing-vm`. */
  missingVmId?: string | undefined;
  /** Per-test timeout in milliseconds. Default 120,000. */
  timeoutMs?: number | undefined;
  /** Limits for the client the suite builds. Default: concurrency 32, fast retries. */
  limits?: LimitsOptions | undefined;
  /** How long a VM may take to reach a state. Default 60,000 ms. */
  stateTimeoutMs?: number | undefined;
}

const PROVIDER = 'subject';

/**
 * The conformance suite every NovaCron driver passes. Call it at the top level of a vitest file; it registers
 * `describe` blocks that check the contract, the lifecycle, idempotent creates, pagination that never truncates,
 * error mapping, waiters, cancellation and every optional capability the driver declares (those it does not
 * declare are checked to fail with `UNSUPPORTED`).
 *
 * @example
 * // packages/driver-foo/test/conformance.test.ts
 * import { testDriver } from '@novacron/core/testing';
 * testDriver({ name: 'foo', factory: () => createFooDriver({ endpoint }) });
 */
export function testDriver(options: TestDriverOptions): void {
  const timeout = options.timeoutMs ?? 120_000;
  const stateTimeoutMs = options.stateTimeoutMs ?? 60_000;
  const specFor =
    options.createSpec ?? ((name: string) => ({ name, resources: { vcpus: 1, memoryMiB: 256 } }));
  const missingId = options.missingVmId ?? 'novacron-missing-vm';
  const opened: NovaCron[] = [];
  const made: Array<{ nc: NovaCron; ref: VmRef }> = [];

  const client = async (): Promise<{ nc: NovaCron; driver: DriverV1 }> => {
    const driver = await options.factory();
    const nc = createNovaCron({
      providers: { [PROVIDER]: driver },
      limits: options.limits ?? { default: { concurrency: 32, retry: { baseDelayMs: 5, maxDelayMs: 200 } } },
    });
    opened.push(nc);
    return { nc, driver };
  };
  const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const create = async (nc: NovaCron, prefix: string, extra: Partial<CreateVmSpec> = {}): Promise<Vm> => {
    const vm = await nc.vms.create({ ...specFor(uniqueName(prefix)), ...extra, provider: PROVIDER });
    made.push({ nc, ref: vm.ref });
    return vm;
  };
  const expectCode = async (promise: Promise<unknown>, code: ErrorCode): Promise<NovaCronError> => {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(NovaCronError.isInstance(error), `expected a NovaCronError ${code}, got ${String(error)}`).toBe(
      true,
    );
    expect((error as NovaCronError).code).toBe(code);
    return error as NovaCronError;
  };
  const countAll = async (nc: NovaCron): Promise<number> =>
    (await nc.vms.list({ provider: PROVIDER }).toArray()).length;

  afterEach(async () => {
    const leftovers = made.splice(0);
    await Promise.all(leftovers.map(({ nc, ref }) => nc.vms.delete(ref).catch(() => undefined)));
    await Promise.all(opened.splice(0).map((nc) => nc.close()));
  }, timeout);

  describe(`driver conformance: ${options.name}`, () => {
    it('implements the v1 contract with a complete capability manifest', { timeout }, async () => {
      const driver = await options.factory();
      expect(driver.specificationVersion).toBe('v1');
      expect(typeof driver.kind).toBe('string');
      for (const [flag, fallback] of Object.entries(DEFAULT_CAPABILITIES)) {
        const value = (driver.capabilities as unknown as Record<string, unknown>)[flag];
        expect(typeof value, `capability '${flag}'`).toBe(
          fallback instanceof RegExp ? 'object' : typeof fallback,
        );
      }
      expect(driver.capabilities.maxPageSize).toBeGreaterThan(0);
      await driver.close?.();
    });

    it('runs the lifecycle: create, running, stop, start, reboot, delete', { timeout }, async () => {
      const { nc, driver } = await client();
      const seen: string[] = [];
      nc.events.on('vm.state', (event) => seen.push(event.state.name));
      const vm = await create(nc, 'life');
      expect(vm.ref.provider).toBe(PROVIDER);
      expect(vm.kind).toBe(driver.kind);
      const running = await nc.vms.waitUntil(vm.ref, 'running', {
        timeoutMs: stateTimeoutMs,
        intervalMs: 20,
      });
      expect(running.name).toBe(vm.name);
      expect(running.state.providerState.length).toBeGreaterThan(0);
      await nc.vms.stop(vm.ref, { force: true });
      await nc.vms.waitUntil(vm.ref, 'stopped', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      await nc.vms.start(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      if (driver.capabilities.reboot) {
        await nc.vms.reboot(vm.ref);
        await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      }
      await nc.vms.delete(vm.ref);
      const gone = await nc.vms.waitUntil(vm.ref, 'terminated', {
        timeoutMs: stateTimeoutMs,
        intervalMs: 20,
      });
      expect(gone === undefined || gone.state.name === 'terminated').toBe(true);
      expect(seen).toContain('running');
      expect(seen).toContain('stopped');
    });

    it('makes one VM for two creates with the same idempotency key', { timeout }, async () => {
      const { nc } = await client();
      const spec = specFor(uniqueName('idem'));
      const idempotencyKey = randomUUID();
      const first = await nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey });
      made.push({ nc, ref: first.ref });
      const second = await nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey });
      expect(second.ref.id).toBe(first.ref.id);
      const named = (await nc.vms.list({ provider: PROVIDER }).toArray()).filter(
        (vm) => vm.name === spec.name,
      );
      expect(named.filter((vm) => vm.state.name !== 'terminated')).toHaveLength(1);
    });

    const paginationCount = options.paginationVmCount ?? 2_500;
    it.skipIf(paginationCount === 0)(
      `lists ${paginationCount} VMs across pages without truncating`,
      { timeout: Math.max(timeout, 600_000) },
      async () => {
        const { nc, driver } = await client();
        const prefix = uniqueName('page');
        const result = await nc.vms.createMany(
          Array.from({ length: paginationCount }, (_, index) => ({
            ...specFor(`${prefix}-${index}`),
            provider: PROVIDER,
          })),
          { concurrency: 32 },
        );
        for (const { vm } of result.created) made.push({ nc, ref: vm.ref });
        expect(result.failed.map((failure) => failure.error.message)).toEqual([]);
        expect(result.created).toHaveLength(paginationCount);
        const listed = (await nc.vms.list({ provider: PROVIDER }).toArray()).filter((vm) =>
          vm.name.startsWith(prefix),
        );
        const ids = new Set(listed.map((vm) => vm.ref.id));
        expect(ids.size).toBe(listed.length);
        for (const { vm } of result.created) expect(ids.has(vm.ref.id)).toBe(true);
        // The page-size promise is checked on the driver itself, outside the pipeline (and its retries).
        const firstPage = await retryTransient(() =>
          driver.doListVms(
            { pageSize: driver.capabilities.maxPageSize },
            { signal: new AbortController().signal, operationId: 'conformance', attempt: 1 },
          ),
        );
        expect(firstPage.items.length).toBeLessThanOrEqual(driver.capabilities.maxPageSize);
      },
    );

    it('maps a missing VM to NOT_FOUND', { timeout }, async () => {
      const { nc } = await client();
      const error = await expectCode(nc.vms.get({ provider: PROVIDER, id: missingId }), 'NOT_FOUND');
      expect(error.provider).toBe(PROVIDER);
      expect(error.retryable).toBe(false);
    });

    it('maps an illegal transition (suspend or reboot of a stopped VM) to CONFLICT', {
      timeout,
    }, async () => {
      const { nc, driver } = await client();
      const vm = await create(nc, 'conflict');
      await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      await nc.vms.stop(vm.ref, { force: true });
      await nc.vms.waitUntil(vm.ref, 'stopped', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      const error = await expectCode(
        driver.capabilities.suspend ? nc.vms.suspend(vm.ref) : nc.vms.reboot(vm.ref),
        'CONFLICT',
      );
      expect(error.retryable).toBe(false);
    });

    it('rejects bad input with INVALID_ARGUMENT naming the field, sending nothing', { timeout }, async () => {
      const { nc } = await client();
      const before = await countAll(nc);
      const bad: Array<[Partial<CreateVmSpec>, string]> = [
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(300) }, 'name'],
        [{ name: 'bad name!' }, 'name'],
        [{ resources: { vcpus: Number.NaN, memoryMiB: 512 } }, 'resources.vcpus'],
        [{ resources: { vcpus: 1, memoryMiB: -5 } }, 'resources.memoryMiB'],
      ];
      for (const [override, field] of bad) {
        const error = await expectCode(
          nc.vms.create({ ...specFor(uniqueName('bad')), ...override, provider: PROVIDER }),
          'INVALID_ARGUMENT',
        );
        expect(error.field).toBe(field);
      }
      await expectCode(nc.vms.get({ provider: 'no-such-provider', id: 'x' }), 'INVALID_ARGUMENT');
      expect(await countAll(nc)).toBe(before);
    });

    it('waiters time out with TIMEOUT and fail fast on dead ends', { timeout }, async () => {
      const { nc } = await client();
      const vm = await create(nc, 'wait');
      await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      await expectCode(nc.vms.waitUntil(vm.ref, 'suspended', { timeoutMs: 300, intervalMs: 20 }), 'TIMEOUT');
      await nc.vms.delete(vm.ref);
      const error = await nc.vms
        .waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 })
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      expect(NovaCronError.isInstance(error) && ['CONFLICT', 'NOT_FOUND'].includes(error.code)).toBe(true);
    });

    it('honours cancellation: an aborted signal gives ABORTED', { timeout }, async () => {
      const { nc } = await client();
      const aborted = AbortSignal.abort();
      await expectCode(nc.vms.get({ provider: PROVIDER, id: missingId }, { signal: aborted }), 'ABORTED');
      const vm = await create(nc, 'cancel');
      await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      const controller = new AbortController();
      const waiting = nc.vms.waitUntil(vm.ref, 'suspended', { signal: controller.signal, intervalMs: 20 });
      setTimeout(() => controller.abort(), 50);
      await expectCode(waiting, 'ABORTED');
      const before = await countAll(nc);
      await expectCode(
        nc.vms.create({ ...specFor(uniqueName('never')), provider: PROVIDER }, { signal: aborted }),
        'ABORTED',
      );
      expect(await countAll(nc)).toBe(before);
    });

    describe('optional capabilities', () => {
      it('suspend and resume, or UNSUPPORTED', { timeout }, async () => {
        const { nc, driver } = await client();
        const vm = await create(nc, 'suspend');
        await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
        if (!driver.capabilities.suspend) {
          await expectCode(nc.vms.suspend(vm.ref), 'UNSUPPORTED');
          return;
        }
        await nc.vms.suspend(vm.ref);
        await nc.vms.waitUntil(vm.ref, 'suspended', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
        await nc.vms.resume(vm.ref);
        await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
      });

      it('hosts report capacity, or UNSUPPORTED', { timeout }, async () => {
        const { nc, driver } = await client();
        if (!driver.capabilities.hosts) {
          expect(() => nc.hosts.list({ provider: PROVIDER })).toThrow(/does not support/);
          return;
        }
        const hosts = await nc.hosts.list({ provider: PROVIDER }).toArray();
        expect(hosts.length).toBeGreaterThan(0);
        for (const host of hosts) {
          expect(host.capacity.vcpus).toBeGreaterThan(0);
          expect(host.capacity.memoryMiB).toBeGreaterThan(0);
          expect(['up', 'maintenance', 'down']).toContain(host.state);
        }
      });

      it('catalogs (sizes, images, locations) list entries when declared', { timeout }, async () => {
        const { nc, driver } = await client();
        if (driver.capabilities.sizes) {
          const sizes = await nc.sizes.list({ provider: PROVIDER }).toArray();
          expect(sizes.length).toBeGreaterThan(0);
          const error = await expectCode(
            nc.vms.create({ ...specFor(uniqueName('size')), size: 'no-such-size-xyz', provider: PROVIDER }),
            'INVALID_ARGUMENT',
          );
          expect(error.field).toBe('size');
        }
        if (driver.capabilities.images)
          expect((await nc.images.list({ provider: PROVIDER }).toArray()).length).toBeGreaterThan(0);
        if (driver.capabilities.locations) {
          expect((await nc.locations.list({ provider: PROVIDER }).toArray()).length).toBeGreaterThan(0);
        }
      });

      it('live migration moves a running VM to another host, or UNSUPPORTED', { timeout }, async () => {
        const { nc, driver } = await client();
        const vm = await create(nc, 'migrate');
        const running = await nc.vms.waitUntil(vm.ref, 'running', {
          timeoutMs: stateTimeoutMs,
          intervalMs: 20,
        });
        if (!driver.capabilities.liveMigration) {
          await expectCode(nc.migrations.start({ vm: vm.ref, to: 'any-host', mode: 'live' }), 'UNSUPPORTED');
          return;
        }
        const hosts = await nc.hosts.list({ provider: PROVIDER }).toArray();
        const destination = hosts.find((host) => host.id !== running.location.hostId && host.state === 'up');
        expect(destination, 'live migration needs a second host that is up').toBeDefined();
        const migration = await nc.migrations.start({ vm: vm.ref, to: destination!.id, mode: 'live' });
        const record = await migration.done;
        expect(record.phase).toBe('completed');
        expect((await nc.vms.get(vm.ref)).location.hostId).toBe(destination!.id);
        expect((await nc.migrations.get(migration.id))?.phase).toBe('completed');
      });

      it('metrics come as aligned series, or UNSUPPORTED', { timeout }, async () => {
        const { nc, driver } = await client();
        const vm = await create(nc, 'metrics');
        await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
        const to = new Date();
        const query = {
          metrics: ['cpu.utilization' as const],
          from: new Date(to.getTime() - 3_600_000),
          to,
          stepMs: 60_000,
        };
        if (!driver.capabilities.metrics) {
          expect(() => nc.vms.readMetrics(vm.ref, query)).toThrow(/does not support/);
          return;
        }
        const series = await nc.vms.readMetrics(vm.ref, query);
        for (const one of series) {
          expect(one.values.length).toBe(one.timestampsMs.length);
          for (const value of one.values) expect(Number.isFinite(value)).toBe(true);
        }
      });

      it('watch reports state changes (pushed or polled)', { timeout }, async () => {
        const { nc } = await client();
        const vm = await create(nc, 'watch');
        await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: stateTimeoutMs, intervalMs: 20 });
        const controller = new AbortController();
        const seen: string[] = [];
        const watching = (async () => {
          for await (const change of nc.vms.watch({
            provider: PROVIDER,
            signal: controller.signal,
            pollIntervalMs: 50,
          })) {
            if (change.ref.id !== vm.ref.id) continue;
            seen.push(change.state.name);
            if (change.state.name === 'stopped') controller.abort();
          }
        })();
        await nc.vms.stop(vm.ref, { force: true });
        await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, stateTimeoutMs))]);
        controller.abort();
        await watching;
        expect(seen).toContain('stopped');
      });
    });
  });
}

/** Calls `call` again (up to 10 times) while it fails with a retryable error, for checks made outside the pipeline. */
async function retryTransient<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 10 || !NovaCronError.isInstance(error) || !error.retryable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}
