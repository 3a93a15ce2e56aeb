import type { Resources } from './resources.js';

/** One VM to place. */
export interface PlacementDemand {
  /** The caller's key for this VM (its name, say). */
  key: string;
  /** What the VM needs. */
  resources: Resources;
  /** VMs with the same group never share a host. */
  antiAffinityGroup?: string;
  /** Labels a host must have. */
  requiredLabels?: Record<string, string>;
  /** A zone the host must be in. */
  zone?: string;
  /** Labels a host should have (scored, not required). */
  preferredLabels?: Record<string, string>;
}

/** What a placement is asked to optimise. */
export type PlacementObjective = 'pack' | 'spread';

/** A batch of VMs to place on a set of hosts. */
export interface PlacementRequest {
  /** The VMs. */
  demands: PlacementDemand[];
  /** `pack` = fewest hosts (default), `spread` = balanced load. */
  objective?: PlacementObjective;
}

/** A VM that could not be placed, with the reason from each filter that ruled hosts out. */
export interface UnplacedDemand {
  /** The demand's key. */
  key: string;
  /** One sentence per filter, e.g. "no host with 4 GPUs in zone b". */
  reasons: string[];
}

/** The answer to a {@link PlacementRequest}. */
export interface PlacementPlan {
  /** Demand key to host id. */
  assignments: Record<string, string>;
  /** Demands no host could take. */
  unplaced: UnplacedDemand[];
  /** Hosts used and time taken. */
  stats: { hostsUsed: number; durationMs: number };
}
