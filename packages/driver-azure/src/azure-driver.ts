import { ComputeManagementClient, type ResourceSku, type VirtualMachine } from '@azure/arm-compute';
import { type NetworkInterface, NetworkManagementClient } from '@azure/arm-network';
import { DefaultAzureCredential } from '@azure/identity';
import {
  type CreateVmSpec,
  DriverBase,
  type DriverCallContext,
  type DriverCapabilities,
  type DriverCreateContext,
  type DriverStopOptions,
  defineCapabilities,
  type Image,
  type ListVmsRequest,
  type Location,
  NovaCronError,
  type Page,
  type PageRequest,
  type ProviderVm,
} from '@novacron/core';
import { pageOf, parseProviderOptions } from '@novacron/core/driver';
import { type ZodType, z } from 'zod';
import {
  buildNicBody,
  buildVmBody,
  IDEMPOTENCY_TAG_KEY,
  MAX_USER_TAGS,
  nicNameFor,
  SPEC_TAG_KEY,
  type ValidatedCreate,
  validateCreateSpec,
} from './azure-create-input.js';
import { CreateKeyMemory, type RememberedCreate } from './azure-create-keys.js';
import {
  type AzureClients,
  type AzureDriverOptions,
  assertAzureDriverOptions,
} from './azure-driver-options.js';
import { type AzureErrorContext, toAzureNovaCronError } from './azure-error-map.js';
import { AzureImageCatalog } from './azure-images.js';
import { toAzureLocations } from './azure-locations.js';
import { azureVmCursors } from './azure-page-cursor.js';
import { type AzureSize, toAzureSizes } from './azure-sizes.js';
import { toVmState } from './azure-state-map.js';
import { type AzureCall, AzureVmAddresses, type VmNetworkView } from './azure-vm-addresses.js';

/** `providerOptions.azure` of a stop. */
interface AzureStopProviderOptions {
  /** Deallocate (release the compute, stop its billing) after powering off. Default true. */
  deallocate?: boolean | undefined;
}

const stopOptionsSchema: ZodType<AzureStopProviderOptions> = z.strictObject({
  deallocate: z.boolean().optional(),
});

const MAX_PAGE_SIZE = 100;
/** Azure's tag names may not hold `< > % & \ ? /`, nor control characters. */
const TAG_KEY_PATTERN = /^[^<>%&\\?/\p{Cc}]+$/u;

/**
 * The Azure driver: NovaCron's `DriverV1` contract over `@azure/arm-compute` and `@azure/arm-network`. Make it with
 * {@link createAzureDriver}.
 *
 * A VM id is its name within the driver's resource group. Every change is a Resource Manager long-running operation,
 * followed through the SDK's poller to its end. The SDK's retries are off: the NovaCron pipeline is the single retry
 * authority.
 */
export class AzureDriver extends DriverBase {
  /** Always `'azure'`. */
  readonly kind = 'azure';
  /**
   * Reboot, sizes (resource SKUs), images (marketplace, per region) and locations (regions and zones from the
   * resource SKUs); no suspend, hosts or migration; no metrics: the Azure Monitor API is outside what this driver is
   * built and tested against, so read metrics with `@azure/arm-monitor` and the driver's credential instead. Pages
   * of up to 100; Azure's tag limits (50 per resource, of which NovaCron writes 2; names of 512 characters without
   * `<>%&\?/`, values of 256); VM names of up to 64 characters of letters, digits, `.` and `-`, starting and ending
   * with a letter or digit, as a Linux computer name must (Windows' stricter rules are checked on create).
   */
  override readonly capabilities: DriverCapabilities = defineCapabilities({
    reboot: true,
    sizes: true,
    images: true,
    locations: true,
    maxPageSize: MAX_PAGE_SIZE,
    maxNameLength: 64,
    namePattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?$/,
    maxTags: MAX_USER_TAGS,
    maxTagKeyLength: 512,
    maxTagValueLength: 256,
    tagKeyPattern: TAG_KEY_PATTERN,
    unsupportedReasons: {
      metrics:
        "VM metrics live in Azure Monitor, an API this driver is not built and tested against: read them with @azure/arm-monitor (metrics.list on the VM's resource id) and the same credential.",
      suspend:
        'Azure has no suspend for virtual machines (hibernation is a preview feature of some sizes): use vms.stop.',
      hosts:
        "Azure does not expose the hosts a VM runs on (dedicated hosts aside), so NovaCron's host view does not apply.",
      liveMigration: 'Azure moves VMs between hosts itself; it offers no user-driven live migration.',
    },
  });
  /**
   * Resource Manager answers a request in seconds, and a long-running operation (a create, a deallocate) in one to
   * three minutes; an attempt still unfinished after five minutes is abandoned and, when safe, retried.
   */
  readonly defaultLimits = { attemptTimeoutMs: 300_000 } as const;

