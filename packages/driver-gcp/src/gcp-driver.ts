import {
  ImagesClient,
  InstancesClient,
  MachineTypesClient,
  protos,
  ZoneOperationsClient,
  ZonesClient,
} from '@google-cloud/compute';
import {
  type CreateVmSpec,
  DriverBase,
  type DriverCallContext,
  type DriverCapabilities,
  type DriverCreateContext,
  type DriverStopOptions,
  defineCapabilities,
  type ListVmsRequest,
  type Location,
  NovaCronError,
  type Page,
  type PageRequest,
  type ProviderVm,
  type Resources,
} from '@novacron/core';
import { createCursorCodec, pageOf } from '@novacron/core/driver';
import {
  accountAndSchedulingFor,
  bootDiskFor,
  networkInterfaceFor,
  parseGcpCreateOptions,
} from './gcp-create-options.js';
import { assertGcpDriverOptions, type GcpClients, type GcpDriverOptions } from './gcp-driver-options.js';
import { GceOperationError, type GcpErrorContext, toGcpNovaCronError } from './gcp-error-map.js';
import {
  DEFAULT_IMAGE_PROJECTS,
  type GcpImage,
  type GcpImageReference,
  parseImageReference,
  toGcpImage,
} from './gcp-images.js';
import {
  assertNoReservedLabel,
  KEY_LABEL,
  keyLabelValue,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  MAX_USER_LABELS,
  requestIdFor,
  userLabels,
} from './gcp-labels.js';
import {
  customMachineTypeFor,
  customMachineTypeResources,
  type GcpSize,
  isCustomMachineType,
  lastSegment,
  type MachineTypeView,
  toGcpSize,
} from './gcp-machine-types.js';
import { toVmState } from './gcp-state-map.js';

type Instance = protos.google.cloud.compute.v1.IInstance;
type Operation = protos.google.cloud.compute.v1.IOperation;
type ScopedList = protos.google.cloud.compute.v1.IInstancesScopedList;
type GceImage = protos.google.cloud.compute.v1.IImage;

