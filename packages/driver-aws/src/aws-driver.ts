import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type EC2ClientConfig,
  type Image as Ec2Image,
  type Filter,
  type Instance,
  type InstanceTypeInfo,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeTags,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  type CreateVmSpec,
  DriverBase,
  type DriverCallContext,
  type DriverCapabilities,
  type DriverCreateContext,
  defineCapabilities,
  type Image,
  type ListVmsRequest,
  type Location,
  type MetricSeries,
  type MetricsQuery,
  NovaCronError,
  type Page,
  type PageRequest,
  type ProviderVm,
  resourcesFit,
} from '@novacron/core';
import { pageOf, parseProviderOptions } from '@novacron/core/driver';
import { type ZodType, z } from 'zod';
import {
  buildRunInstancesInput,
  MAX_USER_TAGS,
  type ValidatedCreate,
  validateCreateSpec,
} from './aws-create-input.js';
import { type AwsDriverOptions, assertAwsDriverOptions } from './aws-driver-options.js';
import { type AwsErrorContext, toAwsNovaCronError } from './aws-error-map.js';
import { IDEMPOTENCY_TAG_KEY, idempotencyTagValue, launchedAsSpecified } from './aws-idempotency.js';
import { toProviderVm } from './aws-instance-map.js';
import {
  AwsInstanceTypes,
  type AwsSize,
  compareInstanceTypes,
  instanceTypeResources,
  toAwsSize,
} from './aws-instance-types.js';
import { toEc2Filters } from './aws-list-filters.js';
import { readAwsMetrics } from './aws-metrics.js';
import { awsCursorCodec, slicePage, startPosition } from './aws-page-cursor.js';
import { AwsSharedRead } from './aws-shared-read.js';

/** Options of {@link AwsDriver.doStopVm}: the core's `force`, plus hibernation as a provider option. */
export interface AwsStopOptions {
  /** Power off without a clean shutdown (EC2 `Force`). */
  force: boolean;
  /** `{ aws: { hibernate: true } }` hibernates instead of stopping (the instance must be launched with hibernation). */
  providerOptions?: { aws?: AwsStopProviderOptions | undefined } | undefined;
}

/** `providerOptions.aws` of a stop. */
interface AwsStopProviderOptions {
  /** Hibernate instead of stopping. Default false. */
  hibernate?: boolean | undefined;
}

const awsStopOptionsSchema: ZodType<AwsStopProviderOptions> = z.strictObject({
  hibernate: z.boolean().optional(),
});

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_SIZE_FAMILIES = ['t3', 'm5', 'c5', 'r5'];
const vmCursors = awsCursorCodec('vms');
const imageCursors = awsCursorCodec('images');

/**
 * The EC2 driver: NovaCron's `DriverV1` contract over `@aws-sdk/client-ec2`. Make it with {@link createAwsDriver}.
 *
 * The SDK's own retries are off: the NovaCron pipeline is the single retry authority, and this driver only maps
 * EC2's errors onto NovaCron codes (`RequestLimitExceeded` is `THROTTLED`, network failures are `UNAVAILABLE`...).
 */
export class AwsDriver extends DriverBase {
  /** Always `'aws'`. */
  readonly kind = 'aws';
  /**
   * Sizes, images, locations and metrics; no hosts, no suspend, no live migration; pages of up to 1,000; EC2's tag
   * limits (50 per instance, of which NovaCron writes 2; keys of 128 characters, values of 256; any characters).
   */
  override readonly capabilities: DriverCapabilities = defineCapabilities({
    reboot: true,
    sizes: true,
    images: true,
    locations: true,
    metrics: true,
    maxPageSize: MAX_PAGE_SIZE,
    maxTags: MAX_USER_TAGS,
    maxTagKeyLength: 128,
    maxTagValueLength: 256,
  });
  /** The region this driver serves. */
  readonly region: string;
  /**
   * EC2 answers an API call in seconds; an attempt still unanswered after 30 s is abandoned and, when safe (a create
   * with its key, any read), retried. Override with `limits.<provider>.attemptTimeoutMs`.
   */
  readonly defaultLimits = { attemptTimeoutMs: 30_000 } as const;

