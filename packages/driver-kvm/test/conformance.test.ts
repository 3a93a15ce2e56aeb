import { testDriver } from '@novacron/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKvmDriver } from '../src/index.js';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

const available = libvirtAvailable();

/** The capability manifest of a driver of this domain type (made without connecting anywhere). */
function manifestOf(domainType: 'test' | 'qemu') {
  return createKvmDriver({ hosts: [{ id: 'manifest', uri: `${domainType}:///default` }], domainType })
    .capabilities;
}

describe.skipIf(!available)('kvm conformance', () => {
  let testDaemon: LibvirtDaemon;
  let source: LibvirtDaemon;
  let destination: LibvirtDaemon;

  beforeAll(async () => {
    testDaemon = await startLibvirtDaemon({ name: 'conf-test' });
    source = await startLibvirtDaemon({ name: 'conf-src', migrationPortMin: 49400 });
    destination = await startLibvirtDaemon({ name: 'conf-dst', migrationPortMin: 49500 });
  });

  afterAll(async () => {
    await testDaemon?.stop();
    await source?.stop();
    await destination?.stop();
  });

  // Fast: libvirt's test driver (test:///default) hosted by a real daemon, with the full 2,500-VM pagination run.
  // The test driver cannot migrate, so the driver declares liveMigration: false for it.
  testDriver({
    name: 'kvm on test:///default through libvirtd',
    factory: () =>
      createKvmDriver({
        hosts: [
          {
            id: 'test-host',
            uri: testDaemon.uri('test'),
            zone: 'lab',
            overcommit: { vcpus: 1000, memoryMiB: 1000 },
          },
        ],
        domainType: 'test',
        sizes: { tiny: { vcpus: 1, memoryMiB: 64 } },
        images: { base: { pool: 'default-pool', volume: 'base.qcow2' } },
        metricsSampleGapMs: 100,
        shutdownTimeoutMs: 5_000,
      }),
    createSpec: (name) => ({ name, resources: { vcpus: 1, memoryMiB: 64 } }),
    // The suite reads the manifest while it registers, before beforeAll starts the daemons.
    capabilities: manifestOf('test'),
  });

  // Real tiny qemu guests on two daemons: lifecycle, events, metrics and live migration between hosts. Pagination
  // is covered above; 2,500 real qemu processes would not fit a CI machine, hence 0 here.
  testDriver({
    name: 'kvm on qemu guests across two daemons',
    factory: () =>
      createKvmDriver({
        hosts: [
          { id: 'src', uri: source.uri('qemu'), zone: 'rack-1', migrationDataUri: 'tcp://127.0.0.1' },
          { id: 'dst', uri: destination.uri('qemu'), zone: 'rack-2', migrationDataUri: 'tcp://127.0.0.1' },
        ],
        domainType: kvmAccelerationWorks() ? 'kvm' : 'qemu',
        sizes: { tiny: { vcpus: 1, memoryMiB: 64 } },
        images: { base: { pool: 'default', volume: 'base.qcow2' } },
        metricsSampleGapMs: 200,
        migrationProgressIntervalMs: 100,
        shutdownTimeoutMs: 2_000,
      }),
    createSpec: (name) => ({ name, resources: { vcpus: 1, memoryMiB: 64 } }),
    capabilities: manifestOf('qemu'),
    paginationVmCount: 0,
  });
});