  private readonly clients: AzureClients;
  private readonly subscriptionId: string;
  private readonly resourceGroup: string | undefined;
  private readonly location: string | undefined;
  private readonly origin: string;
  /** Options of every long-running call: the polling interval used when ARM sends no positive `Retry-After`. */
  private readonly polling: { updateIntervalInMs?: number };
  private readonly addresses: AzureVmAddresses;
  private readonly skuReads = new Map<string, Promise<ResourceSku[]>>();
  private mappedSizes: { from: Promise<ResourceSku[]>; sizes: Promise<AzureSize[]> } | undefined;
  private readonly images: AzureImageCatalog;
  /** Creates by idempotency key: the spec each key was first used with, and the create in flight (bounded). */
  private readonly keys = new CreateKeyMemory();

  /** Prefer {@link createAzureDriver}. */
  constructor(private readonly options: AzureDriverOptions) {
    super();
    assertAzureDriverOptions(options);
    this.subscriptionId = options.subscriptionId;
    this.resourceGroup = options.resourceGroup;
    this.location = options.location;
    this.origin = new URL(options.endpoint ?? 'https://management.azure.com').origin;
    this.clients = options.clients ?? this.makeClients();
    const call: AzureCall = (where, signal, request) => this.call(where, signal, request);
    this.addresses = new AzureVmAddresses(this.clients.network, call);
    this.images = new AzureImageCatalog(this.clients.compute, call, options.images);
    this.polling = options.pollIntervalMs === undefined ? {} : { updateIntervalInMs: options.pollIntervalMs };
  }

  private makeClients(): AzureClients {
    const credential = this.options.credential ?? new DefaultAzureCredential();
    const common = {
      ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
      ...(this.options.tlsOptions === undefined ? {} : { tlsOptions: this.options.tlsOptions }),
      retryOptions: { maxRetries: 0 },
    };
    return {
      compute: new ComputeManagementClient(credential, this.subscriptionId, common),
      network: new NetworkManagementClient(credential, this.subscriptionId, common),
    };
  }

  /** The SDK clients (`{ compute, network }`), for anything NovaCron does not cover. */
  override getClient(): AzureClients {
    return this.clients;
  }

