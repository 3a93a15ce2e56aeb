import type { FullResources, HostState, PlacementHost, Resources } from '@novacron/core';

/** Options of {@link makeHost}. */
export interface HostFixture {
  capacity?: Partial<FullResources>;
  allocated?: Partial<FullResources>;
  zone?: string;
  labels?: Record<string, string>;
  state?: HostState;
  overcommit?: Partial<Record<keyof Resources, number>>;
  vmCount?: number;
  antiAffinityGroups?: string[];
  affinityGroups?: string[];
}

/** A host for tests: 16 vCPUs, 64 GiB, 1 TiB, no GPUs, nothing allocated, unless told otherwise. */
export function makeHost(id: string, fixture: HostFixture = {}): PlacementHost {
  const capacity: FullResources = {
    vcpus: 16,
    memoryMiB: 65_536,
    diskGiB: 1024,
    gpus: 0,
    ...fixture.capacity,
  };
  const overcommit = fixture.overcommit ?? {};
  return {
    id,
    capacity,
    allocatable: {
      vcpus: capacity.vcpus * (overcommit.vcpus ?? 1),
      memoryMiB: capacity.memoryMiB * (overcommit.memoryMiB ?? 1),
      diskGiB: capacity.diskGiB * (overcommit.diskGiB ?? 1),
      gpus: capacity.gpus * (overcommit.gpus ?? 1),
    },
    allocated: { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0, ...fixture.allocated },
    labels: fixture.labels ?? {},
    ...(fixture.zone === undefined ? {} : { zone: fixture.zone }),
    state: fixture.state ?? 'up',
    overcommit,
    vmCount: fixture.vmCount ?? 0,
    ...(fixture.antiAffinityGroups === undefined ? {} : { antiAffinityGroups: fixture.antiAffinityGroups }),
    ...(fixture.affinityGroups === undefined ? {} : { affinityGroups: fixture.affinityGroups }),
  };
}