  private readonly client: EC2Client;
  private readonly ownsClient: boolean;
  private cloudWatch: CloudWatchClient | undefined;
  private readonly ownsCloudWatch: boolean;
  private readonly instanceTypes: AwsInstanceTypes;
  private readonly sizes: AwsSharedRead<AwsSize[]>;
  /** Creates in flight by idempotency key, so that two creates with one key never launch two instances. */
  private readonly createsInFlight = new Map<string, Promise<ProviderVm[]>>();

  /** Prefer {@link createAwsDriver}. */
  constructor(private readonly options: AwsDriverOptions) {
    super();
    assertAwsDriverOptions(options);
    if (typeof options?.region !== 'string' || options.region === '') {
      throw new TypeError("createAwsDriver needs a region, for example { region: 'eu-west-1' }.");
    }
    this.region = options.region;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new EC2Client(this.clientConfig());
    this.cloudWatch = options.cloudWatchClient;
    this.ownsCloudWatch = options.cloudWatchClient === undefined;
    this.instanceTypes = new AwsInstanceTypes(this.client, this.region);
    this.sizes = new AwsSharedRead(async (signal) => {
      const [records, zones] = await Promise.all([
        this.instanceTypes.all(signal),
        this.instanceTypes.zones(signal),
      ]);
      return records.map((record) =>
        toAwsSize(record, zones.get(String(record.InstanceType)), this.options.priceTable),
      );
    });
  }

  /** The `EC2Client`, for anything NovaCron does not cover. */
  override getClient(): EC2Client {
    return this.client;
  }