/** Compute Engine's largest `maxResults`. */
const MAX_PAGE_SIZE = 500;
/** The boot image of a create that names none. */
const DEFAULT_IMAGE = 'projects/debian-cloud/global/images/family/debian-12';
/** DONE as a number, should the SDK hand the enum back numerically (over REST it gives the name). */
const OPERATION_DONE = protos.google.cloud.compute.v1.Operation.Status.DONE;
/** A VM id: `<zone>/<instance name>`. */
const VM_ID = /^([a-z]+-[a-z]+\d+-[a-z])\/([a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;

/** Where an image list stands: the index of the image project being listed, and its next `pageToken`, if any. */
const imageCursors = createCursorCodec({
  driver: 'gcp',
  list: 'images',
  isPosition: (value): value is { project: number; token?: string } =>
    Number.isInteger((value as { project?: unknown })?.project) &&
    ['undefined', 'string'].includes(typeof (value as { token?: unknown }).token),
});

/** Where an instance list stands: Compute Engine's `pageToken` of the next page. */
const vmCursors = createCursorCodec({
  driver: 'gcp',
  list: 'vms',
  isPosition: (value): value is { token: string } =>
    typeof (value as { token?: unknown })?.token === 'string' && (value as { token: string }).token !== '',
});

/**
 * The Compute Engine driver: NovaCron's `DriverV1` contract over `@google-cloud/compute` (REST transport). Make it
 * with {@link createGcpDriver}. A VM's id is `<zone>/<name>` (`us-central1-a/web-1`).
 *
 * Every change sends a `requestId` derived from the create's idempotency key (or the pipeline's operation id) and
 * waits on the zone Operation; an Operation that ends DONE with `error` becomes the mapped NovaCron error. The SDK's
 * own retries are off: the NovaCron pipeline is the single retry authority.
 */
export class GcpDriver extends DriverBase {
  /** Always `'gcp'`. */
  readonly kind = 'gcp';
  /**
   * Reboot (reset), suspend/resume, sizes (machine types), images (the image projects of the options) and locations
   * (regions and zones); pages of up to 500; instance names of RFC 1035 (lower case, 63 characters); Compute
   * Engine's label rules for tags (63 of the 64 labels, one being the driver's idempotency label; keys and values of
   * 63 lower-case letters, digits, `_` and `-`). No metrics: they live in Cloud Monitoring, a separate API with its
   * own client, which this driver does not cover; no hosts, no live migration.
   */
  override readonly capabilities: DriverCapabilities = defineCapabilities({
    reboot: true,
    suspend: true,
    sizes: true,
    images: true,
    locations: true,
    maxPageSize: MAX_PAGE_SIZE,
    maxNameLength: 63,
    namePattern: /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
    maxTags: MAX_USER_LABELS,
    maxTagKeyLength: 63,
    maxTagValueLength: 63,
    tagKeyPattern: LABEL_KEY_PATTERN,
    tagValuePattern: LABEL_VALUE_PATTERN,
    unsupportedReasons: {
      metrics:
        'VM metrics live in Cloud Monitoring, a separate API this driver is not built and tested against: read compute.googleapis.com/instance/* series with @google-cloud/monitoring and the same credentials.',
      hosts:
        "Compute Engine does not expose the hosts an instance runs on (sole-tenant nodes aside), so NovaCron's host view does not apply.",
      liveMigration:
        'Compute Engine live-migrates instances itself during host maintenance; it offers no user-driven live migration.',
    },
  });
  /**
   * An attempt may include waiting on a zone Operation, and `zoneOperations.wait` itself answers after up to two
   * minutes: an attempt is abandoned after three. A retried change sends the same `requestId`, so it picks the same
   * Operation up again. Override with `limits.<provider>.attemptTimeoutMs`.
   */
  readonly defaultLimits = { attemptTimeoutMs: 180_000 } as const;
  /** The project this driver serves. */
  readonly projectId: string;

  private readonly clients: GcpClients;
  /** The clients this driver made, which it closes (injected ones are left to their owner). */
  private readonly ownedClients: Array<{ close(): Promise<void> }>;
  private readonly zones: readonly string[] | undefined;
  private readonly imageProjects: readonly string[];
  private readonly machineTypes = new Map<string, Promise<MachineTypeView>>();
  private sizes: Promise<GcpSize[]> | undefined;

  /** Prefer {@link createGcpDriver}. */
  constructor(options: GcpDriverOptions) {
    super();
    assertGcpDriverOptions(options);
    this.projectId = options.projectId;
    this.zones = options.zones === undefined ? undefined : [...options.zones];
    this.imageProjects = [...(options.images?.projects ?? DEFAULT_IMAGE_PROJECTS)];
    const clientOptions = {
      ...options.clientOptions,
      ...(options.authClient === undefined ? {} : { authClient: options.authClient }),
    };
    const injected = options.clients ?? {};
    this.clients = {
      instances: injected.instances ?? new InstancesClient(clientOptions),
      zoneOperations: injected.zoneOperations ?? new ZoneOperationsClient(clientOptions),
      machineTypes: injected.machineTypes ?? new MachineTypesClient(clientOptions),
      zones: injected.zones ?? new ZonesClient(clientOptions),
      images: injected.images ?? new ImagesClient(clientOptions),
    };
    this.ownedClients = (Object.keys(this.clients) as Array<keyof GcpClients>)
      .filter((name) => injected[name] === undefined)
      .map((name) => this.clients[name]);
  }

  /** The `@google-cloud/compute` clients, for anything NovaCron does not cover. */
  override getClient(): GcpClients {
    return this.clients;
  }

  /** Closes the clients this driver made (injected clients are left to their owner). */
  override async close(): Promise<void> {
    await Promise.all(this.ownedClients.map((client) => client.close()));
  }

  /**
   * One page of instances across zones, from `instances.aggregatedList` (never truncated: Compute Engine's page token
   * is the cursor). Per-zone warnings (`NO_RESULTS_ON_PAGE`, `UNREACHABLE`) are not errors.
   */
  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const position = vmCursors.decode(request.cursor);
    const maxResults = Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const where = { action: 'instances.aggregatedList' };
    const response = await this.call(where, context, async () => {
      await this.clients.instances.initialize();
      // The generated `aggregatedListAsync` hides page boundaries; the inner call with autoPaginate off gives one
      // page and its token, which the cursor needs.
      const [items, next] = (await this.clients.instances.innerApiCalls.aggregatedList!(
        {
          project: this.projectId,
          maxResults,
          ...(position === undefined ? {} : { pageToken: position.token }),
        },
        this.callOptions(context, { autoPaginate: false }),
      )) as [Record<string, ScopedList> | undefined, { pageToken?: string } | null | undefined];
      return { items: items ?? {}, next: next?.pageToken };
    });
    const instances: Instance[] = [];
    for (const [scope, scoped] of Object.entries(response.items)) {
      const zone = scope.replace(/^zones\//, '');
      if (this.zones !== undefined && !this.zones.includes(zone)) continue;
      instances.push(...(scoped.instances ?? []));
    }
    const page: Page<ProviderVm> = { items: await this.toProviderVms(instances, context) };
    if (response.next !== undefined && response.next !== '')
      page.nextCursor = vmCursors.encode({ token: response.next });
    return page;
  }

  /** One instance by `<zone>/<name>`; `NOT_FOUND` when it does not exist (or the id is not of that shape). */
  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    const { zone, name } = this.parseId(vmId, 'instances.get');
    const [vm] = await this.toProviderVms([await this.getInstance(zone, name, context)], context);
    return vm!;
  }

  /**
   * Inserts one instance and waits for its zone Operation. Idempotent per `context.idempotencyKey`: the `requestId`
   * is derived from it (Compute Engine answers a repeated one with the first Operation), and the instance carries the
   * key's digest in the `novacron-key` label, so an insert that finds its name taken by its own key returns that
   * instance. The same key with another spec (name, tags, machine type) is `CONFLICT`.
   *
   * `providerOptions.gcp` (network, subnetwork, external IP, boot disk, service account, Spot) and the image's form
   * are checked before any request; an image family is resolved to its newest image first.
   */
  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const options = parseGcpCreateOptions(spec.providerOptions);
    assertNoReservedLabel(spec.tags);
    const image = parseImageReference(spec.image ?? DEFAULT_IMAGE);
    const zone = this.zoneFor(spec);
    const machineType = await this.resolveMachineType(spec, zone, context);
    const sourceImage = await this.resolveImage(image, context);
    const keyLabel = keyLabelValue(context.idempotencyKey);
    const resource: Instance = {
      name: spec.name,
      machineType: `zones/${zone}/machineTypes/${machineType}`,
      labels: { ...spec.tags, [KEY_LABEL]: keyLabel },
      disks: bootDiskFor(options, zone, sourceImage),
      networkInterfaces: networkInterfaceFor(options, zone),
      ...accountAndSchedulingFor(options),
      ...(spec.userData === undefined
        ? {}
        : { metadata: { items: [{ key: 'user-data', value: spec.userData }] } }),
    };
    const where = { action: 'instances.insert', zone, instance: spec.name };
    let madeName = spec.name;
    try {
      const operation = await this.change(where, context, () =>
        this.clients.instances.insert(
          {
            project: this.projectId,
            zone,
            requestId: requestIdFor(`create:${context.idempotencyKey}`),
            instanceResource: resource,
          },
          this.callOptions(context),
        ),
      );
      // A repeated requestId answers with the first insert's Operation, whatever this request's body: its target is
      // the instance that key made, which may have another name.
      madeName = lastSegment(operation.targetLink) || spec.name;
    } catch (error) {
      if (!(NovaCronError.isInstance(error) && error.code === 'ALREADY_EXISTS')) throw error;
      const existing = await this.getInstance(zone, spec.name, context);
      if (existing.labels?.[KEY_LABEL] !== keyLabel) throw error;
    }
    const instance = await this.getInstance(zone, madeName, context);
    const mismatch = this.mismatch(instance, spec, machineType);
    if (mismatch !== undefined) {
      throw new NovaCronError({
        code: 'CONFLICT',
        message: `Idempotency key '${context.idempotencyKey}' already made instance ${zone}/${madeName} in GCP project ${this.projectId} with another ${mismatch}. Use a new key for a new VM, or repeat the first spec to get that instance.`,
      });
    }
    const [vm] = await this.toProviderVms([instance], context);
    return vm!;
  }

  /** Starts a stopped instance; a running one is left alone (Compute Engine answers with a no-op Operation). */
  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    const { zone, name } = this.parseId(vmId, 'instances.start');
    await this.change({ action: 'instances.start', zone, instance: name }, context, () =>
      this.clients.instances.start(
        { project: this.projectId, zone, instance: name, requestId: this.requestId(context, 'start') },
        this.callOptions(context),
      ),
    );
  }

  /** Stops an instance (`force` skips the graceful shutdown: `noGracefulShutdown`); a stopped one is left alone. */
  async doStopVm(vmId: string, options: DriverStopOptions, context: DriverCallContext): Promise<void> {
    const { zone, name } = this.parseId(vmId, 'instances.stop');
    await this.change({ action: 'instances.stop', zone, instance: name }, context, () =>
      this.clients.instances.stop(
        {
          project: this.projectId,
          zone,
          instance: name,
          requestId: this.requestId(context, 'stop'),
          ...(options.force ? { noGracefulShutdown: true } : {}),
        },
        this.callOptions(context),
      ),
    );
  }

  /** Resets (hard-reboots) a running instance; one that is not running is `CONFLICT`. */
  async doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    const { zone, name } = this.parseId(vmId, 'instances.reset');
    const status = (await this.getInstance(zone, name, context)).status ?? '';
    if (status !== 'RUNNING') throw this.conflict(zone, name, status, 'reset', 'Start it first.');
    await this.change({ action: 'instances.reset', zone, instance: name }, context, () =>
      this.clients.instances.reset(
        { project: this.projectId, zone, instance: name, requestId: this.requestId(context, 'reset') },
        this.callOptions(context),
      ),
    );
  }

  /** Suspends a running instance; a suspended one is left alone; any other state is `CONFLICT`. */
  async doSuspendVm(vmId: string, context: DriverCallContext): Promise<void> {
    const { zone, name } = this.parseId(vmId, 'instances.suspend');
    const status = (await this.getInstance(zone, name, context)).status ?? '';
    if (status === 'SUSPENDED' || status === 'SUSPENDING') return;
    if (status !== 'RUNNING') throw this.conflict(zone, name, status, 'suspended', 'Start it first.');
    await this.change({ action: 'instances.suspend', zone, instance: name }, context, () =>
      this.clients.instances.suspend(
        { project: this.projectId, zone, instance: name, requestId: this.requestId(context, 'suspend') },
        this.callOptions(context),
      ),
    );
  }

  /** Resumes a suspended instance; a running one is left alone; a stopped one is `CONFLICT` (start it instead). */
  async doResumeVm(vmId: string, context: DriverCallContext): Promise<void> {
    const { zone, name } = this.parseId(vmId, 'instances.resume');
    const status = (await this.getInstance(zone, name, context)).status ?? '';
    if (status === 'RUNNING' || status === 'STAGING') return;
    if (status !== 'SUSPENDED' && status !== 'SUSPENDING') {
      throw this.conflict(
        zone,
        name,
        status,
        'resumed',
        'Only a suspended instance resumes; start it instead.',
      );
    }
    await this.change({ action: 'instances.resume', zone, instance: name }, context, () =>
      this.clients.instances.resume(
        { project: this.projectId, zone, instance: name, requestId: this.requestId(context, 'resume') },
        this.callOptions(context),
      ),
    );
  }

  /** Deletes an instance and waits for it to go; one already gone is a no-op. */
  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    const match = VM_ID.exec(vmId);
    if (match === null) return;
    const [, zone = '', name = ''] = match;
    try {
      await this.change({ action: 'instances.delete', zone, instance: name }, context, () =>
        this.clients.instances.delete(
          { project: this.projectId, zone, instance: name, requestId: this.requestId(context, 'delete') },
          this.callOptions(context),
        ),
      );
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * One page of machine types of the driver's zones (every zone of the project when none were given), each once,
   * with the zones offering it; deprecated ones are flagged. The catalog is read once per driver and kept.
   */
  async doListSizes(request: PageRequest, context: DriverCallContext): Promise<Page<GcpSize>> {
    this.sizes ??= this.readSizes(context).catch((error: unknown) => {
      this.sizes = undefined;
      throw error;
    });
    return pageOf(await this.sizes, request, { driver: 'gcp', list: 'sizes', maxPageSize: MAX_PAGE_SIZE });
  }

  /**
   * One page of images of the image projects in the driver options (default `debian-cloud`, `ubuntu-os-cloud`), one
   * project after the other, each paged by Compute Engine's `pageToken` inside the cursor. DEPRECATED images are
   * flagged (`deprecated: true`, with Google's `replacement`); OBSOLETE and DELETED ones, which cannot make a VM, are
   * left out, so a page may hold fewer images than asked while the cursor goes on.
   */
  async doListImages(request: PageRequest, context: DriverCallContext): Promise<Page<GcpImage>> {
    let position = imageCursors.decode(request.cursor) ?? { project: 0 };
    const maxResults = Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const items: GcpImage[] = [];
    // An empty page (a project without images, or only obsolete ones) moves on to the next project at once.
    while (items.length === 0 && position.project < this.imageProjects.length) {
      const project = this.imageProjects[position.project]!;
      const token = position.token;
      const page = await this.call({ action: 'images.list' }, context, async () => {
        await this.clients.images.initialize();
        const [images, next] = (await this.clients.images.innerApiCalls.list!(
          { project, maxResults, ...(token === undefined ? {} : { pageToken: token }) },
          this.callOptions(context, { autoPaginate: false }),
        )) as [GceImage[] | undefined, { pageToken?: string } | null | undefined];
        return { images: images ?? [], next: next?.pageToken };
      });
      items.push(...page.images.flatMap((image) => toGcpImage(image, project) ?? []));
      position =
        page.next !== undefined && page.next !== ''
          ? { project: position.project, token: page.next }
          : { project: position.project + 1 };
    }
    const result: Page<GcpImage> = { items };
    if (position.project < this.imageProjects.length) result.nextCursor = imageCursors.encode(position);
    return result;
  }

  /** The project's regions and zones (only the driver's zones, when given). */
  async doListLocations(request: PageRequest, context: DriverCallContext): Promise<Page<Location>> {
    const zones = await this.listZones(context);
    const regions = [...new Set(zones.map((zone) => zone.region))].sort();
    const locations: Location[] = [
      ...regions.map((id): Location => ({ id, kind: 'region' })),
      ...zones.map((zone): Location => ({ id: zone.name, kind: 'zone', region: zone.region })),
    ];
    return pageOf(locations, request, { driver: 'gcp', list: 'locations', maxPageSize: MAX_PAGE_SIZE });
  }

  private async readSizes(context: DriverCallContext): Promise<GcpSize[]> {
    const zones = (await this.listZones(context)).map((zone) => zone.name);
    const byName = new Map<string, { type: MachineTypeView; zones: string[] }>();
    for (const zone of zones) {
      const [types] = await this.call({ action: 'machineTypes.list', zone }, context, () =>
        this.clients.machineTypes.list({ project: this.projectId, zone }, this.callOptions(context)),
      );
      for (const type of types) {
        const entry = byName.get(type.name ?? '');
        if (entry === undefined) byName.set(type.name ?? '', { type, zones: [zone] });
        else entry.zones.push(zone);
      }
    }
    return [...byName.values()]
      .map(({ type, zones: offered }) => toGcpSize(type, offered))
      .sort((left, right) => left.name.localeCompare(right.name));
  }

  private async listZones(context: DriverCallContext): Promise<Array<{ name: string; region: string }>> {
    const [zones] = await this.call({ action: 'zones.list' }, context, () =>
      this.clients.zones.list({ project: this.projectId }, this.callOptions(context)),
    );
    return zones
      .map((zone) => ({ name: zone.name ?? '', region: lastSegment(zone.region) }))
      .filter((zone) => this.zones === undefined || this.zones.includes(zone.name))
      .sort((left, right) => left.name.localeCompare(right.name));
  }

  /** Sends a change, then waits on its zone Operation until DONE; DONE with `error` throws the mapped error. */
  private async change(
    where: Omit<GcpErrorContext, 'project'> & { zone: string },
    context: DriverCallContext,
    send: () => Promise<readonly unknown[]>,
  ): Promise<Operation> {
    let operation = await this.call(where, context, async () => {
      const [answer] = await send();
      return (answer as { latestResponse?: Operation }).latestResponse ?? (answer as Operation);
    });
    // `wait` answers when the operation is DONE or after a cut-off (two minutes on Compute Engine): ask again.
    while (operation.status !== 'DONE' && operation.status !== OPERATION_DONE) {
      const name = operation.name ?? '';
      [operation] = await this.call({ ...where, action: 'zoneOperations.wait' }, context, () =>
        this.clients.zoneOperations.wait(
          { project: this.projectId, zone: where.zone, operation: name },
          this.callOptions(context),
        ),
      );
    }
    const first = operation.error?.errors?.[0];
    if (first !== undefined) {
      const failure = new GceOperationError(
        operation.name ?? '',
        first.code ?? 'UNKNOWN',
        first.message ?? operation.httpErrorMessage ?? 'The operation failed.',
        operation.httpErrorStatusCode ?? undefined,
      );
      throw toGcpNovaCronError(failure, { ...where, project: this.projectId }, context.signal);
    }
    return operation;
  }

  private async getInstance(zone: string, name: string, context: DriverCallContext): Promise<Instance> {
    const [instance] = await this.call({ action: 'instances.get', zone, instance: name }, context, () =>
      this.clients.instances.get(
        { project: this.projectId, zone, instance: name },
        this.callOptions(context),
      ),
    );
    return instance;
  }

  /** The machine type of a create: its `size` (custom ones checked by Google's rules, others looked up), else `resources` as a custom type. */
  private async resolveMachineType(
    spec: CreateVmSpec,
    zone: string,
    context: DriverCallContext,
  ): Promise<string> {
    if (spec.size !== undefined) {
      if (isCustomMachineType(spec.size)) {
        customMachineTypeResources(spec.size, 'size');
        return spec.size;
      }
      try {
        await this.machineType(zone, spec.size, context);
      } catch (error) {
        if (!(NovaCronError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
        throw new NovaCronError({
          code: 'INVALID_ARGUMENT',
          field: 'size',
          message: `Machine type '${spec.size}' does not exist in zone ${zone} of GCP project ${this.projectId}. List sizes to see the types offered, or give custom-<vCPUs>-<MiB>.`,
        });
      }
      return spec.size;
    }
    if (spec.resources === undefined) throw new TypeError('A GCE create needs a size or resources.');
    return customMachineTypeFor(spec.resources);
  }

  /**
   * The boot disk's `sourceImage`: a family resolved to its newest image (`images.getFromFamily`, so an unknown family
   * is `INVALID_ARGUMENT` on `image` before the insert), or the image named.
   */
  private async resolveImage(image: GcpImageReference, context: DriverCallContext): Promise<string> {
    if (image.kind === 'image') return image.sourceImage;
    try {
      const [found] = await this.call({ action: 'images.getFromFamily' }, context, () =>
        this.clients.images.getFromFamily(
          { project: image.project, family: image.family },
          this.callOptions(context),
        ),
      );
      return `projects/${image.project}/global/images/${found.name ?? ''}`;
    } catch (error) {
      if (!(NovaCronError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'image',
        message: `Image family '${image.family}' has no usable image in project '${image.project}' (it does not exist, or all its images are obsolete). Check the spelling, or list images to see the families.`,
      });
    }
  }

  /** One machine type, looked up once per driver. */
  private machineType(zone: string, name: string, context: DriverCallContext): Promise<MachineTypeView> {
    const key = `${zone}/${name}`;
    let found = this.machineTypes.get(key);
    if (found === undefined) {
      found = this.call({ action: 'machineTypes.get', zone }, context, async () => {
        const [type] = await this.clients.machineTypes.get(
          { project: this.projectId, zone, machineType: name },
          this.callOptions(context),
        );
        return type;
      });
      found.catch(() => this.machineTypes.delete(key));
      this.machineTypes.set(key, found);
    }
    return found;
  }

  private async toProviderVms(
    instances: readonly Instance[],
    context: DriverCallContext,
  ): Promise<ProviderVm[]> {
    return Promise.all(
      instances.map(async (instance) => {
        const zone = lastSegment(instance.zone);
        const type = lastSegment(instance.machineType);
        let resources: Resources;
        if (isCustomMachineType(type)) resources = customMachineTypeResources(type, 'size');
        else {
          const record = await this.machineType(zone, type, context);
          resources = { vcpus: record.guestCpus ?? 0, memoryMiB: record.memoryMb ?? 0 };
        }
        return toProviderVm(instance, zone, type, resources);
      }),
    );
  }

  private mismatch(instance: Instance, spec: CreateVmSpec, machineType: string): string | undefined {
    if (instance.name !== spec.name) return `name (${instance.name})`;
    const made = userLabels(instance.labels);
    const wanted = spec.tags ?? {};
    const same =
      Object.keys(made).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([key, value]) => made[key] === value);
    if (!same) return 'set of tags';
    if (lastSegment(instance.machineType) !== machineType)
      return `machine type (${lastSegment(instance.machineType)})`;
    return undefined;
  }

  private zoneFor(spec: CreateVmSpec): string {
    const zone = spec.location?.zone ?? this.zones?.[0];
    if (zone === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'location.zone',
        message: `A GCE create needs a zone: give location.zone, or zones to createGcpDriver (the first is the default).`,
      });
    }
    if (this.zones !== undefined && !this.zones.includes(zone)) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'location.zone',
        message: `Zone '${zone}' is not one of this driver's zones (${this.zones.join(', ')}).`,
      });
    }
    return zone;
  }

  private parseId(vmId: string, action: string): { zone: string; name: string } {
    if (typeof vmId !== 'string') throw new TypeError('A VM id must be a string.');
    const match = VM_ID.exec(vmId);
    if (match === null) {
      throw new NovaCronError({
        code: 'NOT_FOUND',
        message: `${action}: VM '${vmId}' does not exist in GCP project ${this.projectId}. A GCE VM id is <zone>/<instance name> (us-central1-a/web-1); list VMs to find it.`,
      });
    }
    return { zone: match[1]!, name: match[2]! };
  }

  private conflict(zone: string, name: string, status: string, wanted: string, hint: string): NovaCronError {
    return new NovaCronError({
      code: 'CONFLICT',
      message: `Instance ${zone}/${name} of GCP project ${this.projectId} is ${status}, so it cannot be ${wanted}. ${hint}`,
    });
  }

  /**
   * The requestId of a power change or delete: one per attempt. Compute Engine answers a repeated requestId with the
   * first Operation, failed or not, so a retry after a failed Operation (`RESOURCE_NOT_READY`) must be a new request;
   * these changes are idempotent in effect, so a second request after a lost response does no harm. Creates, which
   * are not, keep one requestId per idempotency key.
   */
  private requestId(context: DriverCallContext, action: string): string {
    return requestIdFor(`${action}:${context.operationId}:${context.attempt}`);
  }

  /** The SDK call options: the caller's signal, and no SDK retries (the pipeline retries). */
  private callOptions(context: DriverCallContext, extra: { autoPaginate?: boolean } = {}) {
    return { signal: context.signal, retry: null, ...extra };
  }

  /** Runs one SDK call, mapping whatever it throws. */
  private async call<T>(
    where: Omit<GcpErrorContext, 'project'>,
    context: DriverCallContext,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toGcpNovaCronError(error, { ...where, project: this.projectId }, context.signal);
    }
  }
}

