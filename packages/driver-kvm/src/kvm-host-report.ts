import type { FullResources, Host, Page, PageRequest } from '@novacron/core';
import { pageOf } from '@novacron/core/driver';
import { toKvmError } from './kvm-error-map.js';
import type { KvmHost } from './kvm-fleet.js';
import { type DomainRef, formatUuid, ListDomainsFlag } from './libvirt/index.js';

/**
 * Reports on hosts read from libvirt: capacity (node info), allocatable (capacity x overcommit) and allocated (vCPUs
 * and memory of the active domains). The size of each domain is remembered: it changes only on redefinition, and
 * placement reads reports often.
 */
export class KvmHostReports {
  /** vCPUs and memory of domains by host and UUID. */
  private readonly domainSizes = new Map<string, { vcpus: number; memoryMiB: number }>();

  /** One page of reports (at most `maxPageSize`), the hosts in the order of the options. */
  async list(
    hosts: readonly KvmHost[],
    request: PageRequest,
    maxPageSize: number,
    signal: AbortSignal,
  ): Promise<Page<Host>> {
    const page = pageOf(hosts, request, { driver: 'kvm', list: 'hosts', maxPageSize });
    const items = await Promise.all(page.items.map((host) => this.read(host, signal)));
    return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
  }

  /** One host's report; a host whose daemon does not answer is reported `down` with zero capacity. */
  async read(host: KvmHost, signal: AbortSignal): Promise<Host> {
    const { options } = host;
    const overcommit = options.overcommit ?? {};
    const base: Omit<Host, 'capacity' | 'allocatable' | 'allocated' | 'state' | 'vmCount'> = {
      id: options.id,
      labels: { ...(options.labels ?? {}) },
      overcommit: { ...overcommit },
      ...(options.zone === undefined ? {} : { zone: options.zone }),
    };
    try {
      const [node, active] = await Promise.all([
        host.client.nodeGetInfo(signal),
        host.client.listAllDomains(ListDomainsFlag.ACTIVE, signal),
      ]);
      const sizes = await Promise.all(
        active.map(async (domain) => {
          const key = sizeKey(options.id, domain);
          const known = this.domainSizes.get(key);
          if (known !== undefined) return known;
          const info = await host.client.getDomainInfo(domain, signal).catch(() => undefined);
          if (info === undefined) return undefined;
          const size = { vcpus: info.vcpus, memoryMiB: Number(info.maxMemoryKiB / 1024n) };
          this.domainSizes.set(key, size);
          return size;
        }),
      );
      const allocated: FullResources = { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 };
      for (const size of sizes) {
        if (size === undefined) continue;
        allocated.vcpus += size.vcpus;
        allocated.memoryMiB += size.memoryMiB;
      }
      const capacity: FullResources = {
        vcpus: node.cpus,
        memoryMiB: Number(node.memoryKiB / 1024n),
        diskGiB: 0,
        gpus: 0,
      };
      const allocatable: FullResources = {
        vcpus: Math.floor(capacity.vcpus * (overcommit.vcpus ?? 1)),
        memoryMiB: Math.floor(capacity.memoryMiB * (overcommit.memoryMiB ?? 1)),
        diskGiB: 0,
        gpus: 0,
      };
      return {
        ...base,
        capacity,
        allocatable,
        allocated,
        state: 'up',
        vmCount: active.length,
        raw: { node },
      };
    } catch (error) {
      const mapped = toKvmError(error, { action: 'read the host report', hostId: options.id }, signal);
      if (signal.aborted) throw mapped;
      const zero: FullResources = { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 };
      return {
        ...base,
        capacity: zero,
        allocatable: zero,
        allocated: zero,
        state: 'down',
        vmCount: 0,
        // The mapped message: libvirt's words without credentials or quoted XML.
        raw: { error: mapped.message },
      };
    }
  }

  /** Forgets the size of a domain that was deleted. */
  forgetDomain(hostId: string, domain: DomainRef): void {
    this.domainSizes.delete(sizeKey(hostId, domain));
  }
}

function sizeKey(hostId: string, domain: DomainRef): string {
  return `${hostId}/${formatUuid(domain.uuid)}`;
}
