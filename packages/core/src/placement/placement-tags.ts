/**
 * The tags that carry a VM's placement groups, so that a later plan sees the groups of the VMs already on each
 * host: `nc.placement.apply` writes them, `nc.placement.plan` reads them. Give them on your own creates (or in
 * `createMany({ placement: 'auto' })` requests) to put VMs into groups.
 *
 * @example
 * await nc.vms.createMany(
 *   [{ provider: 'sim', name: 'db-1', size: 'sim.large', tags: { [PLACEMENT_TAGS.antiAffinityGroup]: 'db' } }],
 *   { placement: 'auto' },
 * );
 */
export const PLACEMENT_TAGS = Object.freeze({
  /** VMs with the same value never share a host. */
  antiAffinityGroup: 'novacron-anti-affinity-group',
  /** VMs with the same value share one host. */
  affinityGroup: 'novacron-affinity-group',
  /** The plan a VM was created by (its id), so that applying the plan again finds it instead of making another. */
  plan: 'novacron-placement-plan',
});
