import type { GroupFilter } from '../placement-filter.js';

/**
 * Anti-affinity (filter `anti-affinity`): VMs with the same `antiAffinityGroup` never share a host, and never go
 * to a host whose `antiAffinityGroups` already has their group. Rejections read
 * `{ filter: 'anti-affinity', group: 'db' }`: "anti-affinity group db excludes 2 hosts".
 *
 * @example
 * antiAffinity();
 */
export function antiAffinity(): GroupFilter {
  return {
    kind: 'anti-affinity',
    name: 'anti-affinity',
    group: (demand) => demand.antiAffinityGroup,
    residents: (host) => host.antiAffinityGroups ?? [],
    rejection: (group) => ({ filter: 'anti-affinity', group }),
    describe: (rejection, hosts) =>
      `anti-affinity group ${String(rejection.group)} excludes ${hosts === 1 ? '1 host' : `${hosts} hosts`}`,
  };
}
