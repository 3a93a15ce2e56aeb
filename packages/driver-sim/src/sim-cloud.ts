import { setMaxListeners } from 'node:events';
import type { HostState, Image, Size } from '@novacron/core';
import { invalidParameter, SimApiError } from './sim-api-error.js';
import { SIM_IMAGES, SIM_REGION, SIM_SIZES } from './sim-catalog.js';
import type {
  SimCallOptions,
  SimCreateVmInput,
  SimEvent,
  SimHost,
  SimListVmsInput,
  SimMetricData,
  SimMetricDataInput,
  SimMigrateVmInput,
  SimMigrationResult,
  SimVm,
  SimVmStatus,
  SimZones,
} from './sim-cloud-types.js';
import type { SimControl, SimCounts } from './sim-control.js';
import { type ResolvedCreateRequest, resolveCreateRequest, sameCreateRequest } from './sim-create-request.js';
import { SimEventHub } from './sim-events.js';
import { SimFaultInjector } from './sim-faults.js';
import { SimFleet, type SimVmRecord, toSimVm } from './sim-fleet.js';
import { hashUnit } from './sim-hash.js';
import {
  buildHostRecords,
  defaultHostSpecs,
  HOST_STATES,
  hostFits,
  type SimHostRecord,
  toSimHost,
} from './sim-hosts.js';
import { incorrectState, planTransition, type SimLifecycleOperation } from './sim-lifecycle.js';
import { type MetricsVm, SimMetricsGenerator } from './sim-metrics.js';
import { resolveMetricsQuery } from './sim-metrics-query.js';
import { type PreCopyResult, runPreCopy } from './sim-migration.js';
import { type ResolvedSimOptions, resolveSimOptions, type SimCloudOptions } from './sim-options.js';

const MIB = 1_048_576;

/** The signal of calls made without one: it never aborts. */
const NO_SIGNAL = new AbortController().signal;
setMaxListeners(0, NO_SIGNAL);

/** A live migration in progress. */
interface InFlightMigration {
  vmId: string;
  source: SimHostRecord;
  destination: SimHostRecord;
  /** Fails the migration with `reason`. */
  abort: (reason: SimApiError) => void;
}

/** What a client token remembers: the VM, the request, and the VM's last copy once deleted. */
interface ClientTokenEntry {
  vmId: string;
  request: ResolvedCreateRequest;
  tombstone: SimVm | undefined;
}

/** States whose guest dies when its host goes down (a migrating VM is handled by its migration). */
const CRASH_ON_HOST_DOWN: ReadonlySet<SimVmStatus> = new Set<SimVmStatus>([
  'booting',
  'running',
  'shutting-down',
  'paused',
]);

/**
 * A simulated cloud: hosts with capacity, VMs with a lifecycle, idempotent creates by client token, a pre-copy
 * live-migration model, synthetic metrics, and injected faults and latency, all deterministic for a seed. Its API is
 * its own, like a provider SDK's client: its own ids, statuses (`booting`, `shut-off`...), events and errors
 * ({@link SimApiError}); every call takes an optional `signal`. `control` is the out-of-band surface no real cloud
 * has. The sim driver (`createSimDriver`) is a thin translation of NovaCron's contract onto it.
 *
 * @example
 * const cloud = new SimCloud({ seed: 7, transitionDelayMs: 0 });
 * const vm = await cloud.createVm({ name: 'web-1', size: 'sim.small', clientToken: 'web-1' });
 * await cloud.stopVm(vm.id);
 * cloud.control.setHostState('host-2', 'maintenance');
 */
export class SimCloud {
  /** The one region of the cloud. */
  readonly region = SIM_REGION;
  /** The most VMs one `listVms` call returns. */
  readonly maxResults: number;
  /** The out-of-band control surface. */
  readonly control: SimControl;

  readonly #options: ResolvedSimOptions;
  readonly #fleet: SimFleet;
  readonly #faults: SimFaultInjector;
  readonly #events = new SimEventHub();
  readonly #metrics: SimMetricsGenerator;
  readonly #clientTokens = new Map<string, ClientTokenEntry>();
  readonly #transitioning = new Set<SimVmRecord>();
  /** Live migrations in progress, so a host going down can fail the ones that touch it at once. */
  readonly #migrations = new Set<InFlightMigration>();

  constructor(options: SimCloudOptions = {}) {
    this.#options = resolveSimOptions(options);
    const specs =
      typeof this.#options.hosts === 'number' ? defaultHostSpecs(this.#options.hosts) : this.#options.hosts;
    this.#fleet = new SimFleet(buildHostRecords(specs));
    this.#faults = new SimFaultInjector(this.#options.seed, this.#options.faults);
    this.#metrics = new SimMetricsGenerator(this.#options.seed);
    this.maxResults = this.#options.pageSize;
    this.control = this.#control();
  }

