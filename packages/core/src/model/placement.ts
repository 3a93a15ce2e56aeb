import type { Host } from './host.js';
import type { FullResources, Resources } from './resources.js';
import type { CreateVmSpec, VmRef } from './vm.js';

/** One VM to place. */
export interface PlacementDemand {
  /** The caller's key for this VM (its name, say); unique within a request. */
  key: string;
  /** What the VM needs. */
  resources: Resources;
  /** VMs with the same anti-affinity group never share a host (nor a host that already runs one of them). */
  antiAffinityGroup?: string;
  /** VMs with the same affinity group all go to one host (the one that already runs the group, if any). */
  affinityGroup?: string;
  /** Labels a host must have. */
  requiredLabels?: Record<string, string>;
  /** A zone the host must be in. */
  zone?: string;
  /** Labels a host should have (scored, not required). */
  preferredLabels?: Record<string, string>;
  /**
   * The VM to create when the plan is applied (`nc.placement.plan` sets it; `key` is then its name). Placement
   * ignores it; `nc.placement.apply` creates it on the assigned host.
   */
  vm?: CreateVmSpec;
}

/**
 * A host as placement sees it: a core {@link Host} plus the groups of the VMs it already runs, which the
 * anti-affinity and affinity filters need and a host listing does not carry.
 */
export interface PlacementHost extends Host {
  /** Anti-affinity groups of the VMs already on the host. Default none. */
  antiAffinityGroups?: string[];
  /** Affinity groups of the VMs already on the host. Default none. */
  affinityGroups?: string[];
  /** An opaque version of the host's record (a resource version, an etag), kept in a plan's snapshot. */
  version?: string;
}

/** A VM already placed, as the rebalance, drain and consolidation planners take it. */
export interface PlacementFleetVm {
  /** The VM, as `nc.migrations.execute` addresses it. */
  ref: VmRef;
  /** The host it runs on now. */
  hostId: string;
  /** What it was given and its placement groups; `demand.key` is unique in its fleet. */
  demand: PlacementDemand;
}

/** One provider's hosts and the VMs on them, as `nc.placement.fleet` reads them. */
export interface PlacementFleet {
  /** The provider. */
  provider: string;
  /** Every host, with the placement groups of the VMs on it. */
  hosts: PlacementHost[];
  /** Every VM that runs on one of the hosts. */
  vms: PlacementFleetVm[];
}

/** What a batch placement is asked to optimise. */
export type PlacementObjective = 'pack' | 'spread';

/**
 * How a request is placed: `sequential` runs the filter/score loop VM by VM, `batch` hands the whole request to
 * the vector bin packer, `auto` (the default) is `sequential` for one VM and `batch` for more.
 */
export type PlacementStrategy = 'auto' | 'sequential' | 'batch';

/** A batch of VMs to place on a set of hosts. */
export interface PlacementRequest {
  /** The fleet as it is now. */
  hosts: PlacementHost[];
  /** The VMs, in order (the order of a sequential placement and of the plan's assignments). */
  demands: PlacementDemand[];
  /** Batch objective: `pack` = fewest hosts (default), `spread` = balanced load. Sequential decisions follow the scorers. */
  objective?: PlacementObjective;
  /** Default `auto`. */
  strategy?: PlacementStrategy;
  /** Batch packer effort: `fast` (default) or `improve` (fewer hosts, slower). */
  effort?: 'fast' | 'improve';
}

/**
 * Why a filter ruled a host out, as data: the filter's name plus details that are the same for every host it
 * rules out for the same cause, e.g. `{ filter: 'resource-fit', resource: 'gpus', requested: 4 }`.
 */
export interface PlacementRejection {
  /** The filter's name. */
  readonly filter: string;
  /** Filter-specific details. */
  readonly [detail: string]: string | number | boolean;
}

/** One cause that kept a VM off some hosts, with how many hosts it ruled out. */
export interface PlacementReason {
  /** The cause. */
  rejection: PlacementRejection;
  /** Hosts it ruled out (each host counts once, for the first filter that rejected it). */
  hosts: number;
  /** The cause as a phrase, e.g. "12 hosts lack 4 free GPUs". */
  text: string;
}

/** A VM that could not be placed, with the reasons per filter. */
export interface UnplacedDemand {
  /** The demand's key. */
  key: string;
  /** Causes, most hosts first. */
  reasons: PlacementReason[];
  /** One sentence, e.g. "web-3: 12 hosts lack 4 free GPUs, 3 hosts are in maintenance, anti-affinity group db excludes 2 hosts". */
  explanation: string;
}

/** One VM and the host the plan puts it on. */
export interface PlacementAssignment {
  /** The VM's demand, whole, so that the assignment can be checked again later without the request. */
  demand: PlacementDemand;
  /** The host's id. */
  hostId: string;
}

/**
 * A host as the plan saw it. A later apply compares the fleet with this and re-checks (or refuses) the
 * assignments of every host whose record changed.
 */
export interface PlacementHostSnapshot {
  /** The host's id. */
  id: string;
  /** The host's {@link PlacementHost.version}, when it had one. */
  version?: string;
  /** The host's state. */
  state: Host['state'];
  /** What the host's VMs had been given. */
  allocated: FullResources;
  /** How many VMs it ran. */
  vmCount: number;
}

/** The answer to a {@link PlacementRequest}: plain data (JSON round-trips it). */
export interface PlacementPlan {
  /** The plan format's version. */
  format: 1;
  /** The provider whose hosts the plan assigns to, when the client made it (`nc.placement.plan`). */
  provider?: string;
  /** How it was placed. */
  strategy: 'sequential' | 'batch';
  /** The batch objective. */
  objective: PlacementObjective;
  /** Assignments in request order. */
  assignments: PlacementAssignment[];
  /** Demands no host could take, in request order. */
  unplaced: UnplacedDemand[];
  /** Every host the plan assigns to, as it was when the plan was made. */
  snapshot: PlacementHostSnapshot[];
  /** `hostsUsed`: hosts given at least one VM; `hostsOpened`: of those, hosts that ran no VM before. */
  stats: { hostsUsed: number; hostsOpened: number; durationMs: number };
}
