import type { DriverV1 } from '../driver/driver-v1.js';
import { RuntimeDriver } from '../driver/runtime-driver.js';
import { EventBus } from '../events/event-bus.js';
import { MigrationOrchestrator } from '../migration/migration-orchestrator.js';
import { PlanExecutor } from '../migration/plan-executor.js';
import type { Image, Location, Size } from '../model/catalog.js';
import type { Host } from '../model/host.js';
import type { MetricSeries, MetricsQuery } from '../model/metrics.js';
import type { MigrationPlan } from '../model/migration.js';
import { attemptTimeoutMiddleware } from '../pipeline/attempt-timeout-middleware.js';
import { eventsMiddleware } from '../pipeline/events-middleware.js';
import type { LimitsOptions, ProviderLimits, RetryLimits } from '../pipeline/limits.js';
import { MiddlewareStack } from '../pipeline/middleware-stack.js';
import { queueMiddleware } from '../pipeline/queue-middleware.js';
import { retryMiddleware } from '../pipeline/retry-middleware.js';
import { ExponentialBackoffStrategy, type RetryStrategy } from '../pipeline/retry-strategy.js';
import { timeoutMiddleware } from '../pipeline/timeout-middleware.js';
import { noopTracer, type Tracer } from '../pipeline/tracer.js';
import { validationMiddleware } from '../pipeline/validation-middleware.js';
import type { Placer } from '../placement/placer.js';
import { type NovaCronPlugin, PluginRegistry } from '../registry/plugin-registry.js';
import { MemoryStateStore } from '../store/memory-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { assertKnownOptions, type OptionKeys } from '../toolkit/option-keys.js';
import { CatalogApi, type FromProvider } from './catalog-api.js';
import { createManyPlaced } from './create-many-placed.js';
import { createDriverView, type DriverView } from './driver-view.js';
import type { FanOutListing } from './fan-out.js';
import type { ListOptions } from './list-options.js';
import { OperationRunner } from './operation-runner.js';
import { PlacementApi } from './placement-api.js';
import { VmStateTracker } from './vm-state-tracker.js';
import { type CallOptions, VmsApi } from './vms-api.js';

/** A provider given by kind, created through the registry. */
export interface ProviderByKind {
  /** A driver kind registered in the registry (`sim`). */
  kind: string;
  /** The driver's options. */
  options?: unknown;
}

/** The `providers` of {@link createNovaCron}: driver instances (or kinds) by the name used in refs. */
export type ProviderMap = Record<string, DriverV1 | ProviderByKind>;

/** The provider names of a {@link ProviderMap}: `'sim' | 'aws'` for `{ sim, aws }`, `string` for a plain map. */
export type ProviderName<Providers extends ProviderMap> = Extract<keyof Providers, string>;

/** The driver type behind one entry of a {@link ProviderMap} (a driver given by kind is a plain `DriverV1`). */
export type ProviderDriver<Entry> = Entry extends DriverV1 ? Entry : DriverV1;

/**
 * `createNovaCron`'s `limits` for a client whose provider names are `Name`: a `default` plus an entry per provider.
 * A key that names no provider fails to compile (and is refused at run time with a `TypeError`).
 */
export type ClientLimits<Name extends string = string> = { default?: ProviderLimits | undefined } & {
  [Provider in Name]?: ProviderLimits | undefined;
};

/** Options of {@link createNovaCron}. Unknown keys are refused with a `TypeError`. */
export interface NovaCronOptions<Providers extends ProviderMap = ProviderMap> {
  /** Driver instances (or kinds to create through `registry`) by the name you will use in refs: `{ lab, aws }`. */
  providers: Providers;
  /**
   * Concurrency, rate, deadline and retry limits: a default plus per-provider overrides. Keys other than `default`
   * must name a provider. Default: `{ concurrency: 8, timeoutMs: 300_000, retry: { maxAttempts: 5 } }` per provider.
   */
  limits?: NoInfer<ClientLimits<ProviderName<Providers>>> | undefined;
  /** Plugins adding middleware to the pipeline, registered in `registry`. Default none. */
  plugins?: NovaCronPlugin[] | undefined;
  /** Where migration journals and handles are kept. Default: a {@link MemoryStateStore}. */
  store?: StateStore | undefined;
  /** The registry for drivers by kind and for plugins. Default: a new empty registry. */
  registry?: PluginRegistry | undefined;
  /** Tracing hook. Default: no-op. */
  tracer?: Tracer | undefined;
  /** Retry strategy. Default: {@link ExponentialBackoffStrategy}. */
  retryStrategy?: RetryStrategy | undefined;
  /**
   * The placer behind `nc.placement` and `createMany({ placement: 'auto' })`: `createScheduler()` of
   * `@novacron/scheduler`, or your own {@link Placer}. Default none (those calls are refused with `UNSUPPORTED`).
   */
  placement?: Placer | undefined;
}

/** The driver type behind each provider name of a {@link ProviderMap}. */
export type ProviderDrivers<Providers extends ProviderMap> = {
  [Name in ProviderName<Providers>]: ProviderDriver<Providers[Name]>;
};

