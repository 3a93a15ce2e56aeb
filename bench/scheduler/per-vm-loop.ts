import type { PlacementDemand, PlacementHost } from '@novacron/core';

/** A host as the straightforward loop keeps it. */
interface LoopHost {
  host: PlacementHost;
  free: number[];
  limit: number[];
  groups: Set<string>;
}

type Filter = (demand: PlacementDemand, need: number[], host: LoopHost) => string | undefined;
type Scorer = (need: number[], host: LoopHost) => number;

/** The filters, one function per constraint, each run for every host (as kube-scheduler's Filter plugins). */
const FILTERS: Filter[] = [
  (_demand, _need, { host }) => (host.state === 'up' ? undefined : `host ${host.state}`),
  (demand, _need, { host }) => (demand.zone === undefined || demand.zone === host.zone ? undefined : 'zone'),
  (_demand, need, { host }) => (need[3]! <= host.capacity.gpus ? undefined : 'gpu count'),
  (_demand, need, { free }) => (need.every((value, k) => value <= free[k]!) ? undefined : 'resources'),
  (demand, _need, { groups }) =>
    demand.antiAffinityGroup === undefined || !groups.has(demand.antiAffinityGroup)
      ? undefined
      : 'anti-affinity',
];

/** Share of each offered resource the host would have given out after taking the VM. */
function shares(need: number[], { free, limit }: LoopHost): number[] {
  const result: number[] = [];
  limit.forEach((cap, k) => {
    if (cap > 0) result.push((cap - free[k]! + need[k]!) / cap);
  });
  return result;
}

/** MostAllocated and BalancedAllocation, as kube-scheduler's NodeResourcesFit (pack) and balanced scorers. */
const SCORERS: Scorer[] = [
  (need, host) => {
    const list = shares(need, host);
    return (100 * list.reduce((sum, share) => sum + share, 0)) / list.length;
  },
  (need, host) => {
    const list = shares(need, host);
    const mean = list.reduce((sum, share) => sum + share, 0) / list.length;
    const variance = list.reduce((sum, share) => sum + (share - mean) ** 2, 0) / list.length;
    return 100 * (1 - Math.sqrt(variance));
  },
];

/** The outcome of {@link perVmLoop}. */
export interface LoopOutcome {
  /** Host id per VM key. */
  assignments: Map<string, string>;
  /** Per unplaced VM key, how many hosts each filter ruled out. */
  unplaced: Map<string, Map<string, number>>;
}

/**
 * The straightforward placement loop, the way kube-scheduler places pods: for each VM, run every filter on every
 * host, score every host left with every scorer, take the best, record it. No sampling of hosts (kube-scheduler
 * scores 10 % at 5,000 nodes by default), no caching.
 */
export function perVmLoop(hosts: readonly PlacementHost[], demands: readonly PlacementDemand[]): LoopOutcome {
  const state: LoopHost[] = hosts.map((host) => {
    const limit = [
      host.allocatable.vcpus,
      host.allocatable.memoryMiB,
      host.allocatable.diskGiB,
      host.allocatable.gpus,
    ];
    const used = [
      host.allocated.vcpus,
      host.allocated.memoryMiB,
      host.allocated.diskGiB,
      host.allocated.gpus,
    ];
    return {
      host,
      limit,
      free: limit.map((value, k) => value - used[k]!),
      groups: new Set(host.antiAffinityGroups),
    };
  });
  const outcome: LoopOutcome = { assignments: new Map(), unplaced: new Map() };
  for (const demand of demands) {
    const need = [
      demand.resources.vcpus,
      demand.resources.memoryMiB,
      demand.resources.diskGiB ?? 0,
      demand.resources.gpus ?? 0,
    ];
    const reasons = new Map<string, number>();
    let best: LoopHost | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const host of state) {
      let rejected: string | undefined;
      for (const filter of FILTERS) {
        rejected = filter(demand, need, host);
        if (rejected !== undefined) break;
      }
      if (rejected !== undefined) {
        reasons.set(rejected, (reasons.get(rejected) ?? 0) + 1);
        continue;
      }
      const score = SCORERS.reduce((sum, scorer) => sum + scorer(need, host), 0);
      if (score > bestScore) {
        bestScore = score;
        best = host;
      }
    }
    if (best === undefined) {
      outcome.unplaced.set(demand.key, reasons);
      continue;
    }
    need.forEach((value, k) => {
      best.free[k]! -= value;
    });
    if (demand.antiAffinityGroup !== undefined) best.groups.add(demand.antiAffinityGroup);
    outcome.assignments.set(demand.key, best.host.id);
  }
  return outcome;
}
