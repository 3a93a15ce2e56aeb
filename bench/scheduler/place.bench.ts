/**
 * Placement benchmark, side by side in one run:
 *  1. 10,000 VMs onto 5,000 hosts (4 resources, 3 zones, anti-affinity groups of 3) through `scheduler.place`
 *     (batch: packVectors, `fast` and `improve` effort, on the loaded backend and on the TypeScript fallback),
 *     through `scheduler.place` with strategy 'sequential' (the filter/score loop over typed arrays), and through a
 *     straightforward per-VM filter-and-score loop (the way kube-scheduler works); hosts used against a lower
 *     bound (see l1-bound.ts);
 *  2. online decisions: one VM against 5,000 hosts, p50/p99, through a session, through `place` per call, and
 *     through the straightforward loop.
 * Prints tables and writes bench/results/scheduler-place.json. Run: `npm run build && npm run bench -- scheduler`.
 */

import type { PlacementDemand, PlacementHost, PlacementPlan } from '@novacron/core';
import { backend, js, nativeUnavailableReason } from '@novacron/native-metrics';
import { createScheduler, pack, type Scheduler } from '@novacron/scheduler';
import { printTable, writeResult } from '../native-metrics/bench-utils.js';
import { benchDemands, benchHosts } from './bench-fleet.js';
import { lowerBoundOnHosts } from './l1-bound.js';
import { perVmLoop } from './per-vm-loop.js';

const HOSTS = 5_000;
const VMS = 10_000;
const RUNS = 5;
const ONLINE_DECISIONS = 5_000;
const ONLINE_WARMUP = 1_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

/** Median wall and CPU (user + system of this process) milliseconds of `runs` calls, and the last result. */
function timeRuns<T>(runs: number, run: () => T): { ms: number; cpuMs: number; result: T } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let result: T | undefined;
  for (let index = 0; index < runs; index += 1) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    result = run();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu), result: result! };
}

const hosts = benchHosts(HOSTS);
const demands = benchDemands(VMS, 7);
const bound = lowerBoundOnHosts(demands, hosts);
const scheduler = createScheduler();
const jsScheduler = createScheduler({ packer: js.packVectors });

console.log(
  `packVectors backend: ${backend()}${backend() === 'js' ? ` (${nativeUnavailableReason()})` : ''}`,
);

interface Row {
  contender: string;
  ms: number;
  cpuMs: number;
  runs: number;
  hostsUsed: number;
  unplaced: number;
}
const rows: Row[] = [];
const batch = (name: string, chosen: Scheduler, effort: 'fast' | 'improve', runs: number) => {
  chosen.place({ hosts, demands, effort });
  const { ms, cpuMs, result } = timeRuns(runs, () => chosen.place({ hosts, demands, effort }));
  const plan: PlacementPlan = result;
  if (!chosen.verify(plan, hosts).ok) throw new Error(`${name}: the plan does not pass its own filters.`);
  rows.push({
    contender: name,
    ms,
    cpuMs,
    runs,
    hostsUsed: plan.stats.hostsUsed,
    unplaced: plan.unplaced.length,
  });
};
batch(`scheduler.place, batch, fast (${backend()} packer)`, scheduler, 'fast', RUNS);
batch(`scheduler.place, batch, improve (${backend()} packer)`, scheduler, 'improve', 3);
batch('scheduler.place, batch, fast (js packer)', jsScheduler, 'fast', 3);
{
  const { ms, cpuMs, result } = timeRuns(1, () =>
    scheduler.place({ hosts, demands, strategy: 'sequential' }),
  );
  rows.push({
    contender: 'scheduler.place, sequential (filter/score loop)',
    ms,
    cpuMs,
    runs: 1,
    hostsUsed: result.stats.hostsUsed,
    unplaced: result.unplaced.length,
  });
}
const loop = timeRuns(1, () => perVmLoop(hosts, demands));
rows.push({
  contender: 'straightforward per-VM filter-and-score loop',
  ms: loop.ms,
  cpuMs: loop.cpuMs,
  runs: 1,
  hostsUsed: new Set(loop.result.assignments.values()).size,
  unplaced: loop.result.unplaced.size,
});

