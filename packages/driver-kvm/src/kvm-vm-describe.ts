import type { ProviderVm } from '@novacron/core';
import { parseDomainXml } from './kvm-domain-xml.js';
import type { LocatedVm } from './kvm-fleet.js';
import { mapDomainState } from './kvm-state-map.js';
import { formatUuid } from './libvirt/index.js';

/**
 * A located domain as NovaCron sees it: its state (read unless a bulk call already did), and resources, tags, size,
 * image and creation time from its XML. A VM named in `migrating` reads `migrating` while it runs.
 */
export async function describeVm(
  located: LocatedVm,
  migrating: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<ProviderVm> {
  const { host, domain } = located;
  const [state, xml] = await Promise.all([
    located.state ?? host.client.getDomainState(domain, signal),
    host.client.getDomainXml(domain, 0, signal),
  ]);
  const description = parseDomainXml(xml);
  const vm: ProviderVm = {
    id: domain.name,
    name: domain.name,
    state: mapDomainState(state.state, state.reason, migrating.has(domain.name)),
    resources: { vcpus: description.vcpus, memoryMiB: description.memoryMiB },
    location: {
      hostId: host.options.id,
      ...(host.options.zone === undefined ? {} : { zone: host.options.zone }),
    },
    addresses: { private: [], public: [] },
    tags: description.metadata.tags,
    raw: {
      uuid: formatUuid(domain.uuid),
      domainId: domain.id,
      hostId: host.options.id,
      domainType: description.domainType,
    },
  };
  if (description.metadata.size !== undefined) vm.size = description.metadata.size;
  if (description.metadata.image !== undefined) vm.image = description.metadata.image;
  if (description.metadata.createdAt !== undefined) vm.createdAt = new Date(description.metadata.createdAt);
  return vm;
}
