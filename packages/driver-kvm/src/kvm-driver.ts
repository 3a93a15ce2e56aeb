import {
  type CreateVmSpec,
  DriverBase,
  type DriverCallContext,
  type DriverCapabilities,
  type DriverCreateContext,
  type DriverEvent,
  type DriverMigrateContext,
  type DriverMigrateRequest,
  defineCapabilities,
  type FullResources,
  fullResources,
  type Host,
  type Image,
  type ListVmsRequest,
  type Location,
  type MetricSeries,
  type MetricsQuery,
  type MigrationOutcome,
  NovaCronError,
  type Page,
  type PageRequest,
  type ProviderVm,
  type Resources,
  resourcesFit,
  type Size,
  subtractResources,
} from '@novacron/core';
import { buildDomainXml, buildOverlayVolumeXml, parseDomainXml } from './kvm-domain-xml.js';
import type { KvmDriverOptions, KvmHostOptions } from './kvm-driver-options.js';
import { toKvmError } from './kvm-error-map.js';
import { KvmMetricsSampler } from './kvm-metrics.js';
import { runLiveMigration } from './kvm-migration.js';
import { mapDomainState, TERMINATED_STATE } from './kvm-state-map.js';
import {
  DomainLifecycleEvent,
  type DomainRef,
  DomainState,
  DomainStatsGroup,
  formatUuid,
  LibvirtClient,
  LibvirtError,
  LibvirtErrorCode,
  ListDomainsFlag,
  toNumber,
  UndefineFlag,
} from './libvirt/index.js';

interface KvmHost {
  options: KvmHostOptions;
  client: LibvirtClient;
  ownsClient: boolean;
}

interface Located {
  host: KvmHost;
  domain: DomainRef;
  /** The state, when a bulk call already read it. */
  state?: { state: number; reason: number } | undefined;
}

/** What blocks a live migration of one VM to one host, from {@link KvmDriver.checkMigration}. */
export interface KvmMigrationCheck {
  /** True when nothing blocks it. */
  migratable: boolean;
  /** One sentence per blocker ("disk vda (/var/lib/...) is local to host-1"). */
  blockers: string[];
}

const STOPPED_MIGRATED = 3;
/** How long a host report may serve placement before it is read again. */
const PLACEMENT_SNAPSHOT_MS = 2_000;
const ACTIVE_STATES = new Set<number>([
  DomainState.RUNNING,
  DomainState.BLOCKED,
  DomainState.PAUSED,
  DomainState.SHUTDOWN,
  DomainState.PMSUSPENDED,
]);

function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (value === '' || encodeCursor(value) !== cursor) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
      message: `The cursor "${cursor}" was not made by the kvm driver; pass back nextCursor unchanged.`,
    });
  }
  return value;
}

