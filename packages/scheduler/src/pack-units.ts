import type { PlacementObjective } from '@novacron/core';
import type { PackVectors } from '@novacron/native-metrics';
import type { BatchUnit } from './batch-units.js';
import type { CompiledFilters } from './compiled-filters.js';
import type { FleetState } from './fleet-state.js';

/** Options of {@link packUnits}. */
export interface PackOptions {
  /** `pack` or `spread`. */
  objective: PlacementObjective;
  /** The packer's effort. */
  effort: 'fast' | 'improve';
}

/**
 * One packer call for `units` on the fleet as `state` has it now, its input built from the filters: capacity
 * dimensions become item sizes and bin capacities (room less what is placed), host filters plus the hosts already
 * holding a unit's anti-affinity group (or, for a held affinity group, the hosts not holding it) become
 * eligibility rows, one per class of unit, and anti-affinity groups become item groups. Returns the host index
 * per unit, -1 when unplaced; commits nothing.
 */
export function packUnits(
  filters: CompiledFilters,
  packer: PackVectors,
  state: FleetState,
  units: readonly BatchUnit[],
  options: PackOptions,
): Int32Array {
  const hostCount = state.hosts.length;
  if (hostCount === 0 || units.length === 0) return new Int32Array(units.length).fill(-1);
  const dims = Math.max(1, filters.dimensions);
  const items = new Float64Array(units.length * dims);
  const binCapacities = new Float64Array(hostCount * dims);
  for (let k = 0; k < filters.dimensions * hostCount; k += 1)
    binCapacities[k] = Math.max(0, state.room[k]! - state.load[k]!);
  const groups = new Int32Array(units.length).fill(-1);
  const groupIndex = new Map<string, number>();
  const itemClass = new Int32Array(units.length);
  const classIndex = new Map<string, number>();
  const rows: Uint8Array[] = [];
  units.forEach((unit, position) => {
    items.set(unit.use, position * dims);
    const antiGroup = filters.antiAffinity?.group(unit.demand);
    if (antiGroup !== undefined) {
      let index = groupIndex.get(antiGroup);
      if (index === undefined) {
        index = groupIndex.size;
        groupIndex.set(antiGroup, index);
      }
      groups[position] = index;
    }
    const residentAnti = antiGroup !== undefined && state.antiAffinityHosts.has(antiGroup) ? antiGroup : '';
    const affinityGroup = filters.affinity?.group(unit.demand);
    const pinned = affinityGroup === undefined ? undefined : state.affinityHosts.get(affinityGroup);
    const memberKeys =
      unit.members.length === 1
        ? state.classKey(unit.demand)
        : [...new Set(unit.members.map((member) => state.classKey(member)))].sort().join('\u0001');
    const key = `${memberKeys}\u0002${residentAnti}\u0002${pinned === undefined ? '' : affinityGroup}`;
    let index = classIndex.get(key);
    if (index === undefined) {
      const row = new Uint8Array(hostCount).fill(1);
      for (const member of unit.members) {
        const memberRow = state.eligibility(member);
        for (let host = 0; host < hostCount; host += 1) row[host]! &= memberRow[host]!;
      }
      if (residentAnti !== '') for (const host of state.antiAffinityHosts.get(residentAnti)!) row[host] = 0;
      if (pinned !== undefined) {
        const keep = new Uint8Array(hostCount);
        for (const host of pinned) keep[host] = row[host]!;
        row.set(keep);
      }
      index = rows.length;
      rows.push(row);
      classIndex.set(key, index);
    }
    itemClass[position] = index;
  });
  const allowed = new Uint8Array(rows.length * hostCount);
  rows.forEach((row, index) => {
    allowed.set(row, index * hostCount);
  });
  return packer({
    dims,
    items,
    binCapacities,
    groups,
    eligible: { itemClass, allowed },
    objective: options.objective,
    effort: options.effort,
  }).assignment;
}
