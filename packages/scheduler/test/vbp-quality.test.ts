import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlacementDemand, PlacementHost } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../src/create-scheduler.js';
import type { CapacityFilter } from '../src/placement-filter.js';
import { makeHost } from './fleet-fixtures.js';

/** The vector bin packing instances with known optima (read in place, never copied; see the README there). */
const VBP_ROOT = process.env.VBP_DATA ?? '/work/shared/data/vbp';

interface Instance {
  name: string;
  dims: number;
  capacity: number[];
  items: number[][];
  optimum: number;
}

function parse(name: string, path: string, optimum: number): Instance {
  const numbers = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  let position = 0;
  const dims = numbers[position++]!;
  const capacity = numbers.slice(position, position + dims);
  position += dims;
  const lines = numbers[position++]!;
  const items: number[][] = [];
  for (let line = 0; line < lines; line += 1) {
    const sizes = numbers.slice(position, position + dims);
    position += dims;
    const multiplicity = numbers[position++]!;
    for (let copy = 0; copy < multiplicity; copy += 1) items.push(sizes);
  }
  return { name, dims, capacity, items, optimum };
}

/** Every `stride`-th instance of a set whose optimum is known. */
function instances(set: string, summary: string, stride: number): Instance[] {
  const files = new Map<string, string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.vbp')) files.set(entry.name.slice(0, -4), path);
    }
  };
  walk(join(VBP_ROOT, set));
  return readFileSync(join(VBP_ROOT, 'results', summary), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t'))
    .filter((cells) => Number(cells[2]) > 0 && files.has(cells[0]!))
    .filter((_, index) => index % stride === 0)
    .map((cells) => parse(cells[0]!, files.get(cells[0]!)!, Number(cells[2])));
}

/** A capacity filter over an instance's d dimensions: a user plugin, as the plugin API allows. */
function vectorFilter(instance: Instance): CapacityFilter {
  const byKey = new Map(instance.items.map((sizes, index) => [`item-${index}`, sizes]));
  return {
    kind: 'capacity',
    name: 'vector',
    dimensions: instance.capacity.map((_, k) => `d${k}`),
    room: () => instance.capacity,
    use: (demand) => byKey.get(demand.key)!,
    rejection: (_demand, dimension) => ({ filter: 'vector', dimension }),
    describe: (rejection, hosts) => `${hosts} bins lack room in dimension ${String(rejection.dimension)}`,
  };
}

/** Per instance: hosts used by a batch at most this factor over the proven optimum (rounded up). */
const INSTANCE_RATIO = 1.12;
/** Over the whole sample: mean hosts used over the optimum at most this. */
const MEAN_RATIO = 1.05;

function hostsUsed(instance: Instance): number {
  const hosts: PlacementHost[] = instance.items.map((_, index) => makeHost(`bin-${index}`));
  const demands: PlacementDemand[] = instance.items.map((_, index) => ({
    key: `item-${index}`,
    resources: { vcpus: 0, memoryMiB: 0 },
  }));
  const plan = createScheduler({ filters: [vectorFilter(instance)] }).place({
    hosts,
    demands,
    effort: 'improve',
  });
  expect(plan.unplaced).toEqual([]);
  return plan.stats.hostsUsed;
}

describe.skipIf(!existsSync(VBP_ROOT))('batch placement on published vector packing instances', () => {
  const sample = [
    ...instances('panigrahy', 'Panigrahy_summary_known.csv', 97).map((instance) => ({
      ...instance,
      name: `Panigrahy ${instance.name}`,
    })),
    ...instances('new', 'New_summary_known.csv', 61).map((instance) => ({
      ...instance,
      name: `New ${instance.name}`,
    })),
  ];
  const used = new Map<Instance, number>();

  it.each(sample.map((instance) => [instance.name, instance] as const))(
    `%s: uses at most ${INSTANCE_RATIO}x the optimum number of hosts, rounded up`,
    (_name, instance) => {
      const count = hostsUsed(instance);
      used.set(instance, count);
      expect(count).toBeGreaterThanOrEqual(instance.optimum);
      expect(count).toBeLessThanOrEqual(Math.ceil(INSTANCE_RATIO * instance.optimum));
    },
  );

  it(`uses at most ${MEAN_RATIO}x the optimum on average over the sample`, () => {
    const ratios = sample.map((instance) => (used.get(instance) ?? hostsUsed(instance)) / instance.optimum);
    expect(ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length).toBeLessThanOrEqual(MEAN_RATIO);
  });
});
