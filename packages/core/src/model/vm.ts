import type { Resources } from './resources.js';

/**
 * Names a VM: the provider name the user gave the driver instance in the client (`aws-prod`, `lab`), not the driver
 * kind, plus the provider's own id. Written as a string `"provider:id"` where a string is handier.
 */
export interface VmRef {
  /** The name of the driver instance in the client's `providers` map. */
  provider: string;
  /** The provider's id for the VM. */
  id: string;
}

/** The normalised lifecycle states every driver maps onto. */
export const VM_STATE_NAMES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'suspended',
  'migrating',
  'terminated',
  'error',
  'unknown',
] as const;

/** One of {@link VM_STATE_NAMES}. */
export type VmStateName = (typeof VM_STATE_NAMES)[number];

/** A VM's state: the normalised name plus what the provider itself said. */
export interface VmState {
  /** The normalised state. */
  name: VmStateName;
  /** The provider's raw state string (`running`, `shutting-down`, `VIR_DOMAIN_PAUSED`...). */
  providerState: string;
  /** Why the VM is in this state, where the provider says (libvirt reasons such as `migrated`, `user`). */
  reason?: string;
}

/** Where a VM lives. Each field is present where the provider knows it. */
export interface VmLocation {
  /** Region (`eu-west-1`). */
  region?: string;
  /** Zone (`eu-west-1a`, `rack-2`). */
  zone?: string;
  /** Host id, for providers that expose hosts. */
  hostId?: string;
}

/** A VM's network addresses. */
export interface VmAddresses {
  /** Private addresses. */
  private: string[];
  /** Public addresses. */
  public: string[];
}

/** One network interface of a VM, where the provider reports its NICs. */
export interface VmNetworkInterface {
  /** The MAC address, lower case (`52:54:00:12:34:56`), where known. */
  mac?: string;
  /** The network, bridge, subnet or device it is attached to, in the provider's words. */
  network?: string;
  /** The provider's kind of interface (`bridge`, `virtio`, `ENA`), where it says. */
  kind?: string;
}

/**
 * A VM as a driver reports it: everything but the client-side reference and driver kind, which the core adds.
 * Drivers return this from `doGetVm`, `doListVms` and `doCreateVm`.
 */
export interface ProviderVm {
  /** The provider's id for the VM. */
  id: string;
  /** The VM's name. */
  name: string;
  /** The VM's current state. */
  state: VmState;
  /** The resources the VM was given. */
  resources: Resources;
  /** Where the VM lives. */
  location: VmLocation;
  /** The provider's size name (`t3.micro`), where sizes exist. */
  size?: string;
  /** The image the VM was made from. */
  image?: string;
  /** Network addresses. */
  addresses: VmAddresses;
  /** The VM's network interfaces with their MAC addresses, where the provider reports them. */
  networkInterfaces?: VmNetworkInterface[];
  /** Tags (AWS, Azure) or labels (GCP, KVM metadata) as string pairs. */
  tags: Record<string, string>;
  /** When the VM was made, where known. */
  createdAt?: Date;
  /** The provider's own record, as an escape hatch. Never used by the core. */
  raw?: unknown;
}

/** A VM as the client returns it. */
export interface Vm extends ProviderVm {
  /** The reference to use in every later call. */
  ref: VmRef;
  /** The kind of driver that manages it (`sim`, `kvm`, `aws`). */
  kind: string;
}

/**
 * What a caller asks for when creating a VM.
 *
 * Either `resources` or `size` (or both) must be given. `hostId` asks a driver with host placement to use that host.
 */
export interface CreateVmSpec {
  /** The VM's name: 1 to 63 characters; each driver may narrow the allowed characters. */
  name: string;
  /** The resources to give the VM. */
  resources?: Resources;
  /** A provider size name (`t3.micro`); the driver resolves its resources. */
  size?: string;
  /** The image to boot from. */
  image?: string;
  /** Where to put the VM. */
  location?: VmLocation;
  /** Tags or labels. */
  tags?: Record<string, string>;
  /** cloud-init user data. */
  userData?: string;
  /** Provider-specific extras, keyed by driver kind: `{ aws: { placementGroup: 'pg-1' } }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** Filters for VM lists. Drivers push what they can down to the provider; the core applies the rest. */
export interface VmFilter {
  /** Only VMs whose tags include every one of these pairs. */
  tags?: Record<string, string>;
  /** Only VMs in one of these states. */
  states?: VmStateName[];
  /** Only VMs on this host. */
  hostId?: string;
  /** Only VMs in this zone. */
  zone?: string;
  /** Only VMs of one of these provider sizes (`t3.micro`). */
  sizes?: string[];
}

/**
 * Formats a reference as `"provider:id"`.
 *
 * @example
 * formatVmRef({ provider: 'lab', id: 'web-1' }); // 'lab:web-1'
 */
export function formatVmRef(ref: VmRef): string {
  return `${ref.provider}:${ref.id}`;
}

/**
 * Parses `"provider:id"` (or passes a {@link VmRef} through). The id may itself contain colons.
 *
 * @throws TypeError when the string has no `provider:` prefix.
 * @example
 * parseVmRef('aws-prod:i-0abc'); // { provider: 'aws-prod', id: 'i-0abc' }
 */
export function parseVmRef(ref: VmRef | string): VmRef {
  if (typeof ref !== 'string') {
    if (
      typeof ref !== 'object' ||
      ref === null ||
      typeof ref.provider !== 'string' ||
      typeof ref.id !== 'string'
    ) {
      throw new TypeError('A VM reference must be "provider:id" or { provider, id }.');
    }
    return ref;
  }
  const separator = ref.indexOf(':');
  if (separator <= 0 || separator === ref.length - 1) {
    throw new TypeError(`VM reference "${ref}" must be written "provider:id", for example "lab:web-1".`);
  }
  return { provider: ref.slice(0, separator), id: ref.slice(separator + 1) };
}
