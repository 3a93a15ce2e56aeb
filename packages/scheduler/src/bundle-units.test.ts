import type { PlacementDemand } from '@novacron/core';
import { js } from '@novacron/native-metrics';
import { describe, expect, it } from 'vitest';
import { makeHost } from '../test/fleet-fixtures.js';
import { createScheduler } from './create-scheduler.js';

/** Cloud-like shapes (vCPUs, GiB) with weights: CPU-heavy, memory-heavy and balanced. */
const SHAPES: Array<[number, number, number]> = [
  [1, 2, 10],
  [2, 4, 18],
  [2, 8, 14],
  [4, 8, 12],
  [4, 16, 12],
  [4, 32, 6],
  [8, 16, 6],
  [8, 32, 8],
  [8, 64, 4],
  [16, 32, 3],
  [16, 64, 3],
];

function mix(count: number): PlacementDemand[] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const weight = SHAPES.reduce((sum, [, , share]) => sum + share, 0);
  return Array.from({ length: count }, (_, index) => {
    let pick = next() * weight;
    let shape = SHAPES[0]!;
    for (const candidate of SHAPES) {
      shape = candidate;
      pick -= candidate[2];
      if (pick < 0) break;
    }
    const [vcpus, gib] = shape;
    return { key: `vm-${index}`, resources: { vcpus, memoryMiB: gib * 1024 } };
  });
}

describe('bundles in a fast batch', () => {
  it('use fewer hosts on a VM mix than the packer given the VMs one by one', () => {
    const hosts = Array.from({ length: 200 }, (_, index) =>
      makeHost(`h${index}`, { capacity: { vcpus: 64, memoryMiB: 262_144 } }),
    );
    const demands = mix(1_000);
    const plan = createScheduler({ packer: js.packVectors }).place({ hosts, demands });
    expect(plan.unplaced).toEqual([]);
    const raw = js.packVectors({
      dims: 4,
      items: Float64Array.from(
        demands.flatMap(({ resources }) => [resources.vcpus, resources.memoryMiB, 0, 0]),
      ),
      binCapacities: Float64Array.from(hosts.flatMap(() => [64, 262_144, 1024, 0])),
    });
    expect(plan.stats.hostsUsed).toBeLessThan(raw.binsUsed);
  });
});
