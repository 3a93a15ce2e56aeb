import { randomUUID } from 'node:crypto';
import {
  createNovaCron,
  type DriverCallContext,
  type DriverEvent,
  NovaCronError,
  type ProviderVm,
} from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver, type KvmDriver } from '../src/index.js';
import { type LibvirtClient, LibvirtError, LibvirtErrorCode } from '../src/libvirt/index.js';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

const available = libvirtAvailable();

function context(): DriverCallContext {
  return { signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 };
}

function createContext(idempotencyKey = randomUUID()) {
  return { ...context(), idempotencyKey };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(NovaCronError.isInstance(error), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as NovaCronError).code).toBe(code);
  return error as NovaCronError;
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)('kvm driver', () => {
  let daemon: LibvirtDaemon;
  let testDriver: KvmDriver;
  let qemuDriver: KvmDriver;

  beforeAll(async () => {
    daemon = await startLibvirtDaemon({ name: 'driver' });
    testDriver = createKvmDriver({
      hosts: [
        {
          id: 'h1',
          uri: daemon.uri('test'),
          zone: 'rack-1',
          labels: { disk: 'ssd' },
          overcommit: { vcpus: 100, memoryMiB: 100 },
        },
      ],
      domainType: 'test',
      sizes: { tiny: { vcpus: 1, memoryMiB: 64 } },
      images: { base: { pool: 'default-pool', volume: 'base.qcow2', os: 'linux', defaultDiskGiB: 1 } },
      shutdownTimeoutMs: 5_000,
    });
    qemuDriver = createKvmDriver({
      hosts: [{ id: 'q1', uri: daemon.uri('qemu') }],
      domainType: kvmAccelerationWorks() ? 'kvm' : 'qemu',
      metricsSampleGapMs: 200,
      shutdownTimeoutMs: 2_000,
    });
    await testDriver.init({ signal: new AbortController().signal });
  });

  afterAll(async () => {
    await testDriver?.close();
    await qemuDriver?.close();
    await daemon?.stop();
  });

  describe('on the test driver', () => {
    it('creates a VM with escaped tags, reads it back and finds it in lists', async () => {
      const tags = { team: 'a<b>&"c\'', env: 'dev' };
      const vm = await testDriver.doCreateVm(
        { name: 'drv-tags', resources: { vcpus: 1, memoryMiB: 64 }, tags },
        createContext(),
      );
      expect(vm).toMatchObject({
        id: 'drv-tags',
        state: { name: 'running', providerState: 'running', reason: 'booted' },
        resources: { vcpus: 1, memoryMiB: 64 },
        location: { hostId: 'h1', zone: 'rack-1' },
        tags,
      });
      expect((await testDriver.doGetVm('drv-tags', context())).tags).toEqual(tags);
      await testDriver.doDeleteVm('drv-tags', context());
      await testDriver.doDeleteVm('drv-tags', context());
    });

    it("refuses, through the core and before anything is made, names and tags the manifest says libvirt's XML cannot take", async () => {
      // A driver of its own: closing the client closes its driver.
      const driver = createKvmDriver({
        hosts: [{ id: 'h1', uri: daemon.uri('test'), overcommit: { vcpus: 100, memoryMiB: 100 } }],
        domainType: 'test',
      });
      const nc = createNovaCron({ providers: { lab: driver } });
      const create = (override: object) =>
        nc.vms.create({
          provider: 'lab',
          name: 'drv-rules',
          resources: { vcpus: 1, memoryMiB: 64 },
          ...override,
        });
      for (const name of ['', 'has space', '-lead', 'x'.repeat(64), 'a/b', "quo'te"]) {
        expect((await expectCode(create({ name }), 'INVALID_ARGUMENT')).field).toBe('name');
      }
      for (const value of ['a\u0001b', 'a\uFFFEb', 'a\uFFFFb', 'lone \uD800 surrogate']) {
        expect((await expectCode(create({ tags: { bad: value } }), 'INVALID_ARGUMENT')).field).toBe(
          'tags.bad',
        );
      }
      expect((await expectCode(create({ tags: { 'k\u0000': 'v' } }), 'INVALID_ARGUMENT')).field).toMatch(
        /^tags/,
      );
      expect(
        (await expectCode(create({ providerOptions: { kvm: { cpuMode: 'host' } } }), 'INVALID_ARGUMENT'))
          .field,
      ).toBe('providerOptions.kvm');
      const unknownSize = await expectCode(create({ size: 'huge' }), 'INVALID_ARGUMENT');
      expect(unknownSize.field).toBe('size');
      expect((await nc.vms.list({ provider: 'lab' }).toArray()).map((vm) => vm.id)).not.toContain(
        'drv-rules',
      );
      // What XML carries is accepted: tab, newline and carriage return come back exactly.
      const vm = await create({ tags: { 'multi\tline': 'one\ntwo\r\nthree' } });
      expect(vm.tags).toEqual({ 'multi\tline': 'one\ntwo\r\nthree' });
      await nc.vms.delete('lab:drv-rules');
      await nc.close();
    });

    it('refuses names already taken', async () => {
      await testDriver.doCreateVm(
        { name: 'drv-taken', resources: { vcpus: 1, memoryMiB: 64 } },
        createContext(),
      );
      await expectCode(
        testDriver.doCreateVm({ name: 'drv-taken', resources: { vcpus: 1, memoryMiB: 64 } }, createContext()),
        'ALREADY_EXISTS',
      );
      await testDriver.doDeleteVm('drv-taken', context());
    });

    it('makes one VM for concurrent creates with one idempotency key', async () => {
      const key = randomUUID();
      const spec = { name: 'drv-idem', resources: { vcpus: 1, memoryMiB: 64 } };
      const [first, second] = await Promise.all([
        testDriver.doCreateVm(spec, createContext(key)),
        testDriver.doCreateVm(spec, createContext(key)),
      ]);
      expect(second.id).toBe(first.id);
      await testDriver.doDeleteVm('drv-idem', context());
    });

    it('maps states with reasons through stop, start, suspend, resume and reboot', async () => {
      await testDriver.doCreateVm({ name: 'drv-life', size: 'tiny' }, createContext());
      const read = () => testDriver.doGetVm('drv-life', context());
      await testDriver.doStopVm('drv-life', { force: false }, context());
      expect((await read()).state).toEqual({ name: 'stopped', providerState: 'shutoff', reason: 'shutdown' });
      await testDriver.doStopVm('drv-life', { force: true }, context());
      await testDriver.doStartVm('drv-life', context());
      await testDriver.doStartVm('drv-life', context());
      expect((await read()).state.name).toBe('running');
      await testDriver.doSuspendVm('drv-life', context());
      expect((await read()).state).toEqual({ name: 'suspended', providerState: 'paused', reason: 'user' });
      await testDriver.doResumeVm('drv-life', context());
      await testDriver.doRebootVm('drv-life', context());
      await testDriver.doStopVm('drv-life', { force: true }, context());
      expect((await read()).state).toMatchObject({ name: 'stopped', reason: 'destroyed' });
      await expectCode(testDriver.doSuspendVm('drv-life', context()), 'CONFLICT');
      await expectCode(testDriver.doRebootVm('drv-life', context()), 'CONFLICT');
      await testDriver.doDeleteVm('drv-life', context());
    });

    it("maps libvirt errors: no domain -> NOT_FOUND with libvirt's code in a ProviderError cause", async () => {
      const error = await expectCode(testDriver.doGetVm('drv-missing', context()), 'NOT_FOUND');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('drv-missing');
      expect(error.cause).not.toBeInstanceOf(LibvirtError);
      expect(error.cause).toMatchObject({
        name: 'ProviderError',
        providerCode: expect.stringContaining(`libvirt error ${LibvirtErrorCode.NO_DOMAIN}`),
      });
      // The size is checked against the driver's options even next to resources, naming the known ones.
      const size = await expectCode(
        testDriver.doCreateVm(
          { name: 'drv-nosize', size: 'huge', resources: { vcpus: 1, memoryMiB: 64 } },
          createContext(),
        ),
        'INVALID_ARGUMENT',
      );
      expect(size.field).toBe('size');
      expect(size.message).toContain('tiny');
      await expectCode(
        testDriver.doCreateVm(
          { name: 'drv-nohost', size: 'tiny', location: { hostId: 'nope' } },
          createContext(),
        ),
        'NOT_FOUND',
      );
      await expectCode(
        testDriver.doCreateVm(
          { name: 'drv-nozone', size: 'tiny', location: { zone: 'rack-9' } },
          createContext(),
        ),
        'NO_CAPACITY',
      );
    });

    it('pages through VMs with a stable cursor and pushes host and state filters down', async () => {
      const names = Array.from({ length: 23 }, (_, index) => `drv-page-${String(index).padStart(2, '0')}`);
      await Promise.all(names.map((name) => testDriver.doCreateVm({ name, size: 'tiny' }, createContext())));
      await testDriver.doStopVm('drv-page-05', { force: true }, context());
      const seen: ProviderVm[] = [];
      let cursor: string | undefined;
      do {
        const page = await testDriver.doListVms(
          { pageSize: 7, ...(cursor === undefined ? {} : { cursor }) },
          context(),
        );
        expect(page.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen.map((vm) => vm.id).filter((id) => id.startsWith('drv-page-'))).toEqual(names);
      const stopped = await testDriver.doListVms({ filter: { states: ['stopped'] } }, context());
      expect(stopped.items.map((vm) => vm.id)).toContain('drv-page-05');
      expect(stopped.items.every((vm) => vm.state.name === 'stopped')).toBe(true);
      expect(
        (await testDriver.doListVms({ filter: { hostId: 'h1' } }, context())).items.length,
      ).toBeGreaterThan(0);
      await expectCode(testDriver.doListVms({ cursor: 'not a cursor!' }, context()), 'INVALID_ARGUMENT');
      // A catalog's cursor is not a VM list's, and an edited one is refused rather than read as the first page.
      const sizesCursor = Buffer.from(
        JSON.stringify({ d: 'kvm', l: 'sizes', p: { offset: 0 } }),
        'utf8',
      ).toString('base64url');
      const refused = await expectCode(
        testDriver.doListVms({ cursor: sizesCursor }, context()),
        'INVALID_ARGUMENT',
      );
      expect(refused.field).toBe('cursor');
      await expectCode(testDriver.doListSizes({ cursor: 'bm9wZQ' }), 'INVALID_ARGUMENT');
      await expectCode(testDriver.doListHosts({ cursor: 'MTAw' }, context()), 'INVALID_ARGUMENT');
      // A page size over the manifest's maxPageSize is capped at it, not refused or clamped to another number.
      const big = await testDriver.doListVms({ pageSize: 10_000 }, context());
      expect(big.items.length).toBeLessThanOrEqual(testDriver.capabilities.maxPageSize);
      await Promise.all(names.map((name) => testDriver.doDeleteVm(name, context())));
    });

    it('reports hosts from node info with allocation, and the catalog', async () => {
      const { items } = await testDriver.doListHosts({}, context());
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ id: 'h1', state: 'up', zone: 'rack-1', labels: { disk: 'ssd' } });
      expect(items[0]?.capacity.vcpus).toBeGreaterThan(0);
      expect(items[0]?.allocatable.vcpus).toBe((items[0]?.capacity.vcpus ?? 0) * 100);
      expect(items[0]?.allocated.memoryMiB).toBeGreaterThan(0);
      expect((await testDriver.doListSizes({})).items).toEqual([
        { name: 'tiny', resources: { vcpus: 1, memoryMiB: 64 } },
      ]);
      expect((await testDriver.doListImages({})).items.map((image) => image.id)).toEqual(['base']);
      expect((await testDriver.doListLocations({})).items).toEqual([{ id: 'rack-1', kind: 'zone' }]);
    });

    it('creates a VM on a qcow2 overlay of a base image and deletes the overlay with it', async () => {
      const client = testDriver.getClient().get('h1') as LibvirtClient;
      const pool = await client.lookupStoragePool('default-pool');
      const base = await client.createStorageVolume(
        pool,
        "<volume><name>base.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>",
      );
      try {
        const vm = await testDriver.doCreateVm(
          { name: 'drv-image', size: 'tiny', image: 'base' },
          createContext(),
        );
        expect(vm.image).toBe('base');
        const xml = await client.getDomainXml(await client.lookupDomainByName('drv-image'));
        expect(xml).toContain('drv-image-root.qcow2');
        expect((await client.lookupStorageVolume(pool, 'drv-image-root.qcow2')).name).toBe(
          'drv-image-root.qcow2',
        );
        await testDriver.doDeleteVm('drv-image', context());
        const gone = await client
          .lookupStorageVolume(pool, 'drv-image-root.qcow2')
          .catch((caught: unknown) => caught);
        expect(gone).toMatchObject({ code: LibvirtErrorCode.NO_STORAGE_VOL });
        await expectCode(
          testDriver.doCreateVm({ name: 'drv-noimage', size: 'tiny', image: 'nope' }, createContext()),
          'INVALID_ARGUMENT',
        );
      } finally {
        await client.deleteStorageVolume(base);
      }
    });

    it('declares no live migration for the test driver and refuses cold moves', async () => {
      expect(testDriver.capabilities.liveMigration).toBe(false);
      await expectCode(
        testDriver.doMigrateVm(
          { vmId: 'test', toHostId: 'h1', mode: 'cold', policy: {} },
          { ...context(), onProgress: () => undefined },
        ),
        'UNSUPPORTED',
      );
    });
  });

  describe('on a tiny qemu guest', () => {
    it('watches lifecycle events as vm.state and reads VM and host metrics', async () => {
      const events: DriverEvent[] = [];
      const stopWatching = await qemuDriver.doWatch((event) => events.push(event), {
        signal: new AbortController().signal,
      });
      try {
        const vm = await qemuDriver.doCreateVm(
          { name: 'drv-qemu', resources: { vcpus: 1, memoryMiB: 64 } },
          createContext(),
        );
        expect(vm.state).toMatchObject({ name: 'running', reason: 'booted' });
        const now = Date.now();
        const series = await qemuDriver.doReadMetrics(
          {
            target: { vmId: 'drv-qemu' },
            metrics: ['cpu.utilization', 'memory.used.bytes'],
            from: new Date(now - 60_000),
            to: new Date(now + 60_000),
            stepMs: 1_000,
          },
          context(),
        );
        const cpu = series.find((one) => one.metric === 'cpu.utilization');
        expect(cpu?.values.length).toBe(1);
        expect(cpu?.values[0]).toBeGreaterThanOrEqual(0);
        expect(cpu?.values[0]).toBeLessThanOrEqual(1);
        expect(series.find((one) => one.metric === 'memory.used.bytes')?.values[0]).toBeGreaterThan(0);
        const host = await qemuDriver.doReadMetrics(
          {
            target: { hostId: 'q1' },
            metrics: ['cpu.utilization', 'memory.utilization'],
            from: new Date(now - 60_000),
            to: new Date(now + 60_000),
            stepMs: 1_000,
          },
          context(),
        );
        expect(host.map((one) => one.metric).sort()).toEqual(['cpu.utilization', 'memory.utilization']);
        await qemuDriver.doSuspendVm('drv-qemu', context());
        await qemuDriver.doResumeVm('drv-qemu', context());
        await qemuDriver.doStopVm('drv-qemu', { force: true }, context());
        await until(
          async () => events,
          (list) =>
            list.some(
              (event) =>
                event.type === 'vm.state' && event.vmId === 'drv-qemu' && event.state.name === 'stopped',
            ),
          'a stopped event',
        );
        const names = events.flatMap((event) =>
          event.type === 'vm.state' && event.vmId === 'drv-qemu' ? [event.state.name] : [],
        );
        expect(names).toEqual(expect.arrayContaining(['running', 'suspended', 'stopped']));
        await qemuDriver.doDeleteVm('drv-qemu', context());
        await until(
          async () => events,
          (list) =>
            list.some(
              (event) =>
                event.type === 'vm.state' && event.vmId === 'drv-qemu' && event.state.name === 'terminated',
            ),
          'a terminated event',
        );
      } finally {
        await qemuDriver.doDeleteVm('drv-qemu', context()).catch(() => undefined);
        await stopWatching();
      }
    });

    it('stops gracefully, forcing off a guest that ignores ACPI after shutdownTimeoutMs', async () => {
      await qemuDriver.doCreateVm(
        { name: 'drv-acpi', resources: { vcpus: 1, memoryMiB: 64 } },
        createContext(),
      );
      try {
        await qemuDriver.doStopVm('drv-acpi', { force: false }, context());
        expect((await qemuDriver.doGetVm('drv-acpi', context())).state.name).toBe('stopped');
      } finally {
        await qemuDriver.doDeleteVm('drv-acpi', context());
      }
    });
  });
});
