import type {
  FullResources,
  MigrationPlan,
  PlacementFleetVm,
  PlacementHost,
  ResourceDimension,
} from '@novacron/core';

/** A VM the planners may move: core's {@link PlacementFleetVm}, as `nc.placement.fleet` reads them. */
export type RebalanceVm = PlacementFleetVm;

/** What a VM actually uses, measured (e.g. from `nc.metrics`), keyed in requests by the VM's `demand.key`. */
export interface VmMetrics {
  /** Measured use per resource (vCPUs busy, MiB resident...); a resource left out counts at its allocation. */
  usage?: Partial<FullResources>;
  /** Pages dirtied while it runs, in MiB/s: a live migration re-sends them, so it raises the move's cost. */
  dirtyRateMiBps?: number;
}

/** The fraction of capacity a host may use: one number for every resource, or per resource (others unchecked). */
export type Threshold = number | Partial<Record<ResourceDimension, number>>;

/** How a planner prices a live migration. */
export interface MigrationCostModel {
  /** Migration bandwidth in MiB/s (pre-copy sends memory plus pages dirtied meanwhile). Default 1,250 (10 GbE). */
  bandwidthMiBps?: number;
  /**
   * The least benefit a move must bring per GiB it copies: percentage points of load above the threshold it
   * removes (summed over hosts and resources). Default 0: any move that lowers the overload is worth its cost.
   */
  minBenefitPerGiB?: number;
}

/** The fleet a planner starts from: hosts, the VMs on them, and optionally what the VMs really use. */
export interface FleetSnapshot {
  /** Every host, as placement sees it (`allocated` and `vmCount` include the VMs in `vms`). */
  hosts: PlacementHost[];
  /** The VMs the planner may move. */
  vms: RebalanceVm[];
  /** Measured use and dirty rate per VM `demand.key`. Without it, a VM's load is its allocation. */
  metrics?: Record<string, VmMetrics>;
  /** Migration pricing. */
  migrationCost?: MigrationCostModel;
}

/** Input of {@link planRebalance}. */
export interface RebalanceRequest extends FleetSnapshot {
  /** Every host should end at or under this fraction of its capacity (e.g. 0.8), per resource. */
  threshold: Threshold;
  /** The most moves the plan may hold. Default: no limit. */
  maxMoves?: number;
}

/** Input of {@link planDrain}. */
export interface DrainRequest extends FleetSnapshot {
  /** The host to empty. */
  hostId: string;
  /** When given, no destination may end above it. Default: capacity (the filters) only. */
  threshold?: Threshold;
}

/** Input of {@link planConsolidation}. */
export interface ConsolidateRequest extends FleetSnapshot {
  /** Keep at least this many hosts running VMs. */
  minHosts: number;
  /** No destination may end above it. Default 1 (full, on measured load; capacity is checked by the filters). */
  threshold?: Threshold;
}

/** A host the plan leaves above the threshold, or a VM it cannot move, with why. */
export interface PlanShortfall {
  /** The host. */
  hostId: string;
  /** The VM, for a drain's or consolidation's VM that cannot move. */
  vmKey?: string;
  /** Load per checked resource after the plan, as a fraction of capacity (rebalance only). */
  load?: Partial<Record<ResourceDimension, number>>;
  /** Why, as one sentence. */
  reason: string;
}

/** What a plan costs and how long it took to compute. */
export interface PlanStats {
  /** Moves in the plan. */
  moves: number;
  /** Memory of the moved VMs, MiB. */
  memoryMiB: number;
  /** Memory a live migration is expected to copy (dirty pages re-sent included), MiB. */
  copyMiB: number;
  /** Planning time, ms. */
  durationMs: number;
}

/**
 * A {@link MigrationPlan} with what the planner could not do: `complete` is false when some host stays hot (a
 * rebalance) or some VM cannot move (a drain), and `shortfalls` says which and why.
 */
export interface PlannedMigrations extends MigrationPlan {
  /** True when the plan reaches its goal. */
  complete: boolean;
  /** Hosts left hot, or VMs that cannot move, each with a reason. Empty when `complete`. */
  shortfalls: PlanShortfall[];
  /** Hosts the plan empties so they can be powered off (consolidation), in order. */
  emptiedHosts?: string[];
  /** Totals. */
  stats: PlanStats;
}
