import { randomUUID } from 'node:crypto';
import { type MigrationProgress, NovaCronError } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver, type KvmDriver } from '../src/index.js';
import type { LibvirtClient } from '../src/libvirt/index.js';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

const available = libvirtAvailable();

function context(signal = new AbortController().signal) {
  return { signal, operationId: randomUUID(), attempt: 1 };
}

describe.skipIf(!available)('live migration between two libvirtd daemons', () => {
  let source: LibvirtDaemon;
  let destination: LibvirtDaemon;
  let driver: KvmDriver;

  beforeAll(async () => {
    source = await startLibvirtDaemon({
      name: 'mig-src',
      hostUuid: '5a5a5a5a-0000-4000-8000-0000000000a1',
      migrationPortMin: 49152,
    });
    destination = await startLibvirtDaemon({
      name: 'mig-dst',
      hostUuid: '5a5a5a5a-0000-4000-8000-0000000000a2',
      migrationPortMin: 49300,
    });
    driver = createKvmDriver({
      hosts: [
        { id: 'src', uri: source.uri('qemu'), migrationDataUri: 'tcp://127.0.0.1' },
        { id: 'dst', uri: destination.uri('qemu'), migrationDataUri: 'tcp://127.0.0.1' },
      ],
      domainType: kvmAccelerationWorks() ? 'kvm' : 'qemu',
      migrationProgressIntervalMs: 50,
    });
    await driver.doCreateVm(
      { name: 'mig-tiny', resources: { vcpus: 1, memoryMiB: 64 }, location: { hostId: 'src' } },
      { ...context(), idempotencyKey: randomUUID() },
    );
  });

  afterAll(async () => {
    await driver?.doDeleteVm('mig-tiny', context()).catch(() => undefined);
    await driver?.close();
    await source?.stop();
    await destination?.stop();
  });

  const onHost = async (hostId: string): Promise<string[]> => {
    const client = driver.getClient().get(hostId) as LibvirtClient;
    return (await client.listAllDomains()).map((domain) => domain.name);
  };

  it('migrates a running guest there and back, with progress and an outcome', async () => {
    expect(await driver.checkMigration('mig-tiny', 'dst')).toEqual({ migratable: true, blockers: [] });
    const progress: MigrationProgress[] = [];
    const there = await driver.doMigrateVm(
      { vmId: 'mig-tiny', toHostId: 'dst', mode: 'live', policy: { maxDowntimeMs: 300, autoConverge: true } },
      { ...context(), onProgress: (report) => progress.push(report) },
    );
    expect(there.hostId).toBe('dst');
    expect(there.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(there.bytesTransferred).toBeGreaterThan(0);
    const moved = await driver.doGetVm('mig-tiny', context());
    expect(moved.location.hostId).toBe('dst');
    expect(moved.state).toMatchObject({ name: 'running', reason: 'migrated' });
    expect(await onHost('src')).not.toContain('mig-tiny');
    for (const report of progress) expect(report.bytesProcessed).toBeLessThanOrEqual(report.bytesTotal);
    const back = await driver.doMigrateVm(
      { vmId: 'mig-tiny', toHostId: 'src', mode: 'live', policy: {} },
      { ...context(), onProgress: () => undefined },
    );
    expect(back.hostId).toBe('src');
    expect((await driver.doGetVm('mig-tiny', context())).location.hostId).toBe('src');
    expect(await onHost('dst')).not.toContain('mig-tiny');
  });

  it('cancels a throttled migration part-way: the guest keeps running on the source', async () => {
    const controller = new AbortController();
    const progress: MigrationProgress[] = [];
    const migration = driver.doMigrateVm(
      { vmId: 'mig-tiny', toHostId: 'dst', mode: 'live', policy: { bandwidthMiBps: 1 } },
      {
        ...context(controller.signal),
        onProgress: (report) => {
          progress.push(report);
          // Part-way: once memory is moving.
          if (report.bytesProcessed > 0) controller.abort();
        },
      },
    );
    const error = await migration.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(NovaCronError.isInstance(error) && error.code).toBe('ABORTED');
    expect((error as Error).message).toMatch(/keeps running on host 'src'/);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.phase).toBe('transferring');
    expect(progress.at(-1)?.bytesRemaining).toBeGreaterThan(0);
    const vm = await driver.doGetVm('mig-tiny', context());
    expect(vm.location.hostId).toBe('src');
    expect(vm.state.name).toBe('running');
    expect(await onHost('dst')).not.toContain('mig-tiny');
  });

  it('aborts a migration that misses its completion timeout with TIMEOUT', async () => {
    const error = await driver
      .doMigrateVm(
        {
          vmId: 'mig-tiny',
          toHostId: 'dst',
          mode: 'live',
          policy: { bandwidthMiBps: 1, completionTimeoutMs: 300 },
        },
        { ...context(), onProgress: () => undefined },
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(NovaCronError.isInstance(error) && error.code).toBe('TIMEOUT');
    expect((await driver.doGetVm('mig-tiny', context())).state.name).toBe('running');
  });

  it('switches a migration that misses its completion timeout to post-copy when the policy says so', async () => {
    const outcome = await driver.doMigrateVm(
      {
        vmId: 'mig-tiny',
        toHostId: 'dst',
        mode: 'live',
        policy: { bandwidthMiBps: 1, completionTimeoutMs: 300, onTimeout: 'postcopy' },
      },
      { ...context(), onProgress: () => undefined },
    );
    expect(outcome.hostId).toBe('dst');
    const moved = await driver.doGetVm('mig-tiny', context());
    expect(moved.location.hostId).toBe('dst');
    expect(moved.state.name).toBe('running');
    await driver.doMigrateVm(
      { vmId: 'mig-tiny', toHostId: 'src', mode: 'live', policy: {} },
      { ...context(), onProgress: () => undefined },
    );
  });

  it('says what blocks a migration and refuses it with CONFLICT', async () => {
    await driver.doStopVm('mig-tiny', { force: true }, context());
    try {
      const check = await driver.checkMigration('mig-tiny', 'dst');
      expect(check.migratable).toBe(false);
      expect(check.blockers.join(' ')).toMatch(/shutoff/);
      const error = await driver
        .doMigrateVm(
          { vmId: 'mig-tiny', toHostId: 'dst', mode: 'live', policy: {} },
          { ...context(), onProgress: () => undefined },
        )
        .catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(error) && error.code).toBe('CONFLICT');
      const unknownHost = await driver
        .checkMigration('mig-tiny', 'nowhere')
        .catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(unknownHost) && unknownHost.code).toBe('NOT_FOUND');
    } finally {
      await driver.doStartVm('mig-tiny', context());
    }
  });
});
