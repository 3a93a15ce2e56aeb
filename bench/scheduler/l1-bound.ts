import { type PlacementDemand, type PlacementHost, RESOURCE_DIMENSIONS } from '@novacron/core';

/** The L1 bound of `demands` on identical hosts: the largest per-resource ceiling of total demand over capacity. */
function l1(demands: readonly PlacementDemand[], host: PlacementHost): number {
  let bound = 0;
  for (const dimension of RESOURCE_DIMENSIONS) {
    const capacity = host.allocatable[dimension];
    if (capacity <= 0) continue;
    const total = demands.reduce((sum, demand) => sum + (demand.resources[dimension] ?? 0), 0);
    bound = Math.max(bound, Math.ceil(total / capacity - 1e-9));
  }
  return bound;
}

/**
 * A lower bound on the hosts any placement of `demands` on empty identical `hosts` uses: the largest of (1) the
 * L1 bound of all VMs, (2) the sum over zones of the L1 bound of the VMs that must go to that zone (zones share
 * no host), (3) the largest anti-affinity group (its VMs need a host each).
 */
export function lowerBoundOnHosts(
  demands: readonly PlacementDemand[],
  hosts: readonly PlacementHost[],
): number {
  const host = hosts[0]!;
  const byZone = new Map<string, PlacementDemand[]>();
  const groups = new Map<string, number>();
  for (const demand of demands) {
    if (demand.zone !== undefined) byZone.set(demand.zone, [...(byZone.get(demand.zone) ?? []), demand]);
    if (demand.antiAffinityGroup !== undefined)
      groups.set(demand.antiAffinityGroup, (groups.get(demand.antiAffinityGroup) ?? 0) + 1);
  }
  const zoned = [...byZone.values()].reduce((sum, list) => sum + l1(list, host), 0);
  return Math.max(l1(demands, host), zoned, ...groups.values());
}