  /** One page of VMs of the resource group (or of the subscription when the driver has none), `nextLink` as given. */
  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const position = azureVmCursors.decode(request.cursor) ?? { offset: 0 };
    if (position.link !== undefined && new URL(position.link).origin !== this.origin) {
      // A cursor is caller input: a link to another host would receive the bearer token.
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'cursor',
        message: `The cursor points outside ${this.origin}. Pass back the nextCursor of the previous page unchanged.`,
      });
    }
    const pageSize = Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    let link = position.link;
    let offset = position.offset;
    for (;;) {
      const armPage = await this.readVmPage(link, context.signal);
      const rest = armPage.items.slice(offset);
      if (rest.length === 0 && armPage.nextLink !== undefined) {
        // ARM may send empty pages that still have a nextLink: read on rather than hand out an empty page.
        link = armPage.nextLink;
        offset = 0;
        continue;
      }
      const taken = rest.slice(0, pageSize);
      const page: Page<ProviderVm> = { items: await this.toProviderVms(taken, 'page', context.signal) };
      if (offset + taken.length < armPage.items.length) {
        page.nextCursor = azureVmCursors.encode({
          ...(link === undefined ? {} : { link }),
          offset: offset + taken.length,
        });
      } else if (armPage.nextLink !== undefined) {
        page.nextCursor = azureVmCursors.encode({ link: armPage.nextLink, offset: 0 });
      }
      return page;
    }
  }

  private async readVmPage(
    link: string | undefined,
    signal: AbortSignal,
  ): Promise<{ items: VirtualMachine[]; nextLink?: string }> {
    const { compute } = this.clients;
    const listOptions = { expand: 'instanceView', abortSignal: signal };
    const iterator =
      this.resourceGroup === undefined
        ? compute.virtualMachines.listAll(listOptions)
        : compute.virtualMachines.list(this.resourceGroup, listOptions);
    const result = await this.call({ action: 'virtualMachines.list' }, signal, () =>
      iterator.byPage(link === undefined ? undefined : { continuationToken: link }).next(),
    );
    if (result.done === true || result.value === undefined) return { items: [] };
    const page = result.value;
    return {
      items: [...page],
      ...(page.continuationToken === undefined ? {} : { nextLink: page.continuationToken }),
    };
  }

  /** One VM by name, with its instance view and its NIC's addresses. */
  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    const group = this.groupFor('get');
    const vm = await this.call({ action: 'virtualMachines.get', resource: vmId }, context.signal, () =>
      this.clients.compute.virtualMachines.get(group, vmId, {
        expand: 'instanceView',
        abortSignal: context.signal,
      }),
    );
    const [mapped] = await this.toProviderVms([vm], 'one', context.signal);
    return mapped!;
  }

  /**
   * Makes a NIC in `providerOptions.azure.subnetId`, then PUTs the VM and follows its operation to the end.
   * Idempotent: a create is a PUT by name, and the key and a fingerprint of the spec are written as tags, so the same
   * key returns the same VM (finishing what an interrupted create started), and the same key with another spec, or
   * a name taken by another VM, is `CONFLICT`.
   */
  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const create = validateCreateSpec(spec, this.location);
    const key = context.idempotencyKey;
    const known = this.keys.get(key);
    if (known !== undefined && (known.fingerprint !== create.fingerprint || known.name !== create.name)) {
      throw this.keyConflict(create.name, key);
    }
    if (known?.pending !== undefined) return known.pending;
    const entry: RememberedCreate = { fingerprint: create.fingerprint, name: create.name };
    const pending = this.createOnce(create, key, context).finally(() => {
      delete entry.pending;
    });
    entry.pending = pending;
    this.keys.set(key, entry);
    return pending;
  }

  private async createOnce(
    create: ValidatedCreate,
    key: string,
    context: DriverCreateContext,
  ): Promise<ProviderVm> {
    const group = this.groupFor('create');
    const { signal } = context;
    await this.checkSize(create, signal);
    const existing = await this.findVm(group, create.name, signal);
    if (existing !== undefined) {
      const tags = existing.tags ?? {};
      if (tags[IDEMPOTENCY_TAG_KEY] !== key || tags[SPEC_TAG_KEY] !== create.fingerprint) {
        throw tags[IDEMPOTENCY_TAG_KEY] === key
          ? this.keyConflict(create.name, key)
          : new NovaCronError({
              code: 'CONFLICT',
              retryable: false,
              message: `A VM named ${create.name} already exists in resource group ${group} (made by another create). Choose another name, or delete that VM first.`,
            });
      }
      // Read again with its instance view: the look-up above has no power state.
      if ((existing.provisioningState ?? '').toLowerCase() === 'succeeded')
        return this.doGetVm(create.name, context);
      // An earlier attempt left it mid-way: the same PUT again finishes it.
    }
    const nicName = nicNameFor(create.name);
    const nicId = await this.ensureNic(group, nicName, create, key, signal);
    try {
      await this.call({ action: 'virtualMachines.createOrUpdate', resource: create.name }, signal, async () =>
        this.clients.compute.virtualMachines.createOrUpdate(
          group,
          create.name,
          buildVmBody(create, nicId, key),
          {
            ...this.polling,
            abortSignal: signal,
          },
        ),
      );
    } catch (error) {
      await this.removeNicOfFailedCreate(group, create.name, nicName, signal);
      throw error;
    }
    return this.doGetVm(create.name, context);
  }

  /**
   * The id of the create's NIC: the one an earlier attempt with the same key made (when it is complete), else a new
   * one. A NIC of that name made by anything else is not taken over: that is `CONFLICT`.
   */
  private async ensureNic(
    group: string,
    nicName: string,
    create: ValidatedCreate,
    key: string,
    signal: AbortSignal,
  ): Promise<string> {
    const existing = await this.findNic(group, nicName, signal);
    if (existing !== undefined && existing.tags?.[IDEMPOTENCY_TAG_KEY] !== key) {
      throw new NovaCronError({
        code: 'CONFLICT',
        retryable: false,
        message: `A network interface named ${nicName} already exists in resource group ${group}, not made by this create (a NIC kept from an earlier VM, or made outside NovaCron). Delete it, or choose another VM name than ${create.name}.`,
      });
    }
    if (existing?.id !== undefined && existing.provisioningState === 'Succeeded') return existing.id;
    const nic = await this.call(
      { action: 'networkInterfaces.createOrUpdate', resource: nicName },
      signal,
      async () =>
        this.clients.network.networkInterfaces.createOrUpdate(group, nicName, buildNicBody(create, key), {
          ...this.polling,
          abortSignal: signal,
        }),
    );
    if (nic.id === undefined) {
      throw new NovaCronError({ code: 'PROVIDER', message: `NIC ${nicName} came back without an id.` });
    }
    return nic.id;
  }

  /**
   * After a failed VM PUT, deletes the NIC the create made when no VM came of it, so a failed create leaves nothing
   * (a retry makes it again). A NIC whose VM exists (a half-made VM the same key's retry finishes) stays. Nothing is
   * tried after a cancellation, and a failed cleanup gives way to the create's own error: the NIC then carries the
   * key, and the retry with that key takes it up.
   */
  private async removeNicOfFailedCreate(
    group: string,
    vmName: string,
    nicName: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    try {
      if ((await this.findVm(group, vmName, signal)) !== undefined) return;
      await this.call({ action: 'networkInterfaces.delete', resource: nicName }, signal, async () =>
        this.clients.network.networkInterfaces.delete(group, nicName, {
          ...this.polling,
          abortSignal: signal,
        }),
      );
    } catch {
      // The create's own error is the one to report; the NIC is found again by the retry (see above).
    }
  }

  /** Starts the VM (a no-op on a running one). */
  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    const group = this.groupFor('start');
    await this.call({ action: 'virtualMachines.start', resource: vmId }, context.signal, async () =>
      this.clients.compute.virtualMachines.start(group, vmId, {
        ...this.polling,
        abortSignal: context.signal,
      }),
    );
  }

  /**
   * Stops the VM. By default it is shut down and **deallocated** (`deallocate`): the compute is released and no
   * longer billed, the disks stay (and are billed), a dynamic public IP is lost. `force: true` powers it off without
   * a guest shutdown (`powerOff` with `skipShutdown`) before deallocating. `providerOptions.azure.deallocate: false`
   * only powers it off (`powerOff`): the VM keeps its host and addresses and starts faster, but its compute is still
   * billed. Both read as `stopped`; `state.reason` tells them apart.
   */
  async doStopVm(vmId: string, options: DriverStopOptions, context: DriverCallContext): Promise<void> {
    const group = this.groupFor('stop');
    const azure = parseProviderOptions('azure', options.providerOptions, stopOptionsSchema);
    const deallocate = azure?.deallocate ?? true;
    const { signal } = context;
    // A VM already deallocated (or, when only powering off, already stopped) needs no power-off: skipping it
    // keeps a repeated stop a no-op and spares a long-running operation.
    const power = await this.powerStateOf(group, vmId, signal);
    const poweredOff = power === 'PowerState/deallocated' || power === 'PowerState/stopped';
    if ((options.force || !deallocate) && !poweredOff) {
      await this.call({ action: 'virtualMachines.powerOff', resource: vmId }, signal, async () =>
        this.clients.compute.virtualMachines.powerOff(group, vmId, {
          ...this.polling,
          skipShutdown: options.force,
          abortSignal: signal,
        }),
      );
    }
    if (deallocate) {
      await this.call({ action: 'virtualMachines.deallocate', resource: vmId }, signal, async () =>
        this.clients.compute.virtualMachines.deallocate(group, vmId, {
          ...this.polling,
          abortSignal: signal,
        }),
      );
    }
  }

  /** Restarts a running VM (`restart`); a VM that is not running is `CONFLICT`. */
  async doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    const group = this.groupFor('reboot');
    await this.call({ action: 'virtualMachines.restart', resource: vmId }, context.signal, async () =>
      this.clients.compute.virtualMachines.restart(group, vmId, {
        ...this.polling,
        abortSignal: context.signal,
      }),
    );
  }

  /** Deletes the VM, its OS disk and (unless the create said `keepNetworkInterface`) its NIC; a gone VM is a no-op. */
  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    const group = this.groupFor('delete');
    try {
      await this.call({ action: 'virtualMachines.delete', resource: vmId }, context.signal, async () =>
        this.clients.compute.virtualMachines.delete(group, vmId, {
          ...this.polling,
          abortSignal: context.signal,
        }),
      );
    } catch (error) {
      if (!(NovaCronError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
    }
  }

  /** The VM sizes of the resource SKUs (read once per driver), with prices from the driver's `priceTable`. */
  async doListSizes(request: PageRequest, context: DriverCallContext): Promise<Page<AzureSize>> {
    const sizes = await this.sizes(context.signal);
    const inLocation =
      this.location === undefined
        ? sizes
        : sizes.filter((size) => size.locations?.includes(this.location!) ?? true);
    return pageOf(inLocation, request, { driver: 'azure', list: 'sizes', maxPageSize: MAX_PAGE_SIZE });
  }

  /**
   * The marketplace images of the driver's region (`publisher:offer:sku:version`, the URN a create takes), for the
   * publishers and offers of the driver's `images` option, walked lazily through `virtualMachineImages`.
   */
  async doListImages(request: PageRequest, context: DriverCallContext): Promise<Page<Image>> {
    if (this.location === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'location',
        message:
          'Azure lists marketplace images per region: give location to createAzureDriver (westeurope) to list them.',
      });
    }
    return this.images.list(request, this.location, MAX_PAGE_SIZE, context.signal);
  }

  /**
   * The regions and zones of the subscription's VM sizes, derived from the resource SKUs (all regions, read once):
   * regions from the VM SKUs' `locations`, zones from their `locationInfo[].zones`, a zone's id `<region>-<zone>`.
   */
  async doListLocations(request: PageRequest, context: DriverCallContext): Promise<Page<Location>> {
    const locations = toAzureLocations(await this.resourceSkus(undefined, context.signal));
    return pageOf(locations, request, { driver: 'azure', list: 'locations', maxPageSize: MAX_PAGE_SIZE });
  }

  /** The VM sizes of the driver's location, mapped once per read of the resource SKUs. */
  private sizes(signal: AbortSignal): Promise<AzureSize[]> {
    const skus = this.resourceSkus(this.location, signal);
    if (this.mappedSizes?.from !== skus) {
      this.mappedSizes = {
        from: skus,
        sizes: skus.then((list) => toAzureSizes(list, this.options.priceTable)),
      };
    }
    return this.mappedSizes.sizes;
  }

  /**
   * The resource SKUs of `location` (all locations when `undefined`), read once per driver and location: they
   * change rarely, and an unfiltered read is large. A failed read is not kept: the next call tries again.
   */
  private resourceSkus(location: string | undefined, signal: AbortSignal): Promise<ResourceSku[]> {
    const key = location ?? '';
    let reading = this.skuReads.get(key);
    if (reading === undefined) {
      const filter = location === undefined ? {} : { filter: `location eq '${location}'` };
      const read = this.call({ action: 'resourceSkus.list' }, signal, async () => {
        const all: ResourceSku[] = [];
        for await (const item of this.clients.compute.resourceSkus.list({ ...filter, abortSignal: signal })) {
          all.push(item);
        }
        return all;
      });
      this.skuReads.set(key, read);
      read.catch(() => {
        if (this.skuReads.get(key) === read) this.skuReads.delete(key);
      });
      reading = read;
    }
    return reading;
  }

  private async checkSize(create: ValidatedCreate, signal: AbortSignal): Promise<void> {
    const size = (await this.sizes(signal)).find(
      (each) => each.name.toLowerCase() === create.size.toLowerCase(),
    );
    if (size === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'size',
        message: `Azure has no VM size '${create.size}' for this subscription. List them with nc.sizes.list.`,
      });
    }
    if (
      size.restrictedIn.some((entry) => entry.toLowerCase().startsWith(`${create.location.toLowerCase()}:`))
    ) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'size',
        message: `VM size ${size.name} is restricted for this subscription in ${create.location} (${size.restrictedIn.join(', ')}). Choose another size or region.`,
      });
    }
  }

  private async powerStateOf(group: string, vmId: string, signal: AbortSignal): Promise<string | undefined> {
    const vm = await this.call({ action: 'virtualMachines.get', resource: vmId }, signal, () =>
      this.clients.compute.virtualMachines.get(group, vmId, { expand: 'instanceView', abortSignal: signal }),
    );
    return vm.instanceView?.statuses?.find((status) => status.code?.startsWith('PowerState/'))?.code;
  }

  private async findNic(
    group: string,
    name: string,
    signal: AbortSignal,
  ): Promise<NetworkInterface | undefined> {
    try {
      return await this.call({ action: 'networkInterfaces.get', resource: name }, signal, () =>
        this.clients.network.networkInterfaces.get(group, name, { abortSignal: signal }),
      );
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  private async findVm(
    group: string,
    name: string,
    signal: AbortSignal,
  ): Promise<VirtualMachine | undefined> {
    try {
      return await this.call({ action: 'virtualMachines.get', resource: name }, signal, () =>
        this.clients.compute.virtualMachines.get(group, name, { abortSignal: signal }),
      );
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Maps VMs with their addresses: one VM reads its own NICs, a list page reads them in batches. */
  private async toProviderVms(
    vms: readonly VirtualMachine[],
    read: 'one' | 'page',
    signal: AbortSignal,
  ): Promise<ProviderVm[]> {
    const [sizes, views] = await Promise.all([
      this.sizes(signal).catch(() => [] as AzureSize[]),
      read === 'page'
        ? this.addresses.forPage(vms, signal)
        : Promise.all(vms.map((vm) => this.addresses.forOne(vm, signal))),
    ]);
    return vms.map((vm, index) => toProviderVm(vm, views[index]!, sizes));
  }

  private groupFor(action: string): string {
    if (this.resourceGroup !== undefined) return this.resourceGroup;
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'resourceGroup',
      message: `The azure driver cannot ${action} a VM without a resource group: give resourceGroup to createAzureDriver.`,
    });
  }

  private keyConflict(name: string, key: string): NovaCronError {
    return new NovaCronError({
      code: 'CONFLICT',
      retryable: false,
      message: `Idempotency key ${key} was already used for another create spec (VM ${name} or another name). Use a new key for a new spec.`,
    });
  }

  /** Makes one SDK call (a long-running one is awaited to its end), mapping its failure. */
  private async call<T>(
    where: Omit<AzureErrorContext, 'subscriptionId'>,
    signal: AbortSignal,
    request: () => PromiseLike<T>,
  ): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toAzureNovaCronError(error, { ...where, subscriptionId: this.subscriptionId }, signal);
    }
  }
}

