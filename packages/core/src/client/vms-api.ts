import type { OptionalCapability } from '../driver/capability-check.js';
import type { DriverCallContext, DriverV1 } from '../driver/driver-v1.js';
import type { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { MetricSeries, MetricsQuery } from '../model/metrics.js';
import {
  type CreateVmSpec,
  parseVmRef,
  type Vm,
  type VmFilter,
  type VmRef,
  type VmStateName,
} from '../model/vm.js';
import { paginate } from '../paginators/paginate.js';
import { newIdempotencyKey } from '../util/idempotency-key.js';
import { createVmSpecSchema, stopVmInputSchema, vmFilterSchema, vmIdSchema } from '../validation/schemas.js';
import { type WaitUntilVmStateOptions, waitUntilVmState } from '../waiters/wait-until-vm-state.js';
import { FanOutListing } from './fan-out.js';
import { type ListOptions, resolvePageSize, selectProviders } from './list-options.js';
import type { OperationRunner } from './operation-runner.js';
import type { VmStateTracker } from './vm-state-tracker.js';
import { type VmStateChange, watchVms } from './watch-vms.js';

/**
 * A create request: a {@link CreateVmSpec} plus the provider and an optional idempotency key. `ProviderName` is the
 * client's provider names; `string` for a plain `NovaCron`.
 */
export interface CreateVmRequest<ProviderName extends string = string> extends CreateVmSpec {
  /** The provider name to create on. */
  provider: ProviderName;
  /**
   * Makes the create safe to retry: the same key always yields the same VM. Generated when absent (so the
   * pipeline's own retries are safe); give your own to make retries across processes safe.
   */
  idempotencyKey?: string | undefined;
}

/** Options for calls that take only a signal. */
export interface CallOptions {
  /** Cancels the call with `ABORTED`. */
  signal?: AbortSignal | undefined;
}

/** Options for {@link VmsApi.stop}. */
export interface StopVmOptions extends CallOptions {
  /** Power off instead of a clean shutdown. Default false. */
  force?: boolean | undefined;
  /** Provider-specific extras, keyed by driver kind: `{ aws: { hibernate: true } }`. */
  providerOptions?: Record<string, Record<string, unknown>> | undefined;
}

/** Options for {@link VmsApi.createMany}. */
export interface CreateManyOptions {
  /** Creates in flight at once (each provider's queue limits apply too). Default 64. */
  concurrency?: number | undefined;
  /**
   * Stops launching new creates. Creates already sent are allowed to finish (within their deadline) and are
   * reported, so no VM is made without the caller being told; the rest are listed in `cancelled`.
   */
  signal?: AbortSignal | undefined;
  /** Called after each create settles. */
  onProgress?: ((progress: { done: number; total: number; failed: number }) => void) | undefined;
  /**
   * `auto`: the client's placer chooses each VM's host (requests of one provider with capabilities `hosts` and
   * `createOnHost`, unique names, no idempotency keys: they derive from the plan); VMs it cannot place are
   * `failed` with `NO_CAPACITY` and its explanation. Needs `createNovaCron({ placement })`. Default: the provider
   * places.
   */
  placement?: 'auto' | undefined;
}

/**
 * Where the cause of a failed create lies:
 * - `request`: the request itself (a bad field, a name taken, a key reused with another spec): fix it;
 * - `account`: credentials, permissions or quota of the provider account, or a capability the driver lacks;
 * - `provider`: the provider could not do it (no capacity, an internal failure, throttling that outlasted retries);
 * - `deadline`: it ran out of time or was cancelled; see `uncertain`.
 */
export type CreateFailureCause = 'request' | 'account' | 'provider' | 'deadline';

const CAUSE_OF_CODE: Readonly<Record<NovaCronError['code'], CreateFailureCause>> = {
  INVALID_ARGUMENT: 'request',
  ALREADY_EXISTS: 'request',
  CONFLICT: 'request',
  NOT_FOUND: 'request',
  AUTH: 'account',
  QUOTA_EXCEEDED: 'account',
  UNSUPPORTED: 'account',
  NO_CAPACITY: 'provider',
  THROTTLED: 'provider',
  UNAVAILABLE: 'provider',
  PROVIDER: 'provider',
  TIMEOUT: 'deadline',
  ABORTED: 'deadline',
};

/** What {@link VmsApi.createMany} reports: every index lands in exactly one of the three lists. */
export interface CreateManyResult<ProviderName extends string = string> {
  /** VMs made, by index into the request array. */
  created: Array<{ index: number; vm: Vm }>;
  /**
   * Creates that failed for good, each with its cause and idempotency key. `uncertain` is true when the last failure
   * was retryable (a lost response, a timeout): the provider may have made the VM, and creating again with the same
   * `idempotencyKey` returns it if so, or makes it if not.
   */
  failed: Array<{
    index: number;
    request: CreateVmRequest<ProviderName>;
    idempotencyKey: string;
    uncertain: boolean;
    /** Where the cause lies, so a script knows what to fix: see {@link CreateFailureCause}. */
    cause: CreateFailureCause;
    error: NovaCronError;
  }>;
  /** Indexes never sent because the signal aborted first. */
  cancelled: number[];
}

/** Options for {@link VmsApi.list}. */
export interface ListVmsOptions<ProviderName extends string = string>
  extends ListOptions<ProviderName>,
    VmFilter {}

/** Options for {@link VmsApi.watch}. */
export interface WatchVmsOptions<ProviderName extends string = string> {
  /** One provider, several, or all. */
  provider?: ProviderName | ProviderName[] | undefined;
  /** Ends the watch. */
  signal?: AbortSignal | undefined;
  /** Poll interval for drivers without the `watch` capability. Default 2,000 ms. */
  pollIntervalMs?: number | undefined;
}

/**
 * Every VM operation of the client: `nc.vms`. `ProviderName` is the client's provider names (inferred by
 * `createNovaCron`), so a misspelt provider fails to compile; VM refs written as `"provider:id"` stay strings.
 */
export class VmsApi<ProviderName extends string = string> {
  constructor(
    private readonly runner: OperationRunner,
    private readonly tracker: VmStateTracker,
    private readonly events: EventBus,
    private readonly providerNames: () => string[],
    private readonly placeMany: (
      requests: CreateVmRequest[],
      options: CreateManyOptions,
    ) => Promise<CreateManyResult>,
  ) {}

  /**
   * Every VM matching the filter, following every page, across one, several or all providers.
   *
   * @example
   * for await (const vm of nc.vms.list({ tags: { env: 'dev' } })) console.log(vm.ref, vm.state.name);
   */
  list(options: ListVmsOptions<ProviderName> = {}): FanOutListing<Vm> {
    return this.listVms(options);
  }

  private listVms(options: ListVmsOptions): FanOutListing<Vm> {
    const filter: VmFilter = {
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
      ...(options.states !== undefined ? { states: options.states } : {}),
      ...(options.hostId !== undefined ? { hostId: options.hostId } : {}),
      ...(options.zone !== undefined ? { zone: options.zone } : {}),
      ...(options.sizes !== undefined ? { sizes: options.sizes } : {}),
    };
    const sources = selectProviders(options.provider, this.providerNames()).map((provider) => ({
      provider,
      items: () => this.listProvider(provider, filter, options),
    }));
    return new FanOutListing('vms.list', sources, options.partial ?? 'throw');
  }

  /** One VM; `NOT_FOUND` when it does not exist. */
  async get(ref: VmRef | string, options: CallOptions = {}): Promise<Vm> {
    const { provider, id } = parseVmRef(ref);
    const record = await this.runner.run({
      name: 'vms.get',
      provider,
      input: id,
      schema: vmIdSchema,
      idempotent: true,
      signal: options.signal,
      call: (driver, context) => driver.doGetVm(id, context),
    });
    return this.tracker.adopt(provider, this.kindOf(provider), record);
  }

  /**
   * Makes a VM. Validated before anything is sent; retried safely under its idempotency key.
   *
   * @example
   * const vm = await nc.vms.create({ provider: 'sim', name: 'web-1', resources: { vcpus: 2, memoryMiB: 2048 } });
   */
  async create(request: CreateVmRequest<ProviderName>, options: CallOptions = {}): Promise<Vm> {
    if (typeof request !== 'object' || request === null)
      throw new TypeError('vms.create needs a request object.');
    return this.createWithKey(request, request.idempotencyKey ?? newIdempotencyKey(), options);
  }

  private async createWithKey(
    request: CreateVmRequest,
    idempotencyKey: string,
    options: CallOptions,
  ): Promise<Vm> {
    const runtime = this.runner.runtime(request.provider, 'vms.create');
    const capabilities = runtime.driver.capabilities;
    const { provider: _provider, idempotencyKey: _key, ...spec } = request;
    const record = await this.runner.run({
      name: 'vms.create',
      provider: request.provider,
      input: request,
      schema: createVmSpecSchema(capabilities),
      idempotent: false,
      idempotencyKey,
      signal: options.signal,
      call: (driver, context) => driver.doCreateVm(spec as CreateVmSpec, { ...context, idempotencyKey }),
    });
    return this.tracker.adopt(request.provider, runtime.driver.kind, record);
  }

  /**
   * Makes many VMs with bounded concurrency. Never throws for individual failures: every request ends up in
   * `created`, `failed` (with its cause) or `cancelled`. With `placement: 'auto'`, the client's placer chooses the
   * hosts first (see `nc.placement`).
   */
  async createMany(
    requests: Array<CreateVmRequest<ProviderName>>,
    options: CreateManyOptions = {},
  ): Promise<CreateManyResult<ProviderName>> {
    if (!Array.isArray(requests)) throw new TypeError('vms.createMany needs an array of create requests.');
    if (options.placement === 'auto')
      return this.placeMany(requests, options) as Promise<CreateManyResult<ProviderName>>;
    if (options.placement !== undefined)
      throw new TypeError(
        `vms.createMany: placement is '${String(options.placement)}'; use 'auto' or leave it out.`,
      );
    const concurrency = options.concurrency ?? 64;
    const keys = requests.map((request) => request.idempotencyKey ?? newIdempotencyKey());
    const result: CreateManyResult<ProviderName> = { created: [], failed: [], cancelled: [] };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const index = next++;
        if (index >= requests.length) return;
        if (options.signal?.aborted) {
          result.cancelled.push(index);
          continue;
        }
        try {
          // In-flight creates are not cut off by the caller's signal: a create the provider already received may
          // have made a VM, and the caller must be told about it.
          result.created.push({ index, vm: await this.createWithKey(requests[index]!, keys[index]!, {}) });
        } catch (error) {
          if (error instanceof TypeError) throw error;
          const failure = toNovaCronError(error, {
            provider: requests[index]!.provider,
            operation: 'vms.create',
          });
          result.failed.push({
            index,
            request: requests[index]!,
            idempotencyKey: keys[index]!,
            uncertain: failure.retryable,
            cause: CAUSE_OF_CODE[failure.code],
            error: failure,
          });
        }
        options.onProgress?.({
          done: result.created.length + result.failed.length,
          total: requests.length,
          failed: result.failed.length,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    result.created.sort((a, b) => a.index - b.index);
    result.failed.sort((a, b) => a.index - b.index);
    result.cancelled.sort((a, b) => a - b);
    return result;
  }

  /** Starts a stopped VM (a running one is left as is). */
  start(ref: VmRef | string, options: CallOptions = {}): Promise<void> {
    return this.action('vms.start', ref, options, (driver, id, context) => driver.doStartVm(id, context));
  }

  /**
   * Stops a VM; `force` powers it off instead of a clean shutdown; `providerOptions` carries extras by driver kind
   * (`{ aws: { hibernate: true } }`).
   */
  async stop(ref: VmRef | string, options: StopVmOptions = {}): Promise<void> {
    const { provider, id } = parseVmRef(ref);
    const stopOptions = {
      force: options.force ?? false,
      ...(options.providerOptions !== undefined ? { providerOptions: options.providerOptions } : {}),
    };
    await this.runner.run({
      name: 'vms.stop',
      provider,
      input: {
        id,
        ...(options.providerOptions !== undefined ? { providerOptions: options.providerOptions } : {}),
      },
      schema: stopVmInputSchema,
      idempotent: true,
      signal: options.signal,
      call: (driver, context) => driver.doStopVm(id, stopOptions, context),
    });
  }

  /** Reboots a running VM. */
  reboot(ref: VmRef | string, options: CallOptions = {}): Promise<void> {
    return this.action(
      'vms.reboot',
      ref,
      options,
      (driver, id, context) => driver.doRebootVm!(id, context),
      'reboot',
    );
  }

  /** Pauses a running VM in memory (capability `suspend`). */
  suspend(ref: VmRef | string, options: CallOptions = {}): Promise<void> {
    return this.action(
      'vms.suspend',
      ref,
      options,
      (driver, id, context) => driver.doSuspendVm!(id, context),
      'suspend',
    );
  }

  /** Resumes a suspended VM (capability `suspend`). */
  resume(ref: VmRef | string, options: CallOptions = {}): Promise<void> {
    return this.action(
      'vms.resume',
      ref,
      options,
      (driver, id, context) => driver.doResumeVm!(id, context),
      'suspend',
    );
  }

  /** Deletes a VM (a VM already gone is fine). */
  async delete(ref: VmRef | string, options: CallOptions = {}): Promise<void> {
    await this.action('vms.delete', ref, options, (driver, id, context) => driver.doDeleteVm(id, context));
    this.tracker.forget(parseVmRef(ref));
  }

  /**
   * Waits until the VM is in one of `states`. Throws `TIMEOUT`, `ABORTED`, or `CONFLICT` when the VM reaches a
   * state from which the wanted one cannot come (waiting for `running` on a terminated VM).
   * Resolves `undefined` only when waiting for `terminated` and the VM is gone.
   */
  waitUntil(
    ref: VmRef | string,
    states: 'terminated',
    options?: WaitUntilVmStateOptions,
  ): Promise<Vm | undefined>;
  waitUntil(
    ref: VmRef | string,
    states: VmStateName | VmStateName[],
    options?: WaitUntilVmStateOptions,
  ): Promise<Vm>;
  waitUntil(
    ref: VmRef | string,
    states: VmStateName | VmStateName[],
    options: WaitUntilVmStateOptions = {},
  ): Promise<Vm | undefined> {
    return waitUntilVmState({ vms: this, events: this.events }, ref, states, options);
  }

  /**
   * State changes of VMs as a `for await` iterable, pushed by drivers with the `watch` capability and polled from
   * the others, until the signal aborts or the loop breaks.
   */
  watch(options: WatchVmsOptions<ProviderName> = {}): AsyncIterable<VmStateChange> {
    const providers = selectProviders(options.provider, this.providerNames());
    return watchVms({
      providers,
      events: this.events,
      tracker: this.tracker,
      runner: this.runner,
      poll: (provider, signal) => this.listVms({ provider, signal }).toArray(),
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }

  /** Reads metric series of a VM (capability `metrics`). */
  readMetrics(
    ref: VmRef | string,
    query: Omit<MetricsQuery, 'target'>,
    options: CallOptions = {},
  ): Promise<MetricSeries[]> {
    const { provider, id } = parseVmRef(ref);
    return this.runner.run({
      name: 'vms.readMetrics',
      provider,
      input: query,
      idempotent: true,
      signal: options.signal,
      capability: 'metrics',
      call: (driver, context) => driver.doReadMetrics!({ ...query, target: { vmId: id } }, context),
    });
  }

  private async *listProvider(provider: string, filter: VmFilter, options: ListOptions): AsyncGenerator<Vm> {
    const runtime = this.runner.runtime(provider, 'vms.list');
    const pageSize = resolvePageSize(options.pageSize, runtime.driver.capabilities.maxPageSize, {
      provider,
      operation: 'vms.list',
    });
    const pages = paginate(
      (cursor) =>
        this.runner.run({
          name: 'vms.list',
          provider,
          input: filter,
          schema: vmFilterSchema,
          idempotent: true,
          signal: options.signal,
          call: (driver, context) =>
            driver.doListVms({ filter, pageSize, ...(cursor !== undefined ? { cursor } : {}) }, context),
        }),
      `vms.list on '${provider}'`,
    );
    for await (const record of pages) {
      const vm = this.tracker.adopt(provider, runtime.driver.kind, record);
      if (matchesFilter(vm, filter)) yield vm;
    }
  }

  private async action(
    name: string,
    ref: VmRef | string,
    options: CallOptions,
    call: (driver: DriverV1, id: string, context: DriverCallContext) => Promise<void>,
    capability?: OptionalCapability,
  ): Promise<void> {
    const { provider, id } = parseVmRef(ref);
    await this.runner.run({
      name,
      provider,
      input: id,
      schema: vmIdSchema,
      idempotent: true,
      signal: options.signal,
      capability,
      call: (driver, context) => call(driver, id, context),
    });
  }

  private kindOf(provider: string): string {
    return this.runner.runtime(provider, 'vms').driver.kind;
  }
}

/** True when `vm` satisfies every part of `filter` (drivers may push down only some of it). */
export function matchesFilter(vm: Vm, filter: VmFilter): boolean {
  if (filter.states !== undefined && !filter.states.includes(vm.state.name)) return false;
  if (filter.hostId !== undefined && vm.location.hostId !== filter.hostId) return false;
  if (filter.zone !== undefined && vm.location.zone !== filter.zone) return false;
  if (filter.sizes !== undefined && (vm.size === undefined || !filter.sizes.includes(vm.size))) return false;
  if (filter.tags !== undefined) {
    for (const [key, value] of Object.entries(filter.tags)) if (vm.tags[key] !== value) return false;
  }
  return true;
}
