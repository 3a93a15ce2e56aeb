/**
 * Rebalancing benchmark (issue 13): a simulated 1,000-host / 20,000-VM fleet (3 zones, anti-affinity groups of
 * 3, a third of the VMs pinned to their zone) where 5 % of the hosts are over 90 % in vCPUs or memory, rebalanced
 * under 80 % by `planRebalance`. Checks every intermediate state by replaying the plan move by move against the
 * scheduler's filters, and compares the moves with a lower bound: each hot host must lose at least the fewest of
 * its own VMs whose removal brings it under in every resource (per resource, its largest VMs first; the host
 * needs the most over its resources), and a move relieves one host only, so the bound is the sum over hot hosts.
 * Prints a table and writes bench/results/scheduler-rebalance.json. Run: `npm run build && npm run bench -- scheduler`.
 */

import { type PlacementHost, RESOURCE_DIMENSIONS } from '@novacron/core';
import { createScheduler, planRebalance, type RebalanceVm } from '@novacron/scheduler';
import { printTable, writeResult } from '../native-metrics/bench-utils.js';

const HOSTS = 1_000;
const VMS_PER_HOST = 20;
const HOT_SHARE = 0.05;
const THRESHOLD = 0.8;
const RUNS = 5;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The fleet: each host's capacity is set so its VMs fill it to a drawn level (91-98 % in one resource when hot). */
function fleet(seed: number): { hosts: PlacementHost[]; vms: RebalanceVm[] } {
  const next = random(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const hosts: PlacementHost[] = [];
  const vms: RebalanceVm[] = [];
  for (let h = 0; h < HOSTS; h += 1) {
    const id = `host-${h}`;
    const zone = `zone-${h % 3}`;
    let vcpus = 0;
    let memoryMiB = 0;
    const groups: string[] = [];
    for (let j = 0; j < VMS_PER_HOST; j += 1) {
      const key = `vm-${h}-${j}`;
      const cpu = pick([1, 2, 2, 4, 4, 8]);
      const memory = cpu * pick([2048, 4096, 8192]);
      const antiAffinityGroup = j < 2 ? `group-${Math.floor(h / 3)}-${j}` : undefined;
      if (antiAffinityGroup !== undefined) groups.push(antiAffinityGroup);
      vcpus += cpu;
      memoryMiB += memory;
      vms.push({
        ref: { provider: 'sim', id: key },
        hostId: id,
        demand: {
          key,
          resources: { vcpus: cpu, memoryMiB: memory },
          ...(antiAffinityGroup === undefined ? {} : { antiAffinityGroup }),
          ...(next() < 1 / 3 ? { zone } : {}),
        },
      });
    }
    const hot = h % Math.round(1 / HOT_SHARE) === 0;
    const hotResource = next() < 0.5 ? 'cpu' : 'memory';
    const level = () => 0.4 + next() * 0.3;
    const cpuLevel = hot && hotResource === 'cpu' ? 0.91 + next() * 0.07 : level();
    const memoryLevel = hot && hotResource === 'memory' ? 0.91 + next() * 0.07 : level();
    const capacity = { vcpus: vcpus / cpuLevel, memoryMiB: memoryMiB / memoryLevel, diskGiB: 0, gpus: 0 };
    hosts.push({
      id,
      zone,
      capacity,
      allocatable: capacity,
      allocated: { vcpus, memoryMiB, diskGiB: 0, gpus: 0 },
      labels: {},
      state: 'up',
      overcommit: {},
      vmCount: VMS_PER_HOST,
      antiAffinityGroups: groups,
    });
  }
  return { hosts, vms };
}

/** The lower bound on moves described above. */
function lowerBound(hosts: PlacementHost[], vms: RebalanceVm[]): number {
  const byHost = new Map<string, RebalanceVm[]>();
  for (const vm of vms) byHost.set(vm.hostId, [...(byHost.get(vm.hostId) ?? []), vm]);
  let bound = 0;
  for (const host of hosts) {
    let needed = 0;
    for (const dimension of ['vcpus', 'memoryMiB'] as const) {
      let excess = host.allocated[dimension] - THRESHOLD * host.capacity[dimension];
      const sizes = (byHost.get(host.id) ?? [])
        .map((vm) => vm.demand.resources[dimension])
        .sort((a, b) => b - a);
      let count = 0;
      while (excess > 1e-9 && count < sizes.length) excess -= sizes[count++]!;
      needed = Math.max(needed, count);
    }
    bound += needed;
  }
  return bound;
}

/** Replays the moves on copies of the hosts, checking each against the scheduler's filters; returns violations. */
function replay(
  scheduler: ReturnType<typeof createScheduler>,
  hosts: PlacementHost[],
  vms: RebalanceVm[],
  moves: ReturnType<typeof planRebalance>['moves'],
): { violations: number; hotAfter: number; maxLoad: number } {
  const state = new Map(
    hosts.map((host) => [
      host.id,
      { ...host, allocated: { ...host.allocated }, antiAffinityGroups: [...host.antiAffinityGroups!] },
    ]),
  );
  const byId = new Map(vms.map((vm) => [vm.ref.id, vm]));
  let violations = 0;
  for (const move of moves) {
    const vm = byId.get(move.vm.id)!;
    const from = state.get(move.from)!;
    const to = state.get(move.to)!;
    for (const filter of scheduler.filters) {
      if (filter.kind === 'host' && filter.check(vm.demand, to) !== undefined) violations += 1;
      if (filter.kind === 'capacity') {
        const room = filter.room(to);
        if (filter.use(vm.demand).some((use, d) => use > 0 && use > room[d]!)) violations += 1;
      }
      if (filter.kind === 'anti-affinity') {
        const group = filter.group(vm.demand);
        if (group !== undefined && filter.residents(to).includes(group)) violations += 1;
      }
    }
    for (const dimension of RESOURCE_DIMENSIONS) {
      from.allocated[dimension] -= vm.demand.resources[dimension] ?? 0;
      to.allocated[dimension] += vm.demand.resources[dimension] ?? 0;
    }
    from.vmCount -= 1;
    to.vmCount += 1;
    const group = vm.demand.antiAffinityGroup;
    if (group !== undefined) {
      from.antiAffinityGroups.splice(from.antiAffinityGroups.indexOf(group), 1);
      to.antiAffinityGroups.push(group);
    }
  }
  let hotAfter = 0;
  let maxLoad = 0;
  for (const host of state.values()) {
    const load = Math.max(
      host.allocated.vcpus / host.capacity.vcpus,
      host.allocated.memoryMiB / host.capacity.memoryMiB,
    );
    maxLoad = Math.max(maxLoad, load);
    if (load > THRESHOLD + 1e-9) hotAfter += 1;
  }
  return { violations, hotAfter, maxLoad };
}

const scheduler = createScheduler();
const rows: Array<Array<string | number>> = [];
const results = [];
for (const seed of [1, 2, 3]) {
  const { hosts, vms } = fleet(seed);
  const hotBefore = hosts.filter(
    (host) =>
      Math.max(
        host.allocated.vcpus / host.capacity.vcpus,
        host.allocated.memoryMiB / host.capacity.memoryMiB,
      ) > 0.9,
  ).length;
  const bound = lowerBound(hosts, vms);
  const times: number[] = [];
  let plan = planRebalance(scheduler, { hosts, vms, threshold: THRESHOLD });
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    plan = planRebalance(scheduler, { hosts, vms, threshold: THRESHOLD });
    times.push(performance.now() - started);
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const check = replay(scheduler, hosts, vms, plan.moves);
  const ratio = plan.moves.length / bound;
  rows.push([
    seed,
    hotBefore,
    plan.moves.length,
    bound,
    ratio.toFixed(3),
    check.hotAfter,
    `${(check.maxLoad * 100).toFixed(1)} %`,
    check.violations,
    ms.toFixed(1),
    (plan.stats.copyMiB / 1024).toFixed(0),
  ]);
  results.push({
    seed,
    hosts: HOSTS,
    vms: vms.length,
    hotHostsOver90: hotBefore,
    moves: plan.moves.length,
    lowerBound: bound,
    movesOverBound: ratio,
    hostsOver80After: check.hotAfter,
    maxLoadAfter: check.maxLoad,
    filterViolations: check.violations,
    complete: plan.complete,
    medianMs: ms,
    copiedGiB: plan.stats.copyMiB / 1024,
  });
}
printTable(
  `planRebalance: ${HOSTS} hosts, ${HOSTS * VMS_PER_HOST} VMs, ${HOT_SHARE * 100} % hot, threshold ${THRESHOLD * 100} % (median of ${RUNS})`,
  [
    'seed',
    'hosts > 90 %',
    'moves',
    'lower bound',
    'moves / bound',
    'hosts > 80 % after',
    'max load after',
    'filter violations',
    'ms',
    'GiB copied',
  ],
  rows,
);
console.log(
  '\nTargets: every host under 80 %, every intermediate state feasible, moves / bound <= 1.05, <= 1,000 ms.',
);
console.log(`Wrote ${writeResult('scheduler-rebalance', { threshold: THRESHOLD, runs: RUNS, results })}`);