/** The last segment of a resource id: list items may come without `name`. */
function nameOf(vm: VirtualMachine): string {
  return vm.name ?? vm.id?.split('/').at(-1) ?? '';
}

function toProviderVm(vm: VirtualMachine, network: VmNetworkView, sizes: AzureSize[]): ProviderVm {
  const size = vm.hardwareProfile?.vmSize;
  const known =
    size === undefined ? undefined : sizes.find((each) => each.name.toLowerCase() === size.toLowerCase());
  const { [IDEMPOTENCY_TAG_KEY]: _key, [SPEC_TAG_KEY]: _spec, ...tags } = vm.tags ?? {};
  const image = vm.storageProfile?.imageReference;
  const result: ProviderVm = {
    id: nameOf(vm),
    name: nameOf(vm),
    state: toVmState({ provisioningState: vm.provisioningState, statuses: vm.instanceView?.statuses }),
    resources: known?.resources ?? { vcpus: 0, memoryMiB: 0 },
    location: { region: vm.location, ...(vm.zones?.[0] === undefined ? {} : { zone: vm.zones[0] }) },
    addresses: { private: network.privateAddresses, public: network.publicAddresses },
    networkInterfaces: network.interfaces.map((each) => ({ ...each, kind: 'nic' })),
    tags,
    raw: vm,
  };
  if (size !== undefined) result.size = size;
  if (image !== undefined) {
    result.image = image.id ?? [image.publisher, image.offer, image.sku, image.version].join(':');
  }
  if (vm.timeCreated !== undefined) result.createdAt = new Date(vm.timeCreated);
  return result;
}

/**
 * Creates a driver for Azure virtual machines.
 *
 * @example
 * const nc = createNovaCron({
 *   providers: { azure: createAzureDriver({ subscriptionId: process.env.AZURE_SUBSCRIPTION_ID!, resourceGroup: 'web', location: 'westeurope' }) },
 * });
 */
export function createAzureDriver(options: AzureDriverOptions): AzureDriver {
  return new AzureDriver(options);
}
