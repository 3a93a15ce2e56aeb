import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createNovaCron, type NovaCron } from '../client/create-novacron.js';
import { CAPABILITY_METHODS } from '../driver/capability-check.js';
import { DEFAULT_CAPABILITIES, type DriverCapabilities } from '../driver/driver-capabilities.js';
import type { DriverV1 } from '../driver/driver-v1.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { NovaCronError } from '../errors/novacron-error.js';
import type { CreateVmSpec, Vm, VmRef } from '../model/vm.js';
import type { LimitsOptions } from '../pipeline/limits.js';
import { FAULTABLE_METHODS, type FaultRules, withFaults } from './with-faults.js';

/** What {@link TestDriverOptions.additionalTests} receives to write a driver's own tests in the suite's style. */
export interface ConformanceContext {
  /** The provider name the suite's clients use for the driver under test. */
  readonly provider: string;
  /** A new client over a new driver from the factory (wrapped in faults on the faulted run); closed after the test. */
  client(): Promise<{ nc: NovaCron; driver: DriverV1 }>;
  /** A valid create spec with a unique name starting with `prefix`. */
  spec(prefix: string): CreateVmSpec;
  /** Deletes the VM after the test. */
  track(nc: NovaCron, ref: VmRef): void;
  /** Whether this run injects faults. */
  readonly faulted: boolean;
}

/** Options of {@link testDriver}. */
export interface TestDriverOptions {
  /** Shown in the test names. */
  name: string;
  /** Makes a fresh, isolated driver for each test. */
  factory: () => DriverV1 | Promise<DriverV1>;
  /**
   * The capability manifest the factory's drivers declare, so the suite can skip what is not declared
   * (`it.skipIf(!capabilities.suspend)`). Default: read from a driver the factory makes at once, which needs a
   * synchronous factory; give it for an asynchronous one. A test checks it matches the driver's own.
   */
  capabilities?: DriverCapabilities | undefined;
  /** A valid create spec for this driver. Default: `{ name, resources: { vcpus: 1, memoryMiB: 256 } }`. */
  createSpec?: ((name: string) => CreateVmSpec) | undefined;
  /** How many VMs the pagination test makes. Default 2,500 (250 on the faulted run); 0 skips it (say why). */
  paginationVmCount?: number | undefined;
  /** An id that names no VM on this provider, in the provider's id format. Default `novacron-missing-vm`. */
  missingVmId?: string | undefined;
  /** Per-test timeout in milliseconds. Default 120,000. */
  timeoutMs?: number | undefined;
  /** Limits for the clients the suite builds. Default: concurrency 32, 12 fast attempts. */
  limits?: LimitsOptions | undefined;
  /** How long a VM may take to reach a state. Default 60,000 ms. */
  stateTimeoutMs?: number | undefined;
  /**
   * The faults of the second run, which wraps every driver in {@link withFaults}. Default
   * {@link DEFAULT_CONFORMANCE_FAULTS}; `false` runs the suite clean only (say why in your test file).
   */
  faults?: FaultRules | false | undefined;
  /** The driver's own tests, registered in both runs inside the suite's `describe`. */
  additionalTests?: ((context: ConformanceContext) => void) | undefined;
}

/** The faults of the suite's second run: what a busy cloud does to a client, and what the pipeline must hide. */
export const DEFAULT_CONFORMANCE_FAULTS: Readonly<FaultRules> = {
  seed: 20_261_206,
  throttleRate: 0.1,
  retryAfterMs: 1,
  serverErrorRate: 0.1,
  lostResponseRate: 0.03,
  latencyMs: [0, 2] as const,
  // The core never retries a migration (one that failed may have moved the VM), so a migration is never faulted.
  methods: FAULTABLE_METHODS.filter((method) => method !== 'doMigrateVm'),
};

const PROVIDER = 'subject';

