import {
  type PlacementDemand,
  type PlacementHost,
  RESOURCE_DIMENSIONS,
  type UnplacedDemand,
} from '@novacron/core';
import { type CompiledFilters, demandUse } from './compiled-filters.js';
import { FleetState, unplacedMembers } from './fleet-state.js';
import type { FleetView, PlacementScorer } from './placement-scorer.js';
import { checkDemand } from './validate-request.js';

/** The outcome of one decision: the host, or why there is none. */
export type PlacementDecision =
  | { placed: true; key: string; hostId: string }
  | { placed: false; key: string; unplaced: UnplacedDemand };

/**
 * Online placement against one fleet: each {@link PlacementSession.place} runs the filters and the scorers for
 * one VM and, when a host takes it, records it, so the next decision sees it. Static filter verdicts are cached
 * per class of VM, so repeated decisions cost one pass over typed arrays plus the scorers.
 *
 * @example
 * const session = scheduler.session(hosts);
 * const decision = session.place({ key: 'web-1', resources: { vcpus: 2, memoryMiB: 4096 } });
 * if (decision.placed) console.log(decision.hostId); else console.log(decision.unplaced.explanation);
 */
export class PlacementSession {
  readonly #filters: CompiledFilters;
  readonly #scorers: readonly PlacementScorer[];
  readonly #state: FleetState;
  readonly #candidates: Int32Array;
  readonly #scores: Float64Array;
  readonly #totals: Float64Array;
  readonly #hostsToScore: number;

  /** Use `scheduler.session(hosts)`; the hosts must have been checked. */
  constructor(
    filters: CompiledFilters,
    scorers: readonly PlacementScorer[],
    hosts: readonly PlacementHost[],
    hostsToScore: number,
  ) {
    this.#filters = filters;
    this.#scorers = scorers;
    this.#hostsToScore = hostsToScore;
    this.#state = new FleetState(filters, hosts);
    this.#candidates = new Int32Array(hosts.length);
    this.#scores = new Float64Array(hosts.length);
    this.#totals = new Float64Array(hosts.length);
  }

  /** The fleet with every VM placed so far. */
  get fleet(): FleetView {
    return this.#state;
  }

  /** Places one VM (a `NovaCronError` naming the field for a malformed demand). */
  place(demand: PlacementDemand): PlacementDecision {
    checkDemand(demand, 'demand');
    return this.#decide(demand);
  }

  #decide(demand: PlacementDemand): PlacementDecision {
    const state = this.#state;
    const use = demandUse(this.#filters, demand);
    const count = state.candidates(demand, use, this.#candidates, this.#hostsToScore);
    const unit = { members: [demand], demand, use };
    if (count === 0)
      return { placed: false, key: demand.key, unplaced: unplacedMembers(unit, state.explain(unit))[0]! };
    const host = this.#best(demand, count);
    state.commit(unit, host);
    return { placed: true, key: demand.key, hostId: state.hosts[host]!.id };
  }

  #best(demand: PlacementDemand, count: number): number {
    const candidates = this.#candidates;
    if (this.#scorers.length === 0) return candidates[0]!;
    const totals = this.#totals;
    const scores = this.#scores;
    totals.fill(0, 0, count);
    const resources = new Float64Array(
      RESOURCE_DIMENSIONS.map((dimension) => demand.resources[dimension] ?? 0),
    );
    const context = { demand, resources, fleet: this.#state, candidates, count };
    for (const scorer of this.#scorers) {
      scorer.score(context, scores);
      const weight = scorer.weight;
      for (let position = 0; position < count; position += 1) totals[position]! += weight * scores[position]!;
    }
    let best = 0;
    for (let position = 1; position < count; position += 1)
      if (totals[position]! > totals[best]!) best = position;
    return candidates[best]!;
  }
}
