import { describe, expect, it } from 'vitest';
import {
  buildDomainXml,
  buildMetadataElementXml,
  buildOverlayVolumeXml,
  NOVACRON_XML_NAMESPACE,
  parseDomainXml,
} from './kvm-domain-xml.js';
import { mapDomainState } from './kvm-state-map.js';

describe('domain XML', () => {
  it('escapes every user value and round-trips the metadata', () => {
    const tags = { 'a&b': '<script>"x"</script>', quote: "it's" };
    const xml = buildDomainXml({
      name: 'web-1',
      domainType: 'kvm',
      vcpus: 2,
      memoryMiB: 512,
      emulator: '/usr/bin/qemu-system-x86_64',
      machine: 'pc',
      rootDiskPath: '/var/lib/libvirt/images/web-1-root.qcow2',
      network: 'default',
      metadata: {
        tags,
        idempotencyKey: 'k-1',
        size: 'small',
        image: 'debian',
        createdAt: '2026-01-01T00:00:00.000Z',
        rootVolume: { pool: 'default', name: 'web-1-root.qcow2' },
      },
    });
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;');
    const parsed = parseDomainXml(xml);
    expect(parsed).toMatchObject({
      name: 'web-1',
      domainType: 'kvm',
      vcpus: 2,
      memoryMiB: 512,
      hostDevices: [],
      disks: [
        { type: 'file', target: 'vda', source: '/var/lib/libvirt/images/web-1-root.qcow2', shareable: false },
      ],
      metadata: {
        tags,
        idempotencyKey: 'k-1',
        size: 'small',
        image: 'debian',
        rootVolume: { pool: 'default', name: 'web-1-root.qcow2' },
      },
    });
  });

  it('reads what libvirt writes back: KiB memory, host devices, other namespace prefixes', () => {
    const parsed = parseDomainXml(`<domain type='qemu' id='3'>
      <name>x</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
      <metadata><novacron:novacron xmlns:novacron="https://novacron.dev/xmlns/kvm/1"><novacron:tags><novacron:tag key="k" value="v"/></novacron:tags></novacron:novacron></metadata>
      <memory unit='KiB'>65536</memory><vcpu placement='static'>1</vcpu>
      <devices><hostdev mode='subsystem' type='pci'/><disk type='network' device='disk'><source protocol='rbd' name='pool/img'/></disk></devices>
    </domain>`);
    expect(parsed).toMatchObject({
      uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
      memoryMiB: 64,
      vcpus: 1,
      hostDevices: [{ mode: 'subsystem', type: 'pci' }],
      disks: [{ type: 'network', source: 'rbd:pool/img' }],
      metadata: { tags: { k: 'v' } },
    });
  });

  it('round-trips the first-start record: pending after the define, a time once started, neither in older domains', () => {
    const definition = {
      name: 'web-1',
      domainType: 'test' as const,
      vcpus: 1,
      memoryMiB: 64,
      machine: 'pc',
    };
    const pending = buildDomainXml({ ...definition, metadata: { tags: {}, startPending: true } });
    expect(pending).toContain('<nc:start-pending/>');
    expect(parseDomainXml(pending).metadata).toMatchObject({ startPending: true, startedAt: undefined });
    const started = buildDomainXml({
      ...definition,
      metadata: { tags: {}, startedAt: '2026-01-01T00:00:01.000Z' },
    });
    expect(parseDomainXml(started).metadata).toMatchObject({
      startPending: undefined,
      startedAt: '2026-01-01T00:00:01.000Z',
    });
    const older = parseDomainXml(buildDomainXml({ ...definition, metadata: { tags: {} } })).metadata;
    expect(older.startPending).toBeUndefined();
    expect(older.startedAt).toBeUndefined();
  });

  it('builds the metadata element virDomainSetMetadata takes: unqualified, escaped, checked', () => {
    const xml = buildMetadataElementXml({
      tags: { team: 'a<b>&"c\'', ' ': '\t' },
      idempotencyKey: ' k ',
      specSha256: 'ab',
      createdAt: '2026-01-01T00:00:00.000Z',
      rootVolume: { pool: 'p', name: 'v' },
      startedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(xml.startsWith('<novacron>')).toBe(true);
    expect(xml).not.toContain('nc:');
    expect(xml).not.toContain('xmlns');
    expect(xml).toContain('&lt;b&gt;&amp;&quot;c&apos;');
    // As libvirt stores it: every element in NovaCron's namespace under the key it was given.
    const stored = xml
      .replace(/<(\/?)([a-z-]+)/g, '<$1nc:$2')
      .replace('<nc:novacron', `<nc:novacron xmlns:nc="${NOVACRON_XML_NAMESPACE}"`);
    const read = parseDomainXml(
      `<domain type='test'><name>x</name><memory>65536</memory><metadata>${stored}</metadata></domain>`,
    ).metadata;
    expect(read).toMatchObject({
      tags: { team: 'a<b>&"c\'', ' ': '\t' },
      idempotencyKey: ' k ',
      specSha256: 'ab',
      rootVolume: { pool: 'p', name: 'v' },
      startedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(() => buildMetadataElementXml({ tags: { bad: 'x\u0001' } })).toThrow(/cannot carry/);
  });

  it('builds a qcow2 overlay volume on a backing path', () => {
    const xml = buildOverlayVolumeXml({
      name: 'a.qcow2',
      capacityGiB: 10,
      backingPath: '/images/base & co.qcow2',
    });
    expect(xml).toContain('<backingStore><path>/images/base &amp; co.qcow2</path>');
  });
});

describe('state mapping', () => {
  it.each([
    [1, 1, false, 'running', 'booted'],
    [1, 2, false, 'running', 'migrated'],
    [1, 1, true, 'migrating', 'booted'],
    [3, 1, false, 'suspended', 'user'],
    [3, 2, false, 'migrating', 'migration'],
    [3, 11, false, 'pending', 'starting-up'],
    [4, 1, false, 'stopping', 'user'],
    [5, 2, false, 'stopped', 'destroyed'],
    [5, 6, false, 'error', 'failed'],
    [6, 1, false, 'error', 'panicked'],
    [7, 0, false, 'suspended', 'unknown'],
    [0, 0, false, 'unknown', 'unknown'],
  ])('libvirt state %i reason %i (migrating %s) is %s / %s', (state, reason, migrating, name, reasonName) => {
    expect(mapDomainState(state, reason, migrating)).toMatchObject({ name, reason: reasonName });
  });
});