/**
 * The conformance suite every NovaCron driver passes. Call it at the top level of a vitest file. It registers the
 * suite twice: against the driver as it is, and against the driver wrapped in {@link withFaults} (throttling, 5xx,
 * latency, lost responses), which the client's pipeline must hide. It checks the contract and its capability
 * manifest, the lifecycle and its no-ops, idempotent creates (retries, concurrent creates, the same key with another
 * spec), tags that round-trip exactly and filter lists, pagination that never truncates, error mapping, waiters,
 * cancellation, every capability the driver declares, and `UNSUPPORTED` (and nothing else) for every one it does not.
 *
 * @example
 * // packages/driver-foo/test/conformance.test.ts
 * import { testDriver } from '@novacron/core/testing';
 * testDriver({ name: 'foo', factory: () => createFooDriver({ endpoint }) });
 */
export function testDriver(options: TestDriverOptions): void {
  const capabilities = options.capabilities ?? capabilitiesOf(options);
  registerSuite(options, capabilities, undefined);
  if (options.faults !== false)
    registerSuite(options, capabilities, options.faults ?? DEFAULT_CONFORMANCE_FAULTS);
}

function capabilitiesOf(options: TestDriverOptions): DriverCapabilities {
  const driver = options.factory();
  if (driver instanceof Promise) {
    driver.then((made) => made.close?.()).catch(() => undefined);
    throw new TypeError(
      `testDriver('${options.name}'): the factory is asynchronous, so give the driver's manifest as options.capabilities (the suite needs it to decide what to skip).`,
    );
  }
  const manifest = driver.capabilities;
  driver.close?.().catch(() => undefined);
  return manifest;
}

