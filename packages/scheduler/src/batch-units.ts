import type { PlacementDemand } from '@novacron/core';
import { type CompiledFilters, demandUse } from './compiled-filters.js';
import { invalidArgument } from './invalid-argument.js';
import type { PlacementUnit } from './placement-unit.js';

/** A unit of a batch, with the request indexes of its VMs. */
export interface BatchUnit extends PlacementUnit {
  /**
   * `single`: one VM; `affinity`: an affinity group's VMs; `bundle`: VMs of complementary shapes packed as one item
   * (see `bundleUnits`; its `demand` is its VM in an anti-affinity group, else its first; its VMs are
   * retried alone when it finds no host).
   */
  readonly kind: 'single' | 'affinity' | 'bundle';
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

/**
 * Splits a request into units: singletons, and one unit per affinity group (its VMs must share a host), in order
 * of first member. A `NovaCronError` for an affinity group whose VMs carry two anti-affinity groups.
 *
 * @example
 * buildUnits(filters, demands).length; // demands.length, less the affinity groups' extra VMs
 */
export function buildUnits(filters: CompiledFilters, demands: readonly PlacementDemand[]): BatchUnit[] {
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
        kind: 'single',
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
    return { kind: 'affinity', members, indexes, demand, use, conflict };
  });
}
