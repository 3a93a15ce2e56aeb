import type { FullResources, Resources } from './resources.js';

/** A host's state. `maintenance` hosts run their VMs but take no new ones. */
export type HostState = 'up' | 'maintenance' | 'down';

/** A hypervisor host, for providers that expose them (KVM, the simulated fleet). */
export interface Host {
  /** The provider's id for the host. */
  id: string;
  /** Physical capacity. */
  capacity: FullResources;
  /** What may be allocated: capacity times overcommit, less any reservation. */
  allocatable: FullResources;
  /** What the host's VMs have been given. */
  allocated: FullResources;
  /** Labels used by placement filters. */
  labels: Record<string, string>;
  /** The host's zone (rack, failure domain). */
  zone?: string;
  /** The host's state. */
  state: HostState;
  /** Overcommit ratios per dimension (1 = none). */
  overcommit: Partial<Record<keyof Resources, number>>;
  /** How many VMs the host runs. */
  vmCount: number;
  /** The provider's own record. */
  raw?: unknown;
}
