import { type ListVmsRequest, NovaCronError, type Page, type ProviderVm } from '@novacron/core';
import { createCursorCodec } from '@novacron/core/driver';
import { isLibvirtCode, toKvmError } from './kvm-error-map.js';
import type { KvmFleet, KvmHost, LocatedVm } from './kvm-fleet.js';
import { mapDomainState } from './kvm-state-map.js';
import { describeVm } from './kvm-vm-describe.js';
import { DomainStatsGroup, LibvirtErrorCode, toNumber } from './libvirt/index.js';

/** Where a listing stands: the last name handed out, and the hosts that failed so far (they stay failed). */
interface ListPosition {
  after?: string | undefined;
  failed: string[];
}

/** The VM list's cursors: a foreign or edited one is one `INVALID_ARGUMENT` (never a listing from the top). */
const vmCursors = createCursorCodec<ListPosition>({
  driver: 'kvm',
  list: 'vms',
  isPosition: (value): value is ListPosition => {
    const position = value as { after?: unknown; failed?: unknown } | null;
    return (
      typeof position === 'object' &&
      position !== null &&
      (position.after === undefined || typeof position.after === 'string') &&
      Array.isArray(position.failed) &&
      position.failed.every((hostId) => typeof hostId === 'string')
    );
  },
});

/**
 * One page of VMs, ordered by name, from the hosts the filter allows: one all-domain stats call per host names every
 * domain with its state (for the state filter), then only the page's VMs are described. VMs deleted meanwhile are
 * left out; a VM whose XML cannot be read comes back in state `unknown` (see {@link describeVm}).
 *
 * A host that fails does not fail the page: the other hosts' VMs are delivered, the failed host is carried in the
 * cursor (so it stays left out for the rest of the listing, and no page is half of one host), and the listing ends
 * with a non-retryable `UNAVAILABLE` naming the failed hosts once the others' VMs are all delivered.
 */
export async function listVms(
  fleet: KvmFleet,
  request: ListVmsRequest,
  maxPageSize: number,
  signal: AbortSignal,
): Promise<Page<ProviderVm>> {
  const filter = request.filter;
  const position = vmCursors.decode(request.cursor) ?? { failed: [] };
  // A host's failure, mapped at once (its cause is clean); undefined for a host that failed on an earlier page.
  const failed = new Map<string, NovaCronError | undefined>(
    position.failed.map((hostId) => [hostId, undefined]),
  );
  const fail = (host: KvmHost, error: unknown): void => {
    failed.set(host.options.id, toKvmError(error, { action: 'list VMs', hostId: host.options.id }, signal));
  };
  const hosts = fleet.hosts.filter(
    (host) =>
      (filter?.hostId === undefined || host.options.id === filter.hostId) &&
      (filter?.zone === undefined || host.options.zone === filter.zone) &&
      !failed.has(host.options.id),
  );
  const wanted = filter?.states === undefined ? undefined : new Set(filter.states);
  const perHost = await Promise.all(
    hosts.map(async (host) => {
      try {
        // One all-domain stats call (state group) names every domain with its state.
        const records = await host.client.getAllDomainStats([], DomainStatsGroup.STATE, 0, signal);
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
        if (signal.aborted) throw toKvmError(error, { action: 'list VMs', hostId: host.options.id }, signal);
        fail(host, error);
        return [];
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
  const names = [...byName.keys()]
    .filter((name) => position.after === undefined || name > position.after)
    .sort();
  // The core has checked pageSize (a positive integer); the manifest's maxPageSize caps it.
  const pageSize = Math.min(request.pageSize ?? maxPageSize, maxPageSize);
  const pageNames = names.slice(0, pageSize);
  const described = await Promise.all(
    pageNames.map(async (name) => {
      const located = byName.get(name) as LocatedVm;
      try {
        return await describeVm(located, fleet.migrating, signal);
      } catch (error) {
        if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return undefined; // deleted meanwhile
        if (signal.aborted)
          throw toKvmError(error, { action: `list VM ${name}`, hostId: located.host.options.id }, signal);
        fail(located.host, error);
        return undefined;
      }
    }),
  );
  // A host that failed while its VMs were described is left out of this page too.
  const items = described.filter(
    (vm): vm is ProviderVm => vm !== undefined && !failed.has(vm.location.hostId ?? ''),
  );
  const last = pageNames[pageNames.length - 1];
  const after = last ?? position.after;
  const next = vmCursors.encode({ ...(after === undefined ? {} : { after }), failed: [...failed.keys()] });
  if (names.length > pageSize && last !== undefined) return { items, nextCursor: next };
  if (failed.size === 0) return { items };
  if (items.length > 0) return { items, nextCursor: next };
  throw hostsFailed(fleet.hosts, failed);
}

/**
 * The end of a listing some hosts failed in: `UNAVAILABLE`, not retryable (the same cursor fails the same way). Its
 * cause is the first failure seen on this page, mapped (so only libvirt's code and a redacted message travel).
 */
function hostsFailed(
  hosts: readonly KvmHost[],
  failed: ReadonlyMap<string, NovaCronError | undefined>,
): NovaCronError {
  const reasons = [...failed.entries()].map(([hostId, error]) =>
    error === undefined
      ? `'${hostId}' (failed earlier in this listing)`
      : `'${hostId}' (${error.cause instanceof Error ? error.cause.message : error.message})`,
  );
  const first = [...failed.values()].find((error) => error !== undefined);
  return new NovaCronError({
    code: 'UNAVAILABLE',
    retryable: false,
    message: `Listed the VMs of ${hosts.length - failed.size} of ${hosts.length} KVM hosts; these could not be listed: ${reasons.join('; ')}. Their VMs are missing from this listing: list again once the hosts are back.`,
    ...(first === undefined ? {} : { cause: first }),
  });
}
