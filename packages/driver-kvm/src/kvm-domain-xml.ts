import { NovaCronError } from '@novacron/core';
import { bytesToMiB, parseScaledBytes } from './kvm-memory-units.js';
import {
  childElement,
  childElements,
  findNonXmlCharacter,
  readXmlDocument,
  type XmlElement,
  xmlBuilder,
} from './kvm-xml-document.js';

/** The XML namespace of NovaCron's own `<metadata>` element in a domain. Only this exact URI counts as NovaCron's. */
export const NOVACRON_XML_NAMESPACE = 'https://novacron.dev/xmlns/kvm/1';

/** What NovaCron keeps inside a domain's `<metadata>` (it travels with the domain, also on migration). */
export interface KvmDomainMetadata {
  /** Tags as string pairs, in a null-prototype object (a tag may be called `__proto__`). */
  tags: Record<string, string>;
  /** The idempotency key of the create that made the domain, exactly as given (whitespace kept). */
  idempotencyKey?: string | undefined;
  /** A SHA-256 of the create's spec: a retry with the same key must ask for the same VM. */
  specSha256?: string | undefined;
  /** The size name it was created from. */
  size?: string | undefined;
  /** The image name it was created from. */
  image?: string | undefined;
  /** ISO creation time. */
  createdAt?: string | undefined;
  /** The root overlay volume NovaCron created for it (deleted with the VM). */
  rootVolume?: { pool: string; name: string } | undefined;
  /**
   * True from the define until the domain's first start is recorded in {@link KvmDomainMetadata.startedAt} (by the
   * create, a retry of it, or a start through the driver). Domains made before NovaCron recorded first starts have
   * neither field.
   */
  startPending?: boolean | undefined;
  /** ISO time of the domain's first start, recorded right after it: a create retry never starts the domain again. */
  startedAt?: string | undefined;
}

/** What {@link buildDomainXml} turns into a `<domain>`. */
export interface KvmDomainDefinition {
  /** The domain's name (already validated). */
  name: string;
  /** The domain's UUID; default: libvirt makes one. */
  uuid?: string | undefined;
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
  /** What NovaCron keeps in the domain's metadata. */
  metadata: KvmDomainMetadata;
}

/** One `<disk>` of a domain. */
export interface KvmDomainDisk {
  /** libvirt's disk type: `file`, `block`, `dir`, `network`, `volume`, `nvme`, `vhostuser`. */
  type: string;
  /** `disk`, `cdrom`, `floppy` or `lun`. */
  device: string;
  /** The guest device (`vda`). */
  target: string;
  /** Where the data is, readably (`/images/a.qcow2`, `rbd:pool/image`, `pool 'p' volume 'v'`); none for empty drives. */
  source: string | undefined;
  /** `<shareable/>`: the disk is meant to be shared between hosts. */
  shareable: boolean;
  /** `<readonly/>`. */
  readonly: boolean;
}

/** One `<interface>` (NIC) of a domain. */
export interface KvmDomainInterface {
  /** libvirt's interface type: `network`, `bridge`, `direct`, `hostdev`, `user`, `vhostuser`... */
  type: string;
  /** The MAC address, lower case (`52:54:00:12:34:56`); absent in XML written before libvirt assigned one. */
  mac: string | undefined;
  /** The network, bridge or device it is attached to, where the type has one. */
  source: string | undefined;
  /** The NIC model (`virtio`). */
  model: string | undefined;
}

/** One `<hostdev>` (a host device passed through). */
export interface KvmDomainHostDevice {
  /** `subsystem` or `capabilities`. */
  mode: string;
  /** `pci`, `usb`, `scsi`, `mdev`... */
  type: string;
}

/**
 * A domain as NovaCron reads it back from libvirt's XML.
 *
 * `vcpus` and `memoryMiB` are what the guest has now: the online vCPUs (`<vcpu current>`) and the balloon's
 * target (`<currentMemory>`, which libvirt keeps at or below `<memory>`). `maxVcpus` and `maxMemoryMiB` are what it
 * may grow to without a redefinition (vCPU hot-plug, balloon deflation); `hotplugMemoryLimitMiB` is `<maxMemory>`,
 * the ceiling for memory hot-plug.
 */
