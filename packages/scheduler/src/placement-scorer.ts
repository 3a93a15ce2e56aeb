import type { PlacementDemand, PlacementHost } from '@novacron/core';

/**
 * The fleet as scorers see it during a placement. Resource arrays hold one row of four numbers per host, in
 * core's `RESOURCE_DIMENSIONS` order (vcpus, memoryMiB, diskGiB, gpus): `allocated[host * 4 + 1]` is the memory
 * host `host` has given out so far, VMs placed earlier in this request included.
 */
export interface FleetView {
  /** The hosts, by index. */
  readonly hosts: readonly PlacementHost[];
  /** What each host has given out, `hosts.length * 4`. */
  readonly allocated: Float64Array;
  /** What each host may give out (its `allocatable`), `hosts.length * 4`. */
  readonly allocatable: Float64Array;
  /** VMs per host. */
  readonly vmCount: Int32Array;
}

/** What a scorer is asked to score: one VM against the hosts that passed every filter. */
export interface ScoreContext {
  /** The VM. */
  readonly demand: PlacementDemand;
  /** Its resources as four numbers in `RESOURCE_DIMENSIONS` order. */
  readonly resources: Float64Array;
  /** The fleet. */
  readonly fleet: FleetView;
  /** Host indexes of the candidates, the first `count` entries. */
  readonly candidates: Int32Array;
  /** How many candidates there are. */
  readonly count: number;
}

/**
 * Ranks the hosts that passed the filters. It writes a score from 0 (worst) to 100 (best) for each candidate:
 * `out[i]` for host `context.candidates[i]`. The scheduler adds the scores times their weights and takes the
 * highest total (ties: the lowest host index). One call scores every candidate, so a scorer's loop runs over
 * typed arrays instead of the scheduler calling it once per host; {@link perHostScorer} wraps a per-host
 * function when that speed does not matter.
 *
 * @example
 * const fewestVms: PlacementScorer = {
 *   name: 'fewest-vms',
 *   weight: 1,
 *   score(context, out) {
 *     for (let i = 0; i < context.count; i += 1)
 *       out[i] = 100 / (1 + context.fleet.vmCount[context.candidates[i]!]!);
 *   },
 * };
 */
export interface PlacementScorer {
  /** A unique name. */
  readonly name: string;
  /** Multiplies the scores; > 0. */
  readonly weight: number;
  /** Writes one score in [0, 100] per candidate into `out`. */
  score(context: ScoreContext, out: Float64Array): void;
}
