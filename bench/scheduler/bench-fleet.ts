import type { PlacementDemand, PlacementHost } from '@novacron/core';
import { random } from '../../packages/native-metrics/test/test-data.js';
import { HOST_CAPACITY, VM_DIMS, vmMix } from '../native-metrics/vm-mix.js';

/** Zones of the benchmark fleet; hosts alternate over them. */
export const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/**
 * `count` empty hosts of the VM-shaped mix (64 vCPU, 256 GiB, 2,000 GiB disk, 4 GPUs), alternating over
 * {@link ZONES}.
 */
export function benchHosts(count: number): PlacementHost[] {
  const [vcpus, memoryGiB, diskGiB, gpus] = HOST_CAPACITY as [number, number, number, number];
  const capacity = { vcpus, memoryMiB: memoryGiB * 1024, diskGiB, gpus };
  return Array.from({ length: count }, (_, index) => ({
    id: `host-${index}`,
    capacity,
    allocatable: capacity,
    allocated: { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 },
    labels: {},
    zone: ZONES[index % ZONES.length]!,
    state: 'up',
    overcommit: {},
    vmCount: 0,
  }));
}

/**
 * `count` VMs of the VM-shaped mix (14 cloud-like shapes, 3 % with GPUs; seeded): 30 % ask for a zone and 15 %
 * are in anti-affinity groups of 3 (e.g. a database's replicas).
 */
export function benchDemands(count: number, seed: number): PlacementDemand[] {
  const shapes = vmMix(count, seed);
  const next = random(seed + 1);
  return Array.from({ length: count }, (_, index) => {
    const at = index * VM_DIMS;
    const demand: PlacementDemand = {
      key: `vm-${index}`,
      resources: {
        vcpus: shapes[at]!,
        memoryMiB: shapes[at + 1]! * 1024,
        diskGiB: shapes[at + 2]!,
        gpus: shapes[at + 3]!,
      },
    };
    if (next() < 0.3) demand.zone = ZONES[Math.floor(next() * ZONES.length)]!;
    if (index % 20 < 3) demand.antiAffinityGroup = `replicas-${Math.floor(index / 20)}`;
    return demand;
  });
}
