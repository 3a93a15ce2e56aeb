import { NovaCronError } from '../errors/novacron-error.js';
import type { Image, Location, Size } from '../model/catalog.js';
import type { Host } from '../model/host.js';
import type { MetricSeries, MetricsQuery } from '../model/metrics.js';
import type { MigrationOutcome } from '../model/migration.js';
import type { CreateVmSpec, ProviderVm } from '../model/vm.js';
import { DEFAULT_CAPABILITIES, type DriverCapabilities } from './driver-capabilities.js';
import type {
  DriverCallContext,
  DriverCreateContext,
  DriverEvent,
  DriverMigrateContext,
  DriverMigrateRequest,
  DriverStopOptions,
  DriverV1,
  ListVmsRequest,
} from './driver-v1.js';
import type { Page, PageRequest } from './page.js';

/**
 * A base class for drivers: every optional operation throws `UNSUPPORTED` and the capabilities default to
 * {@link DEFAULT_CAPABILITIES}, so capabilities added to the contract later break no third-party driver.
 *
 * @example
 * class HetznerDriver extends DriverBase {
 *   readonly kind = 'hetzner';
 *   async doListVms(request, context) { ... }
 *   // ...the required do* methods
 * }
 */
export abstract class DriverBase implements DriverV1 {
  readonly specificationVersion = 'v1' as const;
  abstract readonly kind: string;
  readonly capabilities: DriverCapabilities = DEFAULT_CAPABILITIES;

  async init(_context: { signal: AbortSignal }): Promise<void> {}
  async close(): Promise<void> {}
  getClient(): unknown {
    return undefined;
  }

  abstract doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>>;
  abstract doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm>;
  abstract doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm>;
  abstract doStartVm(vmId: string, context: DriverCallContext): Promise<void>;
  abstract doStopVm(vmId: string, options: DriverStopOptions, context: DriverCallContext): Promise<void>;
  abstract doDeleteVm(vmId: string, context: DriverCallContext): Promise<void>;

  async doRebootVm(_vmId: string, _context: DriverCallContext): Promise<void> {
    throw this.unsupported('reboot');
  }
  async doSuspendVm(_vmId: string, _context: DriverCallContext): Promise<void> {
    throw this.unsupported('suspend');
  }
  async doResumeVm(_vmId: string, _context: DriverCallContext): Promise<void> {
    throw this.unsupported('resume');
  }
  async doListHosts(_request: PageRequest, _context: DriverCallContext): Promise<Page<Host>> {
    throw this.unsupported('list hosts');
  }
  async doListSizes(_request: PageRequest, _context: DriverCallContext): Promise<Page<Size>> {
    throw this.unsupported('list sizes');
  }
  async doListImages(_request: PageRequest, _context: DriverCallContext): Promise<Page<Image>> {
    throw this.unsupported('list images');
  }
  async doListLocations(_request: PageRequest, _context: DriverCallContext): Promise<Page<Location>> {
    throw this.unsupported('list locations');
  }
  async doMigrateVm(
    _request: DriverMigrateRequest,
    _context: DriverMigrateContext,
  ): Promise<MigrationOutcome> {
    throw this.unsupported('live migration');
  }
  async doReadMetrics(_query: MetricsQuery, _context: DriverCallContext): Promise<MetricSeries[]> {
    throw this.unsupported('metrics');
  }
  async doWatch(
    _listener: (event: DriverEvent) => void,
    _context: { signal: AbortSignal },
  ): Promise<() => Promise<void>> {
    throw this.unsupported('watch');
  }

  /** The error every unsupported operation throws. */
  protected unsupported(operation: string): NovaCronError {
    return new NovaCronError({
      code: 'UNSUPPORTED',
      message: `The ${this.kind} driver does not support ${operation}. Check driver.capabilities before calling.`,
    });
  }
}