function isLibvirtCode(error: unknown, code: number): boolean {
  return error instanceof LibvirtError && error.code === code;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function indexPage<T>(items: T[], request: PageRequest, maxPageSize: number): Page<T> {
  const start = request.cursor === undefined ? 0 : Number.parseInt(decodeCursor(request.cursor) ?? '0', 10);
  const size = Math.min(request.pageSize ?? maxPageSize, maxPageSize);
  const end = start + size;
  return end < items.length
    ? { items: items.slice(start, end), nextCursor: encodeCursor(String(end)) }
    : { items: items.slice(start) };
}

/**
 * The KVM driver: a fleet of hosts, each with its own libvirtd, spoken to over libvirt's remote RPC protocol.
 * Made by {@link createKvmDriver}; the core calls its `do*` methods.
 */
export class KvmDriver extends DriverBase {
  readonly kind = 'kvm';
  override readonly capabilities: DriverCapabilities;

  private readonly hosts: KvmHost[];
  private readonly hostsById = new Map<string, KvmHost>();
  private readonly hostHints = new Map<string, string>();
  private readonly migrating = new Set<string>();
  private readonly creating = new Map<string, Promise<ProviderVm>>();
  private readonly placementSnapshots = new Map<string, { at: number; report: Host }>();
  private readonly metrics: KvmMetricsSampler;
  /** vCPUs and memory of domains by host and UUID: they change only on redefinition, and placement reads them often. */
  private readonly domainSizes = new Map<string, { vcpus: number; memoryMiB: number }>();

  constructor(private readonly options: KvmDriverOptions) {
    super();
    // libvirt's test driver (domainType 'test') cannot migrate: say so in the manifest rather than fail later.
    this.capabilities = defineCapabilities({
      suspend: true,
      reboot: true,
      hosts: true,
      createOnHost: true,
      sizes: true,
      images: true,
      locations: true,
      liveMigration: options?.domainType !== 'test',
      metrics: true,
      watch: true,
      maxPageSize: 500,
      maxNameLength: 63,
      namePattern: /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
    });
    if (!Array.isArray(options?.hosts) || options.hosts.length === 0) {
      throw new TypeError('createKvmDriver needs at least one host: { hosts: [{ id, uri }] }.');
    }
    this.hosts = options.hosts.map((host) => {
      if (typeof host.id !== 'string' || host.id === '' || typeof host.uri !== 'string') {
        throw new TypeError('Every KVM host needs a string id and uri.');
      }
      if (this.hostsById.has(host.id)) throw new TypeError(`KVM host id '${host.id}' is used twice.`);
      const entry: KvmHost = {
        options: host,
        client: host.client ?? new LibvirtClient(host.uri, options.client),
        ownsClient: host.client === undefined,
      };
      this.hostsById.set(host.id, entry);
      return entry;
    });
    this.metrics = new KvmMetricsSampler({ sampleGapMs: options.metricsSampleGapMs });
  }

  /** Connects to every host; fails only when no host answers (unreachable hosts are reported `down`). */
  override async init(context: { signal: AbortSignal }): Promise<void> {
    context.signal.throwIfAborted();
    const results = await Promise.allSettled(this.hosts.map((host) => host.client.connect(context.signal)));
    context.signal.throwIfAborted();
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined && results.every((result) => result.status === 'rejected')) {
      throw toKvmError(failure.reason, { action: 'connect to any KVM host' });
    }
  }

  /** Closes every connection this driver opened. */
  override async close(): Promise<void> {
    await Promise.all(this.hosts.filter((host) => host.ownsClient).map((host) => host.client.close()));
  }

  /** The libvirt client of every host, by host id (the escape hatch for anything NovaCron does not cover). */
  override getClient(): ReadonlyMap<string, LibvirtClient> {
    return new Map(this.hosts.map((host) => [host.options.id, host.client]));
  }

  // ---- lookup helpers ----------------------------------------------------------------------------------------

  private host(hostId: string, field: string): KvmHost {
    const host = this.hostsById.get(hostId);
    if (host === undefined) {
      throw new NovaCronError({
        code: 'NOT_FOUND',
        field,
        message: `KVM host '${hostId}' is not part of this fleet (hosts: ${[...this.hostsById.keys()].join(', ')}).`,
      });
    }
    return host;
  }

  private async locate(name: string, signal: AbortSignal): Promise<Located> {
    const hinted = this.hostsById.get(this.hostHints.get(name) ?? '');
    if (hinted !== undefined) {
      try {
        return { host: hinted, domain: await hinted.client.lookupDomainByName(name, signal) };
      } catch (error) {
        if (!isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN))
          throw toKvmError(error, { action: `look up VM ${name}`, hostId: hinted.options.id });
      }
    }
    const results = await Promise.allSettled(
      this.hosts.map((host) => host.client.lookupDomainByName(name, signal)),
    );
    let unreachable: { error: unknown; hostId: string } | undefined;
    let notFound: unknown;
    for (const [index, result] of results.entries()) {
      const host = this.hosts[index] as KvmHost;
      if (result.status === 'fulfilled') {
        this.hostHints.set(name, host.options.id);
        return { host, domain: result.value };
      }
      if (isLibvirtCode(result.reason, LibvirtErrorCode.NO_DOMAIN)) notFound = result.reason;
      else unreachable ??= { error: result.reason, hostId: host.options.id };
    }
    this.hostHints.delete(name);
    if (unreachable !== undefined) {
      throw toKvmError(unreachable.error, { action: `look up VM ${name}`, hostId: unreachable.hostId });
    }
    throw new NovaCronError({
      code: 'NOT_FOUND',
      message: `VM ${name} not found on any KVM host (${this.hosts.map((host) => host.options.id).join(', ')}) (libvirt error 42). Check the name or list VMs.`,
      cause: notFound,
    });
  }

  private async describe(located: Located, signal: AbortSignal): Promise<ProviderVm> {
    const { host, domain } = located;
    const [state, xml] = await Promise.all([
      located.state ?? host.client.getDomainState(domain, signal),
      host.client.getDomainXml(domain, 0, signal),
    ]);
    const description = parseDomainXml(xml);
    const vm: ProviderVm = {
      id: domain.name,
      name: domain.name,
      state: mapDomainState(state.state, state.reason, this.migrating.has(domain.name)),
      resources: { vcpus: description.vcpus, memoryMiB: description.memoryMiB },
      location: {
        hostId: host.options.id,
        ...(host.options.zone === undefined ? {} : { zone: host.options.zone }),
      },
      addresses: { private: [], public: [] },
      tags: description.metadata.tags,
      raw: {
        uuid: formatUuid(domain.uuid),
        domainId: domain.id,
        hostId: host.options.id,
        domainType: description.domainType,
      },
    };
    if (description.metadata.size !== undefined) vm.size = description.metadata.size;
    if (description.metadata.image !== undefined) vm.image = description.metadata.image;
    if (description.metadata.createdAt !== undefined) vm.createdAt = new Date(description.metadata.createdAt);
    return vm;
  }

  private async withVm<T>(
    vmId: string,
    action: string,
    context: DriverCallContext,
    run: (located: Located) => Promise<T>,
  ): Promise<T> {
    const located = await this.locate(vmId, context.signal);
    try {
      return await run(located);
    } catch (error) {
      throw toKvmError(error, { action: `${action} VM ${vmId}`, hostId: located.host.options.id });
    }
  }

  // ---- VMs ---------------------------------------------------------------------------------------------------

  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const filter = request.filter;
    const after = decodeCursor(request.cursor);
    const hosts = this.hosts.filter(
      (host) =>
        (filter?.hostId === undefined || host.options.id === filter.hostId) &&
        (filter?.zone === undefined || host.options.zone === filter.zone),
    );
    const perHost = await Promise.all(
      hosts.map(async (host) => {
        try {
          // One all-domain stats call (state group) names every domain with its state.
          const records = await host.client.getAllDomainStats([], DomainStatsGroup.STATE, 0, context.signal);
          const wanted = filter?.states === undefined ? undefined : new Set(filter.states);
          return records.flatMap((record) => {
            const state = {
              state: toNumber(record.stats['state.state']) ?? 0,
              reason: toNumber(record.stats['state.reason']) ?? 0,
            };
            const name = mapDomainState(
              state.state,
              state.reason,
              this.migrating.has(record.domain.name),
            ).name;
            return wanted === undefined || wanted.has(name) ? [{ host, domain: record.domain, state }] : [];
          });
        } catch (error) {
          throw toKvmError(error, { action: 'list VMs', hostId: host.options.id });
        }
      }),
    );
    const byName = new Map<string, Located>();
    for (const entry of perHost.flat()) {
      // While a migration runs, the domain exists on both hosts: report it where it is known to live.
      const current = byName.get(entry.domain.name);
      if (current === undefined || this.hostHints.get(entry.domain.name) === entry.host.options.id) {
        byName.set(entry.domain.name, entry);
      }
    }
    const names = [...byName.keys()].filter((name) => after === undefined || name > after).sort();
    const pageSize = Math.max(1, Math.min(request.pageSize ?? 100, this.capabilities.maxPageSize));
    const pageNames = names.slice(0, pageSize);
    const described = await Promise.all(
      pageNames.map((name) =>
        this.describe(byName.get(name) as Located, context.signal).catch((error: unknown) => {
          if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return undefined; // deleted meanwhile
          throw toKvmError(error, {
            action: `describe VM ${name}`,
            hostId: byName.get(name)?.host.options.id,
          });
        }),
      ),
    );
    const items = described.filter((vm): vm is ProviderVm => vm !== undefined);
    const last = pageNames[pageNames.length - 1];
    return names.length > pageSize && last !== undefined
      ? { items, nextCursor: encodeCursor(last) }
      : { items };
  }

  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    return this.withVm(vmId, 'read', context, (located) => this.describe(located, context.signal));
  }

  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const { namePattern, maxNameLength } = this.capabilities;
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
    const existing = await this.locate(spec.name, signal).catch((error: unknown) => {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
    if (existing !== undefined) {
      const xml = await existing.host.client
        .getDomainXml(existing.domain, 0, signal)
        .catch((error: unknown) => {
          throw toKvmError(error, { action: `read VM ${spec.name}`, hostId: existing.host.options.id });
        });
      if (parseDomainXml(xml).metadata.idempotencyKey === context.idempotencyKey) {
        return this.describe(existing, signal);
      }
      throw new NovaCronError({
        code: 'ALREADY_EXISTS',
        field: 'name',
        message: `A VM named ${spec.name} already exists on KVM host '${existing.host.options.id}'. Pick another name or delete it first.`,
      });
    }
    const resources = this.resolveResources(spec);
    const host = await this.placeVm(spec, resources, signal);
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
    let rootDiskPath: string | undefined;
    let rootVolume: { pool: string; name: string } | undefined;
    try {
      if (image !== undefined) {
        const pool = await host.client.lookupStoragePool(image.pool, signal);
        const base = await host.client.lookupStorageVolume(pool, image.volume, signal);
        const basePath = await host.client.getStorageVolumePath(base, signal);
        const volumeName = `${spec.name}-root.qcow2`;
        const volumeXml = buildOverlayVolumeXml({
          name: volumeName,
          capacityGiB: resources.diskGiB > 0 ? resources.diskGiB : (image.defaultDiskGiB ?? 10),
          backingPath: basePath,
        });
        const volume = await host.client
          .createStorageVolume(pool, volumeXml, 0, signal)
          .catch((error: unknown) => {
            if (isLibvirtCode(error, LibvirtErrorCode.STORAGE_VOL_EXIST)) {
              return host.client.lookupStorageVolume(pool, volumeName, signal);
            }
            throw error;
          });
        rootDiskPath = await host.client.getStorageVolumePath(volume, signal);
        rootVolume = { pool: image.pool, name: volumeName };
      }
      const domainType = this.options.domainType ?? 'kvm';
      const xml = buildDomainXml({
        name: spec.name,
        domainType,
        vcpus: resources.vcpus,
        memoryMiB: resources.memoryMiB,
        emulator:
          domainType === 'test' ? undefined : (this.options.emulator ?? '/usr/bin/qemu-system-x86_64'),
        machine: this.options.machine ?? 'pc',
        rootDiskPath,
        network: this.options.network,
        metadata: {
          tags: { ...(spec.tags ?? {}) },
          idempotencyKey: context.idempotencyKey,
          size: spec.size,
          image: spec.image,
          createdAt: new Date().toISOString(),
          rootVolume,
        },
      });
      const defined = await host.client.defineDomainXml(xml, 0, signal);
      this.hostHints.set(spec.name, hostId);
      try {
        await host.client.createDomain(defined, 0, signal);
      } catch (error) {
        await host.client.undefineDomain(defined, 0).catch(() => undefined);
        throw error;
      }
      return await this.describe({ host, domain: defined }, signal);
    } catch (error) {
      throw toKvmError(error, { action, hostId });
    }
  }

  private resolveResources(spec: CreateVmSpec): FullResources {
    if (spec.resources !== undefined) return fullResources(spec.resources);
    if (spec.size !== undefined) {
      const size = this.options.sizes?.[spec.size];
      if (size !== undefined) return fullResources(size);
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'size',
        message: `Size "${spec.size}" is not configured on the kvm driver (sizes: ${Object.keys(this.options.sizes ?? {}).join(', ') || 'none'}).`,
      });
    }
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'resources',
      message: `VM ${spec.name} needs resources ({ vcpus, memoryMiB }) or a configured size.`,
    });
  }

  private async placeVm(spec: CreateVmSpec, resources: Resources, signal: AbortSignal): Promise<KvmHost> {
    const wantedHost = spec.location?.hostId;
    if (wantedHost !== undefined) return this.host(wantedHost, 'location.hostId');
    const zone = spec.location?.zone;
    const candidates = this.hosts.filter((host) => zone === undefined || host.options.zone === zone);
    // Until the scheduler does it: the first host that is up and fits. Host reports are reused for a moment and
    // charged locally with each placement, so a burst of creates does not list every host's domains each time.
    for (const host of candidates) {
      const cached = this.placementSnapshots.get(host.options.id);
      const report =
        cached !== undefined && Date.now() - cached.at < PLACEMENT_SNAPSHOT_MS
          ? cached.report
          : await this.hostReport(host, signal);
      this.placementSnapshots.set(host.options.id, {
        at: cached?.report === report ? cached.at : Date.now(),
        report,
      });
      if (
        report.state === 'up' &&
        resourcesFit(resources, subtractResources(report.allocatable, report.allocated))
      ) {
        report.allocated.vcpus += resources.vcpus;
        report.allocated.memoryMiB += resources.memoryMiB;
        return host;
      }
    }
    throw new NovaCronError({
      code: 'NO_CAPACITY',
      message: `No KVM host${zone === undefined ? '' : ` in zone ${zone}`} has room for VM ${spec.name} (${resources.vcpus} vCPUs, ${resources.memoryMiB} MiB). Free capacity, add a host or raise overcommit.`,
    });
  }

  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.withVm(vmId, 'start', context, async ({ host, domain }) => {
      const { state } = await host.client.getDomainState(domain, context.signal);
      if (state === DomainState.SHUTOFF || state === DomainState.CRASHED) {
        await host.client.createDomain(domain, 0, context.signal);
      }
    });
  }

  async doStopVm(vmId: string, options: { force: boolean }, context: DriverCallContext): Promise<void> {
    await this.withVm(vmId, 'stop', context, async ({ host, domain }) => {
      const { state } = await host.client.getDomainState(domain, context.signal);
      if (!ACTIVE_STATES.has(state)) return;
      if (!options.force && state !== DomainState.PAUSED) {
        await host.client.shutdownDomain(domain, context.signal);
        const deadline = Date.now() + (this.options.shutdownTimeoutMs ?? 60_000);
        while (Date.now() < deadline) {
          if (!ACTIVE_STATES.has((await host.client.getDomainState(domain, context.signal)).state)) return;
          await sleep(100, context.signal);
        }
      }
      await host.client.destroyDomain(domain, 0, context.signal).catch((error: unknown) => {
        // It stopped on its own between the check and the destroy.
        if (!isLibvirtCode(error, LibvirtErrorCode.OPERATION_INVALID)) throw error;
      });
    });
  }

  override async doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.withVm(vmId, 'reboot', context, async ({ host, domain }) => {
      const state = await host.client.getDomainState(domain, context.signal);
      if (state.state !== DomainState.RUNNING && state.state !== DomainState.BLOCKED) {
        throw this.wrongState(vmId, 'reboot', state, 'start or resume it first');
      }
      await host.client.rebootDomain(domain, 0, context.signal);
    });
  }

  private wrongState(
    vmId: string,
    action: string,
    state: { state: number; reason: number },
    fix: string,
  ): NovaCronError {
    const mapped = mapDomainState(state.state, state.reason);
    return new NovaCronError({
      code: 'CONFLICT',
      message: `Cannot ${action} VM ${vmId}: it is ${mapped.providerState} (${mapped.reason ?? 'no reason'}); ${fix}.`,
    });
  }

  override async doSuspendVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.withVm(vmId, 'suspend', context, async ({ host, domain }) => {
      const state = await host.client.getDomainState(domain, context.signal);
      if (state.state === DomainState.PAUSED) return;
      if (state.state !== DomainState.RUNNING && state.state !== DomainState.BLOCKED) {
        throw this.wrongState(vmId, 'suspend', state, 'start it first');
      }
      await host.client.suspendDomain(domain, context.signal);
    });
  }

  override async doResumeVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.withVm(vmId, 'resume', context, async ({ host, domain }) => {
      const state = await host.client.getDomainState(domain, context.signal);
      if (state.state === DomainState.RUNNING || state.state === DomainState.BLOCKED) return;
      if (state.state !== DomainState.PAUSED)
        throw this.wrongState(vmId, 'resume', state, 'start it instead');
      await host.client.resumeDomain(domain, context.signal);
    });
  }

  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    let located: Located;
    try {
      located = await this.locate(vmId, context.signal);
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
    const { host, domain } = located;
    try {
      const xml = await host.client.getDomainXml(domain, 0, context.signal);
      const { rootVolume } = parseDomainXml(xml).metadata;
      await host.client.destroyDomain(domain, 0, context.signal).catch((error: unknown) => {
        if (!isLibvirtCode(error, LibvirtErrorCode.OPERATION_INVALID)) throw error;
      });
      await host.client
        .undefineDomain(
          domain,
          UndefineFlag.MANAGED_SAVE | UndefineFlag.SNAPSHOTS_METADATA | UndefineFlag.NVRAM,
          context.signal,
        )
        .catch((error: unknown) => {
          if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return;
          // Drivers that know no NVRAM (the test driver) refuse the flags: undefine plainly.
          if (error instanceof LibvirtError) return host.client.undefineDomain(domain, 0, context.signal);
          throw error;
        });
      if (rootVolume !== undefined) {
        const pool = await host.client.lookupStoragePool(rootVolume.pool, context.signal);
        const volume = await host.client
          .lookupStorageVolume(pool, rootVolume.name, context.signal)
          .catch(() => undefined);
        if (volume !== undefined) await host.client.deleteStorageVolume(volume, context.signal);
      }
    } catch (error) {
      if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return;
      throw toKvmError(error, { action: `delete VM ${vmId}`, hostId: host.options.id });
    }
    this.hostHints.delete(vmId);
    this.domainSizes.delete(`${host.options.id}/${formatUuid(domain.uuid)}`);
    this.metrics.forget(vmId);
  }

  // ---- hosts and catalog -------------------------------------------------------------------------------------

  private async hostReport(host: KvmHost, signal: AbortSignal): Promise<Host> {
    const { options } = host;
    const overcommit = options.overcommit ?? {};
    const base: Omit<Host, 'capacity' | 'allocatable' | 'allocated' | 'state' | 'vmCount'> = {
      id: options.id,
      labels: { ...(options.labels ?? {}) },
      overcommit: { ...overcommit },
      ...(options.zone === undefined ? {} : { zone: options.zone }),
    };
    try {
      const [node, active] = await Promise.all([
        host.client.nodeGetInfo(signal),
        host.client.listAllDomains(ListDomainsFlag.ACTIVE, signal),
      ]);
      const sizes = await Promise.all(
        active.map(async (domain) => {
          const key = `${options.id}/${formatUuid(domain.uuid)}`;
          const known = this.domainSizes.get(key);
          if (known !== undefined) return known;
          const info = await host.client.getDomainInfo(domain, signal).catch(() => undefined);
          if (info === undefined) return undefined;
          const size = { vcpus: info.vcpus, memoryMiB: Number(info.maxMemoryKiB / 1024n) };
          this.domainSizes.set(key, size);
          return size;
        }),
      );
      const allocated: FullResources = { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 };
      for (const size of sizes) {
        if (size === undefined) continue;
        allocated.vcpus += size.vcpus;
        allocated.memoryMiB += size.memoryMiB;
      }
      const capacity: FullResources = {
        vcpus: node.cpus,
        memoryMiB: Number(node.memoryKiB / 1024n),
        diskGiB: 0,
        gpus: 0,
      };
      const allocatable: FullResources = {
        vcpus: Math.floor(capacity.vcpus * (overcommit.vcpus ?? 1)),
        memoryMiB: Math.floor(capacity.memoryMiB * (overcommit.memoryMiB ?? 1)),
        diskGiB: 0,
        gpus: 0,
      };
      return {
        ...base,
        capacity,
        allocatable,
        allocated,
        state: 'up',
        vmCount: active.length,
        raw: { node },
      };
    } catch (error) {
      if (signal.aborted) throw error;
      const zero: FullResources = { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 };
      return {
        ...base,
        capacity: zero,
        allocatable: zero,
        allocated: zero,
        state: 'down',
        vmCount: 0,
        raw: { error: error instanceof Error ? error.message : String(error) },
      };
    }
  }

  override async doListHosts(request: PageRequest, context: DriverCallContext): Promise<Page<Host>> {
    const page = indexPage(this.hosts, request, 100);
    const items = await Promise.all(page.items.map((host) => this.hostReport(host, context.signal)));
    return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
  }

  override async doListSizes(request: PageRequest): Promise<Page<Size>> {
    const sizes = Object.entries(this.options.sizes ?? {}).map(([name, resources]) => ({ name, resources }));
    return indexPage(sizes, request, 500);
  }

  override async doListImages(request: PageRequest): Promise<Page<Image>> {
    const images = Object.entries(this.options.images ?? {}).map(([name, image]) => ({
      id: name,
      name,
      ...(image.os === undefined ? {} : { os: image.os }),
      raw: image,
    }));
    return indexPage(images, request, 500);
  }

  override async doListLocations(request: PageRequest): Promise<Page<Location>> {
    const zones = [
      ...new Set(this.hosts.flatMap((host) => (host.options.zone === undefined ? [] : [host.options.zone]))),
    ];
    return indexPage(
      zones.map((zone) => ({ id: zone, kind: 'zone' as const })),
      request,
      500,
    );
  }

  // ---- metrics -----------------------------------------------------------------------------------------------

  override async doReadMetrics(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]> {
    if ('hostId' in query.target) {
      const host = this.host(query.target.hostId, 'target.hostId');
      try {
        return await this.metrics.readHost(host.client, host.options.id, query, context.signal);
      } catch (error) {
        throw toKvmError(error, { action: 'read host metrics', hostId: host.options.id });
      }
    }
    const vmId = query.target.vmId;
    return this.withVm(vmId, 'read metrics of', context, ({ host, domain }) =>
      this.metrics.readVm(host.client, domain, vmId, query, context.signal),
    );
  }

  // ---- migration ---------------------------------------------------------------------------------------------

  /**
   * Says what blocks a live migration of a VM to a host: a guest that is not running, host devices passed
   * through, disks that are local to the source, a name taken on the destination, too little room there.
   *
   * @example
   * const check = await driver.checkMigration('web-1', 'host-2');
   * if (!check.migratable) console.log(check.blockers.join('\n'));
   */
  async checkMigration(
    vmId: string,
    toHostId: string,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<KvmMigrationCheck> {
    const { host, domain } = await this.locate(vmId, signal);
    const destination = this.host(toHostId, 'toHostId');
    const blockers: string[] = [];
    try {
      const [state, xml] = await Promise.all([
        host.client.getDomainState(domain, signal),
        host.client.getDomainXml(domain, 0, signal),
      ]);
      const description = parseDomainXml(xml);
      if (state.state !== DomainState.RUNNING && state.state !== DomainState.PAUSED) {
        blockers.push(
          `VM ${vmId} is ${mapDomainState(state.state, state.reason).providerState}: live migration needs a running or paused guest.`,
        );
      }
      if (description.hasHostDevices)
        blockers.push(`VM ${vmId} has host devices passed through, which cannot move live.`);
      for (const disk of description.localDisks.filter((entry) => !entry.shareable)) {
        blockers.push(
          `Disk ${disk.target} (${disk.source}) of VM ${vmId} is local to host '${host.options.id}': put it on shared storage first.`,
        );
      }
      if (destination !== host) {
        const taken = await destination.client.lookupDomainByName(vmId, signal).then(
          () => true,
          () => false,
        );
        if (taken) blockers.push(`Host '${toHostId}' already has a domain named ${vmId}.`);
        const report = await this.hostReport(destination, signal);
        if (report.state !== 'up') blockers.push(`Host '${toHostId}' is not reachable.`);
        else if (
          !resourcesFit(
            { vcpus: description.vcpus, memoryMiB: description.memoryMiB },
            subtractResources(report.allocatable, report.allocated),
          )
        ) {
          blockers.push(
            `Host '${toHostId}' has no room for VM ${vmId} (${description.vcpus} vCPUs, ${description.memoryMiB} MiB).`,
          );
        }
      }
    } catch (error) {
      throw toKvmError(error, { action: `check the migration of VM ${vmId}`, hostId: host.options.id });
    }
    return { migratable: blockers.length === 0, blockers };
  }

  override async doMigrateVm(
    request: DriverMigrateRequest,
    context: DriverMigrateContext,
  ): Promise<MigrationOutcome> {
    if (request.mode !== 'live') {
      throw new NovaCronError({
        code: 'UNSUPPORTED',
        message: `The kvm driver moves VMs between its hosts live only; cold moves across providers are the core's migration saga.`,
      });
    }
    const destination = this.host(request.toHostId, 'toHostId');
    const { host: source, domain } = await this.locate(request.vmId, context.signal);
    if (source === destination) return { hostId: destination.options.id };
    const check = await this.checkMigration(request.vmId, request.toHostId, context.signal);
    if (!check.migratable) {
      throw new NovaCronError({
        code: 'CONFLICT',
        message: `VM ${request.vmId} cannot live-migrate to host '${request.toHostId}': ${check.blockers.join(' ')}`,
      });
    }
    this.migrating.add(request.vmId);
    try {
      const outcome = await runLiveMigration({
        domain,
        source: {
          hostId: source.options.id,
          client: source.client,
          migrationUri: source.options.migrationUri ?? source.options.uri,
        },
        destination: {
          hostId: destination.options.id,
          client: destination.client,
          migrationUri: destination.options.migrationUri ?? destination.options.uri,
          migrationDataUri: destination.options.migrationDataUri,
        },
        policy: { ...(this.options.migrationPolicy ?? {}), ...request.policy },
        progressIntervalMs: this.options.migrationProgressIntervalMs ?? 500,
        signal: context.signal,
        onProgress: (progress) => context.onProgress(progress),
      });
      this.hostHints.set(request.vmId, destination.options.id);
      return outcome;
    } finally {
      this.migrating.delete(request.vmId);
    }
  }

  // ---- events ------------------------------------------------------------------------------------------------

  override async doWatch(
    listener: (event: DriverEvent) => void,
    context: { signal: AbortSignal },
  ): Promise<() => Promise<void>> {
    const chains = new Map<string, Promise<void>>();
    const stops: (() => Promise<void> | void)[] = [];
    const emitFor = async (
      host: KvmHost,
      domain: DomainRef,
      event: number,
      detail: number,
    ): Promise<void> => {
      const vmId = domain.name;
      if (event === DomainLifecycleEvent.STOPPED && detail === STOPPED_MIGRATED) return; // the destination reports it
      if (event === DomainLifecycleEvent.UNDEFINED) {
        // After a migration the source undefines its copy: the VM is not gone if another host has it.
        const elsewhere = await Promise.all(
          this.hosts
            .filter((other) => other !== host)
            .map((other) =>
              other.client.lookupDomainByName(vmId).then(
                () => true,
                () => false,
              ),
            ),
        );
        if (!elsewhere.includes(true))
          listener({ type: 'vm.state', vmId, state: TERMINATED_STATE, hostId: host.options.id });
        return;
      }
      const state = await host.client.getDomainState(domain).catch(() => undefined);
      if (state === undefined) return;
      listener({
        type: 'vm.state',
        vmId,
        state: mapDomainState(state.state, state.reason, this.migrating.has(vmId)),
        hostId: host.options.id,
      });
    };
    try {
      for (const host of this.hosts) {
        stops.push(
          host.client.onConnectionState((state) =>
            listener({
              type: 'host.state',
              hostId: host.options.id,
              state: state === 'connected' ? 'up' : 'down',
            }),
          ),
        );
        stops.push(
          await host.client.onDomainEvent(
            'lifecycle',
            ({ domain, event, detail }) => {
              // Keep each VM's events in order while states are read.
              const previous = chains.get(domain.name) ?? Promise.resolve();
              const next = previous.then(() => emitFor(host, domain, event, detail)).catch(() => undefined);
              chains.set(domain.name, next);
            },
            { retryInBackground: true },
          ),
        );
        // A host that is down now is watched anyway: it reports `up` when its daemon is back.
        if (!host.client.isConnected)
          listener({ type: 'host.state', hostId: host.options.id, state: 'down' });
      }
    } catch (error) {
      await Promise.all(stops.map((stop) => stop()));
      throw toKvmError(error, { action: 'watch KVM hosts' });
    }
    let stopped = false;
    const unsubscribe = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      context.signal.removeEventListener('abort', onAbort);
      await Promise.all(stops.map((stop) => stop()));
    };
    const onAbort = (): void => {
      void unsubscribe();
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    return unsubscribe;
  }
}

/**
 * Makes a KVM driver for a fleet of libvirt hosts.
 *
 * @example
 * const kvm = createKvmDriver({
 *   hosts: [
 *     { id: 'host-1', uri: 'qemu+ssh://root@host1/system', zone: 'rack-1', labels: { ssd: 'true' } },
 *     { id: 'host-2', uri: 'qemu+ssh://root@host2/system', zone: 'rack-2' },
 *   ],
 *   sizes: { small: { vcpus: 1, memoryMiB: 1024 } },
 * });
 */
export function createKvmDriver(options: KvmDriverOptions): KvmDriver {
  return new KvmDriver(options);
}
