import { type ListVmsRequest, NovaCronError, type Page, type ProviderVm } from '@novacron/core';
import { isLibvirtCode } from './kvm-error-map.js';
import type { KvmFleet, KvmHost, LocatedVm } from './kvm-fleet.js';
import { decodeCursor, encodeCursor } from './kvm-paging.js';
import { mapDomainState } from './kvm-state-map.js';
import { describeVm } from './kvm-vm-describe.js';
import { DomainStatsGroup, LibvirtErrorCode, toNumber } from './libvirt/index.js';

/** Where a listing stands: the last name handed out, and the hosts that failed so far (they stay failed). */
interface ListPosition {
  after: string | undefined;
  failed: string[];
}

function readPosition(cursor: string | undefined): ListPosition {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return { after: undefined, failed: [] };
  let position: unknown;
  try {
    position = JSON.parse(decoded);
  } catch {
    position = undefined;
  }
  const candidate = position as { after?: unknown; failed?: unknown } | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    (candidate.after !== undefined && typeof candidate.after !== 'string') ||
    !Array.isArray(candidate.failed) ||
    !candidate.failed.every((hostId) => typeof hostId === 'string')
  ) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
      message: `The cursor "${String(cursor).slice(0, 80)}" was not made by the kvm driver; pass back nextCursor unchanged.`,
    });
  }
  return { after: candidate.after as string | undefined, failed: candidate.failed as string[] };
}

function writePosition(position: ListPosition): string {
  return encodeCursor(JSON.stringify(position));
}

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
  const position = readPosition(request.cursor);
  const failed = new Map<string, unknown>(position.failed.map((hostId) => [hostId, undefined]));
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
        if (signal.aborted) throw error;
        failed.set(host.options.id, error);
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
  const pageSize = Math.max(1, Math.min(request.pageSize ?? 100, maxPageSize));
  const pageNames = names.slice(0, pageSize);
  const described = await Promise.all(
    pageNames.map(async (name) => {
      const located = byName.get(name) as LocatedVm;
      try {
        return await describeVm(located, fleet.migrating, signal);
      } catch (error) {
        if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return undefined; // deleted meanwhile
        if (signal.aborted) throw error;
        failed.set(located.host.options.id, error);
        return undefined;
      }
    }),
  );
  // A host that failed while its VMs were described is left out of this page too.
  const items = described.filter(
    (vm): vm is ProviderVm => vm !== undefined && !failed.has(vm.location.hostId ?? ''),
  );
  const last = pageNames[pageNames.length - 1];
  const next: ListPosition = { after: last ?? position.after, failed: [...failed.keys()] };
  if (names.length > pageSize && last !== undefined) return { items, nextCursor: writePosition(next) };
  if (failed.size === 0) return { items };
  if (items.length > 0) return { items, nextCursor: writePosition(next) };
  throw hostsFailed(fleet.hosts, failed);
}

/** The end of a listing some hosts failed in: `UNAVAILABLE`, not retryable (the same cursor fails the same way). */
function hostsFailed(hosts: readonly KvmHost[], failed: ReadonlyMap<string, unknown>): NovaCronError {
  const reasons = [...failed.entries()].map(([hostId, error]) =>
    error === undefined
      ? `'${hostId}' (failed earlier in this listing)`
      : `'${hostId}' (${error instanceof Error ? error.message : String(error)})`,
  );
  const first = [...failed.values()].find((error) => error !== undefined);
  return new NovaCronError({
    code: 'UNAVAILABLE',
    retryable: false,
    message: `Listed the VMs of ${hosts.length - failed.size} of ${hosts.length} KVM hosts; these could not be listed: ${reasons.join('; ')}. Their VMs are missing from this listing: list again once the hosts are back.`,
    ...(first === undefined ? {} : { cause: first }),
  });
}
