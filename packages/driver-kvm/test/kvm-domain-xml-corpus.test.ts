import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { type KvmDomainDescription, parseDomainXml } from '../src/kvm-domain-xml.js';
import { deviceMigrationBlockers } from '../src/kvm-fleet-migration.js';

// libvirt's own domain XML (LGPL test data), read where it lives beside the repository: never copied into it.
const CORPUS = fileURLToPath(new URL('../../../../shared/data/libvirt-domain-xml/', import.meta.url));
const present = existsSync(join(CORPUS, 'MANIFEST.tsv'));
if (!present) {
  const reason = `the libvirt domain XML corpus is missing at ${CORPUS} (see its README.md for where it comes from)`;
  if (process.env.CI === 'true')
    throw new Error(`driver-kvm corpus tests need their data under CI, but ${reason}`);
  console.warn(`[driver-kvm] skipping the libvirt corpus tests: ${reason}`);
}

interface Entry {
  path: string;
  chars: number;
}

function manifest(): Entry[] {
  if (!present) return [];
  return readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [path, , chars] = line.split('\t');
      return { path: path as string, chars: Number(chars) };
    });
}

/**
 * Documents libvirt's own parser refuses, though its schema accepts them (these come from the schema-only tests):
 * no memory at all. Domains of every type (qemu, kvm, test, lxc, vz, openvz) are read by the same rules.
 */
const REFUSED: Record<string, RegExp> = {
  'tests/domainschemadata/domain-perf-simple.xml':
    /memory size must be specified via <memory> or in the <numa>/,
  'tests/domainschemadata/domain-openvz-simple.xml':
    /memory size must be specified via <memory> or in the <numa>/,
};

/** What specific documents must read as (values worked out by hand from the files and libvirt's rules). */
const EXPECTED: Record<string, (description: KvmDomainDescription) => void> = {
  'tests/genericxml2xmlindata/vcpus-individual.xml': (d) =>
    expect(d).toMatchObject({ vcpus: 2, maxVcpus: 4 }),
  'tests/qemuxml2argvdata/cpu-hotplug-startup.xml': (d) => expect(d).toMatchObject({ vcpus: 3, maxVcpus: 6 }),
  // <memory unit='MiB'>214</memory>, <currentMemory unit='KiB'>219136</currentMemory> (= 214 MiB).
  'tests/qemuxml2argvdata/memtune.xml': (d) => expect(d).toMatchObject({ memoryMiB: 214, maxMemoryMiB: 214 }),
  // A ballooned guest: 2 GiB maximum, 512288 KiB current (500.28 MiB, rounded up).
  'tests/qemuxml2argvdata/tpm-emulator.xml': (d) =>
    expect(d).toMatchObject({ memoryMiB: 501, maxMemoryMiB: 2048 }),
  // <maxMemory slots='9' unit='KiB'>1233456789</maxMemory>
  'tests/domainschemadata/maxMemory.xml': (d) =>
    expect(d).toMatchObject({ maxMemoryMiB: 214, hotplugMemoryLimitMiB: 1_204_548 }),
  'tests/domainschemadata/domain-lxc-simple.xml': (d) =>
    expect(d).toMatchObject({ domainType: 'lxc', memoryMiB: 489, maxMemoryMiB: 489, vcpus: 1 }),
  'tests/domainschemadata/domain-parallels-ct-simple.xml': (d) =>
    expect(d).toMatchObject({ domainType: 'vz', memoryMiB: 256, vcpus: 8 }),
  'tests/qemuxml2argvdata/name-escape.xml': (d) => expect(d.name).toBe('foo=1,bar=2'),
  'tests/qemuxml2argvdata/metadata.xml': (d) =>
    expect(d.metadata).toMatchObject({ tags: {}, rootVolume: undefined }),
  'tests/qemuxml2argvdata/net-hostdev.xml': (d) => {
    expect(d.interfaces).toMatchObject([
      { type: 'hostdev', mac: '00:11:22:33:44:55', source: '0000:03:07.1' },
    ]);
    expect(deviceMigrationBlockers(d, 'vm', 'h').join(' ')).toContain('NIC 00:11:22:33:44:55');
  },
  'tests/qemuxml2argvdata/disk-nvme.xml': (d) => {
    expect(d.disks.filter((disk) => disk.type === 'nvme').length).toBeGreaterThan(0);
    expect(deviceMigrationBlockers(d, 'vm', 'h').join(' ')).toMatch(
      /Disk vda of VM vm is an NVMe controller/,
    );
  },
  'tests/qemuxml2argvdata/disk-source-pool.xml': (d) =>
    expect(deviceMigrationBlockers(d, 'vm', 'h').join(' ')).toContain("pool 'pool-disk' volume 'dir+vol1'"),
  'tests/qemuxml2argvdata/hostdev-usb-address.xml': (d) => {
    expect(d.hostDevices).toEqual([{ mode: 'subsystem', type: 'usb' }]);
    expect(deviceMigrationBlockers(d, 'vm', 'h').join(' ')).toContain('usb host device');
  },
  'tests/genericxml2xmlindata/network-interface-mac-check.xml': (d) =>
    expect(d.interfaces.map((nic) => nic.mac)).toEqual(
      expect.arrayContaining(['aa:bb:cc:dd:ee:fd', 'aa:bb:cc:dd:ee:fe']),
    ),
  'tests/qemuxml2argvdata/disk-network-rbd.xml': (d) =>
    expect(deviceMigrationBlockers(d, 'vm', 'h').filter((line) => line.includes('rbd'))).toEqual([]),
};

