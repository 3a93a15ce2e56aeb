import type { Host } from '../model/host.js';
import type { PlacementHost } from '../model/placement.js';
import type { Vm } from '../model/vm.js';
import { PLACEMENT_TAGS } from './placement-tags.js';

/**
 * The hosts of one provider as placement sees them: each {@link Host} with the anti-affinity and affinity groups of
 * the VMs on it (read from their {@link PLACEMENT_TAGS}).
 *
 * @example
 * const fleet = placementHosts(await nc.hosts.list({ provider: 'sim' }).toArray(), vms);
 */
export function placementHosts(hosts: readonly Host[], vms: readonly Vm[]): PlacementHost[] {
  const groups = new Map<string, { antiAffinity: Set<string>; affinity: Set<string> }>();
  for (const vm of vms) {
    const hostId = vm.location.hostId;
    if (hostId === undefined) continue;
    let entry = groups.get(hostId);
    if (entry === undefined) {
      entry = { antiAffinity: new Set(), affinity: new Set() };
      groups.set(hostId, entry);
    }
    const antiAffinity = vm.tags[PLACEMENT_TAGS.antiAffinityGroup];
    const affinity = vm.tags[PLACEMENT_TAGS.affinityGroup];
    if (antiAffinity !== undefined) entry.antiAffinity.add(antiAffinity);
    if (affinity !== undefined) entry.affinity.add(affinity);
  }
  return hosts.map((host) => {
    const entry = groups.get(host.id);
    return {
      ...host,
      ...(entry !== undefined && entry.antiAffinity.size > 0
        ? { antiAffinityGroups: [...entry.antiAffinity].sort() }
        : {}),
      ...(entry !== undefined && entry.affinity.size > 0
        ? { affinityGroups: [...entry.affinity].sort() }
        : {}),
    };
  });
}
