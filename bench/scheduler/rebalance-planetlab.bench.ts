/**
 * Rebalancing on real load (issue 13): replays each PlanetLab day of ../shared/data/traces/planetlab/ (each VM's
 * CPU every 5 minutes; the data stays outside the repository) on 60 hosts at 5x and 4x CPU overcommit with an
 * 80 % threshold, one plan per 5-minute step, side by side in one run:
 *  - `planRebalance` (every hot host brought under, fewest moves, cheapest memory);
 *  - OpenStack Watcher's workload-balance rule: one move per audit, the hottest host's VM whose load is closest to
 *    the host's excess over the threshold, to the least loaded host where it fits and stays under; one audit per
 *    step, and (a second row) audits repeated within the step until no host is hot or no audit moves anything;
 *  - largest-first best-fit: every hot host sheds its busiest VMs, each to the most loaded host where it fits and
 *    stays under, until it is under.
 *
 * The model (the traces give CPU only): every VM has 1 vCPU and the memory of CloudSim's PlanetLab setup (VM type
 * by index, 870 / 1,740 / 1,740 / 613 MiB, the 4 types in equal shares); a live migration copies its memory
 * (no dirty rate in the traces). Each host has n / (60 x overcommit) physical cores, so the day's vCPUs are the
 * overcommit times the fleet's cores; a host may be given up to 1.5x its share of vCPUs (the allocation cap the
 * placement filters enforce) and has 64 GiB of memory. VMs start round-robin. A step is hot when, after its plan,
 * some host's CPU use is over 80 % of its cores.
 * Prints a table and writes bench/results/scheduler-rebalance-planetlab.json. Run: `npm run build && npm run bench -- scheduler`.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { PlacementHost } from '@novacron/core';
import { createScheduler, planRebalance, type RebalanceVm, type VmMetrics } from '@novacron/scheduler';
import { printTable, writeResult } from '../native-metrics/bench-utils.js';

const TRACES = new URL('../../../shared/data/traces/planetlab/', import.meta.url);
const HOSTS = 60;
const THRESHOLD = 0.8;
const MEMORY_TYPES_MIB = [870, 1740, 1740, 613];
const HOST_MEMORY_MIB = 65_536;
const ALLOCATION_HEADROOM = 1.5;

/** One day: CPU % per step and VM. */
function readDay(file: string): { names: string[]; steps: Float64Array[] } {
  const lines = gunzipSync(readFileSync(new URL(file, TRACES)))
    .toString('utf8')
    .trim()
    .split('\n');
  const names = lines[0]!.split(',').slice(1);
  const steps = lines.slice(1).map((line) => new Float64Array(line.split(',').slice(1).map(Number)));
  return { names, steps };
}

/** The fleet every contender replays: where each VM is, and each host's allocation, under one feasibility check. */
class Fleet {
  readonly hostOf: Int32Array;
  readonly vcpus = new Float64Array(HOSTS);
  readonly memory = new Float64Array(HOSTS);
  readonly cpu = new Float64Array(HOSTS);
  readonly cores: number;
  readonly vcpuCap: number;
  usage: Float64Array = new Float64Array(0);
  violations = 0;
  migrations = 0;
  memoryMiB = 0;

  constructor(
    readonly memoryOf: readonly number[],
    overcommit: number,
  ) {
    this.cores = memoryOf.length / (HOSTS * overcommit);
    this.vcpuCap = this.cores * overcommit * ALLOCATION_HEADROOM;
    this.hostOf = new Int32Array(memoryOf.map((_, v) => v % HOSTS));
    memoryOf.forEach((memory, v) => {
      this.vcpus[this.hostOf[v]!]! += 1;
      this.memory[this.hostOf[v]!]! += memory;
    });
  }

  /** Sets this step's use (CPU % per VM) and each host's CPU load in cores. */
  observe(percent: Float64Array): void {
    this.usage = percent.map((value) => value / 100);
    this.cpu.fill(0);
    this.usage.forEach((use, v) => {
      this.cpu[this.hostOf[v]!]! += use;
    });
  }

  limit(): number {
    return THRESHOLD * this.cores;
  }

