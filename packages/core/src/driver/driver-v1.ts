import type { Image, Location, Size } from '../model/catalog.js';
import type { Host, HostState } from '../model/host.js';
import type { MetricSeries, MetricsQuery } from '../model/metrics.js';
import type {
  MigrationMode,
  MigrationOutcome,
  MigrationPolicy,
  MigrationProgress,
} from '../model/migration.js';
import type { CreateVmSpec, ProviderVm, VmFilter, VmState } from '../model/vm.js';
import type { ProviderLimits } from '../pipeline/limits.js';
import type { DriverCapabilities } from './driver-capabilities.js';
import type { Page, PageRequest } from './page.js';

/** What every `do*` call receives besides its arguments. */
export interface DriverCallContext {
  /** Aborted when the caller cancels or the operation times out. Drivers pass it to their I/O. */
  signal: AbortSignal;
  /** The pipeline's id for this operation (for tracing; stable across retries). */
  operationId: string;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
}

/** What `doCreateVm` receives: the call context plus the idempotency key. */
export interface DriverCreateContext extends DriverCallContext {
  /**
   * The same key on every retry of one create. A driver MUST make creates with the same key return the same VM
   * (by a client token, a request id, or looking the key up) so that retries never make a second VM.
   */
  idempotencyKey: string;
}

/** What `doMigrateVm` receives: the call context plus a progress sink. */
export interface DriverMigrateContext extends DriverCallContext {
  /** Report progress; the core turns each report into a `migration.progress` event. */
  onProgress(progress: MigrationProgress): void;
}

/** What `doStopVm` receives besides the VM id. */
export interface DriverStopOptions {
  /** Power off without a clean shutdown. */
  force: boolean;
  /** Provider-specific extras, keyed by driver kind (`{ aws: { hibernate: true } }`); drivers read their own. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** A list request for VMs. */
export interface ListVmsRequest extends PageRequest {
  /** Filters; drivers push down what they can, the core re-checks every item. */
  filter?: VmFilter;
}

/** A live (or same-driver cold) migration request. */
export interface DriverMigrateRequest {
  /** The VM's id. */
  vmId: string;
  /** Destination host id. */
  toHostId: string;
  /** Live or cold. */
  mode: MigrationMode;
  /** Tuning. */
  policy: MigrationPolicy;
}

/** Something that happened on the provider, pushed by `doWatch`. */
export type DriverEvent =
  | { type: 'vm.state'; vmId: string; state: VmState; hostId?: string }
  | { type: 'host.state'; hostId: string; state: HostState };

/**
 * The driver contract, version 1. A driver package exports a factory (`createSimDriver(options)`) that returns one.
 *
 * Users never call `do*` methods: the core calls them through its runtime guard and operations pipeline, which
 * validate input, queue, retry, time out and emit events. Drivers stay thin translation layers: they write no retry
 * loops and throw {@link NovaCronError}s with the right code (plain errors become `PROVIDER`).
 *
 * Optional methods are present when the matching capability is declared. Extend {@link DriverBase} to get safe
 * defaults for everything optional.
 */
export interface DriverV1 {
  /** Always `'v1'`. */
  readonly specificationVersion: 'v1';
  /** The driver kind (`sim`, `kvm`, `aws`). */
  readonly kind: string;
  /** The region this instance serves, for drivers bound to one (`eu-west-1`); traces report it as `cloud.region`. */
  readonly region?: string | undefined;
  /** The capability manifest. */
  readonly capabilities: DriverCapabilities;
  /**
   * Limits that suit this provider, used where the user set none: `attemptTimeoutMs`, how long one call may take
   * before it is abandoned and, when safe, retried. A driver that talks to a network sets it; without one, an
   * attempt may take the whole operation deadline.
   */
  readonly defaultLimits?: Readonly<Pick<ProviderLimits, 'attemptTimeoutMs'>> | undefined;

  /** Connects or loads credentials. Called once, lazily, before the first `do*` call; retried if it fails. */
  init?(context: { signal: AbortSignal }): Promise<void>;
  /** Releases connections. After it, the core refuses further calls. */
  close?(): Promise<void>;
  /** The provider's native client, for anything NovaCron does not cover. */
  getClient?(): unknown;

  /** One page of VMs. */
  doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>>;
  /** One VM; throws `NOT_FOUND` when it does not exist. */
  doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm>;
  /** Makes a VM. Must be idempotent for the same `context.idempotencyKey`. */
  doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm>;
  /** Starts a stopped VM. Starting a running VM is a no-op. */
  doStartVm(vmId: string, context: DriverCallContext): Promise<void>;
  /** Stops a running VM (`force` = power off). Stopping a stopped VM is a no-op. */
  doStopVm(vmId: string, options: DriverStopOptions, context: DriverCallContext): Promise<void>;
  /** Reboots a running VM (capability `reboot`); a VM that is not running is a `CONFLICT`. */
  doRebootVm?(vmId: string, context: DriverCallContext): Promise<void>;
  /** Deletes a VM. Deleting a VM that is already gone is a no-op. */
  doDeleteVm(vmId: string, context: DriverCallContext): Promise<void>;
  /** Pauses a running VM in memory (capability `suspend`); a VM that is not running is a `CONFLICT`. */
  doSuspendVm?(vmId: string, context: DriverCallContext): Promise<void>;
  /** Resumes a suspended VM (capability `suspend`); resuming a running VM is a no-op. */
  doResumeVm?(vmId: string, context: DriverCallContext): Promise<void>;
  /** One page of hosts (capability `hosts`). */
  doListHosts?(request: PageRequest, context: DriverCallContext): Promise<Page<Host>>;
  /** One page of sizes (capability `sizes`). */
  doListSizes?(request: PageRequest, context: DriverCallContext): Promise<Page<Size>>;
  /** One page of images (capability `images`). */
  doListImages?(request: PageRequest, context: DriverCallContext): Promise<Page<Image>>;
  /** One page of locations (capability `locations`). */
  doListLocations?(request: PageRequest, context: DriverCallContext): Promise<Page<Location>>;
  /** Moves a VM to another host of this driver (capability `liveMigration`); resolves when done. */
  doMigrateVm?(request: DriverMigrateRequest, context: DriverMigrateContext): Promise<MigrationOutcome>;
  /** Reads metric series (capability `metrics`). */
  doReadMetrics?(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]>;
  /** Pushes events until the returned function is called (capability `watch`). */
  doWatch?(
    listener: (event: DriverEvent) => void,
    context: { signal: AbortSignal },
  ): Promise<() => Promise<void>>;
}
