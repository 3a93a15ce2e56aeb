import type { CreateVmSpec, ProviderVm } from '../model/vm.js';
import { DEFAULT_CAPABILITIES, type DriverCapabilities } from './driver-capabilities.js';
import type {
  DriverCallContext,
  DriverCreateContext,
  DriverStopOptions,
  DriverV1,
  ListVmsRequest,
} from './driver-v1.js';
import type { Page } from './page.js';

/**
 * A base class for drivers: no-op `init` and `close`, and capabilities that default to {@link DEFAULT_CAPABILITIES},
 * where every optional capability is off. It defines none of the optional `do*` methods: a driver that implements
 * one declares its flag (`reboot: true` with `doRebootVm`), and the core refuses a call whose capability is not
 * declared with one `UNSUPPORTED` error, so capabilities added to the contract later break no third-party driver.
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
}
