import {
  DescribeInstanceTypesCommand,
  type EC2Client,
  type InstanceTypeInfo,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
} from '@aws-sdk/client-ec2';
import type { Resources, Size } from '@novacron/core';
import { toAwsNovaCronError } from './aws-error-map.js';
import { type AwsPriceTable, priceFor } from './aws-price-table.js';
import { AwsSharedRead } from './aws-shared-read.js';

/** A size in the EC2 catalog: NovaCron's {@link Size} plus EC2's network class and record. */
export interface AwsSize extends Size {
  /** EC2's network performance class (`Up to 5 Gigabit`, `25 Gigabit`), where reported. */
  networkPerformance?: string;
  /** The `DescribeInstanceTypes` record. */
  raw: InstanceTypeInfo;
}

/**
 * The EC2 instance-type catalog of one region, read lazily and cached for the driver's lifetime (AWS adds types
 * rarely; make a new driver to see new ones). Types are looked up by name as VMs are listed and sizes are checked;
 * the whole catalog is read only for `doListSizes` and for choosing a type from resources.
 */
export class AwsInstanceTypes {
  /** Settled look-ups by name: the record, or undefined for a name EC2 does not know. */
  private readonly byName = new Map<string, InstanceTypeInfo | undefined>();
  private readonly catalog = new AwsSharedRead((signal) => this.readCatalog(signal));
  private readonly zonesByType = new AwsSharedRead((signal) => this.readZones(signal));

  /** Reads through `client` in `region`. */
  constructor(
    private readonly client: EC2Client,
    private readonly region: string,
  ) {}

  /**
   * The records of `names` (undefined for names EC2 does not know), one `DescribeInstanceTypes` call per 100 names
   * not yet looked up.
   */
  async describe(
    names: readonly string[],
    signal: AbortSignal,
  ): Promise<Map<string, InstanceTypeInfo | undefined>> {
    const missing = [...new Set(names)].filter((name) => !this.byName.has(name));
    const batches: string[][] = [];
    for (let start = 0; start < missing.length; start += 100) batches.push(missing.slice(start, start + 100));
    await Promise.all(
      batches.map(async (batch) => {
        const records = await this.fetchBatch(batch, signal);
        for (const name of batch) this.byName.set(name, records.get(name));
      }),
    );
    return new Map(names.map((name) => [name, this.byName.get(name)]));
  }

  /** Every instance type of the region, sorted by name; one read shared by concurrent callers, then kept. */
  all(signal: AbortSignal): Promise<InstanceTypeInfo[]> {
    return this.catalog.get(signal);
  }

  /** The availability zones each instance type is offered in, from `DescribeInstanceTypeOfferings`. */
  zones(signal: AbortSignal): Promise<Map<string, string[]>> {
    return this.zonesByType.get(signal);
  }

  private async readCatalog(signal: AbortSignal): Promise<InstanceTypeInfo[]> {
    const records: InstanceTypeInfo[] = [];
    try {
      for await (const page of paginateDescribeInstanceTypes(
        { client: this.client, pageSize: 100 },
        {},
        { abortSignal: signal },
      )) {
        records.push(...(page.InstanceTypes ?? []));
      }
    } catch (error) {
      throw toAwsNovaCronError(error, { action: 'DescribeInstanceTypes', region: this.region }, signal);
    }
    records.sort((left, right) => String(left.InstanceType).localeCompare(String(right.InstanceType)));
    for (const record of records) {
      if (record.InstanceType !== undefined) this.byName.set(record.InstanceType, record);
    }
    return records;
  }

  private async readZones(signal: AbortSignal): Promise<Map<string, string[]>> {
    const zones = new Map<string, string[]>();
    try {
      for await (const page of paginateDescribeInstanceTypeOfferings(
        { client: this.client, pageSize: 1000 },
        { LocationType: 'availability-zone' },
        { abortSignal: signal },
      )) {
        for (const offering of page.InstanceTypeOfferings ?? []) {
          if (offering.InstanceType === undefined || offering.Location === undefined) continue;
          const list = zones.get(offering.InstanceType) ?? [];
          list.push(offering.Location);
          zones.set(offering.InstanceType, list);
        }
      }
    } catch (error) {
      throw toAwsNovaCronError(
        error,
        { action: 'DescribeInstanceTypeOfferings', region: this.region },
        signal,
      );
    }
    for (const list of zones.values()) list.sort();
    return zones;
  }

