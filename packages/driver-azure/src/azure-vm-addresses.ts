import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, NetworkManagementClient, PublicIPAddress } from '@azure/arm-network';
import { NovaCronError } from '@novacron/core';

/** What a VM's NICs say about it: its addresses and its interfaces. */
export interface VmNetworkView {
  privateAddresses: string[];
  publicAddresses: string[];
  interfaces: Array<{ mac?: string }>;
}

/** Runs one SDK call, mapping its failure to a `NovaCronError` (the driver's own `call`). */
export type AzureCall = <T>(
  where: { action: string; resource?: string | undefined },
  signal: AbortSignal,
  request: () => PromiseLike<T>,
) => Promise<T>;

const RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/(networkInterfaces|publicIPAddresses)\/([^/]+)$/i;

/** The resource group and name of a NIC or public IP id; `undefined` for an id of another shape. */
function parseId(id: string): { group: string; name: string } | undefined {
  const match = RESOURCE_ID.exec(id);
  return match === null ? undefined : { group: match[1]!, name: match[3]! };
}

function nicIdsOf(vm: VirtualMachine): string[] {
  return (vm.networkProfile?.networkInterfaces ?? []).flatMap((reference) =>
    reference.id === undefined ? [] : [reference.id],
  );
}

/**
 * Reads the addresses of VMs from their NICs and public IPs. A single VM reads its own NICs and public IPs by id;
 * a list page reads them in batches: one NIC list (and, when any NIC has one, one public IP list) per resource group
 * the page's NICs live in, so the requests of a page do not grow with its VMs.
 */
export class AzureVmAddresses {
  constructor(
    private readonly network: NetworkManagementClient,
    private readonly call: AzureCall,
  ) {}

  /** The network view of each VM of a list page, in order. */
  async forPage(vms: readonly VirtualMachine[], signal: AbortSignal): Promise<VmNetworkView[]> {
    const nics = await this.listInGroups(vms.flatMap(nicIdsOf), 'networkInterfaces.list', signal, (group) =>
      this.network.networkInterfaces.list(group, { abortSignal: signal }),
    );
    const publicIps = await this.listInGroups(
      [...nics.values()].flatMap(publicIpIdsOf),
      'publicIPAddresses.list',
      signal,
      (group) => this.network.publicIPAddresses.list(group, { abortSignal: signal }),
    );
    return vms.map((vm) =>
      viewOf(
        nicIdsOf(vm).map((id) => nics.get(id.toLowerCase())),
        publicIps,
      ),
    );
  }

  /** The network view of one VM, from a GET per NIC and per public IP without an address inline. */
  async forOne(vm: VirtualMachine, signal: AbortSignal): Promise<VmNetworkView> {
    const nics = await Promise.all(
      nicIdsOf(vm).map((id) =>
        this.getById(id, 'networkInterfaces.get', signal, (group, name) =>
          this.network.networkInterfaces.get(group, name, { abortSignal: signal }),
        ),
      ),
    );
    const publicIps = new Map<string, PublicIPAddress>();
    await Promise.all(
      nics.flatMap(publicIpIdsOf).map(async (id) => {
        const ip = await this.getById(id, 'publicIPAddresses.get', signal, (group, name) =>
          this.network.publicIPAddresses.get(group, name, { abortSignal: signal }),
        );
        if (ip !== undefined) publicIps.set(id.toLowerCase(), ip);
      }),
    );
    return viewOf(nics, publicIps);
  }

  /** A resource by id; one that is gone (deleted with its VM a moment ago) is `undefined`. */
  private async getById<T>(
    id: string,
    action: string,
    signal: AbortSignal,
    get: (group: string, name: string) => Promise<T>,
  ): Promise<T | undefined> {
    const parsed = parseId(id);
    if (parsed === undefined) return undefined;
    try {
      return await this.call({ action, resource: parsed.name }, signal, () => get(parsed.group, parsed.name));
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Every resource of the groups `ids` live in, by lower-case id: one list (all its pages) per group. */
  private async listInGroups<T extends { id?: string }>(
    ids: readonly string[],
    action: string,
    signal: AbortSignal,
    list: (group: string) => AsyncIterable<T>,
  ): Promise<Map<string, T>> {
    const groups = new Map<string, string>();
    for (const id of ids) {
      const group = parseId(id)?.group;
      if (group !== undefined) groups.set(group.toLowerCase(), group);
    }
    const found = new Map<string, T>();
    await Promise.all(
      [...groups.values()].map((group) =>
        this.call({ action, resource: group }, signal, async () => {
          for await (const item of list(group)) {
            if (item.id !== undefined) found.set(item.id.toLowerCase(), item);
          }
        }),
      ),
    );
    return found;
  }
}

/** The public IPs a NIC's IP configurations point at, except those whose address came inline. */
function publicIpIdsOf(nic: NetworkInterface | undefined): string[] {
  return (nic?.ipConfigurations ?? []).flatMap((configuration) => {
    const reference = configuration.publicIPAddress;
    return reference?.id === undefined || reference.ipAddress !== undefined ? [] : [reference.id];
  });
}

function viewOf(
  nics: ReadonlyArray<NetworkInterface | undefined>,
  publicIps: ReadonlyMap<string, PublicIPAddress>,
): VmNetworkView {
  const view: VmNetworkView = { privateAddresses: [], publicAddresses: [], interfaces: [] };
  for (const nic of nics) {
    if (nic === undefined) continue;
    view.interfaces.push(nic.macAddress === undefined ? {} : { mac: nic.macAddress });
    for (const configuration of nic.ipConfigurations ?? []) {
      if (configuration.privateIPAddress !== undefined)
        view.privateAddresses.push(configuration.privateIPAddress);
      const reference = configuration.publicIPAddress;
      // A public IP may have no address yet (a dynamic one of a deallocated VM): then it adds nothing.
      const address =
        reference?.ipAddress ??
        (reference?.id === undefined ? undefined : publicIps.get(reference.id.toLowerCase())?.ipAddress);
      if (address !== undefined) view.publicAddresses.push(address);
    }
  }
  return view;
}
