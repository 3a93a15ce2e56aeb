import {
  type CreateVmSpec,
  type DriverCreateContext,
  type FullResources,
  fullResources,
  NovaCronError,
  type ProviderVm,
} from '@novacron/core';
import {
  buildDomainXml,
  buildOverlayVolumeXml,
  checkDomainDefinition,
  type KvmDomainDefinition,
  type KvmDomainMetadata,
  parseDomainXml,
} from './kvm-domain-xml.js';
import type { KvmDriverOptions, KvmImageOptions } from './kvm-driver-options.js';
import { isLibvirtCode, toKvmError } from './kvm-error-map.js';
import { firstStartAction, recordFirstStart } from './kvm-first-start.js';
import type { KvmFleet, KvmHost, LocatedVm } from './kvm-fleet.js';
import { idempotencyUuid, specSha256 } from './kvm-idempotency.js';
import type { KvmPlacement } from './kvm-placement.js';
import { describeVm } from './kvm-vm-describe.js';
import {
  type DomainRef,
  DomainState,
  formatUuid,
  LibvirtError,
  LibvirtErrorCode,
  type StorageVolumeRef,
} from './libvirt/index.js';

/** A root overlay this create made or found. */
interface RootOverlay {
  path: string;
  volume: { pool: string; name: string };
  ref: StorageVolumeRef;
  /** True when this attempt created it (and so may delete it when the create fails). */
  created: boolean;
}

/**
 * Creates VMs, idempotently, with one VM per idempotency key: the key decides the domain's UUID
 * ({@link idempotencyUuid}), so a retry finds its VM on any host, and libvirt refuses a second domain for the key.
 * A retry with the same key and spec returns the VM (starting it only if it was never started: see
 * {@link firstStartAction}); the same key with another spec is `CONFLICT`; a name taken by another key is
 * `ALREADY_EXISTS`, naming the key that made it. Otherwise it places the VM, makes its root disk as a qcow2 overlay
 * on the image, defines the domain (NovaCron's metadata inside, the first start pending), starts it and records the
 * first start in its metadata; the overlay is removed again if a step before the start fails.
 *
 * Hosts that do not answer do not stop a create: names and keys are checked on the hosts that answer (a VM of the
 * same name on a host that is down is not seen), and only a create pinned to a host that is down is refused with
 * `UNAVAILABLE`.
 */