function count(xml: string, pattern: RegExp): number {
  return xml.match(pattern)?.length ?? 0;
}

describe.skipIf(!present)('libvirt domain XML corpus (libvirt-written documents)', () => {
  const entries = manifest();

  it('has the 84 documents of its manifest', () => {
    expect(entries).toHaveLength(84);
    for (const name of [...Object.keys(REFUSED), ...Object.keys(EXPECTED)]) {
      expect(entries.map((entry) => entry.path)).toContain(name);
    }
  });

  it.each(entries.map((entry) => [entry.path, entry] as const))('%s', (path, entry) => {
    const xml = readFileSync(join(CORPUS, path), 'utf8');
    expect(xml.length, 'the file is the one the manifest describes').toBe(entry.chars);
    const refusal = REFUSED[path];
    if (refusal !== undefined) {
      const error = (() => {
        try {
          parseDomainXml(xml);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(NovaCronError.isInstance(error)).toBe(true);
      expect((error as NovaCronError).code).toBe('INVALID_ARGUMENT');
      expect((error as NovaCronError).message).toMatch(refusal);
      return;
    }
    const description = parseDomainXml(xml);
    // libvirt's rules: 1 <= current vCPUs <= maximum; 0 < current memory <= maximum <= hot-plug limit.
    expect(description.name).toBe(/<name>([^<]*)<\/name>/.exec(xml)?.[1]);
    expect(description.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(description.vcpus).toBeGreaterThanOrEqual(1);
    expect(description.vcpus).toBeLessThanOrEqual(description.maxVcpus);
    if (/<vcpus>/.test(xml)) expect(count(xml, /enabled='yes'/g)).toBe(description.vcpus);
    expect(description.memoryMiB).toBeGreaterThan(0);
    expect(description.memoryMiB).toBeLessThanOrEqual(description.maxMemoryMiB);
    if (description.hotplugMemoryLimitMiB !== undefined) {
      expect(description.hotplugMemoryLimitMiB).toBeGreaterThanOrEqual(description.maxMemoryMiB);
    }
    // Every disk, NIC (with its MAC, normalised) and host device is read.
    expect(description.disks).toHaveLength(count(xml, /<disk\b/g));
    expect(description.interfaces).toHaveLength(count(xml, /<interface\b/g));
    expect(description.hostDevices).toHaveLength(count(xml, /<hostdev\b/g));
    const macs = description.interfaces.flatMap((nic) => (nic.mac === undefined ? [] : [nic.mac]));
    expect(macs).toHaveLength(count(xml, /<mac address=/g));
    for (const mac of macs) expect(mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    for (const disk of description.disks) expect(disk.target).not.toBe('');
    // None of libvirt's documents is NovaCron's: foreign metadata never reads as ours.
    expect(description.metadata.idempotencyKey).toBeUndefined();
    expect(Object.keys(description.metadata.tags)).toEqual([]);
    EXPECTED[path]?.(description);
  });
});
