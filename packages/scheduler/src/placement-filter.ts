import type { PlacementDemand, PlacementHost, PlacementRejection } from '@novacron/core';

/**
 * A filter that looks at the host's own record only (state, zone, labels, hardware), never at what else is
 * placed: its verdict for a VM and a host does not change while a request is placed. The batch packer gets it
 * as an eligibility matrix, computed once per class of VMs ({@link HostFilter.classKey}).
 *
 * @example
 * const notOnHost7: HostFilter = {
 *   kind: 'host',
 *   name: 'not-host-7',
 *   classKey: () => '',
 *   check: (_demand, host) => (host.id === 'host-7' ? { filter: 'not-host-7' } : undefined),
 *   describe: (_rejection, hosts) => `${hosts} host is host-7`,
 * };
 */
export interface HostFilter {
  /** Discriminant. */
  readonly kind: 'host';
  /** A unique name; it is the `filter` field of every rejection. */
  readonly name: string;
  /**
   * A key such that two demands with the same key get the same verdict on every host (e.g. the zone they ask
   * for). The scheduler evaluates {@link HostFilter.check} once per key and host, so fewer keys is faster.
   */
  classKey(demand: PlacementDemand): string;
  /** `undefined` when `host` can take `demand`, else why not. */
  check(demand: PlacementDemand, host: PlacementHost): PlacementRejection | undefined;
  /** A phrase for `hosts` hosts ruled out by `rejection`, e.g. "3 hosts are in maintenance". */
  describe(rejection: PlacementRejection, hosts: number): string;
}

/**
 * A filter that counts: each host has room in some dimensions, each VM uses some of it, and a VM fits when its
 * use fits in what is left after the VMs placed before it. A use of 0 always fits. The batch packer gets these
 * dimensions as bin capacities and item sizes, so both paths compare the same numbers.
 *
 * @example
 * const licences: CapacityFilter = {
 *   kind: 'capacity',
 *   name: 'licences',
 *   dimensions: ['licences'],
 *   room: (host) => [Number(host.labels.licences ?? 0)],
 *   use: (demand) => [demand.requiredLabels?.licensed === 'yes' ? 1 : 0],
 *   rejection: () => ({ filter: 'licences' }),
 *   describe: (_rejection, hosts) => `${hosts} hosts have no licence left`,
 * };
 */
export interface CapacityFilter {
  /** Discriminant. */
  readonly kind: 'capacity';
  /** A unique name; it is the `filter` field of every rejection. */
  readonly name: string;
  /** The names of the dimensions, in the order of {@link CapacityFilter.room} and {@link CapacityFilter.use}. */
  readonly dimensions: readonly string[];
  /** What `host` has left per dimension before the request (negative values count as 0). */
  room(host: PlacementHost): readonly number[];
  /** What `demand` uses per dimension (finite, >= 0). */
  use(demand: PlacementDemand): readonly number[];
  /** Why a host lacks room in dimension `dimension` (an index into {@link CapacityFilter.dimensions}). */
  rejection(demand: PlacementDemand, dimension: number): PlacementRejection;
  /** A phrase for `hosts` hosts ruled out by `rejection`, e.g. "12 hosts lack 4 free GPUs". */
  describe(rejection: PlacementRejection, hosts: number): string;
}

/**
 * A filter over groups of VMs: `anti-affinity` keeps VMs of one group on different hosts, `affinity` keeps them
 * on one host. The scheduler tracks which hosts hold which group, starting from what the hosts already run.
 * Built in only ({@link antiAffinity}, {@link affinity}); at most one of each per scheduler, because the batch
 * packer takes one anti-affinity group per VM.
 */
export interface GroupFilter {
  /** Discriminant: the policy. */
  readonly kind: 'anti-affinity' | 'affinity';
  /** A unique name; it is the `filter` field of every rejection. */
  readonly name: string;
  /** The demand's group, if any. */
  group(demand: PlacementDemand): string | undefined;
  /** The groups of the VMs `host` already runs. */
  residents(host: PlacementHost): readonly string[];
  /** Why a host is ruled out for a VM of `group`. */
  rejection(group: string): PlacementRejection;
  /** A phrase for `hosts` hosts ruled out by `rejection`. */
  describe(rejection: PlacementRejection, hosts: number): string;
}

/** Any filter a scheduler runs. */
export type PlacementFilter = HostFilter | CapacityFilter | GroupFilter;
