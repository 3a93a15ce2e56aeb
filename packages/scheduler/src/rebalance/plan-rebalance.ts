import { type PlannedMove, RESOURCE_DIMENSIONS, type ResourceDimension } from '@novacron/core';
import type { Scheduler } from '../create-scheduler.js';
import { invalidArgument } from '../invalid-argument.js';
import { checkFleet } from './check-fleet.js';
import { ClusterState } from './cluster-state.js';
import { finishPlan, plannedMove } from './plan-result.js';
import { thresholdFractions } from './threshold.js';
import type { PlannedMigrations, PlanShortfall, RebalanceRequest } from './types.js';

const R = RESOURCE_DIMENSIONS.length;

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/** The hottest resource of host `h`, e.g. "host-7 is at 93 % vcpus". */
function hotPhrase(state: ClusterState, h: number): string {
  let worst = 0;
  let worstR = 0;
  for (let r = 0; r < R; r += 1) {
    const ratio = state.load[h * R + r]! / state.limit[h * R + r]!;
    if (ratio > worst) {
      worst = ratio;
      worstR = r;
    }
  }
  const fraction = state.load[h * R + worstR]! / state.capacity[h * R + worstR]!;
  return `${state.hosts[h]!.id} is at ${percent(fraction)} ${RESOURCE_DIMENSIONS[worstR]}`;
}

/** Load per checked resource of host `h`, as fractions of capacity. */
function loadOf(state: ClusterState, h: number): Partial<Record<ResourceDimension, number>> {
  const load: Partial<Record<ResourceDimension, number>> = {};
  RESOURCE_DIMENSIONS.forEach((dimension, r) => {
    if (state.limit[h * R + r] !== Number.POSITIVE_INFINITY)
      load[dimension] = state.load[h * R + r]! / state.capacity[h * R + r]!;
  });
  return load;
}

interface Candidate {
  v: number;
  benefit: number;
  clears: boolean;
}

/**
 * The VMs of hot host `h` worth moving, best first: those whose departure alone brings the host under, cheapest
 * copy first; then the others by benefit (overload removed), then by cost. A VM whose benefit per GiB copied is
 * below `minBenefitPerGiB`, or that lowers nothing, is left out.
 */
function candidates(state: ClusterState, h: number, minBenefitPerGiB: number): Candidate[] {
  const excess = state.excess(h);
  const list: Candidate[] = [];
  for (const v of state.residents[h]!) {
    if (state.pinned[v] !== undefined) continue;
    const after = state.excess(h, v);
    const benefit = excess - after;
    if (!(benefit > 1e-12) || (benefit * 100) / (state.copy[v]! / 1024) < minBenefitPerGiB) continue;
    list.push({ v, benefit, clears: after === 0 });
  }
  return list.sort((a, b) =>
    a.clears !== b.clears
      ? Number(b.clears) - Number(a.clears)
      : a.clears
        ? state.copy[a.v]! - state.copy[b.v]!
        : b.benefit - a.benefit || state.copy[a.v]! - state.copy[b.v]!,
  );
}

/** Why host `h` stays hot: why none of the three VMs whose departure would help it most can go anywhere. */
function whyStuck(state: ClusterState, h: number): string {
  const vms = [...state.residents[h]!].sort((a, b) => state.excess(h, a) - state.excess(h, b)).slice(0, 3);
  if (vms.length === 0) return `${hotPhrase(state, h)} and runs none of the VMs given`;
  const reasons = vms.map((v) => `${state.vms[v]!.demand.key}: ${state.whyNowhere(v, true)}`);
  return `${hotPhrase(state, h)} and no move of its VMs brings it down without pushing another host over or costing more than it gains (${reasons.join('; ')})`;
}

/**
 * Plans the live migrations that bring every host under `threshold` (per resource, on measured use where
 * `metrics` give it, else on allocation), DRS-like: hottest host first, it moves the VM whose departure brings the
 * host under at the least memory copied (or, when none does alone, the one removing the most overload) to the
 * least loaded host that every filter of the scheduler accepts and that stays under the threshold. Each move is checked
 * against the fleet as the moves before it leave it, so every intermediate state respects capacity and the
 * filters, and no move pushes another host over. Hosts it cannot bring under are in `shortfalls`, with why.
 *
 * @example
 * const plan = planRebalance(scheduler, { hosts, vms, metrics, threshold: 0.8 });
 * if (!plan.complete) for (const s of plan.shortfalls) console.log(s.reason);
 */
export function planRebalance(
  scheduler: Pick<Scheduler, 'filters'>,
  request: RebalanceRequest,
): PlannedMigrations {
  const startedAt = performance.now();
  checkFleet(request);
  const fractions = thresholdFractions(request.threshold, 'threshold');
  const maxMoves = request.maxMoves ?? Number.POSITIVE_INFINITY;
  if (!(maxMoves === Number.POSITIVE_INFINITY || (Number.isInteger(maxMoves) && maxMoves >= 0)))
    throw invalidArgument('maxMoves', `maxMoves is ${String(request.maxMoves)}; use an integer >= 0.`);
  const minBenefitPerGiB = request.migrationCost?.minBenefitPerGiB ?? 0;
  const state = new ClusterState(scheduler.filters, request, fractions);
  const stuck = new Map<number, string>();
  const moves: PlannedMove[] = [];
  const moved: number[] = [];
  while (moves.length < maxMoves) {
    let h = -1;
    let hottest = 1;
    for (let host = 0; host < state.hosts.length; host += 1) {
      if (stuck.has(host) || state.excess(host) === 0) continue;
      const heat = state.heat(host);
      if (h < 0 || heat > hottest) {
        h = host;
        hottest = heat;
      }
    }
    if (h < 0) break;
    let chosen = -1;
    let to = -1;
    for (const candidate of candidates(state, h, minBenefitPerGiB)) {
      to = state.destination(candidate.v, 'coolest', true);
      if (to >= 0) {
        chosen = candidate.v;
        break;
      }
    }
    if (chosen < 0) {
      stuck.set(h, whyStuck(state, h));
      continue;
    }
    moves.push(plannedMove(state, chosen, to, hotPhrase(state, h)));
    moved.push(chosen);
    state.move(chosen, to);
  }
  const shortfalls: PlanShortfall[] = [];
  for (let h = 0; h < state.hosts.length; h += 1) {
    if (state.excess(h) === 0) continue;
    shortfalls.push({
      hostId: state.hosts[h]!.id,
      load: loadOf(state, h),
      reason: stuck.get(h) ?? `${hotPhrase(state, h)}: the plan stopped at maxMoves (${maxMoves})`,
    });
  }
  return finishPlan(state, 'rebalance', moves, moved, shortfalls, startedAt);
}