export class KvmVmCreator {
  /** Creates in flight in this process, by `key:<key>` and `name:<name>`. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly fleet: KvmFleet,
    private readonly placement: KvmPlacement,
    private readonly options: KvmDriverOptions,
  ) {}

  /**
   * Creates the VM `spec` describes; creates of one name or one key wait for each other in this process. The core
   * has checked the name, resources, tags and the shape of `providerOptions` against the manifest; this checks
   * what only the driver's options define (the size, the image) and that no kvm provider options are given.
   */
  async create(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    refuseProviderOptions(spec);
    const resources = resolveResources(spec, this.options.sizes);
    const image = spec.image === undefined ? undefined : this.options.images?.[spec.image];
    if (
      spec.image !== undefined &&
      (image === undefined || !Object.hasOwn(this.options.images ?? {}, spec.image))
    ) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'image',
        message: `Image "${spec.image}" is not configured on the kvm driver (images: ${Object.keys(this.options.images ?? {}).join(', ') || 'none'}). Add it to createKvmDriver({ images }).`,
      });
    }
    const metadata: KvmDomainMetadata = {
      tags: { ...(spec.tags ?? {}) },
      idempotencyKey: context.idempotencyKey,
      specSha256: specSha256(spec),
      size: spec.size,
      image: spec.image,
    };
    // Everything that goes into the XML is checked before anything is made.
    checkDomainDefinition({ ...this.definitionBase(spec.name, resources), metadata });
    return this.exclusive([`key:${context.idempotencyKey}`, `name:${spec.name}`], () =>
      this.createOnce(spec, context, resources, image, metadata),
    );
  }

  private definitionBase(name: string, resources: FullResources): Omit<KvmDomainDefinition, 'metadata'> {
    const domainType = this.options.domainType ?? 'kvm';
    return {
      name,
      domainType,
      vcpus: resources.vcpus,
      memoryMiB: resources.memoryMiB,
      emulator: domainType === 'test' ? undefined : (this.options.emulator ?? '/usr/bin/qemu-system-x86_64'),
      machine: this.options.machine ?? 'pc',
      network: this.options.network,
    };
  }

  /** Runs `run` once every earlier create holding one of `keys` in this process has settled. */
  private async exclusive<T>(keys: string[], run: () => Promise<T>): Promise<T> {
    const earlier = keys.flatMap((key) => {
      const running = this.locks.get(key);
      return running === undefined ? [] : [running];
    });
    const attempt = Promise.allSettled(earlier).then(run);
    const settled = attempt.catch(() => undefined);
    for (const key of keys) this.locks.set(key, settled);
    try {
      return await attempt;
    } finally {
      for (const key of keys) if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  private async createOnce(
    spec: CreateVmSpec,
    context: DriverCreateContext,
    resources: FullResources,
    image: KvmImageOptions | undefined,
    metadata: KvmDomainMetadata,
  ): Promise<ProviderVm> {
    const { signal, idempotencyKey } = context;
    const uuid = idempotencyUuid(idempotencyKey);
    const existing = await this.settleExisting(spec, idempotencyKey, metadata.specSha256, uuid, signal);
    if (existing !== undefined) return existing;
    const host = await this.placement.place(spec, resources, signal);
    const action = `create VM ${spec.name}`;
    const hostId = host.options.id;
    let root: RootOverlay | undefined;
    try {
      root =
        image === undefined ? undefined : await createRootOverlay(host, image, spec.name, resources, signal);
      const defining: KvmDomainMetadata = {
        ...metadata,
        createdAt: new Date().toISOString(),
        rootVolume: root?.volume,
        startPending: true,
      };
      const xml = buildDomainXml({
        ...this.definitionBase(spec.name, resources),
        uuid: formatUuid(uuid),
        rootDiskPath: root?.path,
        metadata: defining,
      });
      let defined: DomainRef;
      try {
        defined = await host.client.defineDomainXml(xml, 0, signal);
      } catch (error) {
        // Another client may have defined this key's VM (or taken the name) meanwhile: answer as a retry would.
        const taken = await host.client.lookupDomainByName(spec.name, signal).then(
          () => true,
          () => false,
        );
        if (!taken) await removeOverlay(host, root);
        root = undefined;
        const settled = await this.settleExisting(
          spec,
          idempotencyKey,
          metadata.specSha256,
          uuid,
          signal,
        ).catch((settleError: unknown) => {
          if (NovaCronError.isInstance(settleError) && settleError.code !== 'UNAVAILABLE') throw settleError;
          return undefined;
        });
        if (settled !== undefined) return settled;
        throw error;
      }
      this.fleet.remember(spec.name, hostId);
      await this.start(host, defined, root, signal);
      root = undefined; // the running domain uses it: never removed from here on
      // Should this fail (the daemon died), the VM runs without the record and a same-key retry writes it.
      await recordFirstStart(host, defined, defining, signal);
      return await describeVm({ host, domain: defined }, this.fleet.migrating, signal);
    } catch (error) {
      await removeOverlay(host, root);
      throw toKvmError(error, { action, hostId }, signal);
    }
  }

  /**
   * Starts a just-defined domain. One already running (a concurrent create with the same key started it) is fine.
   * Any other failure undefines the domain again; when even that fails (the daemon died), the domain stays and a
   * retry with the same key finishes the job.
   */
  private async start(
    host: KvmHost,
    domain: DomainRef,
    root: RootOverlay | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await startUnlessRunning(host, domain, signal);
    } catch (error) {
      // Not given the signal: the clean-up must run even when the attempt was cancelled or timed out.
      const undefinedAgain = await host.client.undefineDomain(domain, 0).then(
        () => true,
        () => false,
      );
      if (undefinedAgain) await removeOverlay(host, root);
      else if (root !== undefined) root.created = false; // the domain still uses it
      throw error;
    }
  }

  /**
   * What a create finds already there: its own VM (by the key's UUID, or by name with the same key) is returned,
   * started if it was never started ({@link finish}); the key used for another spec is `CONFLICT`; the name held
   * by another key is `ALREADY_EXISTS`; a create pinned to a host that does not answer is `UNAVAILABLE`.
   * Undefined: nothing there.
   */
  private async settleExisting(
    spec: CreateVmSpec,
    key: string,
    sha: string | undefined,
    uuid: Buffer,
    signal: AbortSignal,
  ): Promise<ProviderVm | undefined> {
    const { byName, byUuid, unreachable } = await this.fleet.survey(spec.name, uuid, signal);
    if (byUuid !== undefined) {
      const theirs = await this.readMetadata(byUuid, signal);
      if (theirs?.idempotencyKey !== key) {
        throw new NovaCronError({
          code: 'CONFLICT',
          field: 'idempotencyKey',
          message: `Domain ${byUuid.domain.name} on KVM host '${byUuid.host.options.id}' holds the UUID NovaCron derives from this idempotency key but was not made with it. Use another idempotency key.`,
        });
      }
      if (
        byUuid.domain.name !== spec.name ||
        (theirs.specSha256 !== undefined && theirs.specSha256 !== sha)
      ) {
        throw keyReused(key, byUuid);
      }
      return this.finish(byUuid, theirs, signal);
    }
    if (byName !== undefined) {
      const theirs = await this.readMetadata(byName, signal);
      if (theirs?.idempotencyKey === key) {
        if (theirs.specSha256 !== undefined && theirs.specSha256 !== sha) throw keyReused(key, byName);
        return this.finish(byName, theirs, signal);
      }
      const madeBy =
        theirs?.idempotencyKey === undefined
          ? ''
          : ` It was made by a create with idempotency key ${JSON.stringify(theirs.idempotencyKey)}: retry with that key to get it back.`;
      throw new NovaCronError({
        code: 'ALREADY_EXISTS',
        field: 'name',
        message: `A VM named ${spec.name} already exists on KVM host '${byName.host.options.id}'.${madeBy} Otherwise pick another name or delete it first.`,
      });
    }
    const pinned = spec.location?.hostId;
    if (pinned !== undefined && unreachable.has(pinned)) {
      throw toKvmError(unreachable.get(pinned), { action: `create VM ${spec.name}`, hostId: pinned }, signal);
    }
    return undefined;
  }

  /** NovaCron's metadata of a found domain, or undefined when its XML cannot be read. */
  private async readMetadata(
    located: LocatedVm,
    signal: AbortSignal,
  ): Promise<KvmDomainMetadata | undefined> {
    const xml = await located.host.client.getDomainXml(located.domain, 0, signal).catch((error: unknown) => {
      throw toKvmError(
        error,
        { action: `read VM ${located.domain.name}`, hostId: located.host.options.id },
        signal,
      );
    });
    try {
      return parseDomainXml(xml).metadata;
    } catch (error) {
      if (NovaCronError.isInstance(error)) return undefined;
      throw error;
    }
  }

  /**
   * Finishes a create a retry found, by NovaCron's record of the domain's first start ({@link firstStartAction}):
   * recorded, the domain is left as the user made it (stopped stays stopped, also after a daemon restart); pending
   * and shut off as a never-started domain reads, it is started and the start recorded; pending and it has run, the
   * start is recorded; made before first starts were recorded, it is left as it is.
   */
  private async finish(
    located: LocatedVm,
    metadata: KvmDomainMetadata,
    signal: AbortSignal,
  ): Promise<ProviderVm> {
    const { host, domain } = located;
    try {
      const state = await host.client.getDomainState(domain, signal);
      const action = firstStartAction(metadata, state);
      if (action === 'start') await startUnlessRunning(host, domain, signal);
      if (action !== 'leave') await recordFirstStart(host, domain, metadata, signal);
      this.fleet.remember(domain.name, host.options.id);
      return await describeVm({ host, domain }, this.fleet.migrating, signal);
    } catch (error) {
      throw toKvmError(
        error,
        { action: `finish creating VM ${domain.name}`, hostId: host.options.id },
        signal,
      );
    }
  }
}

