import {
  type CreateVmSpec,
  DriverBase,
  type DriverCallContext,
  type DriverCreateContext,
  type DriverStopOptions,
  defineCapabilities,
  type ListVmsRequest,
  NovaCronError,
  type Page,
  type ProviderVm,
  type VmStateName,
} from '@novacron/core';
import {
  assertKnownOptions,
  createCursorCodec,
  createErrorMapper,
  type OptionKeys,
} from '@novacron/core/driver';
import { ToyApiError, ToyCloudClient, type ToyInstance } from './toy-cloud.js';

/** Options of {@link createToyDriver}. */
export interface ToyDriverOptions {
  /** The SDK client to use. Default: a new one. */
  client?: ToyCloudClient;
}

/** Every accepted option: the compiler keeps this list and the interface in step. */
const TOY_OPTION_KEYS: OptionKeys<ToyDriverOptions> = { client: true };

const STATES: Record<ToyInstance['status'], VmStateName> = {
  booting: 'pending',
  on: 'running',
  off: 'stopped',
  deleted: 'terminated',
};

/** Where a VM list stands: the id of the last VM handed out. */
const vmCursors = createCursorCodec({
  driver: 'toy',
  list: 'vms',
  isPosition: (value): value is { after: string } =>
    typeof (value as { after?: unknown })?.after === 'string',
});

/** The toy cloud's errors as NovaCron errors: only what a person needs is kept, never the SDK's error itself. */
const toToyError = createErrorMapper<{ action: string; id?: string }>({
  driver: 'toy',
  describe: ({ action, id }) => (id === undefined ? action : `${action} ${id}`),
  classify: (error) => {
    if (!(error instanceof ToyApiError)) return undefined;
    const code =
      error.status === 404
        ? 'NOT_FOUND'
        : error.status === 409
          ? 'CONFLICT'
          : error.status === 429
            ? 'THROTTLED'
            : error.status >= 500
              ? 'UNAVAILABLE'
              : 'PROVIDER';
    return { code, message: error.message, providerCode: error.reason, statusCode: error.status };
  },
});

/**
 * A complete NovaCron driver for the toy cloud: a thin translation layer. The core validates every request
 * (names, resources, tags, page sizes, cursors' shape), queues, retries, times out and checks capabilities; the
 * toolkit (`@novacron/core/driver`) gives the cursors and the error mapping.
 */
export class ToyDriver extends DriverBase {
  readonly kind = 'toy';
  override readonly capabilities = defineCapabilities({ maxPageSize: 50 });
  private readonly client: ToyCloudClient;

  constructor(options: ToyDriverOptions = {}) {
    super();
    this.client = options.client ?? new ToyCloudClient();
  }

  override getClient(): ToyCloudClient {
    return this.client;
  }

  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const position = vmCursors.decode(request.cursor);
    const limit = request.pageSize ?? this.capabilities.maxPageSize;
    const instances = await this.call({ action: 'listInstances' }, context, () =>
      this.client.listInstances({ limit, ...(position === undefined ? {} : { after: position.after }) }),
    );
    const page: Page<ProviderVm> = { items: instances.map(toProviderVm) };
    const last = instances.at(-1);
    if (instances.length === limit && last !== undefined)
      page.nextCursor = vmCursors.encode({ after: last.id });
    return page;
  }

  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    return toProviderVm(
      await this.call({ action: 'getInstance', id: vmId }, context, () => this.client.getInstance(vmId)),
    );
  }

  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    if (spec.resources === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'size',
        message: 'The toy driver has no sizes: give resources ({ vcpus, memoryMiB }) instead.',
      });
    }
    const { vcpus, memoryMiB } = spec.resources;
    // The toy cloud honours a client token like EC2 does: the same token returns the same instance, and the same
    // token with other parameters is refused (409), which maps to CONFLICT.
    const instance = await this.call({ action: 'createInstance' }, context, () =>
      this.client.createInstance({
        name: spec.name,
        cpus: vcpus,
        ramMb: memoryMiB,
        labels: spec.tags ?? {},
        clientToken: context.idempotencyKey,
      }),
    );
    return toProviderVm(instance);
  }

  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    await this.call({ action: 'setPower on', id: vmId }, context, () => this.client.setPower(vmId, true));
  }

  async doStopVm(vmId: string, _options: DriverStopOptions, context: DriverCallContext): Promise<void> {
    await this.call({ action: 'setPower off', id: vmId }, context, () => this.client.setPower(vmId, false));
  }

  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    try {
      await this.call({ action: 'deleteInstance', id: vmId }, context, () =>
        this.client.deleteInstance(vmId),
      );
    } catch (error) {
      // Deleting a VM that is already gone is a no-op (the contract).
      if (!(NovaCronError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
    }
  }

  /** Makes one SDK call, mapping its failure. */
  private async call<T>(
    where: { action: string; id?: string },
    context: DriverCallContext,
    request: () => Promise<T>,
  ): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toToyError(error, where, context.signal);
    }
  }
}

function toProviderVm(instance: ToyInstance): ProviderVm {
  return {
    id: instance.id,
    name: instance.name,
    state: { name: STATES[instance.status], providerState: instance.status },
    resources: { vcpus: instance.cpus, memoryMiB: instance.ramMb },
    location: {},
    addresses: { private: [], public: [] },
    tags: instance.labels,
    createdAt: instance.created,
    raw: instance,
  };
}

/**
 * Creates a driver for the toy cloud.
 *
 * @example
 * const nc = createNovaCron({ providers: { toy: createToyDriver() } });
 */
export function createToyDriver(options: ToyDriverOptions = {}): ToyDriver {
  // A typo (`clinet`) is a TypeError naming it, not an option silently ignored.
  assertKnownOptions('createToyDriver', options, TOY_OPTION_KEYS);
  return new ToyDriver(options);
}
