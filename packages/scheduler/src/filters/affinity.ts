import type { GroupFilter } from '../placement-filter.js';

/**
 * Affinity (filter `affinity`): VMs with the same `affinityGroup` go to one host: the host that already runs the
 * group (a host whose `affinityGroups` has it), else the host the group's first VM gets. A batch places the
 * group as one item (the sum of its VMs), so either all of it is placed or none. Rejections read
 * `{ filter: 'affinity', group: 'web' }`: "affinity group web is held to another host, which excludes 11 hosts".
 *
 * @example
 * affinity();
 */
export function affinity(): GroupFilter {
  return {
    kind: 'affinity',
    name: 'affinity',
    group: (demand) => demand.affinityGroup,
    residents: (host) => host.affinityGroups ?? [],
    rejection: (group) => ({ filter: 'affinity', group }),
    describe: (rejection, hosts) =>
      `affinity group ${String(rejection.group)} is held to another host, which excludes ${hosts === 1 ? '1 host' : `${hosts} hosts`}`,
  };
}