function registerSuite(
  options: TestDriverOptions,
  capabilities: DriverCapabilities,
  faults: FaultRules | undefined,
): void {
  const faulted = faults !== undefined;
  const timeout = options.timeoutMs ?? 120_000;
  const stateTimeoutMs = options.stateTimeoutMs ?? 60_000;
  const specFor =
    options.createSpec ?? ((name: string) => ({ name, resources: { vcpus: 1, memoryMiB: 256 } }));
  const missingId = options.missingVmId ?? 'novacron-missing-vm';
  const opened: NovaCron[] = [];
  const made: Array<{ nc: NovaCron; ref: VmRef }> = [];
  const waitFor = { timeoutMs: stateTimeoutMs, intervalMs: 20 };

  const newDriver = async (): Promise<DriverV1> => {
    const driver = await options.factory();
    return faults === undefined ? driver : withFaults(driver, faults);
  };
  const client = async (): Promise<{ nc: NovaCron; driver: DriverV1 }> => {
    const driver = await newDriver();
    const nc = createNovaCron({
      providers: { [PROVIDER]: driver },
      limits: options.limits ?? {
        default: { concurrency: 32, retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 50 } },
      },
    });
    opened.push(nc);
    return { nc, driver };
  };
  const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const track = (nc: NovaCron, ref: VmRef) => made.push({ nc, ref });
  const create = async (nc: NovaCron, prefix: string, extra: Partial<CreateVmSpec> = {}): Promise<Vm> => {
    const vm = await nc.vms.create({ ...specFor(uniqueName(prefix)), ...extra, provider: PROVIDER });
    track(nc, vm.ref);
    return vm;
  };
  const createRunning = async (nc: NovaCron, prefix: string): Promise<Vm> => {
    const vm = await create(nc, prefix);
    return nc.vms.waitUntil(vm.ref, 'running', waitFor);
  };
  const vmsNamed = async (nc: NovaCron, name: string): Promise<Vm[]> =>
    (await nc.vms.list({ provider: PROVIDER }).toArray()).filter(
      (vm) => vm.name === name && vm.state.name !== 'terminated',
    );
  const countAll = async (nc: NovaCron): Promise<number> =>
    (await nc.vms.list({ provider: PROVIDER }).toArray()).length;

  afterEach(async () => {
    const leftovers = made.splice(0);
    await Promise.all(leftovers.map(({ nc, ref }) => nc.vms.delete(ref).catch(() => undefined)));
    await Promise.all(opened.splice(0).map((nc) => nc.close()));
  }, timeout);

  const title = faulted
    ? `driver conformance: ${options.name}, faulted`
    : `driver conformance: ${options.name}`;
  describe(title, () => {
    it('implements the v1 contract: a complete manifest, and a method for every declared capability', {
      timeout,
    }, async () => {
      const driver = await options.factory();
      expect(driver.specificationVersion).toBe('v1');
      expect(typeof driver.kind).toBe('string');
      for (const [flag, fallback] of Object.entries(DEFAULT_CAPABILITIES)) {
        const value = (driver.capabilities as unknown as Record<string, unknown>)[flag];
        expect(typeof value, `capability '${flag}'`).toBe(
          fallback instanceof RegExp ? 'object' : typeof fallback,
        );
      }
      expect(driver.capabilities).toEqual(capabilities);
      expect(driver.capabilities.maxPageSize).toBeGreaterThan(0);
      for (const [flag, methods] of Object.entries(CAPABILITY_METHODS)) {
        if (!(driver.capabilities as unknown as Record<string, boolean>)[flag]) continue;
        for (const method of methods) {
          expect(
            typeof (driver as unknown as Record<string, unknown>)[method],
            `capability '${flag}' is declared, so ${method} must be implemented`,
          ).toBe('function');
        }
      }
      await driver.close?.();
    });

    it('runs the lifecycle: create, running, stop, start, delete, with state events', {
      timeout,
    }, async () => {
      const { nc, driver } = await client();
      const seen: string[] = [];
      nc.events.on('vm.state', (event) => seen.push(event.state.name));
      const vm = await create(nc, 'life');
      expect(vm.ref.provider).toBe(PROVIDER);
      expect(vm.kind).toBe(driver.kind);
      const running = await nc.vms.waitUntil(vm.ref, 'running', waitFor);
      expect(running.name).toBe(vm.name);
      expect(running.state.providerState.length).toBeGreaterThan(0);
      await nc.vms.stop(vm.ref, { force: true });
      await nc.vms.waitUntil(vm.ref, 'stopped', waitFor);
      await nc.vms.start(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'running', waitFor);
      await nc.vms.delete(vm.ref);
      const gone = await nc.vms.waitUntil(vm.ref, 'terminated', waitFor);
      expect(gone === undefined || gone.state.name === 'terminated').toBe(true);
      expect(seen).toContain('running');
      expect(seen).toContain('stopped');
    });

    it.skipIf(!capabilities.reboot)('reboots a running VM, which stays running', { timeout }, async () => {
      const { nc } = await client();
      const vm = await createRunning(nc, 'reboot');
      await nc.vms.reboot(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'running', waitFor);
    });

    it('treats start of a running VM, stop of a stopped VM and delete of a deleted VM as no-ops', {
      timeout,
    }, async () => {
      const { nc } = await client();
      const vm = await createRunning(nc, 'noop');
      await nc.vms.start(vm.ref);
      await nc.vms.stop(vm.ref, { force: true });
      await nc.vms.waitUntil(vm.ref, 'stopped', waitFor);
      await nc.vms.stop(vm.ref, { force: true });
      await nc.vms.stop(vm.ref);
      await nc.vms.delete(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'terminated', waitFor);
      await nc.vms.delete(vm.ref);
    });

    describe('idempotent creates', () => {
      it('makes one VM for two creates with the same key and spec', { timeout }, async () => {
        const { nc } = await client();
        const spec = specFor(uniqueName('idem'));
        const idempotencyKey = randomUUID();
        const first = await nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey });
        track(nc, first.ref);
        const second = await nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey });
        expect(second.ref.id).toBe(first.ref.id);
        expect(await vmsNamed(nc, spec.name)).toHaveLength(1);
      });

      it('makes one VM, and no error, for two creates with the same key at once', { timeout }, async () => {
        const { nc } = await client();
        const spec = specFor(uniqueName('race'));
        const idempotencyKey = randomUUID();
        const [first, second] = await Promise.all([
          nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey }),
          nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey }),
        ]);
        track(nc, first.ref);
        expect(second.ref.id).toBe(first.ref.id);
        expect(await vmsNamed(nc, spec.name)).toHaveLength(1);
      });

      it('refuses the same key with another spec as CONFLICT, and never makes a second VM', {
        timeout,
      }, async () => {
        const { nc } = await client();
        const spec = specFor(uniqueName('key'));
        const idempotencyKey = randomUUID();
        const first = await nc.vms.create({ ...spec, provider: PROVIDER, idempotencyKey });
        track(nc, first.ref);
        const otherName = uniqueName('other');
        const renamed = await expectCode(
          nc.vms.create({ ...spec, name: otherName, provider: PROVIDER, idempotencyKey }),
          'CONFLICT',
        );
        expect(renamed.retryable).toBe(false);
        expect(await vmsNamed(nc, otherName)).toHaveLength(0);
        await expectCode(
          nc.vms.create({ ...spec, tags: { other: 'spec' }, provider: PROVIDER, idempotencyKey }),
          'CONFLICT',
        );
        expect(await vmsNamed(nc, spec.name)).toHaveLength(1);
      });
    });

    it('keeps tags exactly (non-ASCII, spaces, the longest value allowed) and filters lists by them', {
      timeout,
    }, async () => {
      const { nc } = await client();
      const tags = sampleTags(capabilities);
      const vm = await create(nc, 'tags', { tags });
      expect(vm.tags).toEqual(expect.objectContaining(tags));
      expect((await nc.vms.get(vm.ref)).tags).toEqual(expect.objectContaining(tags));
      const other = await create(nc, 'untagged');
      const [firstKey, firstValue] = Object.entries(tags)[0]!;
      const filtered = await nc.vms.list({ provider: PROVIDER, tags: { [firstKey]: firstValue } }).toArray();
      const ids = filtered.map((each) => each.ref.id);
      expect(ids).toContain(vm.ref.id);
      expect(ids).not.toContain(other.ref.id);
      const listed = filtered.find((each) => each.ref.id === vm.ref.id);
      expect(listed?.tags).toEqual(expect.objectContaining(tags));
    });

    const paginationCount = faulted
      ? Math.min(options.paginationVmCount ?? 250, 250)
      : (options.paginationVmCount ?? 2_500);
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
        for (const { vm } of result.created) track(nc, vm.ref);
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

    it.skipIf(!capabilities.suspend && !capabilities.reboot)(
      'maps an illegal transition (suspend or reboot of a stopped VM) to CONFLICT',
      { timeout },
      async () => {
        const { nc } = await client();
        const vm = await createRunning(nc, 'conflict');
        await nc.vms.stop(vm.ref, { force: true });
        await nc.vms.waitUntil(vm.ref, 'stopped', waitFor);
        const error = await expectCode(
          capabilities.suspend ? nc.vms.suspend(vm.ref) : nc.vms.reboot(vm.ref),
          'CONFLICT',
        );
        expect(error.retryable).toBe(false);
      },
    );

    it('rejects bad input with INVALID_ARGUMENT naming the field, sending nothing', { timeout }, async () => {
      const { nc } = await client();
      const before = await countAll(nc);
      const bad: Array<[Partial<CreateVmSpec>, string]> = [
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(300) }, 'name'],
        [{ name: 'bad name!' }, 'name'],
        [{ resources: { vcpus: Number.NaN, memoryMiB: 512 } }, 'resources.vcpus'],
        [{ resources: { vcpus: 1, memoryMiB: -5 } }, 'resources.memoryMiB'],
        [{ tags: { control: 'a\u0000b' } }, 'tags.control'],
        [{ tags: { long: 'x'.repeat(capabilities.maxTagValueLength + 1) } }, 'tags.long'],
      ];
      for (const [override, field] of bad) {
        const error = await expectCode(
          nc.vms.create({ ...specFor(uniqueName('bad')), ...override, provider: PROVIDER }),
          'INVALID_ARGUMENT',
        );
        expect(error.field).toBe(field);
      }
      await expectCode(nc.vms.get({ provider: 'no-such-provider', id: 'x' }), 'INVALID_ARGUMENT');
      const pageSize = await expectCode(
        nc.vms.list({ provider: PROVIDER, pageSize: 0 }).toArray(),
        'INVALID_ARGUMENT',
      );
      expect(pageSize.field).toBe('pageSize');
      expect(await countAll(nc)).toBe(before);
    });

    it('waiters time out with TIMEOUT and fail fast on dead ends', { timeout }, async () => {
      const { nc } = await client();
      const vm = await createRunning(nc, 'wait');
      await expectCode(nc.vms.waitUntil(vm.ref, 'suspended', { timeoutMs: 300, intervalMs: 20 }), 'TIMEOUT');
      await nc.vms.delete(vm.ref);
      const error = await nc.vms.waitUntil(vm.ref, 'running', waitFor).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(NovaCronError.isInstance(error) && ['CONFLICT', 'NOT_FOUND'].includes(error.code)).toBe(true);
    });

    it('honours cancellation: an aborted signal gives ABORTED and sends nothing', { timeout }, async () => {
      const { nc } = await client();
      const aborted = AbortSignal.abort();
      await expectCode(nc.vms.get({ provider: PROVIDER, id: missingId }, { signal: aborted }), 'ABORTED');
      const vm = await createRunning(nc, 'cancel');
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

    describe('declared capabilities work', () => {
      it.skipIf(!capabilities.suspend)('suspend and resume', { timeout }, async () => {
        const { nc } = await client();
        const vm = await createRunning(nc, 'suspend');
        await nc.vms.suspend(vm.ref);
        await nc.vms.waitUntil(vm.ref, 'suspended', waitFor);
        await nc.vms.resume(vm.ref);
        await nc.vms.waitUntil(vm.ref, 'running', waitFor);
      });

      it.skipIf(!capabilities.hosts)('hosts report capacity', { timeout }, async () => {
        const { nc } = await client();
        const hosts = await nc.hosts.list({ provider: PROVIDER }).toArray();
        expect(hosts.length).toBeGreaterThan(0);
        for (const host of hosts) {
          expect(host.capacity.vcpus).toBeGreaterThan(0);
          expect(host.capacity.memoryMiB).toBeGreaterThan(0);
          expect(['up', 'maintenance', 'down']).toContain(host.state);
        }
      });

      it.skipIf(!capabilities.sizes)(
        'sizes list entries, and an unknown size is INVALID_ARGUMENT',
        { timeout },
        async () => {
          const { nc } = await client();
          expect((await nc.sizes.list({ provider: PROVIDER }).toArray()).length).toBeGreaterThan(0);
          const error = await expectCode(
            nc.vms.create({ ...specFor(uniqueName('size')), size: 'no-such-size-xyz', provider: PROVIDER }),
            'INVALID_ARGUMENT',
          );
          expect(error.field).toBe('size');
        },
      );

      it.skipIf(!capabilities.images)('images list entries', { timeout }, async () => {
        const { nc } = await client();
        expect((await nc.images.list({ provider: PROVIDER }).toArray()).length).toBeGreaterThan(0);
      });

      it.skipIf(!capabilities.locations)('locations list entries', { timeout }, async () => {
        const { nc } = await client();
        expect((await nc.locations.list({ provider: PROVIDER }).toArray()).length).toBeGreaterThan(0);
      });

      it.skipIf(!capabilities.liveMigration)(
        'live migration moves a running VM to another host',
        { timeout },
        async () => {
          const { nc } = await client();
          const running = await createRunning(nc, 'migrate');
          const hosts = await nc.hosts.list({ provider: PROVIDER }).toArray();
          const destination = hosts.find(
            (host) => host.id !== running.location.hostId && host.state === 'up',
          );
          expect(destination, 'live migration needs a second host that is up').toBeDefined();
          const migration = await nc.migrations.start({ vm: running.ref, to: destination!.id, mode: 'live' });
          const record = await migration.done;
          expect(record.phase).toBe('completed');
          expect((await nc.vms.get(running.ref)).location.hostId).toBe(destination!.id);
          expect((await nc.migrations.get(migration.id))?.phase).toBe('completed');
        },
      );

      it.skipIf(!capabilities.metrics)('metrics come as aligned series', { timeout }, async () => {
        const { nc } = await client();
        const vm = await createRunning(nc, 'metrics');
        const series = await nc.vms.readMetrics(vm.ref, metricsQuery());
        for (const one of series) {
          expect(one.values.length).toBe(one.timestampsMs.length);
          for (const value of one.values) expect(Number.isFinite(value)).toBe(true);
        }
      });

      it('watch reports state changes (pushed, or polled when watch is not declared)', {
        timeout,
      }, async () => {
        const { nc } = await client();
        const vm = await createRunning(nc, 'watch');
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

    describe('undeclared capabilities give UNSUPPORTED and nothing else', () => {
      const vmRef = { provider: PROVIDER, id: missingId };
      const cases: Array<[keyof DriverCapabilities, string, (nc: NovaCron) => Promise<unknown>]> = [
        ['reboot', 'vms.reboot', (nc) => nc.vms.reboot(vmRef)],
        ['suspend', 'vms.suspend', (nc) => nc.vms.suspend(vmRef)],
        ['suspend', 'vms.resume', (nc) => nc.vms.resume(vmRef)],
        ['hosts', 'hosts.list', (nc) => nc.hosts.list({ provider: PROVIDER }).toArray()],
        ['sizes', 'sizes.list', (nc) => nc.sizes.list({ provider: PROVIDER }).toArray()],
        ['images', 'images.list', (nc) => nc.images.list({ provider: PROVIDER }).toArray()],
        ['locations', 'locations.list', (nc) => nc.locations.list({ provider: PROVIDER }).toArray()],
        [
          'liveMigration',
          'migrations.start',
          (nc) => nc.migrations.start({ vm: vmRef, to: 'any-host', mode: 'live' }),
        ],
        ['metrics', 'vms.readMetrics', (nc) => nc.vms.readMetrics(vmRef, metricsQuery())],
      ];
      for (const [flag, label, call] of cases) {
        it.skipIf(Boolean(capabilities[flag]))(`${label} without '${flag}'`, { timeout }, async () => {
          const { nc } = await client();
          let promise: Promise<unknown>;
          try {
            promise = call(nc);
          } catch (thrown) {
            throw new Error(`expected a rejected promise, but the call threw at once: ${String(thrown)}`);
          }
          const error = await expectCode(promise, 'UNSUPPORTED');
          expect(error.message).toContain('capabilities');
        });
      }
    });

    options.additionalTests?.({
      provider: PROVIDER,
      client,
      spec: (prefix) => specFor(uniqueName(prefix)),
      track,
      faulted,
    });
  });
}

/** Tags that test exactness within the driver's rules: non-ASCII, inner and outer spaces, the longest value. */
function sampleTags(capabilities: DriverCapabilities): Record<string, string> {
  const candidates: Array<[string, string]> = [
    ['owner', 'José Ñúñez 東京'],
    ['note', '  two  spaces, outer too  '],
    ['longest', 'v'.repeat(capabilities.maxTagValueLength)],
    ['team', 'web'],
  ];
  const tags: Record<string, string> = {};
  for (const [key, value] of candidates) {
    if (capabilities.tagKeyPattern.test(key) && capabilities.tagValuePattern.test(value)) tags[key] = value;
  }
  return tags;
}

function metricsQuery() {
  const to = new Date();
  return {
    metrics: ['cpu.utilization' as const],
    from: new Date(to.getTime() - 3_600_000),
    to,
    stepMs: 60_000,
  };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error), `expected a NovaCronError ${code}, got ${String(error)}`).toBe(
    true,
  );
  expect((error as NovaCronError).code, (error as Error).message).toBe(code);
  return error as NovaCronError;
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
