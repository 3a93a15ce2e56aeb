import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** The XML namespace of NovaCron's own `<metadata>` element in a domain. */
export const NOVACRON_XML_NAMESPACE = 'https://novacron.dev/xmlns/kvm/1';

/** What NovaCron keeps inside a domain's `<metadata>` (it travels with the domain, also on migration). */
export interface KvmDomainMetadata {
  /** Tags as string pairs. */
  tags: Record<string, string>;
  /** The idempotency key of the create that made the domain. */
  idempotencyKey?: string | undefined;
  /** The size name it was created from. */
  size?: string | undefined;
  /** The image name it was created from. */
  image?: string | undefined;
  /** ISO creation time. */
  createdAt?: string | undefined;
  /** The root overlay volume NovaCron created for it (deleted with the VM). */
  rootVolume?: { pool: string; name: string } | undefined;
}

/** What {@link buildDomainXml} turns into a `<domain>`. */
export interface KvmDomainDefinition {
  /** The domain's name (already validated). */
  name: string;
  /** `kvm` (hardware) or `qemu` (TCG software emulation) or `test` (libvirt's test driver). */
  domainType: 'kvm' | 'qemu' | 'test';
  /** Virtual CPUs. */
  vcpus: number;
  /** Memory in MiB. */
  memoryMiB: number;
  /** The qemu binary; omitted for the test driver. */
  emulator?: string | undefined;
  /** Machine type. */
  machine: string;
  /** A qcow2 root disk by path. */
  rootDiskPath?: string | undefined;
  /** A libvirt network to attach one virtio NIC to. */
  network?: string | undefined;
  /** A user-data string (stored as metadata only: NovaCron does not build a cloud-init ISO). */
  metadata: KvmDomainMetadata;
}

/** A domain as NovaCron reads it back from libvirt's XML. */
export interface KvmDomainDescription {
  /** Name. */
  name: string;
  /** UUID string. */
  uuid: string;
  /** Domain type (`kvm`, `qemu`, `test`). */
  domainType: string;
  /** Virtual CPUs. */
  vcpus: number;
  /** Memory in MiB. */
  memoryMiB: number;
  /** Disks that are files or block devices on the host (not network disks): what blocks migration without shared storage. */
  localDisks: { target: string; source: string; shareable: boolean }[];
  /** Whether host devices are passed through (they block live migration). */
  hasHostDevices: boolean;
  /** NovaCron's metadata. */
  metadata: KvmDomainMetadata;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['disk', 'tag', 'hostdev', 'interface'].includes(name),
});

const MEMORY_UNITS_TO_MIB: Record<string, number> = {
  b: 1 / (1024 * 1024),
  bytes: 1 / (1024 * 1024),
  k: 1 / 1024,
  kib: 1 / 1024,
  kb: 1000 / (1024 * 1024),
  m: 1,
  mib: 1,
  mb: 1e6 / (1024 * 1024),
  g: 1024,
  gib: 1024,
  gb: 1e9 / (1024 * 1024),
};

/**
 * Builds libvirt domain XML with fast-xml-parser's builder: every user value goes through the builder, which
 * escapes it, never through string concatenation.
 *
 * @example
 * buildDomainXml({ name: 'web-1', domainType: 'kvm', vcpus: 1, memoryMiB: 512, machine: 'pc', metadata: { tags: {} } });
 */
export function buildDomainXml(definition: KvmDomainDefinition): string {
  const metadata = definition.metadata;
  const novacron: Record<string, unknown> = { '@_xmlns:nc': NOVACRON_XML_NAMESPACE };
  if (metadata.idempotencyKey !== undefined) novacron['nc:idempotency-key'] = metadata.idempotencyKey;
  if (metadata.size !== undefined) novacron['nc:size'] = metadata.size;
  if (metadata.image !== undefined) novacron['nc:image'] = metadata.image;
  if (metadata.createdAt !== undefined) novacron['nc:created-at'] = metadata.createdAt;
  if (metadata.rootVolume !== undefined) {
    novacron['nc:root-volume'] = { '@_pool': metadata.rootVolume.pool, '@_name': metadata.rootVolume.name };
  }
  novacron['nc:tags'] = {
    'nc:tag': Object.entries(metadata.tags).map(([key, value]) => ({ '@_key': key, '@_value': value })),
  };
  const devices: Record<string, unknown> = {};
  if (definition.emulator !== undefined) devices.emulator = definition.emulator;
  if (definition.rootDiskPath !== undefined) {
    devices.disk = {
      '@_type': 'file',
      '@_device': 'disk',
      driver: { '@_name': 'qemu', '@_type': 'qcow2' },
      source: { '@_file': definition.rootDiskPath },
      target: { '@_dev': 'vda', '@_bus': 'virtio' },
    };
  }
  if (definition.network !== undefined) {
    devices.interface = {
      '@_type': 'network',
      source: { '@_network': definition.network },
      model: { '@_type': 'virtio' },
    };
  }
  if (definition.domainType !== 'test') {
    devices.serial = { '@_type': 'pty' };
    devices.console = { '@_type': 'pty' };
    devices.memballoon = { '@_model': 'none' };
  }
  const domain = {
    domain: {
      '@_type': definition.domainType,
      name: definition.name,
      metadata: { 'nc:novacron': novacron },
      memory: { '@_unit': 'MiB', '#text': String(definition.memoryMiB) },
      vcpu: String(definition.vcpus),
      os: {
        type: { '@_arch': 'x86_64', '@_machine': definition.machine, '#text': 'hvm' },
        boot: { '@_dev': definition.rootDiskPath === undefined ? 'network' : 'hd' },
      },
      features: { acpi: '' },
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'destroy',
      devices,
    },
  };
  // `suppressEmptyNode` turns `<acpi></acpi>` into `<acpi/>`.
  return builder.build(domain) as string;
}

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (node !== null && typeof node === 'object' && '#text' in node)
    return String((node as { '#text': unknown })['#text']);
  return undefined;
}