export interface KvmDomainDescription {
  /** Name. */
  name: string;
  /** UUID string. */
  uuid: string;
  /** Domain type (`kvm`, `qemu`, `test`, `lxc`...). */
  domainType: string;
  /** Online vCPUs. */
  vcpus: number;
  /** vCPUs the guest may have online (`<vcpu>`). */
  maxVcpus: number;
  /** Current memory in MiB (`<currentMemory>`, else `<memory>`). */
  memoryMiB: number;
  /** Memory in MiB the guest may balloon up to (`<memory>`, including hot-plugged DIMMs). */
  maxMemoryMiB: number;
  /** `<maxMemory>` in MiB, where memory hot-plug is set up. */
  hotplugMemoryLimitMiB: number | undefined;
  /** Every disk. */
  disks: KvmDomainDisk[];
  /** Every NIC. */
  interfaces: KvmDomainInterface[];
  /** Host devices passed through with `<hostdev>`. */
  hostDevices: KvmDomainHostDevice[];
  /** NovaCron's metadata (empty tags when the domain has none in NovaCron's namespace). */
  metadata: KvmDomainMetadata;
}

const WHAT = 'Domain XML';

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, message });
}

/** Refuses, naming the field, any string XML 1.0 cannot carry (most C0 controls, lone surrogates). */
function checkCarriable(value: string, field: string, label: string): void {
  const bad = findNonXmlCharacter(value);
  if (bad !== undefined) {
    throw invalid(
      field,
      `${label} contains ${bad}, a character XML 1.0 (and so libvirt's domain XML) cannot carry; remove control characters other than tab, newline and carriage return.`,
    );
  }
}

/** Checks every string that goes into a domain's XML; `INVALID_ARGUMENT` names the first one that cannot. */
export function checkDomainDefinition(definition: KvmDomainDefinition): void {
  checkCarriable(definition.name, 'name', `VM name ${JSON.stringify(definition.name)}`);
  checkMetadata(definition.metadata);
}

/** Checks every string of NovaCron's metadata; `INVALID_ARGUMENT` names the first one XML cannot carry. */
function checkMetadata(metadata: KvmDomainMetadata): void {
  for (const [key, value] of Object.entries(metadata.tags)) {
    checkCarriable(key, 'tags', `A tag key (${JSON.stringify(key)})`);
    if (typeof value !== 'string') throw invalid(`tags.${key}`, `Tag '${key}' must be a string.`);
    checkCarriable(value, `tags.${key}`, `The value of tag '${key}'`);
  }
  if (metadata.idempotencyKey !== undefined) {
    checkCarriable(metadata.idempotencyKey, 'idempotencyKey', 'The idempotency key');
  }
  if (metadata.size !== undefined) checkCarriable(metadata.size, 'size', 'The size name');
  if (metadata.image !== undefined) checkCarriable(metadata.image, 'image', 'The image name');
}

/**
 * NovaCron's metadata element as fast-xml-parser builder input, its elements named with `prefix` (`nc:` inside a
 * domain document; none for `virDomainSetMetadata`, which puts unqualified elements in the namespace itself).
 */
function novacronElement(metadata: KvmDomainMetadata, prefix: string): Record<string, unknown> {
  // Values live in attributes: libvirt keeps them byte for byte, where whitespace-only text could be dropped.
  const novacron: Record<string, unknown> = {};
  if (metadata.idempotencyKey !== undefined) {
    novacron[`${prefix}idempotency-key`] = { '@_value': metadata.idempotencyKey };
  }
  if (metadata.specSha256 !== undefined) novacron[`${prefix}spec`] = { '@_sha256': metadata.specSha256 };
  if (metadata.size !== undefined) novacron[`${prefix}size`] = { '@_value': metadata.size };
  if (metadata.image !== undefined) novacron[`${prefix}image`] = { '@_value': metadata.image };
  if (metadata.createdAt !== undefined) novacron[`${prefix}created-at`] = { '@_value': metadata.createdAt };
  if (metadata.rootVolume !== undefined) {
    novacron[`${prefix}root-volume`] = {
      '@_pool': metadata.rootVolume.pool,
      '@_name': metadata.rootVolume.name,
    };
  }
  if (metadata.startPending === true) novacron[`${prefix}start-pending`] = '';
  if (metadata.startedAt !== undefined) novacron[`${prefix}started-at`] = { '@_value': metadata.startedAt };
  novacron[`${prefix}tags`] = {
    [`${prefix}tag`]: Object.entries(metadata.tags).map(([key, value]) => ({
      '@_key': key,
      '@_value': value,
    })),
  };
  return novacron;
}

