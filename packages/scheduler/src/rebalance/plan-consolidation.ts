import { type PlannedMove, RESOURCE_DIMENSIONS } from '@novacron/core';
import type { Scheduler } from '../create-scheduler.js';
import { invalidArgument } from '../invalid-argument.js';
import { checkFleet } from './check-fleet.js';
import { ClusterState } from './cluster-state.js';
import { finishPlan, plannedMove } from './plan-result.js';
import { thresholdFractions } from './threshold.js';
import type { ConsolidateRequest, PlannedMigrations, PlanShortfall } from './types.js';

const R = RESOURCE_DIMENSIONS.length;

/** Host `h`'s load summed over resources as fractions of capacity (the order hosts are tried in). */
function weight(state: ClusterState, h: number): number {
  let total = 0;
  for (let r = 0; r < R; r += 1)
    if (state.capacity[h * R + r]! > 0) total += state.load[h * R + r]! / state.capacity[h * R + r]!;
  return total;
}

/**
 * Plans emptying hosts so they can be powered off, keeping at least `minHosts` hosts that run VMs: least loaded
 * host first, all of its VMs or none, each to the most loaded running host that every filter of the scheduler
 * accepts and that stays under `threshold` (default 1: full on measured load). A host whose VMs cannot all move
 * keeps them (its moves are undone) and is in `shortfalls`, with why; `emptiedHosts` lists the hosts emptied, in
 * order, and `complete` is true when the fleet reaches `minHosts` running hosts (the shortfalls say why it does not).
 *
 * @example
 * const plan = planConsolidation(scheduler, { hosts, vms, metrics, minHosts: 40, threshold: 0.8 });
 * console.log(`power off ${plan.emptiedHosts.join(', ')}`);
 */
export function planConsolidation(
  scheduler: Pick<Scheduler, 'filters'>,
  request: ConsolidateRequest,
): PlannedMigrations & { emptiedHosts: string[] } {
  const startedAt = performance.now();
  checkFleet(request);
  const minHosts = request.minHosts;
  if (!(Number.isInteger(minHosts) && minHosts >= 0))
    throw invalidArgument(
      'minHosts',
      `minHosts is ${String(minHosts)}; use the fewest hosts to keep, an integer >= 0.`,
    );
  const state = new ClusterState(
    scheduler.filters,
    request,
    thresholdFractions(request.threshold ?? 1, 'threshold'),
  );
  const running = new Set(state.hosts.flatMap((host, h) => (host.vmCount > 0 ? [h] : [])));
  const moves: PlannedMove[] = [];
  const moved: number[] = [];
  const shortfalls: PlanShortfall[] = [];
  const emptiedHosts: string[] = [];
  const order = [...running].sort(
    (a, b) => state.hosts[a]!.vmCount - state.hosts[b]!.vmCount || weight(state, a) - weight(state, b),
  );
  for (const source of order) {
    if (running.size <= minHosts) break;
    const id = state.hosts[source]!.id;
    if (state.hosts[source]!.vmCount > state.residents[source]!.length) {
      shortfalls.push({ hostId: id, reason: `${id} runs VMs not in vms, which the plan cannot move` });
      continue;
    }
    const allowed = (h: number) => h !== source && running.has(h);
    const trial: Array<{ v: number; to: number; move: PlannedMove }> = [];
    let failure: PlanShortfall | undefined;
    const vms = [...state.residents[source]!].sort(
      (a, b) => state.vms[b]!.demand.resources.memoryMiB - state.vms[a]!.demand.resources.memoryMiB,
    );
    for (const v of vms) {
      const to = state.pinned[v] === undefined ? state.destination(v, 'fullest', true, allowed) : -1;
      if (to < 0) {
        const key = state.vms[v]!.demand.key;
        failure = {
          hostId: id,
          vmKey: key,
          reason: `${id} stays on: ${key} fits nowhere else (${state.whyNowhere(v, true, allowed)})`,
        };
        break;
      }
      trial.push({ v, to, move: plannedMove(state, v, to, `consolidate: empty ${id}`) });
      state.move(v, to);
    }
    if (failure !== undefined) {
      for (const step of trial.reverse()) state.move(step.v, source);
      shortfalls.push(failure);
      continue;
    }
    for (const step of trial) {
      moves.push(step.move);
      moved.push(step.v);
    }
    running.delete(source);
    emptiedHosts.push(id);
  }
  const plan = finishPlan(
    state,
    'consolidate',
    moves,
    moved,
    running.size <= minHosts ? [] : shortfalls,
    startedAt,
  );
  return { ...plan, emptiedHosts };
}
