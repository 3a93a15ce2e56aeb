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
  type Host,
  type Image,
  type ListVmsRequest,
  type Location,
  type MetricSeries,
  type MetricsQuery,
  type MigrationOutcome,
  type Page,
  type PageRequest,
  type ProviderVm,
  type Size,
} from '@novacron/core';
import { listImages, listLocations, listSizes } from './kvm-catalog.js';
import { assertKvmDriverOptions, type KvmDriverOptions } from './kvm-driver-options.js';
import { toKvmError } from './kvm-error-map.js';
import { KvmFleet } from './kvm-fleet.js';
import { checkMigration, type KvmMigrationCheck, migrateVm } from './kvm-fleet-migration.js';
import { KvmHostReports } from './kvm-host-report.js';
import { KvmMetricsSampler } from './kvm-metrics.js';
import { KvmPlacement } from './kvm-placement.js';
import { KvmVmCreator } from './kvm-vm-create.js';
import { describeVm } from './kvm-vm-describe.js';
import { deleteVm, rebootVm, resumeVm, startVm, stopVm, suspendVm } from './kvm-vm-lifecycle.js';
import { listVms } from './kvm-vm-list.js';
import { watchFleet } from './kvm-watch.js';
import { XML_CHARACTERS } from './kvm-xml-document.js';
import type { LibvirtClient } from './libvirt/index.js';

/** A graceful stop waits this long for the guest by default before powering it off. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 60_000;

/**
 * The KVM driver: a fleet of hosts, each with its own libvirtd, spoken to over libvirt's remote RPC protocol.
 * Made by {@link createKvmDriver}; the core calls its `do*` methods.
 */
export class KvmDriver extends DriverBase {
  readonly kind = 'kvm';
  override readonly capabilities: DriverCapabilities;
  /**
   * One attempt may take the graceful stop's wait (`shutdownTimeoutMs`) plus a minute for the power-off and the
   * calls around it; other calls answer in well under a minute.
   */
  readonly defaultLimits: { readonly attemptTimeoutMs: number };

  private readonly fleet: KvmFleet;
  private readonly hostReports = new KvmHostReports();
  private readonly creator: KvmVmCreator;
  private readonly metrics: KvmMetricsSampler;

  constructor(private readonly options: KvmDriverOptions) {
    super();
    assertKvmDriverOptions(options);
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
      // libvirt's rule for domain names as NovaCron uses them (they also name the root volume, `<name>-root.qcow2`).
      maxNameLength: 63,
      namePattern: /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
      // Tags live in the domain XML's metadata: anything XML 1.0 can carry (tab, newline and carriage return
      // included), never other C0 controls, U+FFFE/U+FFFF or lone surrogates.
      tagKeyPattern: new RegExp(`^[${XML_CHARACTERS}]+$`, 'u'),
      tagValuePattern: new RegExp(`^[${XML_CHARACTERS}]*$`, 'u'),
    });
    this.defaultLimits = {
      attemptTimeoutMs: (options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) + 60_000,
    };
    this.fleet = new KvmFleet(options);
    const placement = new KvmPlacement(this.fleet, this.hostReports);
    this.creator = new KvmVmCreator(this.fleet, placement, options);
    this.metrics = new KvmMetricsSampler({ sampleGapMs: options.metricsSampleGapMs });
  }

  /** Connects to every host; fails only when no host answers (unreachable hosts are reported `down`). */
  override async init(context: { signal: AbortSignal }): Promise<void> {
    await this.fleet.connect(context.signal);
  }

  /** Closes every connection this driver opened. */
  override async close(): Promise<void> {
    await this.fleet.close();
  }

  /** The libvirt client of every host, by host id (the escape hatch for anything NovaCron does not cover). */
  override getClient(): ReadonlyMap<string, LibvirtClient> {
    return this.fleet.clients();
  }

  // ---- VMs ---------------------------------------------------------------------------------------------------

  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    return listVms(this.fleet, request, this.capabilities.maxPageSize, context.signal);
  }

  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    return this.fleet.withVm(vmId, 'read', context.signal, (located) =>
      describeVm(located, this.fleet.migrating, context.signal),
    );
  }

  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    return this.creator.create(spec, context);
  }

  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.fleet.withVm(vmId, 'start', context.signal, (located) => startVm(located, context.signal));
  }

  async doStopVm(vmId: string, options: { force: boolean }, context: DriverCallContext): Promise<void> {
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    await this.fleet.withVm(vmId, 'stop', context.signal, (located) =>
      stopVm(located, options.force, timeoutMs, context.signal),
    );
  }

  async doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.fleet.withVm(vmId, 'reboot', context.signal, (located) =>
      rebootVm(vmId, located, context.signal),
    );
  }

  async doSuspendVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.fleet.withVm(vmId, 'suspend', context.signal, (located) =>
      suspendVm(vmId, located, context.signal),
    );
  }

  async doResumeVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.fleet.withVm(vmId, 'resume', context.signal, (located) =>
      resumeVm(vmId, located, context.signal),
    );
  }

  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    const located = await this.fleet.find(vmId, context.signal);
    if (located === undefined || !(await deleteVm(vmId, located, context.signal))) return;
    this.fleet.forget(vmId);
    this.hostReports.forgetDomain(located.host.options.id, located.domain);
    this.metrics.forget(vmId);
  }

  // ---- hosts and catalog -------------------------------------------------------------------------------------

  async doListHosts(request: PageRequest, context: DriverCallContext): Promise<Page<Host>> {
    return this.hostReports.list(this.fleet.hosts, request, this.capabilities.maxPageSize, context.signal);
  }

  async doListSizes(request: PageRequest): Promise<Page<Size>> {
    return listSizes(this.options.sizes, request, this.capabilities.maxPageSize);
  }

  async doListImages(request: PageRequest): Promise<Page<Image>> {
    return listImages(this.options.images, request, this.capabilities.maxPageSize);
  }

  async doListLocations(request: PageRequest): Promise<Page<Location>> {
    return listLocations(this.fleet.hosts, request, this.capabilities.maxPageSize);
  }

  // ---- metrics -----------------------------------------------------------------------------------------------

  async doReadMetrics(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]> {
    if ('hostId' in query.target) {
      const host = this.fleet.host(query.target.hostId, 'target.hostId');
      try {
        return await this.metrics.readHost(host.client, host.options.id, query, context.signal);
      } catch (error) {
        throw toKvmError(error, { action: 'read host metrics', hostId: host.options.id }, context.signal);
      }
    }
    const vmId = query.target.vmId;
    return this.fleet.withVm(vmId, 'read metrics of', context.signal, ({ host, domain }) =>
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
    return checkMigration(this.fleet, this.hostReports, vmId, toHostId, signal);
  }

  async doMigrateVm(request: DriverMigrateRequest, context: DriverMigrateContext): Promise<MigrationOutcome> {
    const check = (vmId: string, toHostId: string, signal: AbortSignal): Promise<KvmMigrationCheck> =>
      this.checkMigration(vmId, toHostId, signal);
    return migrateVm({ fleet: this.fleet, options: this.options, check }, request, context);
  }

  // ---- events ------------------------------------------------------------------------------------------------

  async doWatch(
    listener: (event: DriverEvent) => void,
    context: { signal: AbortSignal },
  ): Promise<() => Promise<void>> {
    return watchFleet(this.fleet, listener, context.signal);
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
