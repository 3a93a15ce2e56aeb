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
  type HostState,
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
  type Size,
  type VmStateName,
} from '@novacron/core';
import { SIM_IMAGES, SIM_REGION, SIM_SIZES } from './sim-catalog.js';
import type { SimControl, SimCounts, SimSnapshot } from './sim-control.js';
import { type ResolvedCreateSpec, resolveCreateSpec, sameCreateSpec } from './sim-create-spec.js';
import { SimEventHub } from './sim-events.js';
import { SimFaultInjector } from './sim-faults.js';
import { SimFleet, type SimVmRecord, toProviderVm } from './sim-fleet.js';
import { hashUnit } from './sim-hash.js';
import { buildHostRecords, defaultHostSpecs, hostFits, type SimHostRecord, toHost } from './sim-hosts.js';
import { conflictError, planTransition, type SimLifecycleOperation, simState } from './sim-lifecycle.js';
import { type MetricsVm, SimMetricsGenerator } from './sim-metrics.js';
import { resolveMetricsQuery } from './sim-metrics-query.js';
import { runPreCopy } from './sim-migration.js';
import { type ResolvedSimOptions, resolveSimOptions, type SimDriverOptions } from './sim-options.js';
import { decodeCursor, encodeCursor, pageOfFixedList, resolvePageSize } from './sim-paging.js';

const MIB = 1_048_576;
const HOST_STATES: readonly HostState[] = ['up', 'maintenance', 'down'];

/** A live migration in progress. */
interface InFlightMigration {
  vmId: string;
  source: SimHostRecord;
  destination: SimHostRecord;
  /** Fails the migration with `reason`. */
  abort: (reason: NovaCronError) => void;
}

/** What a create's idempotency key remembers: the VM, the spec, and the VM's last record once deleted. */
interface IdempotencyEntry {
  vmId: string;
  spec: ResolvedCreateSpec;
  tombstone: ProviderVm | undefined;
}

/**
 * The simulated fleet driver (kind `sim`). Build it with {@link createSimDriver}; `driver.sim` is its control
 * surface. Every capability of the contract is implemented; see the package README for the models.
 */
export class SimDriver extends DriverBase {
  readonly kind = 'sim';
  override readonly capabilities: DriverCapabilities;
  /** The control surface: faults, host states, dirty rates, snapshots and counters. */
  readonly sim: SimControl;

  readonly #options: ResolvedSimOptions;
  readonly #fleet: SimFleet;
  readonly #faults: SimFaultInjector;
  readonly #events = new SimEventHub();
  readonly #metrics: SimMetricsGenerator;
  readonly #idempotency = new Map<string, IdempotencyEntry>();
  readonly #transitioning = new Set<SimVmRecord>();
  /** Live migrations in progress, so a host going down can fail the ones that touch it at once. */
  readonly #migrations = new Set<InFlightMigration>();

  constructor(options: SimDriverOptions = {}) {
    super();
    this.#options = resolveSimOptions(options);
    const specs =
      typeof this.#options.hosts === 'number' ? defaultHostSpecs(this.#options.hosts) : this.#options.hosts;
    this.#fleet = new SimFleet(buildHostRecords(specs));
    this.#faults = new SimFaultInjector(this.#options.seed, this.#options.faults);
    this.#metrics = new SimMetricsGenerator(this.#options.seed);
    this.capabilities = defineCapabilities({
      suspend: true,
      reboot: true,
      hosts: true,
      createOnHost: true,
      sizes: true,
      images: true,
      locations: true,
      liveMigration: true,
      metrics: true,
      watch: true,
      maxPageSize: this.#options.pageSize,
    });
    this.sim = this.#control();
  }

  /** The control surface (the sim has no other native client). */
  override getClient(): SimControl {
    return this.sim;
  }

