import { NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import {
  buildDomainXml,
  type KvmDomainDefinition,
  NOVACRON_XML_NAMESPACE,
  parseDomainXml,
} from './kvm-domain-xml.js';
import { deviceMigrationBlockers } from './kvm-fleet-migration.js';

const NS = NOVACRON_XML_NAMESPACE;

function definition(metadata: Partial<KvmDomainDefinition['metadata']> = {}): KvmDomainDefinition {
  return {
    name: 'web-1',
    domainType: 'test',
    vcpus: 1,
    memoryMiB: 64,
    machine: 'pc',
    metadata: { tags: {}, ...metadata },
  };
}

function domain(body: string, type = 'qemu'): string {
  return `<domain type='${type}'><name>x</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>${body}</domain>`;
}

function refusal(run: () => unknown): NovaCronError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(NovaCronError.isInstance(caught), `expected a NovaCronError, got ${String(caught)}`).toBe(true);
  return caught as NovaCronError;
}

describe('domain XML: hostile and real-world input', () => {
  it('decodes numeric character references (libvirt writes José as Jos&#xE9;)', () => {
    const parsed = parseDomainXml(
      domain(
        `<memory unit='KiB'>65536</memory><metadata><nc:novacron xmlns:nc="${NS}"><nc:tags>` +
          `<nc:tag key="owner" value="Jos&#xE9;"/><nc:tag key="rocket" value="&#x1F680; &#233;t&#xe9;"/>` +
          `<nc:tag key="amp" value="a&amp;b&lt;c&gt;&quot;&apos;"/></nc:tags></nc:novacron></metadata>`,
      ),
    );
    expect(parsed.metadata.tags).toEqual({ owner: 'José', rocket: '🚀 été', amp: `a&b<c>"'` });
  });

  it('reads a domain nested about 100 deep (a long qcow2 backing chain) and refuses absurd depth clearly', () => {
    const chain = (depth: number): string =>
      `<backingStore type='file'><format type='qcow2'/><source file='/images/layer-${depth}.qcow2'/>${
        depth > 1 ? chain(depth - 1) : '<backingStore/>'
      }</backingStore>`;
    const deep = domain(
      `<memory unit='KiB'>65536</memory><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>` +
        `<source file='/images/top.qcow2'/>${chain(120)}<target dev='vda' bus='virtio'/></disk></devices>`,
    );
    const parsed = parseDomainXml(deep);
    expect(parsed.disks).toMatchObject([{ type: 'file', target: 'vda', source: '/images/top.qcow2' }]);
    const absurd = domain(`<memory unit='KiB'>65536</memory>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`);
    const error = refusal(() => parseDomainXml(absurd));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/nested deeper than \d+ elements/);
  });

  it("reads only the driver's own namespace: a foreign <novacron> (other URI or none) is not NovaCron's", () => {
    const foreign = (attributes: string, prefix: string) =>
      parseDomainXml(
        domain(
          `<memory unit='KiB'>65536</memory><metadata><${prefix}novacron ${attributes}>` +
            `<${prefix}root-volume pool="default" name="victim.qcow2"/><${prefix}idempotency-key>k</${prefix}idempotency-key>` +
            `<${prefix}tags><${prefix}tag key="a" value="b"/></${prefix}tags></${prefix}novacron></metadata>`,
        ),
      ).metadata;
    for (const metadata of [
      foreign('xmlns:nc="https://example.com/not-novacron"', 'nc:'),
      foreign('xmlns="https://example.com/not-novacron"', ''),
      foreign('', ''),
      foreign(`xmlns:nc="${NS}/"`, 'nc:'),
    ]) {
      expect(metadata.rootVolume).toBeUndefined();
      expect(metadata.idempotencyKey).toBeUndefined();
      expect(metadata.tags).toEqual({});
    }
    // Our URI counts whatever the prefix, also as the default namespace.
    expect(foreign(`xmlns="${NS}"`, '').rootVolume).toEqual({ pool: 'default', name: 'victim.qcow2' });
  });

  it('round-trips whitespace in keys and tag values exactly', () => {
    const tags = {
      spaced: '  two  spaces  ',
      lines: 'line 1\nline 2\r\nline 3\rend',
      tabs: '\tindented\t',
      empty: '',
      ' key with spaces ': ' ',
    };
    const parsed = parseDomainXml(buildDomainXml(definition({ tags, idempotencyKey: ' k ' })));
    expect(parsed.metadata.idempotencyKey).toBe(' k ');
    expect(parsed.metadata.tags).toEqual(tags);
  });

  it('refuses characters XML 1.0 cannot carry, naming the tag, before anything is built', () => {
    const error = refusal(() =>
      buildDomainXml(definition({ tags: { secret: 'token-abc', bad: 'a\u0001b' } })),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('tags.bad');
    expect(error.message).toContain("'bad'");
    expect(error.message).toContain('U+0001');
    expect(error.message).not.toContain('token-abc');
    expect(refusal(() => buildDomainXml(definition({ tags: { 'k\u0000': 'v' } }))).field).toBe('tags');
    expect(refusal(() => buildDomainXml(definition({ idempotencyKey: 'k\uD800' }))).field).toBe(
      'idempotencyKey',
    );
  });

  it('refuses empty and non-XML input instead of reading defaults', () => {
    for (const input of [
      '',
      '   ',
      'not xml',
      '<domain',
      '<other/>',
      '<domain><name>x</domain>',
      '<a/><b/>',
    ]) {
      const error = refusal(() => parseDomainXml(input));
      expect(error.code).toBe('INVALID_ARGUMENT');
    }
  });

  it("follows libvirt's memory units: b/bytes, k/KiB=1024, KB=1000 ... up to E/EiB/EB", () => {
    const cases: Array<[string, string, number]> = [
      ['b', String(64 * 1024 * 1024), 64],
      ['bytes', String(64 * 1024 * 1024), 64],
      ['k', '65536', 64],
      ['KiB', '65536', 64],
      ['KB', '2097152', 2000],
      ['M', '64', 64],
      ['MB', '1048576', 1_000_000],
      ['G', '2', 2048],
      ['GB', '1', 954],
      ['T', '1', 1024 * 1024],
      ['TiB', '1', 1024 * 1024],
      ['TB', '1', 953_675],
      ['P', '1', 1024 ** 3],
      ['PiB', '1', 1024 ** 3],
      ['PB', '1', 953_674_317],
      ['E', '1', 1024 ** 4],
      ['EiB', '1', 1024 ** 4],
      ['eb', '1', 953_674_316_407],
    ];
    for (const [unit, value, mib] of cases) {
      expect(parseDomainXml(domain(`<memory unit='${unit}'>${value}</memory>`)).maxMemoryMiB, unit).toBe(mib);
    }
    expect(parseDomainXml(domain(`<memory>65536</memory>`)).maxMemoryMiB).toBe(64);
    for (const bad of [
      `<memory unit='parsecs'>1</memory>`,
      `<memory unit='KiB'>1.5</memory>`,
      `<memory unit='KiB'>-1</memory>`,
    ]) {
      expect(refusal(() => parseDomainXml(domain(bad))).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('refuses a DOCTYPE (no entity is ever expanded)', () => {
    const error = refusal(() =>
      parseDomainXml(
        `<?xml version="1.0"?><!DOCTYPE domain [<!ENTITY boom "expanded">]>${domain(
          `<memory unit='KiB'>65536</memory><description>&boom;</description>`,
        )}`,
      ),
    );
    expect(error.message).toContain('DOCTYPE');
    expect(
      refusal(() => parseDomainXml(domain(`<memory unit='KiB'>65536</memory><title>&boom;</title>`))).message,
    ).toContain('&boom;');
  });

  it('keeps a tag named __proto__ (and other Object.prototype names) as a plain tag', () => {
    const tags = JSON.parse('{"__proto__":"p","constructor":"c","toString":"t"}') as Record<string, string>;
    const parsed = parseDomainXml(buildDomainXml(definition({ tags })));
    expect(Object.keys(parsed.metadata.tags).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(parsed.metadata.tags, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(parsed.metadata.tags)).toBeNull();
  });

  it('names passthrough NICs, host devices, NVMe disks and pool-volume disks as migration blockers', () => {
    const parsed = parseDomainXml(
      domain(`<memory unit='KiB'>65536</memory><devices>
        <disk type='nvme' device='disk'><source type='pci' managed='yes' namespace='1'><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source><target dev='vdb' bus='virtio'/></disk>
        <disk type='volume' device='disk'><source pool='pool-disk' volume='vol1'/><target dev='vdc' bus='virtio'/></disk>
        <disk type='network' device='disk'><source protocol='rbd' name='pool/image'/><target dev='vdd' bus='virtio'/></disk>
        <interface type='hostdev' managed='yes'><mac address='52:54:00:AA:bb:01'/><source><address type='pci' domain='0x0000' bus='0x03' slot='0x07' function='0x1'/></source></interface>
        <interface type='network'><mac address='52:54:00:aa:bb:02'/><source network='default'/></interface>
        <hostdev mode='subsystem' type='usb' managed='no'><source><address bus='14' device='6'/></source></hostdev>
      </devices>`),
    );
    expect(parsed.interfaces.map((nic) => nic.mac)).toEqual(['52:54:00:aa:bb:01', '52:54:00:aa:bb:02']);
    const blockers = deviceMigrationBlockers(parsed, 'x', 'host-1').join('\n');
    expect(blockers).toContain('52:54:00:aa:bb:01');
    expect(blockers).toMatch(/usb/);
    expect(blockers).toMatch(/vdb.*NVMe/);
    expect(blockers).toMatch(/vdc.*pool-disk/);
    expect(blockers).not.toContain('vdd');
    expect(blockers).not.toContain('52:54:00:aa:bb:02');
  });

  it('reads current and maximum vCPUs and memory (ballooned, hot-plugged guests) and refuses what libvirt refuses', () => {
    const parsed = parseDomainXml(
      domain(
        `<maxMemory slots='4' unit='GiB'>8</maxMemory><memory unit='MiB'>2048</memory><currentMemory unit='MiB'>1024</currentMemory><vcpu current='2'>4</vcpu>`,
      ),
    );
    expect(parsed).toMatchObject({
      vcpus: 2,
      maxVcpus: 4,
      memoryMiB: 1024,
      maxMemoryMiB: 2048,
      hotplugMemoryLimitMiB: 8192,
    });
    // libvirt: a currentMemory above memory (or none) is memory; no <vcpu> is one vCPU.
    expect(
      parseDomainXml(domain(`<memory unit='MiB'>64</memory><currentMemory unit='MiB'>99</currentMemory>`)),
    ).toMatchObject({
      memoryMiB: 64,
      vcpus: 1,
      maxVcpus: 1,
    });
    for (const bad of [
      `<vcpu current='5'>4</vcpu><memory unit='MiB'>64</memory>`,
      `<vcpu>0</vcpu><memory unit='MiB'>64</memory>`,
      `<currentMemory unit='MiB'>64</currentMemory>`,
      `<maxMemory slots='4' unit='MiB'>32</maxMemory><memory unit='MiB'>64</memory>`,
      `<memory unit='MiB'>64</memory><devices><interface type='network'><mac address='01:00:5e:00:00:01'/></interface></devices>`,
    ]) {
      expect(refusal(() => parseDomainXml(domain(bad))).code, bad).toBe('INVALID_ARGUMENT');
    }
  });
});
