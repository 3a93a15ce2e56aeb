/**
 * Placement quality of packVectors (native, effort 'fast' and 'improve') against the known optima
 * of the vector bin packing sets in /work/shared/data/vbp, with first-fit-decreasing per instance,
 * and on a VM-shaped 4-D mix against the L1 lower bound.
 * Run: `npx tsx bench/native-metrics/pack-quality.bench.ts`; every instance with a known optimum by
 * default, QUALITY_STRIDE=n keeps every n-th one for a quicker look.
 */
import { js, type MetricsBackend, native } from '../../packages/native-metrics/src/index.js';
import { printTable, writeResult } from './bench-utils.js';
import { firstFitDecreasing } from './first-fit-decreasing.js';
import { publishedSet, syntheticTriplets, type VbpInstance } from './vbp-instances.js';
import { HOST_CAPACITY, l1LowerBound, VM_DIMS, vmMix } from './vm-mix.js';

const STRIDE = Number(process.env.QUALITY_STRIDE ?? 1);
const backend: MetricsBackend = native() ?? js;

interface SetSpec {
  name: string;
  target: number | undefined;
  instances: () => VbpInstance[];
}

const byDims = (dims: number) => (instance: VbpInstance) => instance.dims === dims;

const SETS: SetSpec[] = [
  {
    name: 'Panigrahy',
    target: 2.5,
    instances: () => publishedSet('panigrahy', 'Panigrahy_summary_known.csv', STRIDE),
  },
  { name: 'New', target: 7, instances: () => publishedSet('new', 'New_summary_known.csv', STRIDE) },
  ...[3, 5, 10].map((dims) => ({
    name: `Triplet d=${dims}`,
    target: dims === 3 ? 11 : undefined,
    instances: () => publishedSet('triplet', 'Triplet_summary_known.csv', STRIDE).filter(byDims(dims)),
  })),
  { name: '2-D synthetic triplets C', target: 11, instances: () => syntheticTriplets('C') },
  { name: '2-D synthetic triplets F', target: 15, instances: () => syntheticTriplets('F') },
];

function repeatCapacity(capacity: ArrayLike<number>, bins: number): Float64Array {
  const capacities = new Float64Array(bins * capacity.length);
  for (let bin = 0; bin < bins; bin += 1) capacities.set(Array.from(capacity), bin * capacity.length);
  return capacities;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);
const percent = (value: number) => `${value.toFixed(2)} %`;

const summary: Array<Record<string, number | string | boolean | null>> = [];
const started = performance.now();
for (const set of SETS) {
  const instances = set.instances();
  const gaps = {
    fast: [] as number[],
    improve: [] as number[],
    ffd: [] as number[],
    published: [] as number[],
  };
  let worseThanFfd = 0;
  let improveMs = 0;
  for (const instance of instances) {
    const input = {
      dims: instance.dims,
      items: instance.items,
      binCapacities: repeatCapacity(instance.capacity, instance.count),
    };
    const fast = backend.packVectors(input);
    const start = performance.now();
    const improved = backend.packVectors({ ...input, effort: 'improve' });
    improveMs += performance.now() - start;
    if (improved.assignment.some((bin) => bin < 0)) throw new Error(`${instance.name}: items left unplaced`);
    const ffd = firstFitDecreasing(instance.items, instance.capacity, instance.dims);
    if (improved.binsUsed > ffd) worseThanFfd += 1;
    gaps.fast.push(((fast.binsUsed - instance.optimum) / instance.optimum) * 100);
    gaps.improve.push(((improved.binsUsed - instance.optimum) / instance.optimum) * 100);
    gaps.ffd.push(((ffd - instance.optimum) / instance.optimum) * 100);
    if (instance.publishedBest !== undefined) {
      gaps.published.push(((instance.publishedBest - instance.optimum) / instance.optimum) * 100);
    }
  }
  summary.push({
    set: set.name,
    instances: instances.length,
    clampedInstances: instances.filter((instance) => instance.clamped).length,
    improveGap: mean(gaps.improve),
    fastGap: mean(gaps.fast),
    ffdGap: mean(gaps.ffd),
    publishedBestGap: gaps.published.length === instances.length ? mean(gaps.published) : null,
    target: set.target ?? null,
    met: set.target === undefined ? null : mean(gaps.improve) <= set.target,
    worseThanFfd,
    improveMsPerInstance: improveMs / Math.max(instances.length, 1),
  });
}

// VM-shaped 4-D mix against the L1 lower bound, on hosts where vCPU and memory are both nearly
// binding (4 GiB per vCPU, the hard case for the L1 bound) and on memory-rich hosts (8 GiB per vCPU).
for (const [label, capacity] of [
  ['64 vCPU / 256 GiB hosts', HOST_CAPACITY],
  ['64 vCPU / 512 GiB hosts', [64, 512, 2000, 4]],
] as const) {
  for (const vms of [1_000, 5_000]) {
    const items = vmMix(vms, 17 + vms);
    const bound = l1LowerBound(items, capacity, VM_DIMS);
    const input = { dims: VM_DIMS, items, binCapacities: repeatCapacity(capacity, Math.ceil(bound * 1.5)) };
    const fast = backend.packVectors(input);
    const start = performance.now();
    const improved = backend.packVectors({ ...input, effort: 'improve' });
    const improveMs = performance.now() - start;
    const ffd = firstFitDecreasing(items, Float64Array.from(capacity), VM_DIMS);
    summary.push({
      set: `VM mix 4-D, ${vms} VMs, ${label} (L1 bound ${bound})`,
      instances: 1,
      improveGap: ((improved.binsUsed - bound) / bound) * 100,
      fastGap: ((fast.binsUsed - bound) / bound) * 100,
      ffdGap: ((ffd - bound) / bound) * 100,
      target: 5,
      met: ((improved.binsUsed - bound) / bound) * 100 <= 5,
      worseThanFfd: improved.binsUsed > ffd ? 1 : 0,
      improveMsPerInstance: improveMs,
    });
  }
}

printTable(
  `packVectors quality (${backend.name} backend), mean gap above the optimum (VM mix: above the L1 lower bound)`,
  [
    'set',
    'instances (clamped)',
    "effort 'improve'",
    "effort 'fast'",
    'FFD',
    'published best',
    'target',
    'met',
    'worse than FFD',
    'improve ms/inst.',
  ],
  summary.map((row) => [
    String(row.set),
    row.clampedInstances ? `${row.instances} (${row.clampedInstances})` : String(row.instances),
    percent(row.improveGap as number),
    percent(row.fastGap as number),
    percent(row.ffdGap as number),
    typeof row.publishedBestGap === 'number' ? percent(row.publishedBestGap) : '-',
    row.target === null ? '-' : `<= ${row.target} %`,
    row.met === null ? '-' : row.met ? 'yes' : 'no',
    String(row.worseThanFfd),
    (row.improveMsPerInstance as number).toFixed(1),
  ]),
);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `wrote ${writeResult('native-metrics-pack-quality', { date: new Date().toISOString(), backend: backend.name, stride: STRIDE, summary })}`,
);
