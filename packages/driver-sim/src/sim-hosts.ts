import {
  type FullResources,
  fullResources,
  type HostState,
  RESOURCE_DIMENSIONS,
  type Resources,
} from '@novacron/core';
import { SIM_DEFAULT_ZONES } from './sim-catalog.js';
import type { SimHost } from './sim-cloud-types.js';
import type { SimHostSpec } from './sim-options.js';

/** A host as the sim keeps it: allocations are updated in place as VMs come, go and move. */
export interface SimHostRecord {
  id: string;
  capacity: FullResources;
  allocatable: FullResources;
  allocated: FullResources;
  labels: Record<string, string>;
  zone: string;
  state: HostState;
  overcommit: Partial<Record<keyof Resources, number>>;
  vmCount: number;
}

/** Every state a host can be in. */
export const HOST_STATES: readonly HostState[] = ['up', 'maintenance', 'down'];
const DEFAULT_DISK_GIB = 8192;
const DEFAULT_OVERCOMMIT: Partial<Record<keyof Resources, number>> = { vcpus: 8, memoryMiB: 1.5 };

/** The default fleet of `count` hosts: `host-1`..`host-N` alternating over the default zones. */
export function defaultHostSpecs(count: number): SimHostSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const hasGpus = number % 4 === 0;
    return {
      id: `host-${number}`,
      zone: SIM_DEFAULT_ZONES[index % SIM_DEFAULT_ZONES.length],
      capacity: { vcpus: 64, memoryMiB: 262_144, diskGiB: DEFAULT_DISK_GIB, gpus: hasGpus ? 4 : 0 },
      labels: { rack: `r${Math.ceil(number / 4)}`, ...(hasGpus ? { gpu: 'sim-l4' } : {}) },
    };
  });
}

/** Turns specs into records, checking ids, capacities, overcommit ratios and states (`TypeError` when wrong). */
export function buildHostRecords(specs: readonly SimHostSpec[]): SimHostRecord[] {
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const where = `createSimDriver: hosts[${index}]`;
    if (typeof spec?.id !== 'string' || spec.id === '')
      throw new TypeError(`${where}.id must be a non-empty string.`);
    if (seen.has(spec.id))
      throw new TypeError(`${where}.id '${spec.id}' is used by two hosts; ids must be unique.`);
    seen.add(spec.id);
    if (typeof spec.capacity !== 'object' || spec.capacity === null) {
      throw new TypeError(`${where}.capacity must give at least vcpus and memoryMiB.`);
    }
    // A host spec without disk gets the default host's 8 TiB, so that sized VMs (which all have disks) fit.
    const capacity = { ...fullResources(spec.capacity), diskGiB: spec.capacity.diskGiB ?? DEFAULT_DISK_GIB };
    const overcommit = spec.overcommit ?? DEFAULT_OVERCOMMIT;
    for (const dimension of RESOURCE_DIMENSIONS) {
      const amount = capacity[dimension];
      if (!Number.isFinite(amount) || amount < 0) {
        throw new TypeError(`${where}.capacity.${dimension} must be a finite number >= 0, got ${amount}.`);
      }
      const ratio = overcommit[dimension];
      if (ratio !== undefined && !(Number.isFinite(ratio) && ratio > 0)) {
        throw new TypeError(`${where}.overcommit.${dimension} must be a number > 0, got ${ratio}.`);
      }
    }
    const state = spec.state ?? 'up';
    if (!HOST_STATES.includes(state)) {
      throw new TypeError(`${where}.state must be one of ${HOST_STATES.join(', ')}, got '${String(state)}'.`);
    }
    return {
      id: spec.id,
      capacity,
      allocatable: {
        vcpus: capacity.vcpus * (overcommit.vcpus ?? 1),
        memoryMiB: capacity.memoryMiB * (overcommit.memoryMiB ?? 1),
        diskGiB: capacity.diskGiB * (overcommit.diskGiB ?? 1),
        gpus: capacity.gpus * (overcommit.gpus ?? 1),
      },
      allocated: { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 },
      labels: { ...(spec.labels ?? {}) },
      zone: spec.zone ?? SIM_DEFAULT_ZONES[0],
      state,
      overcommit: { ...overcommit },
      vmCount: 0,
    };
  });
}

/** A copy of a host record, as the cloud's API returns it. */
export function toSimHost(record: SimHostRecord): SimHost {
  return {
    id: record.id,
    capacity: { ...record.capacity },
    allocatable: { ...record.allocatable },
    allocated: { ...record.allocated },
    labels: { ...record.labels },
    zone: record.zone,
    state: record.state,
    overcommit: { ...record.overcommit },
    vmCount: record.vmCount,
  };
}

/** What is still free on a host (allocatable less allocated). */
export function freeResources(record: SimHostRecord): FullResources {
  return {
    vcpus: record.allocatable.vcpus - record.allocated.vcpus,
    memoryMiB: record.allocatable.memoryMiB - record.allocated.memoryMiB,
    diskGiB: record.allocatable.diskGiB - record.allocated.diskGiB,
    gpus: record.allocatable.gpus - record.allocated.gpus,
  };
}

/** True when `demand` fits in what `record` has free, without allocating. */
export function hostFits(record: SimHostRecord, demand: FullResources): boolean {
  return (
    record.allocated.vcpus + demand.vcpus <= record.allocatable.vcpus &&
    record.allocated.memoryMiB + demand.memoryMiB <= record.allocatable.memoryMiB &&
    record.allocated.diskGiB + demand.diskGiB <= record.allocatable.diskGiB &&
    record.allocated.gpus + demand.gpus <= record.allocatable.gpus
  );
}

/** Adds (`sign` 1) or removes (`sign` -1) one VM's allocation on a host. */
export function allocate(record: SimHostRecord, demand: FullResources, sign: 1 | -1): void {
  record.allocated.vcpus += sign * demand.vcpus;
  record.allocated.memoryMiB += sign * demand.memoryMiB;
  record.allocated.diskGiB += sign * demand.diskGiB;
  record.allocated.gpus += sign * demand.gpus;
  record.vmCount += sign;
}
