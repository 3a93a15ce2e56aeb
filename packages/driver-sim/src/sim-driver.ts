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
  type MetricName,
  type MetricSeries,
  type MetricsQuery,
  type MigrationOutcome,
  NovaCronError,
  type Page,
  type PageRequest,
  type ProviderVm,
  type Size,
  type VmFilter,
} from '@novacron/core';
import { createCursorCodec, pageOf } from '@novacron/core/driver';
import { SimCloud } from './sim-cloud.js';
import type { SimVmFilter } from './sim-cloud-types.js';
import type { SimControl } from './sim-control.js';
import { toCreateVmInput } from './sim-create-input.js';
import { type SimCallSite, toSimError } from './sim-error-map.js';
import type { SimCloudOptions, SimDriverOptions } from './sim-options.js';
import { toDriverEvent, toProviderVm, toSimStatuses } from './sim-vm-map.js';

/** Where a VM list stands: the id of the last VM handed out (ids grow, so id order is creation order). */
const vmCursors = createCursorCodec({
  driver: 'sim',
  list: 'vms',
  isPosition: (value): value is { after: string } =>
    typeof (value as { after?: unknown })?.after === 'string',
});

/**
 * The simulated fleet driver (kind `sim`): NovaCron's `DriverV1` contract over a {@link SimCloud}, as the AWS driver
 * is over an `EC2Client`. Its `do*` methods only translate to cloud calls and map the cloud's errors; the world
 * (fleet, lifecycle, faults, migrations, metrics) is the cloud's. Build it with {@link createSimDriver};
 * `driver.sim` (also `getClient()`) is the cloud's control surface.
 */
export class SimDriver extends DriverBase {
  readonly kind = 'sim';
  override readonly capabilities: DriverCapabilities;
  /** The control surface of the cloud: faults, host states, dirty rates, out-of-band deletes, snapshots, counters. */
  readonly sim: SimControl;
  /** The simulated cloud this driver calls. */
  readonly cloud: SimCloud;

  /** True when this driver made its cloud, and so closes it. */
  readonly #ownsCloud: boolean;
  /** The driver's `doWatch` subscriptions, ended on close. */
  readonly #subscriptions = new Set<() => void>();

