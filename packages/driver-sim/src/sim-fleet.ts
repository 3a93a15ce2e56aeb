import type { FullResources } from '@novacron/core';
import { SimApiError } from './sim-api-error.js';
import type { SimVm, SimVmFilter, SimVmStatus } from './sim-cloud-types.js';
import { allocate, freeResources, hostFits, type SimHostRecord } from './sim-hosts.js';

/** A VM as the sim keeps it: what the API returns, with its creation time and dirty rate kept as plain numbers. */
export interface SimVmRecord extends Omit<SimVm, 'createdAt' | 'dirtyRateMiBps'> {
  /** Creation time, ms since the epoch (a number rather than a `Date`: records live long, copies are made per read). */
  createdAtMs: number;
  /** Dirty-page rate in bytes per second used by the migration model. */
  dirtyRateBytesPerSecond: number;
  /** The client token it was created with. */
  clientToken: string | undefined;
  /** The pending timed transition, if any: the status it leads to, and its timer. */
  transition: { timer: ReturnType<typeof setTimeout>; to: SimVmStatus; reason: string } | undefined;
}

/**
 * The fleet's storage: hosts and VMs with the indexes the operations need. VM ids grow with a counter and have a
 * fixed width, so id order is creation order and a VM cursor can be "the last id returned": a listing never skips
 * or repeats a VM that exists throughout it, whatever is created or deleted meanwhile.
 */
export class SimFleet {
  /** Hosts in id order as given. */
  readonly hosts: readonly SimHostRecord[];
  /** The distinct host zones, in order of first appearance. */
  readonly zones: readonly string[];
  readonly #hostsById: Map<string, SimHostRecord>;
  /**
   * Per demand (zone and resources), the index of the host the last first-fit search ended on. Hosts before it had no
   * room then, and none can have gained room until something is released or a host comes up, which clears this.
   * It keeps first-fit exact while making a fleet that fills up in order cost O(1) per create, not O(hosts).
   */
  readonly #placementHints = new Map<string, number>();
  readonly #vms = new Map<string, SimVmRecord>();
  /** Every id ever issued and not yet compacted away, ascending. */
  #order: string[] = [];
  #removedInOrder = 0;
  #counter = 0;

  constructor(hosts: readonly SimHostRecord[]) {
    this.hosts = hosts;
    this.zones = [...new Set(hosts.map((host) => host.zone))];
    this.#hostsById = new Map(hosts.map((host) => [host.id, host]));
  }

  /** How many VMs exist. */
  get size(): number {
    return this.#vms.size;
  }

