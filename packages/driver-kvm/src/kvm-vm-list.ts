import type { ListVmsRequest, Page, ProviderVm } from '@novacron/core';
import { isLibvirtCode, toKvmError } from './kvm-error-map.js';
import type { KvmFleet, LocatedVm } from './kvm-fleet.js';
import { decodeCursor, encodeCursor } from './kvm-paging.js';
import { mapDomainState } from './kvm-state-map.js';
import { describeVm } from './kvm-vm-describe.js';
import { DomainStatsGroup, LibvirtErrorCode, toNumber } from './libvirt/index.js';

/**
 * One page of VMs, ordered by name, from the hosts the filter allows: one all-domain stats call per host names every
 * domain with its state (for the state filter), then only the page's VMs are described. The cursor is the page's
 * last name; VMs deleted meanwhile are left out.
 */
export async function listVms(
  fleet: KvmFleet,
  request: ListVmsRequest,
  maxPageSize: number,
  signal: AbortSignal,
): Promise<Page<ProviderVm>> {
  const filter = request.filter;
  const after = decodeCursor(request.cursor);
  const hosts = fleet.hosts.filter(
    (host) =>
      (filter?.hostId === undefined || host.options.id === filter.hostId) &&
      (filter?.zone === undefined || host.options.zone === filter.zone),
  );
  const perHost = await Promise.all(
    hosts.map(async (host) => {
      try {
        // One all-domain stats call (state group) names every domain with its state.
        const records = await host.client.getAllDomainStats([], DomainStatsGroup.STATE, 0, signal);
        const wanted = filter?.states === undefined ? undefined : new Set(filter.states);
        return records.flatMap((record) => {
          const state = {
            state: toNumber(record.stats['state.state']) ?? 0,
            reason: toNumber(record.stats['state.reason']) ?? 0,
          };
          const name = mapDomainState(
            state.state,
            state.reason,
            fleet.migrating.has(record.domain.name),
          ).name;
          return wanted === undefined || wanted.has(name) ? [{ host, domain: record.domain, state }] : [];
        });
      } catch (error) {
        throw toKvmError(error, { action: 'list VMs', hostId: host.options.id });
      }
    }),
  );
  const byName = new Map<string, LocatedVm>();
  for (const entry of perHost.flat()) {
    // While a migration runs, the domain exists on both hosts: report it where it is known to live.
    const current = byName.get(entry.domain.name);
    if (current === undefined || fleet.hintedHostId(entry.domain.name) === entry.host.options.id) {
      byName.set(entry.domain.name, entry);
    }
  }
  const names = [...byName.keys()].filter((name) => after === undefined || name > after).sort();
  const pageSize = Math.max(1, Math.min(request.pageSize ?? 100, maxPageSize));
  const pageNames = names.slice(0, pageSize);
  const described = await Promise.all(
    pageNames.map((name) =>
      describeVm(byName.get(name) as LocatedVm, fleet.migrating, signal).catch((error: unknown) => {
        if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return undefined; // deleted meanwhile
        throw toKvmError(error, {
          action: `describe VM ${name}`,
          hostId: byName.get(name)?.host.options.id,
        });
      }),
    ),
  );
  const items = described.filter((vm): vm is ProviderVm => vm !== undefined);
  const last = pageNames[pageNames.length - 1];
  return names.length > pageSize && last !== undefined
    ? { items, nextCursor: encodeCursor(last) }
    : { items };
}