  /** Cancels pending transitions and detaches every watcher. */
  override async close(): Promise<void> {
    for (const record of this.#transitioning) clearTimeout(record.transition!.timer);
    for (const record of this.#transitioning) record.transition = undefined;
    this.#transitioning.clear();
    this.#events.clear();
  }

  // The do* methods return the fault injector's promise as it is, without wrapping it in another async frame.

  doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    return this.#faults.run('list', context.signal, () => {
      const size = resolvePageSize(request.pageSize, this.capabilities.maxPageSize);
      const after = request.cursor === undefined ? undefined : decodeCursor('vms', request.cursor);
      const { items, more } = this.#fleet.listAfter(after, size, request.filter);
      const page: Page<ProviderVm> = { items: items.map(toProviderVm) };
      const last = items.at(-1);
      if (more && last !== undefined) page.nextCursor = encodeCursor('vms', last.id);
      return page;
    });
  }

  doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    return this.#faults.run('get', context.signal, () => toProviderVm(this.#requireVm(vmId)));
  }

  doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    return this.#faults.run('create', context.signal, () => this.#create(spec, context.idempotencyKey));
  }

  doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#faults.run('start', context.signal, () => this.#lifecycle('start', vmId));
  }

  doStopVm(vmId: string, options: { force: boolean }, context: DriverCallContext): Promise<void> {
    return this.#faults.run('stop', context.signal, () =>
      this.#lifecycle(options.force ? 'forceStop' : 'stop', vmId),
    );
  }

  doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#faults.run('reboot', context.signal, () => this.#lifecycle('reboot', vmId));
  }

  doSuspendVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#faults.run('suspend', context.signal, () => this.#lifecycle('suspend', vmId));
  }

  doResumeVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#faults.run('resume', context.signal, () => this.#lifecycle('resume', vmId));
  }

  doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#faults.run('delete', context.signal, () => this.#delete(vmId));
  }

  doListHosts(request: PageRequest, context: DriverCallContext): Promise<Page<Host>> {
    return this.#faults
      .run('listHosts', context.signal, () =>
        pageOfFixedList('hosts', this.#fleet.hosts, request, this.capabilities.maxPageSize),
      )
      .then((page) => ({ ...page, items: page.items.map(toHost) }));
  }

  doListSizes(request: PageRequest, context: DriverCallContext): Promise<Page<Size>> {
    return this.#faults.run('listSizes', context.signal, () =>
      pageOfFixedList('sizes', this.#sizes(), request, this.capabilities.maxPageSize),
    );
  }

  doListImages(request: PageRequest, context: DriverCallContext): Promise<Page<Image>> {
    return this.#faults.run('listImages', context.signal, () =>
      pageOfFixedList(
        'images',
        SIM_IMAGES.map((image) => ({ ...image })),
        request,
        this.capabilities.maxPageSize,
      ),
    );
  }

  doListLocations(request: PageRequest, context: DriverCallContext): Promise<Page<Location>> {
    return this.#faults.run('listLocations', context.signal, () => {
      const zones = [...this.#fleet.zones].sort();
      const locations: Location[] = [
        { id: SIM_REGION, kind: 'region' },
        ...zones.map((zone): Location => ({ id: zone, kind: 'zone', region: SIM_REGION })),
      ];
      return pageOfFixedList('locations', locations, request, this.capabilities.maxPageSize);
    });
  }

  doMigrateVm(request: DriverMigrateRequest, context: DriverMigrateContext): Promise<MigrationOutcome> {
    return this.#faults.run('migrate', context.signal, () => this.#migrate(request, context));
  }

  doReadMetrics(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]> {
    return this.#faults.run('metrics', context.signal, () => this.#readMetrics(query));
  }

  async doWatch(
    listener: (event: DriverEvent) => void,
    context: { signal: AbortSignal },
  ): Promise<() => Promise<void>> {
    const unsubscribe = this.#events.subscribe(listener, context.signal);
    return async () => unsubscribe();
  }

  #create(spec: CreateVmSpec, idempotencyKey: string | undefined): ProviderVm {
    const resolved = resolveCreateSpec(spec, this.capabilities, this.#fleet);
    const previous = idempotencyKey === undefined ? undefined : this.#idempotency.get(idempotencyKey);
    if (previous !== undefined) {
      if (!sameCreateSpec(previous.spec, resolved)) {
        throw new NovaCronError({
          code: 'CONFLICT',
          message: `Idempotency key '${idempotencyKey}' was already used by the sim driver to create VM ${previous.vmId} from a different spec. Use a new key for a different VM.`,
        });
      }
      const existing = this.#fleet.vm(previous.vmId);
      return existing === undefined ? structuredClone(previous.tombstone!) : toProviderVm(existing);
    }
    const host = this.#fleet.place(resolved.resources, resolved.zone, resolved.hostId);
    const { id, ordinal } = this.#fleet.nextVmId();
    const record: SimVmRecord = {
      id,
      name: resolved.name,
      state: simState('pending', 'created'),
      resources: resolved.resources,
      hostId: host.id,
      zone: host.zone,
      size: resolved.size,
      image: resolved.image,
      tags: resolved.tags,
      privateAddress: `10.${(ordinal >>> 16) & 255}.${(ordinal >>> 8) & 255}.${ordinal & 255}`,
      createdAtMs: this.#options.now(),
      dirtyRateBytesPerSecond: resolved.dirtyRateBytesPerSecond ?? this.#defaultDirtyRate(id),
      idempotencyKey,
      migrations: 0,
      transition: undefined,
    };
    this.#fleet.reserve(host, resolved.resources);
    this.#fleet.add(record);
    if (idempotencyKey !== undefined) {
      this.#idempotency.set(idempotencyKey, { vmId: id, spec: resolved, tombstone: undefined });
    }
    this.#emitState(record);
    this.#scheduleTransition(record, 'running', 'booted');
    return toProviderVm(record);
  }

  #lifecycle(operation: SimLifecycleOperation, vmId: string): void {
    const record = this.#requireVm(vmId);
    const plan = planTransition(operation, record.state.name);
    if (plan.kind === 'noop') return;
    if (plan.kind === 'conflict') throw conflictError(record, operation, record.state.name, plan.hint);
    if (plan.now === 'pending') {
      const host = this.#fleet.host(record.hostId)!;
      if (host.state === 'down') {
        throw conflictError(
          record,
          operation,
          record.state.name,
          `Its host ${host.id} is down: wait until the host is up again, or delete the VM.`,
        );
      }
    }
    this.#cancelTransition(record);
    this.#setState(record, plan.now, plan.reason);
    if (plan.settlesTo !== undefined) this.#scheduleTransition(record, plan.settlesTo, plan.reason);
  }

  #delete(vmId: string): void {
    const record = this.#fleet.vm(vmId);
    if (record === undefined) return;
    const plan = planTransition('delete', record.state.name);
    if (plan.kind === 'conflict') throw conflictError(record, 'delete', record.state.name, plan.hint);
    this.#cancelTransition(record);
    this.#setState(record, 'terminated', 'deleted');
    this.#fleet.release(this.#fleet.host(record.hostId)!, record.resources);
    this.#fleet.remove(vmId);
    if (record.idempotencyKey !== undefined) {
      const entry = this.#idempotency.get(record.idempotencyKey);
      if (entry !== undefined) entry.tombstone = toProviderVm(record);
    }
  }

  async #migrate(request: DriverMigrateRequest, context: DriverMigrateContext): Promise<MigrationOutcome> {
    if (request.mode !== 'live') {
      throw new NovaCronError({
        code: 'UNSUPPORTED',
        message: `The sim driver migrates running VMs live only; mode '${request.mode}' is not modelled. Use mode 'live'.`,
      });
    }
    const record = this.#requireVm(request.vmId);
    const destination = this.#fleet.host(request.toHostId);
    if (destination === undefined) {
      throw new NovaCronError({
        code: 'NOT_FOUND',
        message: `Destination host '${request.toHostId}' not found on the sim driver. Use one of ${this.#fleet.hosts.map((host) => host.id).join(', ')}.`,
      });
    }
    // A retry after a lost response finds the VM already moved: report success again.
    if (record.hostId === destination.id && record.state.name !== 'migrating') {
      return { hostId: destination.id, downtimeMs: 0, bytesTransferred: 0, iterations: 0 };
    }
    const plan = planTransition('migrate', record.state.name);
    if (plan.kind === 'conflict') throw conflictError(record, 'migrate', record.state.name, plan.hint);
    if (destination.state !== 'up') {
      throw conflictError(
        record,
        'migrate',
        record.state.name,
        `Destination host ${destination.id} is ${destination.state} and takes no VMs; pick a host that is up.`,
      );
    }
    if (!hostFits(destination, record.resources)) {
      throw new NovaCronError({
        code: 'NO_CAPACITY',
        message: `Sim host ${destination.id} has no room for VM ${record.id} (${record.resources.vcpus} vCPU, ${record.resources.memoryMiB} MiB, ${record.resources.diskGiB} GiB disk, ${record.resources.gpus} GPU); it has ${destination.allocatable.vcpus - destination.allocated.vcpus} vCPU and ${destination.allocatable.memoryMiB - destination.allocated.memoryMiB} MiB free. Pick another host or free this one.`,
      });
    }
    const policy = request.policy ?? {};
    const bandwidthMiBps =
      positivePolicy('bandwidthMiBps', policy.bandwidthMiBps) ??
      this.#options.migration.defaultBandwidthMiBps;
    const maxDowntimeMs =
      nonNegativePolicy('maxDowntimeMs', policy.maxDowntimeMs) ??
      this.#options.migration.defaultMaxDowntimeMs;
    const completionTimeoutMs = positivePolicy('completionTimeoutMs', policy.completionTimeoutMs);
    const source = this.#fleet.host(record.hostId)!;

    this.#fleet.reserve(destination, record.resources);
    this.#setState(record, 'migrating', 'migrating');
    const hostFailure = new AbortController();
    const migration: InFlightMigration = {
      vmId: record.id,
      source,
      destination,
      abort: (reason) => hostFailure.abort(reason),
    };
    this.#migrations.add(migration);
    const jitter = this.#options.migration.dirtyRateJitter;
    const migrationNumber = record.migrations;
    let result: Awaited<ReturnType<typeof runPreCopy>>;
    try {
      result = await runPreCopy({
        memoryBytes: record.resources.memoryMiB * MIB,
        bandwidthBytesPerSecond: bandwidthMiBps * MIB,
        dirtyRateBytesPerSecond: record.dirtyRateBytesPerSecond,
        maxDowntimeMs,
        maxIterations: this.#options.migration.maxIterations,
        completionTimeoutMs,
        onTimeout: policy.onTimeout ?? 'abort',
        autoConverge: policy.autoConverge ?? false,
        jitter: (iteration) =>
          1 + jitter * (2 * hashUnit(this.#options.seed, record.id, 'dirty', migrationNumber, iteration) - 1),
        timeScale: this.#options.timeScale,
        signal: AbortSignal.any([context.signal, hostFailure.signal]),
        onProgress: (progress) => context.onProgress(progress),
      });
    } catch (error) {
      this.#endMigration(migration, record, 'migration-cancelled');
      throw error;
    }
    if (result.outcome === 'timeout') {
      this.#endMigration(migration, record, 'migration-timeout');
      const simulatedSeconds = (result.elapsedMs / 1000).toFixed(1);
      throw new NovaCronError({
        code: 'TIMEOUT',
        retryable: false,
        message:
          `Live migration of VM ${record.id} from ${source.id} to ${destination.id} did not converge after ${result.iterations} iterations (${simulatedSeconds} s simulated): ` +
          `dirty rate ${(result.lastDirtyRateBytesPerSecond / MIB).toFixed(0)} MiB/s against ${bandwidthMiBps} MiB/s of bandwidth would need ${result.downtimeMs.toFixed(0)} ms of downtime (max ${maxDowntimeMs} ms). ` +
          `The VM keeps running on ${source.id}. Raise bandwidthMiBps or maxDowntimeMs, set autoConverge, or use onTimeout: 'postcopy'.`,
      });
    }
    this.#migrations.delete(migration);
    this.#fleet.release(source, record.resources);
    record.hostId = destination.id;
    record.zone = destination.zone;
    record.migrations += 1;
    this.#setState(record, 'running', result.outcome === 'postcopy' ? 'migrated-postcopy' : 'migrated');
    context.onProgress({
      phase: 'completed',
      bytesProcessed: result.bytesTransferred,
      bytesRemaining: 0,
      bytesTotal: result.bytesTransferred,
      iteration: result.iterations,
      downtimeMs: result.downtimeMs,
    });
    return {
      hostId: destination.id,
      downtimeMs: result.downtimeMs,
      bytesTransferred: result.bytesTransferred,
      iterations: result.iterations,
    };
  }

  /** Undoes a migration that did not finish: the destination's reservation goes, the VM runs on its source. */
  #endMigration(migration: InFlightMigration, record: SimVmRecord, reason: string): void {
    this.#migrations.delete(migration);
    this.#fleet.release(migration.destination, record.resources);
    if (migration.source.state === 'down') this.#setState(record, 'error', 'host-down');
    else this.#setState(record, 'running', reason);
  }

  #readMetrics(query: MetricsQuery): MetricSeries[] {
    const { fromMs, toMs, stepMs, metrics } = resolveMetricsQuery(query);
    const timestamps = this.#metrics.timestamps(fromMs, toMs, stepMs);
    if ('vmId' in query.target) {
      const record = this.#requireVm(query.target.vmId);
      const vm = { id: record.id, resources: record.resources, state: record.state.name };
      return metrics.map((metric) => ({
        metric,
        timestampsMs: timestamps.slice(),
        values: this.#metrics.vmSeries(vm, metric, timestamps),
      }));
    }
    const hostId = query.target.hostId;
    const host = this.#fleet.host(hostId);
    if (host === undefined) throw this.#hostNotFound(hostId);
    const vms: MetricsVm[] = [];
    for (const record of this.#fleet.allVms()) {
      if (record.hostId === hostId)
        vms.push({ id: record.id, resources: record.resources, state: record.state.name });
    }
    return metrics.map((metric) => ({
      metric,
      timestampsMs: timestamps.slice(),
      values: this.#metrics.hostSeries(host, vms, metric, timestamps),
    }));
  }

  #sizes(): Size[] {
    const gpuZones = [
      ...new Set(this.#fleet.hosts.filter((host) => host.capacity.gpus > 0).map((host) => host.zone)),
    ];
    return SIM_SIZES.map((size) => {
      const copy: Size = { ...size, resources: { ...size.resources } };
      if ((size.resources.gpus ?? 0) > 0) copy.locations = gpuZones;
      return copy;
    });
  }

  #requireVm(vmId: string): SimVmRecord {
    const record = this.#fleet.vm(vmId);
    if (record === undefined) {
      throw new NovaCronError({
        code: 'NOT_FOUND',
        message: `VM '${vmId}' not found on the sim driver; it may have been deleted. List VMs to see which exist.`,
      });
    }
    return record;
  }

  #hostNotFound(hostId: string): NovaCronError {
    return new NovaCronError({
      code: 'NOT_FOUND',
      message: `Host '${hostId}' not found on the sim driver. Use one of ${this.#fleet.hosts.map((host) => host.id).join(', ')}.`,
    });
  }

  #defaultDirtyRate(vmId: string): number {
    const { min, max } = this.#options.migration.dirtyRateMiBps;
    const unit = hashUnit(this.#options.seed, 'dirty-rate', vmId);
    return Math.exp(Math.log(min) + unit * (Math.log(max) - Math.log(min))) * MIB;
  }

  #setState(record: SimVmRecord, name: VmStateName, reason: string): void {
    record.state = simState(name, reason);
    this.#emitState(record);
  }

  #emitState(record: SimVmRecord): void {
    if (this.#events.size === 0) return;
    this.#events.emit({
      type: 'vm.state',
      vmId: record.id,
      state: { ...record.state },
      hostId: record.hostId,
    });
  }

  /** Moves the VM to `to` after `transitionDelayMs` (at once when it is 0). */
  #scheduleTransition(record: SimVmRecord, to: VmStateName, reason: string): void {
    const delay = this.#options.transitionDelayMs;
    if (delay === 0) {
      this.#setState(record, to, reason);
      return;
    }
    const timer = setTimeout(() => this.#completeTransition(record), delay);
    timer.unref?.();
    record.transition = { timer, to, reason };
    this.#transitioning.add(record);
  }

  #completeTransition(record: SimVmRecord): void {
    const transition = record.transition;
    if (transition === undefined) return;
    clearTimeout(transition.timer);
    record.transition = undefined;
    this.#transitioning.delete(record);
    this.#setState(record, transition.to, transition.reason);
  }

  #cancelTransition(record: SimVmRecord): void {
    if (record.transition === undefined) return;
    clearTimeout(record.transition.timer);
    record.transition = undefined;
    this.#transitioning.delete(record);
  }

  #control(): SimControl {
    const faults = this.#faults;
    const fleet = this.#fleet;
    return {
      get faults() {
        return faults.faults;
      },
      setFaults: (next) => faults.set(next),
      setHostState: (hostId, state) => this.#setHostState(hostId, state),
      setDirtyRate: (vmId, mibPerSecond) => {
        const record = fleet.vm(vmId);
        if (record === undefined) throw new TypeError(`setDirtyRate: no sim VM '${vmId}'.`);
        if (typeof mibPerSecond !== 'number' || !Number.isFinite(mibPerSecond) || mibPerSecond < 0) {
          throw new TypeError(
            `setDirtyRate: the rate must be a finite number >= 0 (MiB/s), got ${mibPerSecond}.`,
          );
        }
        record.dirtyRateBytesPerSecond = mibPerSecond * MIB;
      },
      settle: () => {
        for (const record of [...this.#transitioning]) this.#completeTransition(record);
      },
      snapshot: (): SimSnapshot => ({
        hosts: fleet.hosts.map(toHost),
        vms: Array.from(fleet.allVms(), toProviderVm),
      }),
      counts: (): SimCounts => {
        const byState: SimCounts['byState'] = {};
        const byHost: SimCounts['byHost'] = {};
        for (const record of fleet.allVms()) {
          byState[record.state.name] = (byState[record.state.name] ?? 0) + 1;
          byHost[record.hostId] = (byHost[record.hostId] ?? 0) + 1;
        }
        return {
          hosts: fleet.hosts.length,
          vms: fleet.size,
          byState,
          byHost,
          migrationsInFlight: this.#migrations.size,
          pendingTransitions: this.#transitioning.size,
          watchers: this.#events.size,
        };
      },
      stats: () => faults.stats(),
    };
  }

  #setHostState(hostId: string, state: HostState): void {
    const host = this.#fleet.host(hostId);
    if (host === undefined) {
      throw new TypeError(
        `setHostState: no sim host '${hostId}'; hosts are ${this.#fleet.hosts.map((entry) => entry.id).join(', ')}.`,
      );
    }
    if (!HOST_STATES.includes(state)) {
      throw new TypeError(
        `setHostState: state must be one of ${HOST_STATES.join(', ')}, got '${String(state)}'.`,
      );
    }
    if (host.state === state) return;
    host.state = state;
    this.#fleet.hostStateChanged();
    this.#events.emit({ type: 'host.state', hostId, state });
    if (state !== 'down') return;
    for (const migration of [...this.#migrations]) {
      if (migration.source !== host && migration.destination !== host) continue;
      const { source, destination } = migration;
      migration.abort(
        new NovaCronError({
          code: 'UNAVAILABLE',
          retryable: false,
          message: `Live migration of VM ${migration.vmId} from ${source.id} to ${destination.id} failed: host ${hostId} went down. ${host === source ? 'The VM crashed with its host.' : `The VM stayed on ${source.id}.`}`,
        }),
      );
    }
    for (const record of this.#fleet.allVms()) {
      if (record.hostId !== hostId || !CRASH_ON_HOST_DOWN.has(record.state.name)) continue;
      this.#cancelTransition(record);
      this.#setState(record, 'error', 'host-down');
    }
  }
}

/** States whose guest dies when its host goes down (a migrating VM is handled by its migration). */
const CRASH_ON_HOST_DOWN: ReadonlySet<VmStateName> = new Set<VmStateName>([
  'pending',
  'running',
  'stopping',
  'suspended',
]);

function positivePolicy(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: `policy.${field}`,
      message: `Migration policy ${field} must be a finite number > 0, got ${String(value)}.`,
    });
  }
  return value;
}

function nonNegativePolicy(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: `policy.${field}`,
      message: `Migration policy ${field} must be a finite number >= 0, got ${String(value)}.`,
    });
  }
  return value;
}

/**
 * Creates a simulated fleet driver: deterministic for a given seed, in memory, with every capability of the
 * driver contract. Use it to develop and test controllers, run the examples, or prove the conformance suite.
 *
 * @example
 * import { createSimDriver } from '@novacron/driver-sim';
 * const sim = createSimDriver({ seed: 42, hosts: 8, transitionDelayMs: 5 });
 * const nc = createNovaCron({ providers: { sim } });
 * sim.sim.setFaults({ '*': { throttleRate: 0.1 } });
 */
export function createSimDriver(options: SimDriverOptions = {}): SimDriver {
  return new SimDriver(options);
}