function memoryMiB(node: unknown): number {
  const value = Number(text(node) ?? '0');
  const unit =
    node !== null && typeof node === 'object' && '@_unit' in node
      ? String((node as { '@_unit': unknown })['@_unit']).toLowerCase()
      : 'kib';
  return Math.round(value * (MEMORY_UNITS_TO_MIB[unit] ?? 1 / 1024));
}

type XmlNode = Record<string, unknown>;

function asNode(value: unknown): XmlNode {
  return value !== null && typeof value === 'object' ? (value as XmlNode) : {};
}

/**
 * Reads what NovaCron needs from libvirt domain XML: name, UUID, resources, local disks, host devices and the
 * NovaCron metadata.
 *
 * @example
 * parseDomainXml(await client.getDomainXml(domain)).metadata.tags;
 */
export function parseDomainXml(xml: string): KvmDomainDescription {
  const domain = asNode(asNode(parser.parse(xml)).domain);
  const devices = asNode(domain.devices);
  const metadataNode = asNode(asNode(domain.metadata).novacron);
  const tags: Record<string, string> = {};
  for (const tag of (asNode(metadataNode.tags).tag as XmlNode[] | undefined) ?? []) {
    const key = tag['@_key'];
    if (typeof key === 'string') tags[key] = String(tag['@_value'] ?? '');
  }
  const rootVolume = asNode(metadataNode['root-volume']);
  const disks = (devices.disk as XmlNode[] | undefined) ?? [];
  return {
    name: text(domain.name) ?? '',
    uuid: text(domain.uuid) ?? '',
    domainType: String(domain['@_type'] ?? ''),
    vcpus: Number(text(domain.vcpu) ?? '1'),
    memoryMiB: memoryMiB(domain.memory),
    localDisks: disks
      .filter((disk) => ['file', 'block'].includes(String(disk['@_type'])) && disk['@_device'] !== 'cdrom')
      .map((disk) => ({
        target: String(asNode(disk.target)['@_dev'] ?? ''),
        source: String(asNode(disk.source)['@_file'] ?? asNode(disk.source)['@_dev'] ?? ''),
        shareable: 'shareable' in disk,
      }))
      .filter((disk) => disk.source !== ''),
    hasHostDevices: ((devices.hostdev as unknown[] | undefined) ?? []).length > 0,
    metadata: {
      tags,
      idempotencyKey: text(metadataNode['idempotency-key']),
      size: text(metadataNode.size),
      image: text(metadataNode.image),
      createdAt: text(metadataNode['created-at']),
      rootVolume:
        typeof rootVolume['@_pool'] === 'string' && typeof rootVolume['@_name'] === 'string'
          ? { pool: rootVolume['@_pool'], name: rootVolume['@_name'] }
          : undefined,
    },
  };
}

/**
 * Builds a qcow2 overlay volume's XML on top of a base image path (copy-on-write root disks).
 *
 * @example
 * buildOverlayVolumeXml({ name: 'web-1-root.qcow2', capacityGiB: 10, backingPath: '/var/lib/libvirt/images/debian-12.qcow2' });
 */
export function buildOverlayVolumeXml(options: {
  name: string;
  capacityGiB: number;
  backingPath: string;
}): string {
  return builder.build({
    volume: {
      name: options.name,
      capacity: { '@_unit': 'GiB', '#text': String(options.capacityGiB) },
      target: { format: { '@_type': 'qcow2' } },
      backingStore: { path: options.backingPath, format: { '@_type': 'qcow2' } },
    },
  }) as string;
}
