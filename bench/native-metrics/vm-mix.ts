import { random } from '../../packages/native-metrics/test/test-data.js';

/** Dimensions of the VM-shaped mix: vCPU, memory (GiB), disk (GiB), GPU. */
export const VM_DIMS = 4;

const CATALOGUE: Array<{ shape: [number, number, number, number]; weight: number }> = [
  { shape: [1, 2, 20, 0], weight: 10 },
  { shape: [2, 4, 40, 0], weight: 18 },
  { shape: [2, 8, 50, 0], weight: 14 },
  { shape: [4, 8, 80, 0], weight: 12 },
  { shape: [4, 16, 100, 0], weight: 12 },
  { shape: [4, 32, 100, 0], weight: 6 },
  { shape: [8, 16, 160, 0], weight: 6 },
  { shape: [8, 32, 200, 0], weight: 8 },
  { shape: [8, 64, 250, 0], weight: 4 },
  { shape: [16, 32, 200, 0], weight: 3 },
  { shape: [16, 64, 400, 0], weight: 3 },
  { shape: [32, 128, 800, 0], weight: 1 },
  { shape: [8, 64, 400, 1], weight: 2 },
  { shape: [16, 128, 800, 2], weight: 1 },
];

/** Host capacity of the VM-shaped mix: 64 vCPU, 256 GiB, 2,000 GiB disk, 4 GPUs. */
export const HOST_CAPACITY = [64, 256, 2000, 4];

/** `count` VM demands drawn from a weighted catalogue of cloud-like shapes (seeded). */
export function vmMix(count: number, seed: number): Float64Array {
  const next = random(seed);
  const total = CATALOGUE.reduce((sum, entry) => sum + entry.weight, 0);
  const items = new Float64Array(count * VM_DIMS);
  for (let vm = 0; vm < count; vm += 1) {
    let pick = next() * total;
    let entry = CATALOGUE[0]!;
    for (const candidate of CATALOGUE) {
      pick -= candidate.weight;
      entry = candidate;
      if (pick < 0) break;
    }
    items.set(entry.shape, vm * VM_DIMS);
  }
  return items;
}

/** L1 lower bound on the bins: the largest per-dimension ceiling of total demand over capacity. */
export function l1LowerBound(items: Float64Array, capacity: ArrayLike<number>, dims: number): number {
  let bound = 0;
  for (let k = 0; k < dims; k += 1) {
    let total = 0;
    for (let index = k; index < items.length; index += dims) total += items[index]!;
    if (capacity[k]! > 0) bound = Math.max(bound, Math.ceil(total / capacity[k]! - 1e-9));
  }
  return bound;
}