function toProviderVm(
  instance: Instance,
  zone: string,
  machineType: string,
  resources: Resources,
): ProviderVm {
  const interfaces = instance.networkInterfaces ?? [];
  const vm: ProviderVm = {
    id: `${zone}/${instance.name ?? ''}`,
    name: instance.name ?? '',
    state: toVmState(typeof instance.status === 'string' ? instance.status : undefined),
    resources,
    location: { zone, region: zone.replace(/-[a-z]$/, '') },
    size: machineType,
    addresses: {
      private: interfaces.flatMap((nic) => (nic.networkIP ? [nic.networkIP] : [])),
      public: interfaces.flatMap((nic) =>
        (nic.accessConfigs ?? []).flatMap((access) => (access.natIP ? [access.natIP] : [])),
      ),
    },
    networkInterfaces: interfaces.map((nic) => ({
      ...(nic.network ? { network: lastSegment(nic.network) } : {}),
      ...(nic.nicType ? { kind: String(nic.nicType) } : {}),
    })),
    tags: userLabels(instance.labels),
    raw: instance,
  };
  if (instance.creationTimestamp) vm.createdAt = new Date(instance.creationTimestamp);
  return vm;
}

/**
 * Makes a Compute Engine driver for one project.
 *
 * @example
 * const gcp = createGcpDriver({ projectId: 'my-project', zones: ['europe-west1-b'] });
 * const nc = createNovaCron({ providers: { gcp } });
 */
export function createGcpDriver(options: GcpDriverOptions): GcpDriver {
  return new GcpDriver(options);
}