const baseline = rows.at(-1)!.ms;
const baselineCpu = rows.at(-1)!.cpuMs;
printTable(
  `${VMS.toLocaleString('en')} VMs onto ${HOSTS.toLocaleString('en')} hosts (lower bound ${bound} hosts)`,
  [
    'contender',
    'wall ms (median)',
    'CPU ms',
    'runs',
    'x faster than the loop',
    'hosts used',
    'above bound',
    'unplaced',
  ],
  rows.map((row) => [
    row.contender,
    row.ms.toFixed(1),
    row.cpuMs.toFixed(1),
    row.runs,
    (baseline / row.ms).toFixed(1),
    row.hostsUsed,
    `${((100 * (row.hostsUsed - bound)) / bound).toFixed(2)} %`,
    row.unplaced,
  ]),
);

/** p50 and p99 wall time of single decisions, and mean CPU time, in microseconds, each a fresh VM of the mix. */
function online(name: string, decide: (demand: PlacementDemand) => void, count: number) {
  const stream = benchDemands(ONLINE_WARMUP + count, 11);
  for (const demand of stream.slice(0, ONLINE_WARMUP)) decide(demand);
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (const demand of stream.slice(ONLINE_WARMUP)) {
    const started = process.hrtime.bigint();
    decide(demand);
    times.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    contender: name,
    decisions: count,
    p50Us: quantile(times, 0.5),
    p99Us: quantile(times, 0.99),
    cpuMeanUs: (cpu.user + cpu.system) / count,
  };
}

/** Online decisions through a session, and the hosts in use once they are all placed (the packing they give). */
function sessionRow(name: string, chosen: Scheduler) {
  const session = chosen.session(benchHosts(HOSTS));
  const row = online(
    name,
    (demand) => {
      session.place(demand);
    },
    ONLINE_DECISIONS,
  );
  return { ...row, hostsUsed: session.fleet.vmCount.filter((count) => count > 0).length };
}
const perCallHosts: PlacementHost[] = benchHosts(HOSTS);
const onlineRows = [
  sessionRow('session.place(vm), default scorers (pack, balanced, labels)', scheduler),
  sessionRow(
    'session.place(vm), default scorers, hostsToScore: 500 (10 %)',
    createScheduler({ hostsToScore: 500 }),
  ),
  sessionRow('session.place(vm), scorers: [pack()]', createScheduler({ scorers: [pack()] })),
  sessionRow('session.place(vm), no scorers (first fit)', createScheduler({ scorers: [] })),
  {
    ...online(
      'scheduler.place({ hosts, demands: [vm] })',
      (demand) => scheduler.place({ hosts: perCallHosts, demands: [demand] }),
      500,
    ),
    hostsUsed: undefined,
  },
  {
    ...online('straightforward loop, one VM', (demand) => perVmLoop(perCallHosts, [demand]), 500),
    hostsUsed: undefined,
  },
];
printTable(
  `Online: one VM against ${HOSTS.toLocaleString('en')} hosts`,
  [
    'contender',
    'decisions',
    'p50 us',
    'p99 us',
    'CPU us (mean)',
    `hosts used by ${ONLINE_WARMUP + ONLINE_DECISIONS} VMs`,
  ],
  onlineRows.map((row) => [
    row.contender,
    row.decisions,
    row.p50Us.toFixed(1),
    row.p99Us.toFixed(1),
    row.cpuMeanUs.toFixed(1),
    row.hostsUsed ?? '-',
  ]),
);

const path = writeResult('scheduler-place', {
  date: new Date().toISOString(),
  loadAverage: (await import('node:os')).loadavg(),
  backend: backend(),
  hosts: HOSTS,
  vms: VMS,
  lowerBound: bound,
  batch: rows.map((row) => ({
    ...row,
    speedupOverLoop: baseline / row.ms,
    cpuSpeedupOverLoop: baselineCpu / row.cpuMs,
    aboveBound: (row.hostsUsed - bound) / bound,
  })),
  online: onlineRows,
  targets: { endToEndMs: 250, speedupOverLoop: 10, aboveBound: 0.05, onlineP99Us: 100 },
});
console.log(`\nWrote ${path}`);