  private async fetchBatch(names: string[], signal: AbortSignal): Promise<Map<string, InstanceTypeInfo>> {
    const records = new Map<string, InstanceTypeInfo>();
    try {
      const output = await this.client.send(
        new DescribeInstanceTypesCommand({
          InstanceTypes: names as DescribeInstanceTypesCommand['input']['InstanceTypes'],
        }),
        { abortSignal: signal },
      );
      for (const record of output.InstanceTypes ?? []) {
        if (record.InstanceType !== undefined) records.set(record.InstanceType, record);
      }
      return records;
    } catch (error) {
      // One unknown name fails the whole batch: ask for the names one by one so the known ones still resolve.
      if (names.length > 1 && errorName(error) === 'InvalidInstanceType') {
        for (const name of names) {
          const single = await this.fetchBatch([name], signal);
          const record = single.get(name);
          if (record !== undefined) records.set(name, record);
        }
        return records;
      }
      if (names.length === 1 && errorName(error) === 'InvalidInstanceType') return records;
      throw toAwsNovaCronError(error, { action: 'DescribeInstanceTypes', region: this.region }, signal);
    }
  }
}

/**
 * The resources an instance type gives: default vCPUs, memory, GPUs and instance-store disk.
 *
 * @example
 * instanceTypeResources(record); // { vcpus: 2, memoryMiB: 1024, diskGiB: 0, gpus: 0 } for t3.micro
 */
export function instanceTypeResources(record: InstanceTypeInfo | undefined): Resources {
  return {
    vcpus: record?.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMiB: record?.MemoryInfo?.SizeInMiB ?? 0,
    diskGiB: record?.InstanceStorageInfo?.TotalSizeInGB ?? 0,
    gpus: (record?.GpuInfo?.Gpus ?? []).reduce((sum, gpu) => sum + (gpu.Count ?? 0), 0),
  };
}

/** Builds the NovaCron size entry of an instance type. */
export function toAwsSize(
  record: InstanceTypeInfo,
  zones: readonly string[] | undefined,
  priceTable: AwsPriceTable | undefined,
): AwsSize {
  const name = String(record.InstanceType);
  const size: AwsSize = { name, resources: instanceTypeResources(record), raw: record };
  const price = priceFor(priceTable, name);
  if (price !== undefined) size.pricePerHour = price;
  if (zones !== undefined) size.locations = [...zones];
  const network = record.NetworkInfo?.NetworkPerformance;
  if (network !== undefined) size.networkPerformance = network;
  return size;
}

/**
 * The order in which instance types are chosen for a spec that gives resources but no size: priced types before
 * unpriced ones, then the cheaper, then fewer vCPUs, less memory, the earlier family in `families`, and the name.
 * A lexicographic order over one key per type, so it is transitive whatever part of the catalog the price table
 * covers, and the first type is the cheapest priced one that fits (else the smallest).
 *
 * @example
 * candidates.sort((left, right) => compareInstanceTypes(left, right, { 't3.small': 0.02 }, ['t3', 'm5']));
 */
export function compareInstanceTypes(
  left: InstanceTypeInfo,
  right: InstanceTypeInfo,
  prices: AwsPriceTable | undefined,
  families: readonly string[],
): number {
  const key = (record: InstanceTypeInfo): [number, number, number, number, number] => {
    const price = priceFor(prices, String(record.InstanceType));
    const resources = instanceTypeResources(record);
    const family = families.indexOf(String(record.InstanceType).split('.')[0] ?? '');
    return [
      price === undefined ? 1 : 0,
      price ?? 0,
      resources.vcpus,
      resources.memoryMiB,
      family === -1 ? families.length : family,
    ];
  };
  const a = key(left);
  const b = key(right);
  for (let index = 0; index < a.length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return String(left.InstanceType).localeCompare(String(right.InstanceType));
}

function errorName(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}
