import type { PlacementDemand } from '@novacron/core';

/**
 * What is placed as one: a single VM, or (in a batch) every VM of an affinity group, which must share a host.
 * `use` is the sum of the members' capacity use; `demand` is the single VM, or for a group a demand that stands
 * for all of it (its key is the group's name and its resources the sum) in rejections.
 */
export interface PlacementUnit {
  /** The VMs, in request order. */
  readonly members: readonly PlacementDemand[];
  /** The VM, or the group as one demand. */
  readonly demand: PlacementDemand;
  /** Capacity use in every capacity dimension (see `CompiledFilters`). */
  readonly use: Float64Array;
}
