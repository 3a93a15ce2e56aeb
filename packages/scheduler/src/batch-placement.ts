import type { PlacementDemand, PlacementObjective, UnplacedDemand } from '@novacron/core';
import type { PackVectors } from '@novacron/native-metrics';
import { type BatchUnit, buildUnits } from './batch-units.js';
import { bundleUnits } from './bundle-units.js';
import type { CompiledFilters } from './compiled-filters.js';
import { type FleetState, unplacedMembers } from './fleet-state.js';
import { packUnits } from './pack-units.js';

/** What a batch placement decided: the host index per demand (-1 = unplaced) and the unplaced, explained. */
export interface BatchOutcome {
  /** Host index per demand, in request order; -1 when unplaced. */
  hostOf: Int32Array;
  /** The unplaced demands, in request order. */
  unplaced: UnplacedDemand[];
}

/** Options of {@link placeBatch}. */
export interface BatchOptions {
  /** `pack` or `spread`. */
  objective: PlacementObjective;
  /** The packer's effort. */
  effort: 'fast' | 'improve';
}

/**
 * Places a whole request with the vector bin packer, whose input is built from the same filters as the
 * filter/score loop (see `packUnits`). With the `pack` objective, VMs of complementary shapes are first bundled
 * (see `bundleUnits`) and the VMs of any bundle that found no host are packed again, alone, on what is left. The
 * outcome is committed to `state`, and every unplaced VM is explained against the fleet as the batch leaves it.
 */
export function placeBatch(
  filters: CompiledFilters,
  packer: PackVectors,
  state: FleetState,
  demands: readonly PlacementDemand[],
  options: BatchOptions,
): BatchOutcome {
  const hostOf = new Int32Array(demands.length).fill(-1);
  const units = buildUnits(filters, demands);
  const packable = units.filter((unit) => unit.conflict === undefined);
  const commit = (batch: readonly BatchUnit[], assignment: Int32Array): BatchUnit[] => {
    const left: BatchUnit[] = [];
    batch.forEach((unit, position) => {
      const host = assignment[position]!;
      if (host < 0) {
        left.push(unit);
        return;
      }
      state.commit(unit, host);
      for (const index of unit.indexes) hostOf[index] = host;
    });
    return left;
  };
  const first = options.objective === 'pack' ? bundleUnits(filters, state, packable) : packable;
  const left = commit(first, packUnits(filters, packer, state, first, options));
  const retry = left.filter((unit) => unit.kind === 'bundle');
  if (retry.length > 0) {
    const singles = new Set(retry.flatMap((bundle) => bundle.indexes));
    const alone = packable.filter((unit) => singles.has(unit.indexes[0]!));
    commit(alone, packUnits(filters, packer, state, alone, options));
  }
  const unplaced: Array<{ index: number; entry: UnplacedDemand }> = [];
  for (const unit of units) {
    if (hostOf[unit.indexes[0]!] !== -1) continue;
    const reasons =
      unit.conflict === undefined
        ? state.explain(unit)
        : [
            {
              rejection: { filter: 'affinity', group: unit.demand.key, antiAffinityGroup: unit.conflict },
              hosts: state.hosts.length,
              text: `affinity group ${unit.demand.key} puts VMs of anti-affinity group ${unit.conflict} on one host`,
            },
          ];
    unplacedMembers(unit, reasons).forEach((entry, position) => {
      unplaced.push({ index: unit.indexes[position]!, entry });
    });
  }
  unplaced.sort((a, b) => a.index - b.index);
  return { hostOf, unplaced: unplaced.map(({ entry }) => entry) };
}