/**
 * The NovaCron client. `createNovaCron` infers the provider names (`Name`) and their driver types (`Drivers`) from
 * its `providers` option, so every method that takes a provider name accepts only those names, and `driver(name)`
 * is typed by that driver. A plain `NovaCron` (no type arguments) accepts any string. VM refs written as
 * `"provider:id"` strings are checked at run time. Supports `await using` (closes every driver).
 */
export interface NovaCron<
  Name extends string = string,
  Drivers extends Record<Name, DriverV1> = Record<Name, DriverV1>,
> {
  /** VM operations. */
  readonly vms: VmsApi<Name>;
  /** Hypervisor hosts. */
  readonly hosts: {
    /** Hosts of one, several or all providers (capability `hosts`). */
    list(options?: ListOptions<Name>): FanOutListing<FromProvider<Host>>;
    /** Metric series of one host (capability `metrics`). */
    readMetrics(
      provider: Name,
      hostId: string,
      query: Omit<MetricsQuery, 'target'>,
      options?: CallOptions,
    ): Promise<MetricSeries[]>;
  };
  /** Machine sizes. */
  readonly sizes: { list(options?: ListOptions<Name>): FanOutListing<FromProvider<Size>> };
  /** Images. */
  readonly images: { list(options?: ListOptions<Name>): FanOutListing<FromProvider<Image>> };
  /** Regions and zones. */
  readonly locations: {
    list(options?: ListOptions<Name>): FanOutListing<FromProvider<Location>>;
  };
  /**
   * Placement on providers with hosts: `plan` and `apply` (need `createNovaCron({ placement })`), and `fleet`, the
   * hosts and VMs the scheduler's rebalance planners take.
   */
  readonly placement: Pick<PlacementApi<Name>, 'plan' | 'apply' | 'fleet'>;
  /** Live migrations, one by one (`start`) or a whole {@link MigrationPlan} (`execute`). */
  readonly migrations: Pick<MigrationOrchestrator, 'start' | 'get' | 'list' | 'handle'> &
    Pick<PlanExecutor, 'execute'>;
  /** Typed events (eventemitter3). */
  readonly events: EventBus;
  /** The operations pipeline, for inspection and advanced use (`pipeline.names()`). */
  readonly pipeline: MiddlewareStack;
  /** The state store in use. */
  readonly store: StateStore;
  /** The provider names. */
  providers(): Array<Name>;
  /**
   * A read-only view of the driver behind a provider name: `kind`, `capabilities` and `getClient()` (typed by the
   * driver: `EC2Client` for aws). Its `do*` methods are not reachable: calls go through the client. An unknown name is
   * an `INVALID_ARGUMENT` error naming the known providers.
   */
  driver<Provider extends Name>(provider: Provider): DriverView<Drivers[Provider]>;
  /** Closes every driver; later calls are refused. Calling it again does nothing. */
  close(): Promise<void>;
  /** Closes the client at the end of an `await using` block: `await using nc = createNovaCron(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const OPTION_KEYS: OptionKeys<NovaCronOptions> = {
  providers: true,
  limits: true,
  plugins: true,
  store: true,
  registry: true,
  tracer: true,
  retryStrategy: true,
  placement: true,
};
const PROVIDER_LIMITS_KEYS: OptionKeys<ProviderLimits> = {
  concurrency: true,
  perSecond: true,
  timeoutMs: true,
  attemptTimeoutMs: true,
  retry: true,
};
const RETRY_LIMITS_KEYS: OptionKeys<RetryLimits> = { maxAttempts: true, baseDelayMs: true, maxDelayMs: true };
const PROVIDER_BY_KIND_KEYS: OptionKeys<ProviderByKind> = { kind: true, options: true };

/**
 * Creates a NovaCron client over one or more providers.
 *
 * @example
 * const nc = createNovaCron({
 *   providers: { sim: createSimDriver({ seed: 1 }) },
 *   limits: { default: { concurrency: 8 }, sim: { concurrency: 32 } },
 * });
 * const vm = await nc.vms.create({ provider: 'sim', name: 'web-1', resources: { vcpus: 2, memoryMiB: 2048 } });
 * await nc.vms.waitUntil(vm.ref, 'running');
 */
export function createNovaCron<Providers extends ProviderMap>(
  options: NovaCronOptions<Providers>,
): NovaCron<ProviderName<Providers>, ProviderDrivers<Providers>> {
  if (typeof options !== 'object' || options === null || typeof options.providers !== 'object') {
    throw new TypeError('createNovaCron needs { providers: { name: driver } }.');
  }
  assertKnownOptions('createNovaCron', options, OPTION_KEYS);
  const registry = options.registry ?? new PluginRegistry();
  const runtimes = new Map<string, RuntimeDriver>();
  for (const [name, provider] of Object.entries(options.providers)) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(name)) {
      throw new TypeError(
        `Provider name '${name}' must be letters, digits, '-' or '_' (it is the prefix of "name:id" refs).`,
      );
    }
    if (isProviderByKind(provider)) {
      assertKnownOptions('createNovaCron', provider, PROVIDER_BY_KIND_KEYS, `providers.${name}`);
    }
    const driver = isProviderByKind(provider)
      ? registry.createDriver(provider.kind, provider.options)
      : provider;
    runtimes.set(name, new RuntimeDriver(name, driver));
  }
  if (runtimes.size === 0) throw new TypeError('createNovaCron needs at least one provider.');
  const limits = options.limits as LimitsOptions | undefined;
  checkLimits(limits, [...runtimes.keys()]);
  for (const plugin of options.plugins ?? []) registry.registerPlugin(plugin);

  const events = new EventBus();
  const stack = new MiddlewareStack();
  stack.push(eventsMiddleware(events, options.tracer ?? noopTracer));
  stack.push(validationMiddleware());
  stack.push(timeoutMiddleware());
  stack.push(retryMiddleware(options.retryStrategy ?? new ExponentialBackoffStrategy(), events));
  stack.push(queueMiddleware());
  stack.push(attemptTimeoutMiddleware());
  for (const plugin of registry.plugins()) {
    for (const { middleware, position } of plugin.middleware ?? [])
      stack.insert(middleware, position ?? { before: 'timeout' });
  }

  const store = options.store ?? new MemoryStateStore();
  const runner = new OperationRunner(stack, runtimes, limits);
  const tracker = new VmStateTracker(events);
  const providerNames = () => [...runtimes.keys()];
  const catalog = new CatalogApi(runner, providerNames);
  const placement = new PlacementApi<ProviderName<Providers>>(
    options.placement,
    runner,
    catalog,
    () => vms,
    store,
  );
  const vms: VmsApi<ProviderName<Providers>> = new VmsApi<ProviderName<Providers>>(
    runner,
    tracker,
    events,
    providerNames,
    (requests, createOptions) => createManyPlaced(placement, requests, createOptions),
  );
  const migrations = new MigrationOrchestrator(runner, store, events, (ref, signal) =>
    vms.get(ref, { signal }),
  );

  const executor = new PlanExecutor(
    (request) => migrations.start(request),
    (ref) => vms.get(ref),
    store,
  );

  const views = new Map<string, DriverView>();
  const close = async (): Promise<void> => {
    await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
    events.removeAllListeners();
  };

  return {
    vms,
    hosts: {
      list: (listOptions) => catalog.hosts(listOptions),
      readMetrics: (provider, hostId, query, callOptions = {}) =>
        runner.run({
          name: 'hosts.readMetrics',
          provider,
          input: query,
          idempotent: true,
          signal: callOptions.signal,
          capability: 'metrics',
          call: (driver, context) => driver.doReadMetrics!({ ...query, target: { hostId } }, context),
        }),
    },
    sizes: { list: (listOptions) => catalog.sizes(listOptions) },
    images: { list: (listOptions) => catalog.images(listOptions) },
    locations: { list: (listOptions) => catalog.locations(listOptions) },
    placement: {
      plan: (request) => placement.plan(request),
      apply: (plan, applyOptions) => placement.apply(plan, applyOptions),
      fleet: (request) => placement.fleet(request),
    },
    migrations: {
      start: (request) => migrations.start(request),
      get: (id) => migrations.get(id),
      list: (listOptions) => migrations.list(listOptions),
      handle: (id) => migrations.handle(id),
      execute: (plan, executeOptions) => executor.execute(plan, executeOptions),
    },
    events,
    pipeline: stack,
    store,
    providers: providerNames as () => Array<ProviderName<Providers>>,
    driver: <Provider extends ProviderName<Providers>>(provider: Provider) => {
      let view = views.get(provider);
      if (view === undefined) {
        view = createDriverView(runner.runtime(provider, 'driver').driver);
        views.set(provider, view);
      }
      return view as DriverView<ProviderDrivers<Providers>[Provider]>;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Refuses `limits` keys that name no provider, and unknown keys inside each entry (a typo must not be ignored). */
function checkLimits(limits: LimitsOptions | undefined, providers: string[]): void {
  if (typeof limits !== 'object' || limits === null) return;
  const strays = Object.keys(limits).filter((key) => key !== 'default' && !providers.includes(key));
  if (strays.length > 0) {
    throw new TypeError(
      `createNovaCron: limits ${strays.map((key) => `'${key}'`).join(', ')} name${strays.length === 1 ? 's' : ''} no provider. Known providers: ${providers.join(', ')} (plus 'default' for all of them).`,
    );
  }
  for (const [key, entry] of Object.entries(limits)) {
    assertKnownOptions('createNovaCron', entry, PROVIDER_LIMITS_KEYS, `limits.${key}`);
    assertKnownOptions('createNovaCron', entry?.retry, RETRY_LIMITS_KEYS, `limits.${key}.retry`);
  }
}

function isProviderByKind(provider: DriverV1 | ProviderByKind): provider is ProviderByKind {
  return (
    typeof provider === 'object' &&
    provider !== null &&
    !('specificationVersion' in provider) &&
    'kind' in provider
  );
}
