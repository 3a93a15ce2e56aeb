import {
  type CreateVmSpec,
  type DriverCapabilities,
  type DriverCreateContext,
  type FullResources,
  fullResources,
  NovaCronError,
  type ProviderVm,
} from '@novacron/core';
import { buildDomainXml, buildOverlayVolumeXml, parseDomainXml } from './kvm-domain-xml.js';
import type { KvmDriverOptions, KvmImageOptions } from './kvm-driver-options.js';
import { isLibvirtCode, toKvmError } from './kvm-error-map.js';
import type { KvmFleet, KvmHost } from './kvm-fleet.js';
import type { KvmPlacement } from './kvm-placement.js';
import { describeVm } from './kvm-vm-describe.js';
import { LibvirtErrorCode } from './libvirt/index.js';

/** The naming rule of new VMs, from the driver's capabilities. */
export type KvmVmNameRule = Pick<DriverCapabilities, 'namePattern' | 'maxNameLength'>;

/**
 * Creates VMs, idempotently: a create whose name exists with the same idempotency key returns that VM, another key
 * gets `ALREADY_EXISTS`. Otherwise it places the VM, makes its root disk as a qcow2 overlay on the image, defines
 * the domain (NovaCron's metadata inside) and starts it.
 */
export class KvmVmCreator {
  private readonly creating = new Map<string, Promise<ProviderVm>>();

  constructor(
    private readonly fleet: KvmFleet,
    private readonly placement: KvmPlacement,
    private readonly options: KvmDriverOptions,
    private readonly names: KvmVmNameRule,
  ) {}

  /** Creates the VM `spec` describes; creates of one name wait for each other in this process. */
  async create(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const { namePattern, maxNameLength } = this.names;
    if (typeof spec.name !== 'string' || !namePattern.test(spec.name) || spec.name.length > maxNameLength) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'name',
        message: `VM name "${String(spec.name)}" is not accepted by libvirt: use 1 to ${maxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit.`,
      });
    }
    // One create per name at a time in this process, so that concurrent retries of one key meet here.
    const running = this.creating.get(spec.name);
    if (running !== undefined) await running.catch(() => undefined);
    const attempt = this.createOnce(spec, context);
    this.creating.set(spec.name, attempt);
    try {
      return await attempt;
    } finally {
      if (this.creating.get(spec.name) === attempt) this.creating.delete(spec.name);
    }
  }

  private async createOnce(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const { signal } = context;
    const existing = await this.fleet.find(spec.name, signal);
    if (existing !== undefined) {
      const xml = await existing.host.client
        .getDomainXml(existing.domain, 0, signal)
        .catch((error: unknown) => {
          throw toKvmError(error, { action: `read VM ${spec.name}`, hostId: existing.host.options.id });
        });
      if (parseDomainXml(xml).metadata.idempotencyKey === context.idempotencyKey) {
        return describeVm(existing, this.fleet.migrating, signal);
      }
      throw new NovaCronError({
        code: 'ALREADY_EXISTS',
        field: 'name',
        message: `A VM named ${spec.name} already exists on KVM host '${existing.host.options.id}'. Pick another name or delete it first.`,
      });
    }
    const resources = resolveResources(spec, this.options.sizes);
    const host = await this.placement.place(spec, resources, signal);
    const image = spec.image === undefined ? undefined : this.options.images?.[spec.image];
    if (spec.image !== undefined && image === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'image',
        message: `Image "${spec.image}" is not configured on the kvm driver (images: ${Object.keys(this.options.images ?? {}).join(', ') || 'none'}). Add it to createKvmDriver({ images }).`,
      });
    }
    const action = `create VM ${spec.name}`;
    const hostId = host.options.id;
    try {
      const root =
        image === undefined ? undefined : await createRootOverlay(host, image, spec.name, resources, signal);
      const domainType = this.options.domainType ?? 'kvm';
      const xml = buildDomainXml({
        name: spec.name,
        domainType,
        vcpus: resources.vcpus,
        memoryMiB: resources.memoryMiB,
        emulator:
          domainType === 'test' ? undefined : (this.options.emulator ?? '/usr/bin/qemu-system-x86_64'),
        machine: this.options.machine ?? 'pc',
        rootDiskPath: root?.path,
        network: this.options.network,
        metadata: {
          tags: { ...(spec.tags ?? {}) },
          idempotencyKey: context.idempotencyKey,
          size: spec.size,
          image: spec.image,
          createdAt: new Date().toISOString(),
          rootVolume: root?.volume,
        },
      });
      const defined = await host.client.defineDomainXml(xml, 0, signal);
      this.fleet.remember(spec.name, hostId);
      try {
        await host.client.createDomain(defined, 0, signal);
      } catch (error) {
        await host.client.undefineDomain(defined, 0).catch(() => undefined);
        throw error;
      }
      return await describeVm({ host, domain: defined }, this.fleet.migrating, signal);
    } catch (error) {
      throw toKvmError(error, { action, hostId });
    }
  }
}

/** The resources of a new VM: given outright, or those of its configured size. */
function resolveResources(spec: CreateVmSpec, sizes: KvmDriverOptions['sizes']): FullResources {
  if (spec.resources !== undefined) return fullResources(spec.resources);
  if (spec.size !== undefined) {
    const size = sizes?.[spec.size];
    if (size !== undefined) return fullResources(size);
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'size',
      message: `Size "${spec.size}" is not configured on the kvm driver (sizes: ${Object.keys(sizes ?? {}).join(', ') || 'none'}).`,
    });
  }
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'resources',
    message: `VM ${spec.name} needs resources ({ vcpus, memoryMiB }) or a configured size.`,
  });
}

/**
 * Makes a VM's root disk: a qcow2 overlay named `<vm>-root.qcow2` on the image's base volume, in the image's pool
 * (an overlay left by an earlier attempt is reused). Resolves with its path and where it lives.
 */
async function createRootOverlay(
  host: KvmHost,
  image: KvmImageOptions,
  vmName: string,
  resources: FullResources,
  signal: AbortSignal,
): Promise<{ path: string; volume: { pool: string; name: string } }> {
  const pool = await host.client.lookupStoragePool(image.pool, signal);
  const base = await host.client.lookupStorageVolume(pool, image.volume, signal);
  const basePath = await host.client.getStorageVolumePath(base, signal);
  const volumeName = `${vmName}-root.qcow2`;
  const volumeXml = buildOverlayVolumeXml({
    name: volumeName,
    capacityGiB: resources.diskGiB > 0 ? resources.diskGiB : (image.defaultDiskGiB ?? 10),
    backingPath: basePath,
  });
  const volume = await host.client.createStorageVolume(pool, volumeXml, 0, signal).catch((error: unknown) => {
    if (isLibvirtCode(error, LibvirtErrorCode.STORAGE_VOL_EXIST)) {
      return host.client.lookupStorageVolume(pool, volumeName, signal);
    }
    throw error;
  });
  const path = await host.client.getStorageVolumePath(volume, signal);
  return { path, volume: { pool: image.pool, name: volumeName } };
}