  /** The next VM id (`vm-` and 8 hex digits) and its ordinal. */
  nextVmId(): { id: string; ordinal: number } {
    this.#counter += 1;
    return { id: `vm-${this.#counter.toString(16).padStart(8, '0')}`, ordinal: this.#counter };
  }

  host(hostId: string): SimHostRecord | undefined {
    return this.#hostsById.get(hostId);
  }

  vm(vmId: string): SimVmRecord | undefined {
    return this.#vms.get(vmId);
  }

  /** Every VM, in id order. */
  allVms(): IterableIterator<SimVmRecord> {
    return this.#vms.values();
  }

  add(record: SimVmRecord): void {
    this.#vms.set(record.id, record);
    this.#order.push(record.id);
  }

  remove(vmId: string): void {
    if (!this.#vms.delete(vmId)) return;
    this.#removedInOrder += 1;
    if (this.#removedInOrder > 64 && this.#removedInOrder * 2 > this.#order.length) {
      this.#order = this.#order.filter((id) => this.#vms.has(id));
      this.#removedInOrder = 0;
    }
  }

  /**
   * Up to `limit` VMs with ids after `afterId` that match `filter`, and whether more matching VMs follow.
   * Costs O(log n + items scanned).
   */
  listAfter(
    afterId: string | undefined,
    limit: number,
    filter: SimVmFilter | undefined,
  ): { items: SimVmRecord[]; more: boolean } {
    let index = afterId === undefined ? 0 : this.#firstIndexAfter(afterId);
    const items: SimVmRecord[] = [];
    for (; index < this.#order.length; index += 1) {
      const record = this.#vms.get(this.#order[index]!);
      if (record === undefined || !matchesFilter(record, filter)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(record);
    }
    return { items, more: false };
  }

  #firstIndexAfter(id: string): number {
    let low = 0;
    let high = this.#order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#order[middle]! <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Gives one VM's resources on a host. */
  reserve(host: SimHostRecord, demand: FullResources): void {
    allocate(host, demand, 1);
  }

  /** Takes one VM's resources back from a host. */
  release(host: SimHostRecord, demand: FullResources): void {
    allocate(host, demand, -1);
    this.#placementHints.clear();
  }

  /** Tells the fleet a host changed state (a host coming up may take VMs that first-fit skipped before). */
  hostStateChanged(): void {
    this.#placementHints.clear();
  }

  /**
   * The host a new VM goes to: `hostId` when given, else the first host (in order) that is up, in `zone` when given,
   * and has room. Throws `NO_CAPACITY` naming the demand and every host considered.
   */
  place(demand: FullResources, zone: string | undefined, hostId: string | undefined): SimHostRecord {
    if (hostId !== undefined) {
      const host = this.#hostsById.get(hostId)!;
      if (host.state === 'up' && hostFits(host, demand)) return host;
      throw noCapacity(demand, zone, [host]);
    }
    const hintKey = `${zone ?? ''}|${demand.vcpus}|${demand.memoryMiB}|${demand.diskGiB}|${demand.gpus}`;
    for (let index = this.#placementHints.get(hintKey) ?? 0; index < this.hosts.length; index += 1) {
      const host = this.hosts[index]!;
      if (host.state === 'up' && (zone === undefined || host.zone === zone) && hostFits(host, demand)) {
        this.#placementHints.set(hintKey, index);
        return host;
      }
    }
    throw noCapacity(
      demand,
      zone,
      this.hosts.filter((host) => zone === undefined || host.zone === zone),
    );
  }
}

/** True when a VM passes every part of the filter. */
export function matchesFilter(record: SimVmRecord, filter: SimVmFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.hostId !== undefined && record.hostId !== filter.hostId) return false;
  if (filter.zone !== undefined && record.zone !== filter.zone) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(record.status)) return false;
  if (filter.tags !== undefined) {
    for (const [key, value] of Object.entries(filter.tags)) {
      if (record.tags[key] !== value) return false;
    }
  }
  return true;
}

/** A fresh copy of a VM record, as the cloud's API returns it. */
export function toSimVm(record: SimVmRecord): SimVm {
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    statusReason: record.statusReason,
    resources: { ...record.resources },
    hostId: record.hostId,
    zone: record.zone,
    size: record.size,
    image: record.image,
    tags: { ...record.tags },
    privateAddress: record.privateAddress,
    createdAt: new Date(record.createdAtMs),
    dirtyRateMiBps: record.dirtyRateBytesPerSecond / 1_048_576,
    migrations: record.migrations,
  };
}

function noCapacity(
  demand: FullResources,
  zone: string | undefined,
  considered: readonly SimHostRecord[],
): SimApiError {
  const wanted = `${demand.vcpus} vCPU, ${demand.memoryMiB} MiB memory, ${demand.diskGiB} GiB disk, ${demand.gpus} GPU`;
  const shown = considered.slice(0, 12).map(describeHost);
  if (considered.length > shown.length) shown.push(`and ${considered.length - shown.length} more`);
  const where = zone === undefined ? '' : ` in zone ${zone}`;
  return new SimApiError(
    'InsufficientCapacity',
    `No sim host${where} has room for ${wanted}. Considered: ${shown.length === 0 ? 'no host' : shown.join('; ')}. ` +
      'Choose a smaller size, another zone or host, delete VMs, or give the sim more hosts (createSimDriver({ hosts })).',
    { status: 503, retryable: false },
  );
}

function describeHost(host: SimHostRecord): string {
  if (host.state !== 'up') return `${host.id} (${host.state}, takes no new VMs)`;
  const free = freeResources(host);
  return `${host.id} (free ${free.vcpus} vCPU, ${free.memoryMiB} MiB, ${free.diskGiB} GiB, ${free.gpus} GPU)`;
}
