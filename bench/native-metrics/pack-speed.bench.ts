/**
 * packVectors speed: 10,000 VMs onto 5,000 hosts, 4 dimensions (vCPU, GiB, disk GiB, GPU),
 * anti-affinity groups and zone eligibility; native vs TypeScript fallback on the same input.
 * Run: `npx tsx bench/native-metrics/pack-speed.bench.ts` (after building the native backend).
 */
import { js, native as loadNative, type PackInput } from '../../packages/native-metrics/src/index.js';
import { random } from '../../packages/native-metrics/test/test-data.js';
import { measure, printTable, writeResult } from './bench-utils.js';
import { VM_DIMS, vmMix } from './vm-mix.js';

/** The Rust backend, or undefined when its binary did not load (the table then shows the TypeScript one only). */
const native = loadNative();

const VMS = 10_000;
const HOSTS = 5_000;
const ZONES = 3;

function fleet(): PackInput {
  const next = random(2024);
  const binCapacities = new Float64Array(HOSTS * VM_DIMS);
  for (let host = 0; host < HOSTS; host += 1) {
    const pick = next();
    const shape = pick < 0.7 ? [64, 256, 2000, 0] : pick < 0.9 ? [96, 384, 4000, 0] : [64, 512, 2000, 4];
    binCapacities.set(shape, host * VM_DIMS);
  }
  const items = vmMix(VMS, 99);
  const groups = new Int32Array(VMS).fill(-1);
  let group = 0;
  for (let vm = 0; vm + 5 < VMS && group < 1_500; vm += 6) {
    const members = 2 + Math.floor(next() * 4);
    for (let member = 0; member < members; member += 1) groups[vm + member] = group;
    group += 1;
  }
  const itemClass = Int32Array.from({ length: VMS }, () => (next() < 0.3 ? Math.floor(next() * ZONES) : -1));
  const allowed = new Uint8Array(ZONES * HOSTS);
  for (let host = 0; host < HOSTS; host += 1) allowed[(host % ZONES) * HOSTS + host] = 1;
  return { dims: VM_DIMS, items, binCapacities, groups, eligible: { itemClass, allowed } };
}

if (native === undefined)
  throw new Error('Build the native backend first: npm run build -w packages/native-metrics');
const input = fleet();
const nativeResult = native.packVectors(input);
const jsResult = js.packVectors(input);
const identical = nativeResult.assignment.every((bin, index) => bin === jsResult.assignment[index]);
const nativeFast = measure(
  5,
  () => input,
  (request) => native!.packVectors(request),
);
const jsFast = measure(
  1,
  () => input,
  (request) => js.packVectors(request),
);
const nativeImprove = measure(
  1,
  () => ({ ...input, effort: 'improve' as const }),
  (request) => native!.packVectors(request),
);
const improved = native.packVectors({ ...input, effort: 'improve' });
const unplaced = Array.from(nativeResult.assignment).filter((bin) => bin < 0).length;

printTable(
  `packVectors: ${VMS} VMs onto ${HOSTS} hosts, 4-D, ${1_500} anti-affinity groups, ${ZONES} zones`,
  ['backend / effort', 'CPU time', 'wall clock', 'hosts used', 'unplaced', 'native is (CPU)'],
  [
    [
      'native, fast',
      `${nativeFast.cpuMs.toFixed(0)} ms`,
      `${nativeFast.ms.toFixed(0)} ms`,
      nativeResult.binsUsed,
      unplaced,
      '1.0x',
    ],
    [
      'TypeScript, fast',
      `${jsFast.cpuMs.toFixed(0)} ms`,
      `${jsFast.ms.toFixed(0)} ms`,
      jsResult.binsUsed,
      Array.from(jsResult.assignment).filter((bin) => bin < 0).length,
      `${(jsFast.cpuMs / nativeFast.cpuMs).toFixed(1)}x`,
    ],
    [
      'native, improve',
      `${nativeImprove.cpuMs.toFixed(0)} ms`,
      `${nativeImprove.ms.toFixed(0)} ms`,
      improved.binsUsed,
      '-',
      '-',
    ],
  ],
);
const targets = {
  nativeAtMost250Ms: { cpu: nativeFast.cpuMs <= 250, wall: nativeFast.ms <= 250 },
  nativeAtLeast10xTypeScript: {
    cpu: jsFast.cpuMs >= 10 * nativeFast.cpuMs,
    wall: jsFast.ms >= 10 * nativeFast.ms,
  },
  identicalAssignments: identical,
};
console.log('\nTargets of issue 3:', JSON.stringify(targets));
console.log(
  `wrote ${writeResult('native-metrics-pack-speed', { date: new Date().toISOString(), vms: VMS, hosts: HOSTS, nativeFast, jsFast, nativeImprove, binsUsed: nativeResult.binsUsed, improvedBinsUsed: improved.binsUsed, unplaced, targets })}`,
);