/**
 * Starts a domain; when libvirt refuses because another client started it meanwhile (qemu says "operation
 * invalid", the test driver "internal error"), that is success.
 */
async function startUnlessRunning(host: KvmHost, domain: DomainRef, signal: AbortSignal): Promise<void> {
  try {
    await host.client.createDomain(domain, 0, signal);
  } catch (error) {
    if (!(error instanceof LibvirtError)) throw error;
    const { state } = await host.client.getDomainState(domain, signal);
    if (state === DomainState.SHUTOFF || state === DomainState.CRASHED) throw error;
  }
}

function keyReused(key: string, located: LocatedVm): NovaCronError {
  return new NovaCronError({
    code: 'CONFLICT',
    field: 'idempotencyKey',
    message: `Idempotency key ${JSON.stringify(key)} already made VM ${located.domain.name} on KVM host '${located.host.options.id}' with another spec; one key makes one VM. Use a new key for another VM, or repeat the original request.`,
  });
}

/** The kvm driver takes no provider options: `providerOptions.kvm` is refused rather than silently ignored. */
function refuseProviderOptions(spec: CreateVmSpec): void {
  const own = spec.providerOptions?.kvm;
  if (own === undefined) return;
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'providerOptions.kvm',
    message: `providerOptions.kvm is not valid for the kvm driver: it has no provider options (given: ${Object.keys(own).join(', ') || 'an empty object'}). Configure hosts, sizes and images in createKvmDriver.`,
  });
}

