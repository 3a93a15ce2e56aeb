import type { PlannedMove } from '@novacron/core';
import type { Scheduler } from '../create-scheduler.js';
import { invalidArgument } from '../invalid-argument.js';
import { checkFleet } from './check-fleet.js';
import { ClusterState } from './cluster-state.js';
import { finishPlan, plannedMove } from './plan-result.js';
import { thresholdFractions } from './threshold.js';
import type { DrainRequest, PlannedMigrations, PlanShortfall } from './types.js';

/**
 * Plans moving every VM off host `hostId` (for maintenance, say), largest memory first, each to the least loaded
 * host that every filter of the scheduler accepts (and that stays under `threshold` when given), checked against
 * the fleet as the moves before it leave it. The host itself takes nothing back. VMs that cannot move are in
 * `shortfalls`, each with why; the host also counts VMs it runs beyond `vms` (unknown to the plan) as a shortfall.
 *
 * @example
 * const plan = planDrain(scheduler, { hosts, vms, hostId: 'host-7' });
 * if (plan.complete) await nc.migrations.execute(plan);
 */
export function planDrain(scheduler: Pick<Scheduler, 'filters'>, request: DrainRequest): PlannedMigrations {
  const startedAt = performance.now();
  checkFleet(request);
  const fractions = thresholdFractions(request.threshold ?? 1, 'threshold');
  const underLimit = request.threshold !== undefined;
  const state = new ClusterState(scheduler.filters, request, fractions);
  const source = state.indexOf(request.hostId);
  if (source < 0)
    throw invalidArgument(
      'hostId',
      `hostId '${String(request.hostId)}' is not in hosts; give the host to drain.`,
    );
  const elsewhere = (h: number) => h !== source;
  const moves: PlannedMove[] = [];
  const moved: number[] = [];
  const shortfalls: PlanShortfall[] = [];
  const vms = [...state.residents[source]!].sort(
    (a, b) => state.vms[b]!.demand.resources.memoryMiB - state.vms[a]!.demand.resources.memoryMiB,
  );
  for (const v of vms) {
    const to = state.pinned[v] === undefined ? state.destination(v, 'coolest', underLimit, elsewhere) : -1;
    if (to < 0) {
      shortfalls.push({
        hostId: request.hostId,
        vmKey: state.vms[v]!.demand.key,
        reason: `${state.vms[v]!.demand.key} cannot leave ${request.hostId}: ${state.whyNowhere(v, underLimit, elsewhere)}`,
      });
      continue;
    }
    moves.push(plannedMove(state, v, to, `drain ${request.hostId}`));
    moved.push(v);
    state.move(v, to);
  }
  const unknown = state.hosts[source]!.vmCount - state.residents[source]!.length;
  if (unknown > 0)
    shortfalls.push({
      hostId: request.hostId,
      reason: `${request.hostId} runs ${unknown} VM${unknown === 1 ? '' : 's'} not in vms, which the plan cannot move; list every VM of the host`,
    });
  return finishPlan(state, 'drain', moves, moved, shortfalls, startedAt);
}