/**
 * NovaCron's metadata as the one element `virDomainSetMetadata` takes (type `ELEMENT`, namespace
 * {@link NOVACRON_XML_NAMESPACE}): `<novacron>` with unqualified elements, which libvirt puts in the namespace
 * under the key it is given, replacing the domain's NovaCron element. Values XML 1.0 cannot carry are refused.
 *
 * @throws NovaCronError INVALID_ARGUMENT naming the tag (`tags.<key>`), `idempotencyKey`, `size` or `image`.
 * @example
 * buildMetadataElementXml({ tags: {}, idempotencyKey: 'k-1', startedAt: new Date().toISOString() });
 */
export function buildMetadataElementXml(metadata: KvmDomainMetadata): string {
  checkMetadata(metadata);
  return xmlBuilder.build({ novacron: novacronElement(metadata, '') }) as string;
}

/**
 * Builds libvirt domain XML with fast-xml-parser's builder: every user value goes through the builder, which
 * escapes it (tab, newline and carriage return included), never through string concatenation. Values XML 1.0
 * cannot carry are refused first.
 *
 * @throws NovaCronError INVALID_ARGUMENT naming the tag (`tags.<key>`), `idempotencyKey`, `size` or `image`.
 * @example
 * buildDomainXml({ name: 'web-1', domainType: 'kvm', vcpus: 1, memoryMiB: 512, machine: 'pc', metadata: { tags: {} } });
 */
export function buildDomainXml(definition: KvmDomainDefinition): string {
  checkDomainDefinition(definition);
  const novacron = { '@_xmlns:nc': NOVACRON_XML_NAMESPACE, ...novacronElement(definition.metadata, 'nc:') };
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
      ...(definition.uuid === undefined ? {} : { uuid: definition.uuid }),
      metadata: { 'nc:novacron': novacron },
      memory: { '@_unit': 'MiB', '#text': String(definition.memoryMiB) },
      currentMemory: { '@_unit': 'MiB', '#text': String(definition.memoryMiB) },
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
  return xmlBuilder.build(domain) as string;
}

function attribute(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attributes.get(name);
}

function whole(value: string, what: string, minimum: number): number {
  const number = /^\s*[0-9]+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: ${what} '${value.slice(0, 20)}' is not a whole number of at least ${minimum}.`,
    );
  }
  return number;
}

function scaledBytes(element: XmlElement | undefined, what: string): bigint {
  if (element === undefined) return 0n;
  return parseScaledBytes(element.text, attribute(element, 'unit'), what);
}

/** vCPUs by libvirt's rules: `<vcpu>` is the maximum (1 when absent), `current` the online ones (1..maximum). */
function readVcpus(domain: XmlElement): { current: number; maximum: number } {
  const vcpu = childElement(domain, 'vcpu');
  if (vcpu === undefined) return { current: 1, maximum: 1 };
  const maximum = whole(vcpu.text, '<vcpu>', 1);
  const currentText = attribute(vcpu, 'current');
  const current = currentText === undefined ? maximum : whole(currentText, '<vcpu current>', 1);
  if (current > maximum) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: <vcpu current='${current}'> exceeds the maximum of ${maximum} (libvirt refuses this too).`,
    );
  }
  return { current, maximum };
}

/**
 * Memory by libvirt's rules: `<memory>` is the total (the NUMA cells' sum plus memory devices when absent or 0);
 * memory devices must fit in it and leave some initial memory; `<currentMemory>` above the total, or 0, means the
 * total; `<maxMemory>` needs its slots and must not be below the total.
 */