  /** VMs in id (creation) order after `afterId`, at most `limit` (capped at {@link maxResults}), and whether more follow. */
  listVms(input: SimListVmsInput, options?: SimCallOptions): Promise<{ vms: SimVm[]; more: boolean }> {
    return this.#faults.run('list', options?.signal ?? NO_SIGNAL, () => {
      const limit = Math.min(input.limit, this.maxResults);
      const { items, more } = this.#fleet.listAfter(input.afterId, limit, input.filter);
      return { vms: items.map(toSimVm), more };
    });
  }

  /** One VM; `VmNotFound` once deleted. */
  getVm(vmId: string, options?: SimCallOptions): Promise<SimVm> {
    return this.#faults.run('get', options?.signal ?? NO_SIGNAL, () => toSimVm(this.#requireVm(vmId)));
  }

  /** Creates a VM, which boots for `transitionDelayMs`; idempotent by `clientToken`. */
  createVm(input: SimCreateVmInput, options?: SimCallOptions): Promise<SimVm> {
    return this.#faults.run('create', options?.signal ?? NO_SIGNAL, () => this.#create(input));
  }

  /** Starts a shut-off or crashed VM; a no-op on a running or booting one. */
  startVm(vmId: string, options?: SimCallOptions): Promise<void> {
    return this.#faults.run('start', options?.signal ?? NO_SIGNAL, () => this.#lifecycle('start', vmId));
  }

  /** Shuts a VM down (at once with `force`); a no-op on a shut-off one. */
  stopVm(vmId: string, options?: SimCallOptions & { force?: boolean | undefined }): Promise<void> {
    return this.#faults.run('stop', options?.signal ?? NO_SIGNAL, () =>
      this.#lifecycle(options?.force === true ? 'forceStop' : 'stop', vmId),
    );
  }

  /** Reboots a running VM; a no-op on a booting one. */
  rebootVm(vmId: string, options?: SimCallOptions): Promise<void> {
    return this.#faults.run('reboot', options?.signal ?? NO_SIGNAL, () => this.#lifecycle('reboot', vmId));
  }

  /** Pauses a running VM; a no-op on a paused one. */
  suspendVm(vmId: string, options?: SimCallOptions): Promise<void> {
    return this.#faults.run('suspend', options?.signal ?? NO_SIGNAL, () => this.#lifecycle('suspend', vmId));
  }

  /** Resumes a paused VM; a no-op on a running one. */
  resumeVm(vmId: string, options?: SimCallOptions): Promise<void> {
    return this.#faults.run('resume', options?.signal ?? NO_SIGNAL, () => this.#lifecycle('resume', vmId));
  }

  /** Deletes a VM (`IncorrectState` while it migrates); `VmNotFound` when it does not exist. */
  deleteVm(vmId: string, options?: SimCallOptions): Promise<void> {
    return this.#faults.run('delete', options?.signal ?? NO_SIGNAL, () => {
      this.#delete(this.#requireVm(vmId));
    });
  }

  /** Every host. */
  listHosts(options?: SimCallOptions): Promise<SimHost[]> {
    return this.#faults.run('listHosts', options?.signal ?? NO_SIGNAL, () =>
      this.#fleet.hosts.map(toSimHost),
    );
  }

  /** The size catalog; GPU sizes say which zones have GPU hosts. */
  listSizes(options?: SimCallOptions): Promise<Size[]> {
    return this.#faults.run('listSizes', options?.signal ?? NO_SIGNAL, () => this.#sizes());
  }

  /** The image catalog. */
  listImages(options?: SimCallOptions): Promise<Image[]> {
    return this.#faults.run('listImages', options?.signal ?? NO_SIGNAL, () =>
      SIM_IMAGES.map((image) => ({ ...image })),
    );
  }

  /** The region and its zones (the hosts' zones), sorted. */
  listZones(options?: SimCallOptions): Promise<SimZones> {
    return this.#faults.run('listLocations', options?.signal ?? NO_SIGNAL, () => ({
      region: SIM_REGION,
      zones: [...this.#fleet.zones].sort(),
    }));
  }

  /**
   * Live-migrates a running VM to another host with the pre-copy model, reporting progress; aborting the signal
   * cancels it (the VM stays on its source). Fails with `MigrationTimeout` when it does not converge and
   * `onTimeout` is `'abort'`, and with `MigrationHostDown` when either host goes down meanwhile.
   */
  migrateVm(
    input: SimMigrateVmInput,
    options?: SimCallOptions & { onProgress?: ((progress: SimMigrationProgress) => void) | undefined },
  ): Promise<SimMigrationResult> {
    const signal = options?.signal ?? NO_SIGNAL;
    return this.#faults.run('migrate', signal, () => this.#migrate(input, signal, options?.onProgress));
  }

  /** Samples of the given metrics of a VM or a host over a window, seeded: the same query gives the same numbers. */
  getMetricData(input: SimMetricDataInput, options?: SimCallOptions): Promise<SimMetricData[]> {
    return this.#faults.run('metrics', options?.signal ?? NO_SIGNAL, () => this.#readMetrics(input));
  }

  /** Pushes every VM status and host state change to `listener` until the returned function is called or `signal` aborts. */
  subscribe(listener: (event: SimEvent) => void, signal: AbortSignal = NO_SIGNAL): () => void {
    return this.#events.subscribe(listener, signal);
  }

  /** Cancels pending transitions and detaches every subscriber. */
  close(): void {
    for (const record of this.#transitioning) clearTimeout(record.transition!.timer);
    for (const record of this.#transitioning) record.transition = undefined;
    this.#transitioning.clear();
    this.#events.clear();
  }

  #create(input: SimCreateVmInput): SimVm {
    const request = resolveCreateRequest(input, this.#fleet);
    const token = input.clientToken;
    const previous = token === undefined ? undefined : this.#clientTokens.get(token);
    if (previous !== undefined) {
      if (!sameCreateRequest(previous.request, request)) {
        throw new SimApiError(
          'IdempotentParameterMismatch',
          `Client token '${token}' was already used to create VM ${previous.vmId} from a different request. Use a new token for a different VM.`,
          { status: 409 },
        );
      }
      const existing = this.#fleet.vm(previous.vmId);
      return existing === undefined ? structuredClone(previous.tombstone!) : toSimVm(existing);
    }
    const host = this.#fleet.place(request.resources, request.zone, request.hostId);
    const { id, ordinal } = this.#fleet.nextVmId();
    const record: SimVmRecord = {
      id,
      name: request.name,
      status: 'booting',
      statusReason: 'created',
      resources: request.resources,
      hostId: host.id,
      zone: host.zone,
      size: request.size,
      image: request.image,
      tags: request.tags,
      privateAddress: `10.${(ordinal >>> 16) & 255}.${(ordinal >>> 8) & 255}.${ordinal & 255}`,
      createdAtMs: this.#options.now(),
      dirtyRateBytesPerSecond: request.dirtyRateBytesPerSecond ?? this.#defaultDirtyRate(id),
      clientToken: token,
      migrations: 0,
      transition: undefined,
    };
    this.#fleet.reserve(host, request.resources);
    this.#fleet.add(record);
    if (token !== undefined) this.#clientTokens.set(token, { vmId: id, request, tombstone: undefined });
    this.#emitStatus(record);
    this.#scheduleTransition(record, 'running', 'booted');
    return toSimVm(record);
  }

  #lifecycle(operation: SimLifecycleOperation, vmId: string): void {
    const record = this.#requireVm(vmId);
    const plan = planTransition(operation, record.status);
    if (plan.kind === 'noop') return;
    if (plan.kind === 'conflict') throw incorrectState(record, operation, record.status, plan.hint);
    if (plan.now === 'booting') {
      const host = this.#fleet.host(record.hostId)!;
      if (host.state === 'down') {
        throw incorrectState(
          record,
          operation,
          record.status,
          `Its host ${host.id} is down: wait until the host is up again, or delete the VM.`,
        );
      }
    }
    this.#cancelTransition(record);
    this.#setStatus(record, plan.now, plan.reason);
    if (plan.settlesTo !== undefined) this.#scheduleTransition(record, plan.settlesTo, plan.reason);
  }

  #delete(record: SimVmRecord): void {
    const plan = planTransition('delete', record.status);
    if (plan.kind === 'conflict') throw incorrectState(record, 'delete', record.status, plan.hint);
    this.#cancelTransition(record);
    this.#setStatus(record, 'terminated', 'deleted');
    this.#fleet.release(this.#fleet.host(record.hostId)!, record.resources);
    this.#fleet.remove(record.id);
    if (record.clientToken !== undefined) {
      const entry = this.#clientTokens.get(record.clientToken);
      if (entry !== undefined) entry.tombstone = toSimVm(record);
    }
  }

  async #migrate(
    input: SimMigrateVmInput,
    signal: AbortSignal,
    onProgress: ((progress: SimMigrationProgress) => void) | undefined,
  ): Promise<SimMigrationResult> {
    const record = this.#requireVm(input.vmId);
    const destination = this.#fleet.host(input.toHostId);
    if (destination === undefined) throw this.#hostNotFound(input.toHostId);
    // A retry after a lost response finds the VM already moved: report success again.
    if (record.hostId === destination.id && record.status !== 'migrating') {
      return { hostId: destination.id, downtimeMs: 0, bytesTransferred: 0, iterations: 0 };
    }
    const plan = planTransition('migrate', record.status);
    if (plan.kind === 'conflict') throw incorrectState(record, 'migrate', record.status, plan.hint);
    if (destination.state !== 'up') {
      throw incorrectState(
        record,
        'migrate',
        record.status,
        `Destination host ${destination.id} is ${destination.state} and takes no VMs; pick a host that is up.`,
      );
    }
    if (!hostFits(destination, record.resources)) {
      throw new SimApiError(
        'InsufficientCapacity',
        `Sim host ${destination.id} has no room for VM ${record.id} (${record.resources.vcpus} vCPU, ${record.resources.memoryMiB} MiB, ${record.resources.diskGiB} GiB disk, ${record.resources.gpus} GPU); it has ${destination.allocatable.vcpus - destination.allocated.vcpus} vCPU and ${destination.allocatable.memoryMiB - destination.allocated.memoryMiB} MiB free. Pick another host or free this one.`,
        { status: 503, retryable: false },
      );
    }
    const bandwidthMiBps =
      positive('bandwidthMiBps', input.bandwidthMiBps) ?? this.#options.migration.defaultBandwidthMiBps;
    const maxDowntimeMs =
      nonNegative('maxDowntimeMs', input.maxDowntimeMs) ?? this.#options.migration.defaultMaxDowntimeMs;
    const completionTimeoutMs = positive('completionTimeoutMs', input.completionTimeoutMs);
    const source = this.#fleet.host(record.hostId)!;

    this.#fleet.reserve(destination, record.resources);
    this.#setStatus(record, 'migrating', 'migrating');
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
    let result: PreCopyResult;
    try {
      result = await runPreCopy({
        memoryBytes: record.resources.memoryMiB * MIB,
        bandwidthBytesPerSecond: bandwidthMiBps * MIB,
        dirtyRateBytesPerSecond: record.dirtyRateBytesPerSecond,
        maxDowntimeMs,
        maxIterations: this.#options.migration.maxIterations,
        completionTimeoutMs,
        onTimeout: input.onTimeout ?? 'abort',
        autoConverge: input.autoConverge ?? false,
        jitter: (iteration) =>
          1 + jitter * (2 * hashUnit(this.#options.seed, record.id, 'dirty', migrationNumber, iteration) - 1),
        timeScale: this.#options.timeScale,
        signal: AbortSignal.any([signal, hostFailure.signal]),
        onProgress: (progress) => onProgress?.(progress),
      });
    } catch (error) {
      this.#endMigration(migration, record, 'migration-cancelled');
      throw error;
    }
    if (result.outcome === 'timeout') {
      this.#endMigration(migration, record, 'migration-timeout');
      const simulatedSeconds = (result.elapsedMs / 1000).toFixed(1);
      throw new SimApiError(
        'MigrationTimeout',
        `Live migration of VM ${record.id} from ${source.id} to ${destination.id} did not converge after ${result.iterations} iterations (${simulatedSeconds} s simulated): ` +
          `dirty rate ${(result.lastDirtyRateBytesPerSecond / MIB).toFixed(0)} MiB/s against ${bandwidthMiBps} MiB/s of bandwidth would need ${result.downtimeMs.toFixed(0)} ms of downtime (max ${maxDowntimeMs} ms). ` +
          `The VM keeps running on ${source.id}. Raise bandwidthMiBps or maxDowntimeMs, set autoConverge, or use onTimeout: 'postcopy'.`,
        { status: 504, retryable: false },
      );
    }
    this.#migrations.delete(migration);
    this.#fleet.release(source, record.resources);
    record.hostId = destination.id;
    record.zone = destination.zone;
    record.migrations += 1;
    this.#setStatus(record, 'running', result.outcome === 'postcopy' ? 'migrated-postcopy' : 'migrated');
    onProgress?.({
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
    if (migration.source.state === 'down') this.#setStatus(record, 'crashed', 'host-down');
    else this.#setStatus(record, 'running', reason);
  }

  #readMetrics(input: SimMetricDataInput): SimMetricData[] {
    const { fromMs, toMs, stepMs, metrics } = resolveMetricsQuery(input);
    const timestamps = this.#metrics.timestamps(fromMs, toMs, stepMs);
    const target = input.target;
    if ('vmId' in target) {
      const record = this.#requireVm(target.vmId);
      const vm: MetricsVm = { id: record.id, resources: record.resources, status: record.status };
      return metrics.map((metric) => ({
        metric,
        timestampsMs: timestamps.slice(),
        values: this.#metrics.vmSeries(vm, metric, timestamps),
      }));
    }
    const host = this.#fleet.host(target.hostId);
    if (host === undefined) throw this.#hostNotFound(target.hostId);
    const vms: MetricsVm[] = [];
    for (const record of this.#fleet.allVms()) {
      if (record.hostId === host.id)
        vms.push({ id: record.id, resources: record.resources, status: record.status });
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
      throw new SimApiError(
        'VmNotFound',
        `VM '${vmId}' does not exist in the sim cloud; it may have been deleted. List VMs to see which exist.`,
        { status: 404 },
      );
    }
    return record;
  }

  #hostNotFound(hostId: string): SimApiError {
    return new SimApiError(
      'HostNotFound',
      `Host '${hostId}' does not exist in the sim cloud. Use one of ${this.#fleet.hosts.map((host) => host.id).join(', ')}.`,
      { status: 404 },
    );
  }

  #defaultDirtyRate(vmId: string): number {
    const { min, max } = this.#options.migration.dirtyRateMiBps;
    const unit = hashUnit(this.#options.seed, 'dirty-rate', vmId);
    return Math.exp(Math.log(min) + unit * (Math.log(max) - Math.log(min))) * MIB;
  }

  #setStatus(record: SimVmRecord, status: SimVmStatus, reason: string): void {
    record.status = status;
    record.statusReason = reason;
    this.#emitStatus(record);
  }

  #emitStatus(record: SimVmRecord): void {
    if (this.#events.size === 0) return;
    this.#events.emit({
      type: 'vm.status',
      vmId: record.id,
      status: record.status,
      statusReason: record.statusReason,
      hostId: record.hostId,
    });
  }

  /** Moves the VM to `to` after `transitionDelayMs` (at once when it is 0). */
  #scheduleTransition(record: SimVmRecord, to: SimVmStatus, reason: string): void {
    const delay = this.#options.transitionDelayMs;
    if (delay === 0) {
      this.#setStatus(record, to, reason);
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
    this.#setStatus(record, transition.to, transition.reason);
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
      deleteVm: (vmId) => {
        const record = fleet.vm(vmId);
        if (record === undefined) return false;
        if (record.status === 'migrating') {
          throw new TypeError(
            `deleteVm: sim VM '${vmId}' is migrating; cancel or finish the migration first.`,
          );
        }
        this.#delete(record);
        return true;
      },
      settle: () => {
        for (const record of [...this.#transitioning]) this.#completeTransition(record);
      },
      snapshot: () => ({
        hosts: fleet.hosts.map(toSimHost),
        vms: Array.from(fleet.allVms(), toSimVm),
      }),
      counts: (): SimCounts => {
        const byState: SimCounts['byState'] = {};
        const byHost: SimCounts['byHost'] = {};
        for (const record of fleet.allVms()) {
          byState[record.status] = (byState[record.status] ?? 0) + 1;
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
        new SimApiError(
          'MigrationHostDown',
          `Live migration of VM ${migration.vmId} from ${source.id} to ${destination.id} failed: host ${hostId} went down. ${host === source ? 'The VM crashed with its host.' : `The VM stayed on ${source.id}.`}`,
          { status: 503, retryable: false },
        ),
      );
    }
    for (const record of this.#fleet.allVms()) {
      if (record.hostId !== hostId || !CRASH_ON_HOST_DOWN.has(record.status)) continue;
      this.#cancelTransition(record);
      this.#setStatus(record, 'crashed', 'host-down');
    }
  }
}

/** A progress report of `SimCloud.migrateVm`. */
export type SimMigrationProgress = Parameters<Parameters<typeof runPreCopy>[0]['onProgress']>[0];

function positive(parameter: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidParameter(
      parameter,
      `Migration ${parameter} must be a finite number > 0, got ${String(value)}.`,
    );
  }
  return value;
}

function nonNegative(parameter: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidParameter(
      parameter,
      `Migration ${parameter} must be a finite number >= 0, got ${String(value)}.`,
    );
  }
  return value;
}
