import type { PlacementDemand, PlacementObjective, UnplacedDemand } from '@novacron/core';
import type { PackVectors } from '@novacron/native-metrics';
import { type CompiledFilters, demandUse } from './compiled-filters.js';
import { type FleetState, unplacedMembers } from './fleet-state.js';
import { invalidArgument } from './invalid-argument.js';
import type { PlacementUnit } from './placement-unit.js';

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

interface BatchUnit extends PlacementUnit {
  /** Request index of each member. */
  readonly indexes: number[];
  /** An anti-affinity group two members share, which makes the unit impossible. */
  readonly conflict: string | undefined;
}

function sumResources(members: readonly PlacementDemand[]): PlacementDemand['resources'] {
  const total = { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 };
  for (const { resources } of members) {
    total.vcpus += resources.vcpus;
    total.memoryMiB += resources.memoryMiB;
    total.diskGiB += resources.diskGiB ?? 0;
    total.gpus += resources.gpus ?? 0;
  }
  return total;
}

/** Singletons, and one unit per affinity group (its VMs must share a host), in order of first member. */
function buildUnits(filters: CompiledFilters, demands: readonly PlacementDemand[]): BatchUnit[] {
  const units: Array<{ members: PlacementDemand[]; indexes: number[]; group: string | undefined }> = [];
  const byGroup = new Map<string, (typeof units)[number]>();
  demands.forEach((demand, index) => {
    const group = filters.affinity?.group(demand);
    const existing = group === undefined ? undefined : byGroup.get(group);
    if (existing !== undefined) {
      existing.members.push(demand);
      existing.indexes.push(index);
      return;
    }
    const unit = { members: [demand], indexes: [index], group };
    units.push(unit);
    if (group !== undefined) byGroup.set(group, unit);
  });
  return units.map(({ members, indexes, group }) => {
    if (members.length === 1 || group === undefined) {
      return {
        members,
        indexes,
        demand: members[0]!,
        use: demandUse(filters, members[0]!),
        conflict: undefined,
      };
    }
    const use = new Float64Array(filters.dimensions);
    for (const member of members) {
      const memberUse = demandUse(filters, member);
      for (let k = 0; k < use.length; k += 1) use[k]! += memberUse[k]!;
    }
    const antiGroups = members.map((member) => filters.antiAffinity?.group(member));
    const distinct = [...new Set(antiGroups.filter((entry) => entry !== undefined))];
    if (distinct.length > 1) {
      const index = indexes[antiGroups.indexOf(distinct[1])]!;
      throw invalidArgument(
        `demands[${index}].antiAffinityGroup`,
        `demands[${index}].antiAffinityGroup ('${demands[index]!.key}'): affinity group '${group}' mixes anti-affinity groups ${distinct.map((entry) => `'${entry}'`).join(' and ')}; a batch takes one anti-affinity group per affinity group. Use one, or place with strategy 'sequential'.`,
      );
    }
    const antiGroup = distinct[0];
    const conflict =
      antiGroup !== undefined && antiGroups.filter((entry) => entry === antiGroup).length > 1
        ? antiGroup
        : undefined;
    const demand: PlacementDemand = {
      key: group,
      resources: sumResources(members),
      affinityGroup: group,
      ...(antiGroup === undefined ? {} : { antiAffinityGroup: antiGroup }),
    };
    return { members, indexes, demand, use, conflict };
  });
}

/**
 * Places a whole request with the vector bin packer. The packer's input is built from the same filters as the
 * filter/score loop: capacity filters become dimensions (room as bin capacity, use as item size), host filters
 * and the groups the hosts already run become eligibility classes, anti-affinity groups become item groups, and
 * an affinity group becomes one item (the sum of its VMs). The outcome is committed to `state`, and every
 * unplaced VM is explained against the fleet as the batch leaves it.
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
  const hostCount = state.hosts.length;
  const packable = units.filter((unit) => unit.conflict === undefined);
  if (hostCount > 0 && packable.length > 0) {
    const dims = Math.max(1, filters.dimensions);
    const items = new Float64Array(packable.length * dims);
    const binCapacities = new Float64Array(hostCount * dims);
    if (filters.dimensions > 0) binCapacities.set(state.room);
    const groups = new Int32Array(packable.length).fill(-1);
    const groupIndex = new Map<string, number>();
    const itemClass = new Int32Array(packable.length);
    const classIndex = new Map<string, number>();
    const rows: Uint8Array[] = [];
    packable.forEach((unit, position) => {
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
    const { assignment } = packer({
      dims,
      items,
      binCapacities,
      groups,
      eligible: { itemClass, allowed },
      objective: options.objective,
      effort: options.effort,
    });
    packable.forEach((unit, position) => {
      const host = assignment[position]!;
      if (host < 0) return;
      state.commit(unit, host);
      for (const index of unit.indexes) hostOf[index] = host;
    });
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
              hosts: hostCount,
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