  /** True when VM `v` fits on host `h` (allocation and memory) and leaves it under the threshold. */
  takes(v: number, h: number): boolean {
    return (
      this.hostOf[v] !== h &&
      this.vcpus[h]! + 1 <= this.vcpuCap + 1e-9 &&
      this.memory[h]! + this.memoryOf[v]! <= HOST_MEMORY_MIB &&
      this.cpu[h]! + this.usage[v]! <= this.limit() + 1e-9
    );
  }

  /** Moves VM `v` to host `h`, counting a violation when the allocation or memory does not fit. */
  move(v: number, h: number): void {
    const from = this.hostOf[v]!;
    if (this.vcpus[h]! + 1 > this.vcpuCap + 1e-9 || this.memory[h]! + this.memoryOf[v]! > HOST_MEMORY_MIB)
      this.violations += 1;
    this.vcpus[from]! -= 1;
    this.memory[from]! -= this.memoryOf[v]!;
    this.cpu[from]! -= this.usage[v]!;
    this.vcpus[h]! += 1;
    this.memory[h]! += this.memoryOf[v]!;
    this.cpu[h]! += this.usage[v]!;
    this.hostOf[v] = h;
    this.migrations += 1;
    this.memoryMiB += this.memoryOf[v]!;
  }

  hot(): boolean {
    return this.cpu.some((load) => load > this.limit() + 1e-9);
  }

  residents(h: number): number[] {
    const list: number[] = [];
    this.hostOf.forEach((host, v) => {
      if (host === h) list.push(v);
    });
    return list;
  }

  hottest(): number {
    let best = -1;
    for (let h = 0; h < HOSTS; h += 1)
      if (this.cpu[h]! > this.limit() + 1e-9 && (best < 0 || this.cpu[h]! > this.cpu[best]!)) best = h;
    return best;
  }
}

/** OpenStack Watcher's workload-balance rule: one move per audit; true when it moved a VM. */
function watcher(fleet: Fleet): boolean {
  const h = fleet.hottest();
  if (h < 0) return false;
  const excess = fleet.cpu[h]! - fleet.limit();
  const vms = fleet
    .residents(h)
    .sort((a, b) => Math.abs(fleet.usage[a]! - excess) - Math.abs(fleet.usage[b]! - excess));
  for (const v of vms) {
    let to = -1;
    for (let d = 0; d < HOSTS; d += 1)
      if (fleet.takes(v, d) && (to < 0 || fleet.cpu[d]! < fleet.cpu[to]!)) to = d;
    if (to >= 0) {
      fleet.move(v, to);
      return true;
    }
  }
  return false;
}

/** Watcher's rule audited again and again within the step, until no host is hot or no audit moves anything. */
function watcherUntilCool(fleet: Fleet): void {
  while (watcher(fleet));
}

/** Largest-first best-fit: every hot host sheds its busiest VMs to the fullest host that stays under. */
function largestFirstBestFit(fleet: Fleet): void {
  const stuck = new Set<number>();
  for (let h = fleet.hottest(); h >= 0 && !stuck.has(h); h = fleet.hottest()) {
    let moved = false;
    for (const v of fleet.residents(h).sort((a, b) => fleet.usage[b]! - fleet.usage[a]!)) {
      if (fleet.usage[v] === 0) break;
      let to = -1;
      for (let d = 0; d < HOSTS; d += 1)
        if (fleet.takes(v, d) && (to < 0 || fleet.cpu[d]! > fleet.cpu[to]!)) to = d;
      if (to >= 0) {
        fleet.move(v, to);
        moved = true;
        break;
      }
    }
    if (!moved) stuck.add(h);
  }
}

const scheduler = createScheduler();

