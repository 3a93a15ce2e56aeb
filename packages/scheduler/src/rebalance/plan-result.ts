import type { PlannedMove } from '@novacron/core';
import type { ClusterState } from './cluster-state.js';
import type { PlannedMigrations, PlanShortfall } from './types.js';

/**
 * A move of VM `v` to host `to` as a plan records it; call it before the state applies the move.
 *
 * @example
 * moves.push(plannedMove(state, v, to, 'host-7 is at 93 % vcpus'));
 */
export function plannedMove(state: ClusterState, v: number, to: number, reason: string): PlannedMove {
  const vm = state.vms[v]!;
  return {
    vm: vm.ref,
    from: state.hosts[state.hostOf[v]!]!.id,
    to: state.hosts[to]!.id,
    mode: 'live',
    memoryMiB: vm.demand.resources.memoryMiB,
    reason,
  };
}

/**
 * The plan: the moves, whether the goal was met (no shortfall), the totals over the `moved` VMs (one index per
 * move) and the time since `startedAt`.
 *
 * @example
 * return finishPlan(state, 'drain', moves, moved, shortfalls, startedAt);
 */
export function finishPlan(
  state: ClusterState,
  purpose: string,
  moves: PlannedMove[],
  moved: readonly number[],
  shortfalls: PlanShortfall[],
  startedAt: number,
): PlannedMigrations {
  let memoryMiB = 0;
  let copyMiB = 0;
  for (const v of moved) {
    memoryMiB += state.vms[v]!.demand.resources.memoryMiB;
    copyMiB += state.copy[v]!;
  }
  return {
    format: 1,
    purpose,
    moves,
    complete: shortfalls.length === 0,
    shortfalls,
    stats: { moves: moves.length, memoryMiB, copyMiB, durationMs: performance.now() - startedAt },
  };
}