/**
 * The resources of a new VM: given outright, or those of its configured size. A size that is given must be
 * configured (one look-up in the driver's options), even next to resources: it is recorded on the VM.
 */
function resolveResources(spec: CreateVmSpec, sizes: KvmDriverOptions['sizes']): FullResources {
  const size =
    spec.size !== undefined && sizes !== undefined && Object.hasOwn(sizes, spec.size)
      ? sizes[spec.size]
      : undefined;
  if (spec.size !== undefined && size === undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'size',
      message: `Size "${spec.size}" is not configured on the kvm driver (sizes: ${Object.keys(sizes ?? {}).join(', ') || 'none'}). Use one of these or add it to createKvmDriver({ sizes }).`,
    });
  }
  if (spec.resources !== undefined) return fullResources(spec.resources);
  if (size !== undefined) return fullResources(size);
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'resources',
    message: `VM ${spec.name} needs resources ({ vcpus, memoryMiB }) or a configured size.`,
  });
}

/**
 * Makes a VM's root disk: a qcow2 overlay named `<vm>-root.qcow2` on the image's base volume, in the image's pool
 * (an overlay left by an earlier attempt is reused, and then not owned by this attempt).
 */
async function createRootOverlay(
  host: KvmHost,
  image: KvmImageOptions,
  vmName: string,
  resources: FullResources,
  signal: AbortSignal,
): Promise<RootOverlay> {
  const pool = await host.client.lookupStoragePool(image.pool, signal);
  const base = await host.client.lookupStorageVolume(pool, image.volume, signal);
  const basePath = await host.client.getStorageVolumePath(base, signal);
  const volumeName = `${vmName}-root.qcow2`;
  const volumeXml = buildOverlayVolumeXml({
    name: volumeName,
    capacityGiB: resources.diskGiB > 0 ? resources.diskGiB : (image.defaultDiskGiB ?? 10),
    backingPath: basePath,
  });
  let created = true;
  const ref = await host.client.createStorageVolume(pool, volumeXml, 0, signal).catch((error: unknown) => {
    if (isLibvirtCode(error, LibvirtErrorCode.STORAGE_VOL_EXIST)) {
      created = false;
      return host.client.lookupStorageVolume(pool, volumeName, signal);
    }
    throw error;
  });
  const overlay: RootOverlay = { path: '', volume: { pool: image.pool, name: volumeName }, ref, created };
  try {
    overlay.path = await host.client.getStorageVolumePath(ref, signal);
  } catch (error) {
    await removeOverlay(host, overlay);
    throw error;
  }
  return overlay;
}

/**
 * Deletes an overlay this attempt created (best effort: the create's own failure is what the caller hears). Not
 * given the signal: the clean-up must run even when the attempt was cancelled or timed out.
 */
async function removeOverlay(host: KvmHost, overlay: RootOverlay | undefined): Promise<void> {
  if (overlay === undefined || !overlay.created) return;
  overlay.created = false;
  await host.client.deleteStorageVolume(overlay.ref).catch(() => undefined);
}