/** `planRebalance` on the fleet as placement sees it; returns the planning time in ms. */
function novacron(fleet: Fleet, vms: RebalanceVm[]): number {
  const hosts: PlacementHost[] = [];
  for (let h = 0; h < HOSTS; h += 1) {
    const capacity = { vcpus: fleet.cores, memoryMiB: HOST_MEMORY_MIB, diskGiB: 0, gpus: 0 };
    hosts.push({
      id: `host-${h}`,
      capacity,
      allocatable: { ...capacity, vcpus: fleet.vcpuCap },
      allocated: { vcpus: fleet.vcpus[h]!, memoryMiB: fleet.memory[h]!, diskGiB: 0, gpus: 0 },
      labels: {},
      state: 'up',
      overcommit: {},
      vmCount: fleet.vcpus[h]!,
    });
  }
  const metrics: Record<string, VmMetrics> = {};
  vms.forEach((vm, v) => {
    vm.hostId = `host-${fleet.hostOf[v]!}`;
    metrics[vm.demand.key] = { usage: { vcpus: fleet.usage[v]! } };
  });
  const started = performance.now();
  const plan = planRebalance(scheduler, { hosts, vms, metrics, threshold: { vcpus: THRESHOLD } });
  const ms = performance.now() - started;
  for (const move of plan.moves) fleet.move(Number(move.vm.id), Number(move.to.slice('host-'.length)));
  return ms;
}

const CONTENDERS = [
  'planRebalance',
  'Watcher workload-balance',
  'Watcher, audits until cool',
  'largest-first best-fit',
] as const;

if (!existsSync(TRACES)) {
  console.log(`No PlanetLab traces at ${TRACES.pathname}; nothing to replay.`);
  process.exit(0);
}
const rows: Array<Array<string | number>> = [];
const results = [];
for (const file of readdirSync(TRACES)
  .filter((name) => name.endsWith('.csv.gz'))
  .sort()) {
  const day = file.slice(0, 8);
  const { names, steps } = readDay(file);
  const typeSize = Math.ceil(names.length / MEMORY_TYPES_MIB.length);
  const memoryOf = names.map((_, v) => MEMORY_TYPES_MIB[Math.floor(v / typeSize)]!);
  for (const overcommit of [5, 4]) {
    for (const contender of CONTENDERS) {
      const fleet = new Fleet(memoryOf, overcommit);
      const vms: RebalanceVm[] = memoryOf.map((memoryMiB, v) => ({
        ref: { provider: 'planetlab', id: String(v) },
        hostId: '',
        demand: { key: String(v), resources: { vcpus: 1, memoryMiB } },
      }));
      let hotSteps = 0;
      let hotBefore = 0;
      const times: number[] = [];
      for (const step of steps) {
        fleet.observe(step);
        if (fleet.hot()) hotBefore += 1;
        if (contender === 'planRebalance') times.push(novacron(fleet, vms));
        else {
          const started = performance.now();
          if (contender === 'Watcher workload-balance') watcher(fleet);
          else if (contender === 'Watcher, audits until cool') watcherUntilCool(fleet);
          else largestFirstBestFit(fleet);
          times.push(performance.now() - started);
        }
        if (fleet.hot()) hotSteps += 1;
      }
      const sorted = [...times].sort((a, b) => a - b);
      const meanMs = times.reduce((sum, value) => sum + value, 0) / times.length;
      const p99Ms = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!;
      const gib = fleet.memoryMiB / 1024;
      rows.push([
        day,
        names.length,
        `${overcommit}x`,
        contender,
        hotBefore,
        hotSteps,
        fleet.migrations,
        gib.toFixed(0),
        meanMs.toFixed(2),
        p99Ms.toFixed(2),
        fleet.violations,
      ]);
      results.push({
        day,
        vms: names.length,
        overcommit,
        contender,
        stepsHotBeforePlanning: hotBefore,
        stepsLeftHot: hotSteps,
        migrations: fleet.migrations,
        copiedGiB: gib,
        meanMsPerPlan: meanMs,
        p99MsPerPlan: p99Ms,
        capacityViolations: fleet.violations,
      });
    }
  }
}
printTable(
  `PlanetLab replay: ${HOSTS} hosts, threshold ${THRESHOLD * 100} %, one plan per 5-minute step (288 a day)`,
  [
    'day',
    'VMs',
    'overcommit',
    'contender',
    'steps hot before',
    'steps left hot',
    'migrations',
    'GiB copied',
    'ms/plan mean',
    'ms/plan p99',
    'violations',
  ],
  rows,
);
console.log(
  '\nTargets (planRebalance, 5x): 0 steps left hot, <= 900 migrations, <= 1,150 GB copied, <= 50 ms per plan.',
);
console.log(
  `Wrote ${writeResult('scheduler-rebalance-planetlab', { hosts: HOSTS, threshold: THRESHOLD, results })}`,
);
