import { describe, expect, it } from 'vitest';
import { createKvmDriver } from './kvm-driver.js';

// Making a driver opens no connection (init is lazy), so these need no libvirtd.
const host = { id: 'host-1', uri: 'qemu:///system' };

describe('kvm options', () => {
  it('refuses an unknown option with a TypeError naming it and listing the accepted ones', () => {
    const call = () => createKvmDriver({ hosts: [host], domaintype: 'kvm' } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      /createKvmDriver: unknown option 'domaintype'\. Accepted options: hosts, domainType, /,
    );
  });

  it('checks host entries, images, sizes and the migration policy', () => {
    expect(() => createKvmDriver({ hosts: [{ ...host, zones: 'a' }] } as never)).toThrow(
      /'hosts\[0\]\.zones'.*migrationUri/,
    );
    expect(() =>
      createKvmDriver({ hosts: [host], images: { deb: { pool: 'p', volum: 'v' } } } as never),
    ).toThrow(/'images\.deb\.volum'/);
    expect(() =>
      createKvmDriver({ hosts: [host], sizes: { small: { vcpu: 1, memoryMiB: 512 } } } as never),
    ).toThrow(/'sizes\.small\.vcpu'.*vcpus, memoryMiB/);
    expect(() => createKvmDriver({ hosts: [host], migrationPolicy: { maxDowntime: 5 } } as never)).toThrow(
      /'migrationPolicy\.maxDowntime'.*maxDowntimeMs/,
    );
  });

  it('accepts every documented option', () => {
    expect(() =>
      createKvmDriver({
        hosts: [
          {
            ...host,
            labels: { a: 'b' },
            zone: 'z',
            overcommit: { vcpus: 2 },
            migrationUri: 'x',
            migrationDataUri: 'y',
          },
        ],
        domainType: 'test',
        emulator: '/usr/bin/qemu',
        machine: 'pc',
        network: 'default',
        sizes: { small: { vcpus: 1, memoryMiB: 512 } },
        images: { deb: { pool: 'default', volume: 'deb.qcow2', defaultDiskGiB: 10, os: 'linux' } },
        client: { keepaliveIntervalMs: 5_000 },
        migrationPolicy: { maxDowntimeMs: 300, autoConverge: true },
        migrationProgressIntervalMs: 500,
        shutdownTimeoutMs: 1_000,
        metricsSampleGapMs: 1_000,
      }),
    ).not.toThrow();
  });
});
