import { NovaCronError, type ProviderVm } from '@novacron/core';
import { type KvmDomainDescription, parseDomainXml } from './kvm-domain-xml.js';
import type { LocatedVm } from './kvm-fleet.js';
import { mapDomainState } from './kvm-state-map.js';
import { formatUuid } from './libvirt/index.js';

/** The `state.reason` of a VM whose domain XML NovaCron cannot read (its `raw.readError` says why). */
export const UNREADABLE_XML_REASON = 'unreadable-xml';

/**
 * A located domain as NovaCron sees it: its state (read unless a bulk call already did), and resources, tags, size,
 * image and creation time from its XML. A VM named in `migrating` reads `migrating` while it runs.
 *
 * `resources` are what the guest has now (online vCPUs, current balloon memory); `raw.maximum` is what it may grow
 * to, `networkInterfaces` its NICs with their MAC addresses (`raw.interfaces` keeps libvirt's detail). A domain whose XML cannot be read is still a VM: state
 * `unknown` with reason `unreadable-xml`, no resources or tags, and the reason in `raw.readError`, so that one bad
 * domain never fails a list, and it can still be deleted.
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
  const mapped = mapDomainState(state.state, state.reason, migrating.has(domain.name));
  const location = {
    hostId: host.options.id,
    ...(host.options.zone === undefined ? {} : { zone: host.options.zone }),
  };
  const raw = { uuid: formatUuid(domain.uuid), domainId: domain.id, hostId: host.options.id };
  let description: KvmDomainDescription;
  try {
    description = parseDomainXml(xml);
  } catch (error) {
    if (!NovaCronError.isInstance(error)) throw error;
    return {
      id: domain.name,
      name: domain.name,
      state: { name: 'unknown', providerState: mapped.providerState, reason: UNREADABLE_XML_REASON },
      resources: { vcpus: 0, memoryMiB: 0 },
      location,
      addresses: { private: [], public: [] },
      tags: {},
      raw: { ...raw, readError: error.message },
    };
  }
  const vm: ProviderVm = {
    id: domain.name,
    name: domain.name,
    state: mapped,
    resources: { vcpus: description.vcpus, memoryMiB: description.memoryMiB },
    location,
    addresses: { private: [], public: [] },
    networkInterfaces: description.interfaces.map((nic) => ({
      ...(nic.mac === undefined ? {} : { mac: nic.mac }),
      ...(nic.source === undefined ? {} : { network: nic.source }),
      kind: nic.type,
    })),
    tags: description.metadata.tags,
    raw: {
      ...raw,
      domainType: description.domainType,
      maximum: { vcpus: description.maxVcpus, memoryMiB: description.maxMemoryMiB },
      ...(description.hotplugMemoryLimitMiB === undefined
        ? {}
        : { hotplugMemoryLimitMiB: description.hotplugMemoryLimitMiB }),
      interfaces: description.interfaces,
    },
  };
  if (description.metadata.size !== undefined) vm.size = description.metadata.size;
  if (description.metadata.image !== undefined) vm.image = description.metadata.image;
  if (description.metadata.createdAt !== undefined) vm.createdAt = new Date(description.metadata.createdAt);
  return vm;
}