  constructor(options: SimDriverOptions = {}) {
    super();
    const { cloud, ...cloudOptions } = options;
    if (cloud !== undefined && Object.keys(cloudOptions).length > 0) {
      throw new TypeError(
        `createSimDriver: give either \`cloud\` or the cloud's options (${Object.keys(cloudOptions).join(', ')}), not both: a given cloud keeps its own.`,
      );
    }
    this.cloud = cloud ?? new SimCloud(cloudOptions satisfies SimCloudOptions);
    this.#ownsCloud = cloud === undefined;
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
      maxPageSize: this.cloud.maxResults,
    });
    this.sim = this.cloud.control;
  }

  /** The cloud's control surface, the sim's native client for what NovaCron does not cover (`driver.sim`). */
  override getClient(): SimControl {
    return this.sim;
  }

  /** Ends this driver's watches; closes the cloud (pending transitions, subscribers) when the driver made it. */
  override async close(): Promise<void> {
    for (const unsubscribe of this.#subscriptions) unsubscribe();
    this.#subscriptions.clear();
    if (this.#ownsCloud) this.cloud.close();
  }

  doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const limit = request.pageSize ?? this.capabilities.maxPageSize;
    return this.#call({ action: 'listVms' }, context, () =>
      this.cloud.listVms(
        { afterId: vmCursors.decode(request.cursor)?.after, limit, filter: toSimFilter(request.filter) },
        context,
      ),
    ).then(({ vms, more }) => {
      const page: Page<ProviderVm> = { items: vms.map(toProviderVm) };
      const last = vms.at(-1);
      if (more && last !== undefined) page.nextCursor = vmCursors.encode({ after: last.id });
      return page;
    });
  }

  doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    return this.#call({ action: 'getVm', id: vmId }, context, () => this.cloud.getVm(vmId, context)).then(
      toProviderVm,
    );
  }

  doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    return this.#call({ action: 'createVm' }, context, () =>
      this.cloud.createVm(toCreateVmInput(spec, context.idempotencyKey, this.cloud.region), context),
    ).then(toProviderVm);
  }

  doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'startVm', id: vmId }, context, () => this.cloud.startVm(vmId, context));
  }

  doStopVm(vmId: string, options: { force: boolean }, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'stopVm', id: vmId }, context, () =>
      this.cloud.stopVm(vmId, { signal: context.signal, force: options.force }),
    );
  }

  doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'rebootVm', id: vmId }, context, () => this.cloud.rebootVm(vmId, context));
  }

  doSuspendVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'suspendVm', id: vmId }, context, () => this.cloud.suspendVm(vmId, context));
  }

  doResumeVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'resumeVm', id: vmId }, context, () => this.cloud.resumeVm(vmId, context));
  }

  doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    return this.#call({ action: 'deleteVm', id: vmId }, context, () =>
      this.cloud.deleteVm(vmId, context),
    ).catch((error: unknown) => {
      // Deleting a VM that is already gone is a no-op (the contract).
      if (!(NovaCronError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
    });
  }

  doListHosts(request: PageRequest, context: DriverCallContext): Promise<Page<Host>> {
    return this.#call({ action: 'listHosts' }, context, () => this.cloud.listHosts(context)).then((hosts) =>
      this.#page('hosts', hosts, request),
    );
  }

  doListSizes(request: PageRequest, context: DriverCallContext): Promise<Page<Size>> {
    return this.#call({ action: 'listSizes' }, context, () => this.cloud.listSizes(context)).then((sizes) =>
      this.#page('sizes', sizes, request),
    );
  }

  doListImages(request: PageRequest, context: DriverCallContext): Promise<Page<Image>> {
    return this.#call({ action: 'listImages' }, context, () => this.cloud.listImages(context)).then(
      (images) => this.#page('images', images, request),
    );
  }

  doListLocations(request: PageRequest, context: DriverCallContext): Promise<Page<Location>> {
    return this.#call({ action: 'listZones' }, context, () => this.cloud.listZones(context)).then(
      ({ region, zones }) => {
        const locations: Location[] = [
          { id: region, kind: 'region' },
          ...zones.map((zone): Location => ({ id: zone, kind: 'zone', region })),
        ];
        return this.#page('locations', locations, request);
      },
    );
  }

  doMigrateVm(request: DriverMigrateRequest, context: DriverMigrateContext): Promise<MigrationOutcome> {
    if (request.mode !== 'live') {
      return Promise.reject(
        new NovaCronError({
          code: 'UNSUPPORTED',
          message: `The sim driver migrates running VMs live only; mode '${request.mode}' is not modelled. Use mode 'live'.`,
        }),
      );
    }
    const policy = request.policy ?? {};
    return this.#call({ action: 'migrateVm', id: request.vmId }, context, () =>
      this.cloud.migrateVm(
        {
          vmId: request.vmId,
          toHostId: request.toHostId,
          bandwidthMiBps: policy.bandwidthMiBps,
          maxDowntimeMs: policy.maxDowntimeMs,
          completionTimeoutMs: policy.completionTimeoutMs,
          onTimeout: policy.onTimeout,
          autoConverge: policy.autoConverge,
        },
        { signal: context.signal, onProgress: context.onProgress },
      ),
    );
  }

  doReadMetrics(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]> {
    const target = query.target;
    const id = 'vmId' in target ? target.vmId : target.hostId;
    return this.#call({ action: 'getMetricData', id }, context, () =>
      this.cloud.getMetricData(
        {
          target,
          fromMs: query.from instanceof Date ? query.from.getTime() : Number.NaN,
          toMs: query.to instanceof Date ? query.to.getTime() : Number.NaN,
          stepMs: query.stepMs,
          metrics: query.metrics,
        },
        context,
      ),
    ).then((series) => series.map((entry) => ({ ...entry, metric: entry.metric as MetricName })));
  }

  async doWatch(
    listener: (event: DriverEvent) => void,
    context: { signal: AbortSignal },
  ): Promise<() => Promise<void>> {
    const unsubscribeFromCloud = this.cloud.subscribe(
      (event) => listener(toDriverEvent(event)),
      context.signal,
    );
    const unsubscribe = (): void => {
      unsubscribeFromCloud();
      this.#subscriptions.delete(unsubscribe);
    };
    this.#subscriptions.add(unsubscribe);
    return async () => unsubscribe();
  }

  /** One page of a list the cloud returns whole. */
  #page<T>(list: string, items: readonly T[], request: PageRequest): Page<T> {
    return pageOf(items, request, { driver: 'sim', list, maxPageSize: this.capabilities.maxPageSize });
  }

  /** Makes one cloud call, mapping its failure (and anything thrown while preparing it). */
  #call<T>(site: SimCallSite, context: DriverCallContext, request: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = request();
    } catch (error) {
      return Promise.reject(toSimError(error, site, context.signal));
    }
    return pending.catch((error: unknown) => {
      throw toSimError(error, site, context.signal);
    });
  }
}

/** A VM list filter in the cloud's terms: NovaCron states become the cloud statuses that mean them. */
function toSimFilter(filter: VmFilter | undefined): SimVmFilter | undefined {
  if (filter === undefined) return undefined;
  return {
    hostId: filter.hostId,
    zone: filter.zone,
    statuses: filter.states === undefined ? undefined : toSimStatuses(filter.states),
    tags: filter.tags,
  };
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