function readMemory(domain: XmlElement): {
  current: number;
  maximum: number;
  hotplugLimit: number | undefined;
} {
  const devices = childElement(domain, 'devices');
  let hotplug = 0n;
  for (const device of childElements(devices, 'memory')) {
    hotplug += scaledBytes(childElement(childElement(device, 'target'), 'size'), '<memory> device size');
  }
  let total = scaledBytes(childElement(domain, 'memory'), '<memory>');
  if (total === 0n) {
    const cells = childElements(childElement(childElement(domain, 'cpu'), 'numa'), 'cell');
    let numa = 0n;
    for (const cell of cells) {
      numa += parseScaledBytes(attribute(cell, 'memory') ?? '0', attribute(cell, 'unit'), 'NUMA cell memory');
    }
    if (numa > 0n) total = numa + hotplug;
  }
  if (hotplug > total) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: its memory devices are larger than its <memory> (libvirt refuses this too).`,
    );
  }
  if (total - hotplug === 0n) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: memory size must be specified via <memory> or in the <numa> configuration (libvirt refuses it too).`,
    );
  }
  let current = scaledBytes(childElement(domain, 'currentMemory'), '<currentMemory>');
  if (current === 0n || current > total) current = total;
  const maxMemory = childElement(domain, 'maxMemory');
  let hotplugLimit: number | undefined;
  if (maxMemory !== undefined) {
    const limit = scaledBytes(maxMemory, '<maxMemory>');
    if (attribute(maxMemory, 'slots') === undefined || limit < total) {
      throw invalid(
        'xml',
        `${WHAT} cannot be read: <maxMemory> needs slots and must not be below <memory> (libvirt refuses this too).`,
      );
    }
    hotplugLimit = bytesToMiB(limit);
  }
  return { current: bytesToMiB(current), maximum: bytesToMiB(total), hotplugLimit };
}

