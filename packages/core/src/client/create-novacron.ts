import type { DriverV1 } from '../driver/driver-v1.js';
import { RuntimeDriver } from '../driver/runtime-driver.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { EventBus } from '../events/event-bus.js';
import { MigrationOrchestrator } from '../migration/migration-orchestrator.js';
import type { MetricSeries, MetricsQuery } from '../model/metrics.js';
import { eventsMiddleware } from '../pipeline/events-middleware.js';
import type { LimitsOptions } from '../pipeline/limits.js';
import { MiddlewareStack } from '../pipeline/middleware-stack.js';
import { queueMiddleware } from '../pipeline/queue-middleware.js';
import { retryMiddleware } from '../pipeline/retry-middleware.js';
import { ExponentialBackoffStrategy, type RetryStrategy } from '../pipeline/retry-strategy.js';
import { timeoutMiddleware } from '../pipeline/timeout-middleware.js';
import { noopTracer, type Tracer } from '../pipeline/tracer.js';
import { validationMiddleware } from '../pipeline/validation-middleware.js';
import { type NovaCronPlugin, PluginRegistry } from '../registry/plugin-registry.js';
import { MemoryStateStore } from '../store/memory-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { CatalogApi } from './catalog-api.js';
import { OperationRunner } from './operation-runner.js';
import { VmStateTracker } from './vm-state-tracker.js';
import { type CallOptions, VmsApi } from './vms-api.js';

/** A provider given by kind, created through the registry. */
export interface ProviderByKind {
  /** A driver kind registered in the registry (`sim`). */
  kind: string;
  /** The driver's options. */
  options?: unknown;
}

/** Options of {@link createNovaCron}. */
export interface NovaCronOptions {
  /** Driver instances (or kinds to create through `registry`) by the name you will use in refs: `{ lab, aws }`. */
  providers: Record<string, DriverV1 | ProviderByKind>;
  /** Concurrency, rate, deadline and retry limits: a default plus per-provider overrides. */
  limits?: LimitsOptions | undefined;
  /** Plugins adding middleware to the pipeline, registered in `registry`. */
  plugins?: NovaCronPlugin[] | undefined;
  /** Where migration journals and handles are kept. Default: a {@link MemoryStateStore}. */
  store?: StateStore | undefined;
  /** The registry for drivers by kind and for plugins. Default: a new empty registry. */
  registry?: PluginRegistry | undefined;
  /** Tracing hook. Default: no-op. */
  tracer?: Tracer | undefined;
  /** Retry strategy. Default: {@link ExponentialBackoffStrategy}. */
  retryStrategy?: RetryStrategy | undefined;
}

/** The NovaCron client. */
export interface NovaCron {
  /** VM operations. */
  readonly vms: VmsApi;
  /** Hypervisor hosts. */
  readonly hosts: {
    list: CatalogApi['hosts'];
    readMetrics(
      provider: string,
      hostId: string,
      query: Omit<MetricsQuery, 'target'>,
      options?: CallOptions,
    ): Promise<MetricSeries[]>;
  };
  /** Machine sizes. */
  readonly sizes: { list: CatalogApi['sizes'] };
  /** Images. */
  readonly images: { list: CatalogApi['images'] };
  /** Regions and zones. */
  readonly locations: { list: CatalogApi['locations'] };
  /** Live migrations. */
  readonly migrations: Pick<MigrationOrchestrator, 'start' | 'get' | 'list' | 'handle'>;
  /** Typed events (eventemitter3). */
  readonly events: EventBus;
  /** The operations pipeline, for inspection and advanced use (`pipeline.names()`). */
  readonly pipeline: MiddlewareStack;
  /** The state store in use. */
  readonly store: StateStore;
  /** The provider names. */
  providers(): string[];
  /** The driver behind a provider name (for capabilities and `getClient()`). */
  driver(provider: string): DriverV1;
  /** Closes every driver; later calls are refused. */
  close(): Promise<void>;
}

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
export function createNovaCron(options: NovaCronOptions): NovaCron {
  if (typeof options !== 'object' || options === null || typeof options.providers !== 'object') {
    throw new TypeError('createNovaCron needs { providers: { name: driver } }.');
  }
  const registry = options.registry ?? new PluginRegistry();
  const runtimes = new Map<string, RuntimeDriver>();
  for (const [name, provider] of Object.entries(options.providers)) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(name)) {
      throw new TypeError(
        `Provider name '${name}' must be letters, digits, '-' or '_' (it is the prefix of "name:id" refs).`,
      );
    }
    const driver = isProviderByKind(provider)
      ? registry.createDriver(provider.kind, provider.options)
      : provider;
    runtimes.set(name, new RuntimeDriver(name, driver));
  }
  if (runtimes.size === 0) throw new TypeError('createNovaCron needs at least one provider.');
  for (const plugin of options.plugins ?? []) registry.registerPlugin(plugin);

  const events = new EventBus();
  const stack = new MiddlewareStack();
  stack.push(eventsMiddleware(events, options.tracer ?? noopTracer));
  stack.push(validationMiddleware());
  stack.push(timeoutMiddleware());
  stack.push(retryMiddleware(options.retryStrategy ?? new ExponentialBackoffStrategy(), events));
  stack.push(queueMiddleware());
  for (const plugin of registry.plugins()) {
    for (const { middleware, position } of plugin.middleware ?? [])
      stack.insert(middleware, position ?? { before: 'timeout' });
  }

  const store = options.store ?? new MemoryStateStore();
  const runner = new OperationRunner(stack, runtimes, options.limits);
  const tracker = new VmStateTracker(events);
  const providerNames = () => [...runtimes.keys()];
  const vms = new VmsApi(runner, tracker, events, providerNames);
  const catalog = new CatalogApi(runner, providerNames);
  const migrations = new MigrationOrchestrator(runner, store, events, (ref, signal) =>
    vms.get(ref, { signal }),
  );

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
          call: (driver, context) => {
            if (!driver.capabilities.metrics) throw unsupportedMetrics(provider);
            return driver.doReadMetrics!({ ...query, target: { hostId } }, context);
          },
        }),
    },
    sizes: { list: (listOptions) => catalog.sizes(listOptions) },
    images: { list: (listOptions) => catalog.images(listOptions) },
    locations: { list: (listOptions) => catalog.locations(listOptions) },
    migrations: {
      start: (request) => migrations.start(request),
      get: (id) => migrations.get(id),
      list: (listOptions) => migrations.list(listOptions),
      handle: (id) => migrations.handle(id),
    },
    events,
    pipeline: stack,
    store,
    providers: providerNames,
    driver: (provider) => runner.runtime(provider, 'driver').driver,
    close: async () => {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
      events.removeAllListeners();
    },
  };
}

function isProviderByKind(provider: DriverV1 | ProviderByKind): provider is ProviderByKind {
  return (
    typeof provider === 'object' &&
    provider !== null &&
    !('specificationVersion' in provider) &&
    'kind' in provider
  );
}

function unsupportedMetrics(provider: string): NovaCronError {
  return new NovaCronError({
    code: 'UNSUPPORTED',
    provider,
    operation: 'hosts.readMetrics',
    message: `Provider '${provider}' does not report metrics (capability 'metrics' is false).`,
  });
}