  /** Destroys the clients this driver made (injected clients are left to their owner). */
  override async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
    if (this.ownsCloudWatch) this.cloudWatch?.destroy();
  }

  /** One page of instances, filters pushed down to `DescribeInstances`. */
  async doListVms(request: ListVmsRequest, context: DriverCallContext): Promise<Page<ProviderVm>> {
    const filters = toEc2Filters(request.filter);
    if (filters === undefined) return { items: [] };
    const pageSize = request.pageSize ?? MAX_PAGE_SIZE;
    // A provider page read once is re-read with the same MaxResults, so the offset in the cursor stays valid.
    const position = startPosition(vmCursors, request.cursor, pageSize);
    const page = await this.firstPage(
      'DescribeInstances',
      context.signal,
      paginateDescribeInstances(
        { client: this.client, pageSize: position.providerPageSize, startingToken: position.token },
        filters.length === 0 ? {} : { Filters: filters },
        { abortSignal: context.signal },
      ),
    );
    const instances = (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    const sliced = slicePage(vmCursors, instances, position, page.NextToken, pageSize);
    return { ...sliced, items: await this.toProviderVms(sliced.items, context.signal) };
  }

  /** One instance; `NOT_FOUND` when EC2 does not know the id (or it is not an instance id at all). */
  async doGetVm(vmId: string, context: DriverCallContext): Promise<ProviderVm> {
    this.requireInstanceId(vmId, 'DescribeInstances');
    const output = await this.call({ action: 'DescribeInstances', instanceId: vmId }, context.signal, () =>
      this.client.send(new DescribeInstancesCommand({ InstanceIds: [vmId] }), {
        abortSignal: context.signal,
      }),
    );
    const instance = output.Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
    if (instance === undefined) throw this.notFound(vmId, 'DescribeInstances');
    const [vm] = await this.toProviderVms([instance], context.signal);
    return vm!;
  }

  /**
   * Launches one instance. Idempotent per `context.idempotencyKey`: the `ClientToken` is derived from the key and the
   * key is written as the `novacron:idempotency-key` tag, which is looked up before a retry re-sends RunInstances.
   * Bad input is rejected before RunInstances is sent, with `INVALID_ARGUMENT` naming the field.
   */
  async doCreateVm(spec: CreateVmSpec, context: DriverCreateContext): Promise<ProviderVm> {
    const key = context.idempotencyKey;
    // Creates with one key run one after the other in this process: a later one waits for the earlier one, then
    // looks the key up and finds its instance (real EC2 would also answer a repeated ClientToken at once; moto and an
    // expired token would not).
    const earlier = this.createsInFlight.get(key);
    const launching = (earlier ?? Promise.resolve())
      .catch(() => undefined)
      .then(() =>
        this.launch(
          spec,
          1,
          key,
          context.signal,
          earlier !== undefined || this.shouldLookUp(context.attempt),
        ),
      );
    this.createsInFlight.set(key, launching);
    try {
      const [vm] = await launching;
      return vm!;
    } finally {
      if (this.createsInFlight.get(key) === launching) this.createsInFlight.delete(key);
    }
  }

  /**
   * Launches `count` identical instances with one RunInstances call (all share the spec's name). Idempotent per
   * `idempotencyKey` like {@link AwsDriver.doCreateVm}, always looking the key up first. This runs outside the
   * NovaCron pipeline: retry it yourself on a retryable `NovaCronError`, with the same key.
   *
   * @example
   * const vms = await driver.createVms({ name: 'worker', size: 't3.micro', image: 'ami-0abcdef1234567890' }, 10, { idempotencyKey: 'batch-7' });
   */
  async createVms(
    spec: CreateVmSpec,
    count: number,
    options: { idempotencyKey: string; signal?: AbortSignal | undefined },
  ): Promise<ProviderVm[]> {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'count',
        message: `count must be a positive integer, not ${count}.`,
      });
    }
    return this.launch(
      spec,
      count,
      options.idempotencyKey,
      options.signal ?? new AbortController().signal,
      true,
    );
  }

  /** Starts a stopped instance; a running one is left alone. */
  async doStartVm(vmId: string, context: DriverCallContext): Promise<void> {
    this.requireInstanceId(vmId, 'StartInstances');
    const output = await this.call({ action: 'StartInstances', instanceId: vmId }, context.signal, () =>
      this.client.send(new StartInstancesCommand({ InstanceIds: [vmId] }), { abortSignal: context.signal }),
    );
    this.refuseFromTerminated(output.StartingInstances?.[0]?.PreviousState?.Name, vmId, 'StartInstances');
  }

  /**
   * Stops an instance (`force` powers it off); `providerOptions.aws.hibernate` hibernates it instead. A stopped
   * instance is left alone.
   */
  async doStopVm(vmId: string, options: AwsStopOptions, context: DriverCallContext): Promise<void> {
    this.requireInstanceId(vmId, 'StopInstances');
    const hibernate =
      parseProviderOptions('aws', options.providerOptions, awsStopOptionsSchema)?.hibernate === true;
    const output = await this.call({ action: 'StopInstances', instanceId: vmId }, context.signal, () =>
      this.client.send(
        new StopInstancesCommand({
          InstanceIds: [vmId],
          ...(options.force ? { Force: true } : {}),
          ...(hibernate ? { Hibernate: true } : {}),
        }),
        { abortSignal: context.signal },
      ),
    );
    this.refuseFromTerminated(output.StoppingInstances?.[0]?.PreviousState?.Name, vmId, 'StopInstances');
  }

  /**
   * Reboots a running instance. RebootInstances reports no state, so the driver reads the state first and answers
   * `CONFLICT` for an instance that is not running (EC2 itself answers `IncorrectInstanceState`, also `CONFLICT`;
   * moto reboots anything).
   */
  async doRebootVm(vmId: string, context: DriverCallContext): Promise<void> {
    const current = await this.doGetVm(vmId, context);
    if (current.state.providerState !== 'running' && current.state.providerState !== 'pending') {
      throw new NovaCronError({
        code: 'CONFLICT',
        message: `RebootInstances: instance ${vmId} in AWS region ${this.region} is ${current.state.providerState}; only a running instance can be rebooted. Start it instead.`,
      });
    }
    await this.call({ action: 'RebootInstances', instanceId: vmId }, context.signal, () =>
      this.client.send(new RebootInstancesCommand({ InstanceIds: [vmId] }), { abortSignal: context.signal }),
    );
  }

  /** Terminates an instance; one that is already gone is a no-op. */
  async doDeleteVm(vmId: string, context: DriverCallContext): Promise<void> {
    if (!INSTANCE_ID.test(vmId)) return;
    try {
      await this.call({ action: 'TerminateInstances', instanceId: vmId }, context.signal, () =>
        this.client.send(new TerminateInstancesCommand({ InstanceIds: [vmId] }), {
          abortSignal: context.signal,
        }),
      );
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * One page of the region's instance types, with zones from the type offerings and prices from the price table.
   * The catalog is read once per driver and kept, so paging through it costs no further calls.
   */
  async doListSizes(request: PageRequest, context: DriverCallContext): Promise<Page<AwsSize>> {
    const sizes = await this.sizes.get(context.signal);
    return pageOf(sizes, request, { driver: 'aws', list: 'sizes', maxPageSize: MAX_PAGE_SIZE });
  }

  /** One page of images from `DescribeImages`, for the owners and name patterns given in the driver options. */
  async doListImages(request: PageRequest, context: DriverCallContext): Promise<Page<Image>> {
    const owners = this.options.images?.owners ?? ['self', 'amazon'];
    const patterns = this.options.images?.namePatterns;
    const filters: Filter[] = patterns === undefined ? [] : [{ Name: 'name', Values: [...patterns] }];
    const pageSize = request.pageSize ?? MAX_PAGE_SIZE;
    const position = startPosition(imageCursors, request.cursor, pageSize);
    const page = await this.firstPage(
      'DescribeImages',
      context.signal,
      paginateDescribeImages(
        { client: this.client, pageSize: position.providerPageSize, startingToken: position.token },
        { Owners: owners, ...(filters.length === 0 ? {} : { Filters: filters }) },
        { abortSignal: context.signal },
      ),
    );
    return slicePage(imageCursors, (page.Images ?? []).map(toImage), position, page.NextToken, pageSize);
  }

  /** The enabled regions of the account, then the availability zones of this driver's region. */
  async doListLocations(request: PageRequest, context: DriverCallContext): Promise<Page<Location>> {
    const [regions, zones] = await Promise.all([
      this.call({ action: 'DescribeRegions' }, context.signal, () =>
        this.client.send(new DescribeRegionsCommand({}), { abortSignal: context.signal }),
      ),
      this.call({ action: 'DescribeAvailabilityZones' }, context.signal, () =>
        this.client.send(new DescribeAvailabilityZonesCommand({}), { abortSignal: context.signal }),
      ),
    ]);
    const locations: Location[] = [
      ...(regions.Regions ?? [])
        .flatMap((region) => (region.RegionName === undefined ? [] : [region.RegionName]))
        .sort()
        .map((id): Location => ({ id, kind: 'region' })),
      ...(zones.AvailabilityZones ?? [])
        .flatMap((zone) => (zone.ZoneName === undefined ? [] : [zone.ZoneName]))
        .sort()
        .map((id): Location => ({ id, kind: 'zone', region: this.region })),
    ];
    return pageOf(locations, request, { driver: 'aws', list: 'locations', maxPageSize: MAX_PAGE_SIZE });
  }

  /** CPU, network and EBS series from CloudWatch `GetMetricData` (memory needs the CloudWatch agent: not read). */
  async doReadMetrics(query: MetricsQuery, context: DriverCallContext): Promise<MetricSeries[]> {
    if ('vmId' in query.target) this.requireInstanceId(query.target.vmId, 'GetMetricData');
    this.cloudWatch ??= new CloudWatchClient(this.clientConfig());
    return readAwsMetrics(this.cloudWatch, this.region, query, context.signal);
  }

  private async launch(
    spec: CreateVmSpec,
    count: number,
    idempotencyKey: string,
    signal: AbortSignal,
    lookUp: boolean,
  ): Promise<ProviderVm[]> {
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
      throw new TypeError('An EC2 create needs a non-empty idempotency key.');
    }
    const validated = validateCreateSpec(spec, this.region, this.options.defaultImage);
    const instanceType = await this.resolveInstanceType(validated, signal);
    if (lookUp) {
      const existing = await this.findByIdempotencyKey(idempotencyKey, signal);
      const launched = { name: validated.name, tags: validated.tags, instanceType, image: validated.image };
      const other = existing.find((instance) => !launchedAsSpecified(instance, launched));
      if (other !== undefined) {
        throw new NovaCronError({
          code: 'CONFLICT',
          message: `Idempotency key '${idempotencyKey}' already made instance ${other.InstanceId} in AWS region ${this.region} with another spec (name, tags, instance type or image). Use a new key for a new VM, or repeat the first spec to get that instance.`,
        });
      }
      if (existing.length >= count) return this.toProviderVms(existing.slice(0, count), signal);
    }
    const output = await this.call({ action: 'RunInstances' }, signal, () =>
      this.client.send(
        new RunInstancesCommand(buildRunInstancesInput(validated, instanceType, idempotencyKey, count)),
        { abortSignal: signal },
      ),
    );
    const instances = output.Instances ?? [];
    if (instances.length === 0) {
      throw new NovaCronError({
        code: 'PROVIDER',
        message: `RunInstances in AWS region ${this.region} answered without instances. List VMs tagged ${IDEMPOTENCY_TAG_KEY}=${idempotencyTagValue(idempotencyKey)} to check.`,
      });
    }
    return this.toProviderVms(instances, signal);
  }

  private shouldLookUp(attempt: number): boolean {
    return this.options.idempotencyLookup === 'always' || attempt > 1;
  }

  /**
   * Instances carrying the idempotency tag, in launch order. The tag is found with `DescribeTags` (an index lookup on
   * EC2 and far cheaper than a filtered `DescribeInstances` on moto), then the instances are read by id.
   */
  private async findByIdempotencyKey(idempotencyKey: string, signal: AbortSignal): Promise<Instance[]> {
    const ids: string[] = [];
    try {
      for await (const page of paginateDescribeTags(
        { client: this.client, pageSize: MAX_PAGE_SIZE },
        {
          Filters: [
            { Name: 'resource-type', Values: ['instance'] },
            { Name: 'key', Values: [IDEMPOTENCY_TAG_KEY] },
            { Name: 'value', Values: [idempotencyTagValue(idempotencyKey)] },
          ],
        },
        { abortSignal: signal },
      )) {
        for (const tag of page.Tags ?? []) if (tag.ResourceId !== undefined) ids.push(tag.ResourceId);
      }
    } catch (error) {
      throw toAwsNovaCronError(error, { action: 'DescribeTags', region: this.region }, signal);
    }
    if (ids.length === 0) return [];
    const output = await this.call({ action: 'DescribeInstances' }, signal, () =>
      this.client.send(new DescribeInstancesCommand({ InstanceIds: ids }), { abortSignal: signal }),
    ).catch((error: unknown) => {
      // A tagged instance that has since been purged: nothing left to return, so the create goes ahead.
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return { Reservations: [] };
      throw error;
    });
    const found = (output.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    return found.sort((left, right) => (left.AmiLaunchIndex ?? 0) - (right.AmiLaunchIndex ?? 0));
  }

  /** The instance type for a spec: its `size` (checked against the catalog) or the smallest type that fits. */
  private async resolveInstanceType(create: ValidatedCreate, signal: AbortSignal): Promise<string> {
    if (create.size !== undefined) {
      const record = (await this.instanceTypes.describe([create.size], signal)).get(create.size);
      if (record === undefined) {
        throw new NovaCronError({
          code: 'INVALID_ARGUMENT',
          field: 'size',
          message: `Instance type '${create.size}' does not exist in AWS region ${this.region}. List sizes to see the types offered.`,
        });
      }
      return create.size;
    }
    const wanted = create.resources;
    // Only createVms, which runs outside the pipeline, can get here without either (the core refuses such a spec).
    if (wanted === undefined) throw new TypeError('An EC2 create needs a size or resources.');
    const families = this.options.sizeFamilies ?? DEFAULT_SIZE_FAMILIES;
    const candidates = (await this.instanceTypes.all(signal)).filter((record) => {
      const family = String(record.InstanceType).split('.')[0] ?? '';
      const gpuSearch = (wanted.gpus ?? 0) > 0;
      return (gpuSearch || families.includes(family)) && resourcesFit(wanted, fitView(record));
    });
    const prices = this.options.priceTable;
    candidates.sort((left, right) => compareInstanceTypes(left, right, prices, families));
    const chosen = candidates[0]?.InstanceType;
    if (chosen === undefined) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'resources',
        message: `No instance type in families ${families.join(', ')} of AWS region ${this.region} fits ${JSON.stringify(wanted)}. Give size, or widen the driver option sizeFamilies.`,
      });
    }
    return chosen;
  }

  private async toProviderVms(instances: readonly Instance[], signal: AbortSignal): Promise<ProviderVm[]> {
    const types = instances.flatMap((instance) =>
      instance.InstanceType === undefined ? [] : [instance.InstanceType],
    );
    const records =
      types.length === 0
        ? new Map<string, InstanceTypeInfo | undefined>()
        : await this.instanceTypes.describe(types, signal);
    return instances.map((instance) =>
      toProviderVm(
        instance,
        this.region,
        instance.InstanceType === undefined ? undefined : records.get(instance.InstanceType),
      ),
    );
  }

  private async firstPage<T>(action: string, signal: AbortSignal, pages: AsyncIterable<T>): Promise<T> {
    try {
      for await (const page of pages) return page;
    } catch (error) {
      throw toAwsNovaCronError(error, { action, region: this.region }, signal);
    }
    throw new NovaCronError({
      code: 'PROVIDER',
      message: `${action} in AWS region ${this.region} returned no page.`,
    });
  }

  /** Runs one SDK call made with `signal`, mapping whatever it throws onto a NovaCron error. */
  private async call<Output>(
    context: Omit<AwsErrorContext, 'region'>,
    signal: AbortSignal,
    run: () => Promise<Output>,
  ): Promise<Output> {
    try {
      return await run();
    } catch (error) {
      throw toAwsNovaCronError(error, { ...context, region: this.region }, signal);
    }
  }

  private requireInstanceId(vmId: string, action: string): void {
    if (typeof vmId !== 'string') throw new TypeError('A VM id must be a string.');
    if (!INSTANCE_ID.test(vmId)) throw this.notFound(vmId, action);
  }

  private notFound(vmId: string, action: string): NovaCronError {
    return new NovaCronError({
      code: 'NOT_FOUND',
      message: `${action}: instance ${vmId} does not exist in AWS region ${this.region}. Check the id (i- followed by 8 or 17 hex digits) and the region, or list VMs to find it.`,
    });
  }

  /**
   * EC2 refuses to start or stop a terminated instance with `IncorrectInstanceState`; emulators that accept it (moto)
   * are caught here from the previous state they report, so callers see `CONFLICT` either way.
   */
  private refuseFromTerminated(previousState: string | undefined, vmId: string, action: string): void {
    if (previousState === 'terminated' || previousState === 'shutting-down') {
      throw new NovaCronError({
        code: 'CONFLICT',
        message: `${action}: instance ${vmId} in AWS region ${this.region} is ${previousState}; a terminated instance cannot be started or stopped. Create a new VM instead.`,
      });
    }
  }

  private clientConfig(): EC2ClientConfig {
    return {
      region: this.region,
      // NovaCron's pipeline is the single retry authority: the SDK makes one attempt per call.
      maxAttempts: 1,
      ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
      ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
    };
  }
}

/**
 * Makes an EC2 driver for one region.
 *
 * @example
 * const aws = createAwsDriver({ region: 'eu-west-1', priceTable: { 't3.micro': 0.0114 } });
 * const nc = createNovaCron({ providers: { aws } });
 */
export function createAwsDriver(options: AwsDriverOptions): AwsDriver {
  return new AwsDriver(options);
}

function fitView(record: InstanceTypeInfo) {
  const resources = instanceTypeResources(record);
  // Instance-store disk is not what a spec's diskGiB means (that is the EBS root volume): do not filter on it.
  return { ...resources, diskGiB: Number.MAX_SAFE_INTEGER };
}

/** Cheapest first where both prices are known, then fewest vCPUs, least memory, earliest listed family, name. */
function toImage(image: Ec2Image): Image {
  const id = image.ImageId ?? '';
  const result: Image = { id, name: image.Name ?? id, raw: image };
  if (String(image.Platform ?? '').toLowerCase() === 'windows') result.os = 'windows';
  else if (image.PlatformDetails === undefined || /linux|unix/i.test(image.PlatformDetails))
    result.os = 'linux';
  return result;
}