/** The UUID in its usual form (lower case, dashed); libvirt also accepts upper case and dashes anywhere. */
function readUuid(domain: XmlElement): string {
  const text = childElement(domain, 'uuid')?.text;
  if (text === undefined) return '';
  const hex = text.trim().replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw invalid('xml', `${WHAT} cannot be read: '${text.slice(0, 40)}' is not a UUID.`);
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A MAC as libvirt accepts it (six hex octets, unicast), lower case with two digits per octet. */
function readMac(nic: XmlElement): string | undefined {
  const address = attribute(childElement(nic, 'mac'), 'address');
  if (address === undefined) return undefined;
  const octets = address.split(':');
  if (octets.length !== 6 || !octets.every((octet) => /^[0-9a-fA-F]{1,2}$/.test(octet))) {
    throw invalid('xml', `${WHAT} cannot be read: '${address.slice(0, 30)}' is not a MAC address.`);
  }
  if ((Number.parseInt(octets[0] as string, 16) & 1) === 1) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: MAC ${address} is a multicast address (libvirt refuses it too).`,
    );
  }
  return octets.map((octet) => octet.toLowerCase().padStart(2, '0')).join(':');
}

function pciAddress(address: XmlElement | undefined): string | undefined {
  if (address === undefined) return undefined;
  const part = (name: string, width: number) =>
    (attribute(address, name) ?? '0').replace(/^0x/i, '').padStart(width, '0').toLowerCase();
  return `${part('domain', 4)}:${part('bus', 2)}:${part('slot', 2)}.${part('function', 1)}`;
}

function readDisk(disk: XmlElement): KvmDomainDisk {
  const type = attribute(disk, 'type') ?? 'file';
  const source = childElement(disk, 'source');
  let where: string | undefined;
  if (source !== undefined) {
    switch (type) {
      case 'file':
        where = attribute(source, 'file');
        break;
      case 'block':
        where = attribute(source, 'dev');
        break;
      case 'dir':
        where = attribute(source, 'dir');
        break;
      case 'network':
        where = `${attribute(source, 'protocol') ?? 'network'}:${attribute(source, 'name') ?? ''}`;
        break;
      case 'volume':
        where = `pool '${attribute(source, 'pool') ?? ''}' volume '${attribute(source, 'volume') ?? ''}'`;
        break;
      case 'nvme':
        where = `NVMe ${pciAddress(childElement(source, 'address')) ?? ''} namespace ${attribute(source, 'namespace') ?? '1'}`;
        break;
      default:
        where = attribute(source, 'path') ?? attribute(source, 'file');
    }
  }
  return {
    type,
    device: attribute(disk, 'device') ?? 'disk',
    target: attribute(childElement(disk, 'target'), 'dev') ?? '',
    source: where === '' ? undefined : where,
    shareable: childElement(disk, 'shareable') !== undefined,
    readonly: childElement(disk, 'readonly') !== undefined,
  };
}

function readInterface(nic: XmlElement): KvmDomainInterface {
  const source = childElement(nic, 'source');
  return {
    type: attribute(nic, 'type') ?? '',
    mac: readMac(nic),
    source:
      attribute(source, 'network') ??
      attribute(source, 'bridge') ??
      attribute(source, 'dev') ??
      pciAddress(childElement(source, 'address')),
    model: attribute(childElement(nic, 'model'), 'type'),
  };
}

/** A metadata value: the `value` attribute (what NovaCron writes), else the element's text (older NovaCron). */
function metadataValue(novacron: XmlElement | undefined, name: string): string | undefined {
  const element = childElement(novacron, name, NOVACRON_XML_NAMESPACE);
  if (element === undefined) return undefined;
  return attribute(element, 'value') ?? element.text;
}

function readMetadata(domain: XmlElement): KvmDomainMetadata {
  // Only an element in NovaCron's own namespace URI is NovaCron's: another namespace's <novacron> is not.
  const novacron = childElement(childElement(domain, 'metadata'), 'novacron', NOVACRON_XML_NAMESPACE);
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  const tagList = childElement(novacron, 'tags', NOVACRON_XML_NAMESPACE);
  for (const tag of childElements(tagList, 'tag', NOVACRON_XML_NAMESPACE)) {
    const key = attribute(tag, 'key');
    if (key !== undefined) tags[key] = attribute(tag, 'value') ?? '';
  }
  const rootVolume = childElement(novacron, 'root-volume', NOVACRON_XML_NAMESPACE);
  const pool = attribute(rootVolume, 'pool');
  const name = attribute(rootVolume, 'name');
  return {
    tags,
    idempotencyKey: metadataValue(novacron, 'idempotency-key'),
    specSha256: attribute(childElement(novacron, 'spec', NOVACRON_XML_NAMESPACE), 'sha256'),
    size: metadataValue(novacron, 'size'),
    image: metadataValue(novacron, 'image'),
    createdAt: metadataValue(novacron, 'created-at'),
    rootVolume: pool !== undefined && name !== undefined ? { pool, name } : undefined,
    startPending:
      childElement(novacron, 'start-pending', NOVACRON_XML_NAMESPACE) === undefined ? undefined : true,
    startedAt: metadataValue(novacron, 'started-at'),
  };
}

/**
 * Reads what NovaCron needs from libvirt domain XML, strictly and by libvirt's own rules: name, UUID, current and
 * maximum vCPUs and memory (every libvirt memory unit), disks, NICs with their MACs, host devices and the NovaCron
 * metadata (only in {@link NOVACRON_XML_NAMESPACE}). Character references are decoded; DOCTYPEs, undefined
 * entities, malformed XML and documents libvirt itself would refuse are refused.
 *
 * @throws NovaCronError INVALID_ARGUMENT (field `xml`) saying why; the message never quotes the document.
 * @example
 * parseDomainXml(await client.getDomainXml(domain)).metadata.tags;
 */
export function parseDomainXml(xml: string): KvmDomainDescription {
  let root: XmlElement;
  try {
    root = readXmlDocument(xml, WHAT);
  } catch (error) {
    if (NovaCronError.isInstance(error)) throw invalid('xml', error.message);
    throw error;
  }
  if (root.name !== 'domain' || root.namespace !== undefined) {
    throw invalid(
      'xml',
      `${WHAT} cannot be read: its root element is <${root.name.slice(0, 40)}>, not <domain>.`,
    );
  }
  const name = childElement(root, 'name')?.text ?? '';
  if (name.trim() === '') throw invalid('xml', `${WHAT} cannot be read: the domain has no <name>.`);
  const vcpus = readVcpus(root);
  const memory = readMemory(root);
  const devices = childElement(root, 'devices');
  return {
    name,
    uuid: readUuid(root),
    domainType: attribute(root, 'type') ?? '',
    vcpus: vcpus.current,
    maxVcpus: vcpus.maximum,
    memoryMiB: memory.current,
    maxMemoryMiB: memory.maximum,
    hotplugMemoryLimitMiB: memory.hotplugLimit,
    disks: childElements(devices, 'disk').map(readDisk),
    interfaces: childElements(devices, 'interface').map(readInterface),
    hostDevices: childElements(devices, 'hostdev').map((device) => ({
      mode: attribute(device, 'mode') ?? 'subsystem',
      type: attribute(device, 'type') ?? '',
    })),
    metadata: readMetadata(root),
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
  return xmlBuilder.build({
    volume: {
      name: options.name,
      capacity: { '@_unit': 'GiB', '#text': String(options.capacityGiB) },
      target: { format: { '@_type': 'qcow2' } },
      backingStore: { path: options.backingPath, format: { '@_type': 'qcow2' } },
    },
  }) as string;
}
