import type { Host, HostState, ProviderVm, VmStateName } from '@novacron/core';
import type { SimOperationStats } from './sim-faults.js';
import type { SimFaults, SimOperation } from './sim-options.js';

/** Everything in the simulated fleet at one moment (copies; changing them changes nothing). */
export interface SimSnapshot {
  /** Every host. */
  hosts: Host[];
  /** Every VM, in id (creation) order. */
  vms: ProviderVm[];
}

/** Counters of the simulated fleet. */
export interface SimCounts {
  /** Hosts in the fleet. */
  hosts: number;
  /** VMs that exist. */
  vms: number;
  /** VMs per state (states with none are absent). */
  byState: Partial<Record<VmStateName, number>>;
  /** VMs per host id (hosts with none are absent). */
  byHost: Record<string, number>;
  /** Live migrations in progress. */
  migrationsInFlight: number;
  /** VMs with a timed transition still to happen (see {@link SimControl.settle}). */
  pendingTransitions: number;
  /** Attached `doWatch` listeners. */
  watchers: number;
}

/**
 * The control surface of a simulated fleet, on `driver.sim` (and `driver.getClient()`): what a test or a controller
 * author changes or inspects that no real provider would let them.
 *
 * @example
 * const driver = createSimDriver({ seed: 1 });
 * driver.sim.setFaults({ create: { throttleRate: 0.2, lostResponseRate: 0.05 } });
 * driver.sim.setHostState('host-3', 'maintenance');
 * console.log(driver.sim.counts().byState);
 */
export interface SimControl {
  /** The faults in force. */
  readonly faults: SimFaults;
  /** Replaces the faults in force (`{}` removes them all). Throws `TypeError` on a bad rule. */
  setFaults(faults: SimFaults): void;
  /**
   * Changes a host's state and emits `host.state`. `maintenance`: its VMs keep running, it takes no new VMs or
   * migrations. `down`: its pending, running, stopping and suspended VMs go to `error` (reason `host-down`) and
   * migrations from or to it fail. Throws `TypeError` for an unknown host.
   */
  setHostState(hostId: string, state: HostState): void;
  /** Sets a VM's dirty-page rate (MiB/s) for the migration model. Throws `TypeError` for an unknown VM. */
  setDirtyRate(vmId: string, mibPerSecond: number): void;
  /** Completes every pending timed transition now (pending -> running, stopping -> stopped), emitting its events. */
  settle(): void;
  /** Copies of every host and VM. */
  snapshot(): SimSnapshot;
  /** Fleet counters. */
  counts(): SimCounts;
  /** Per-operation call and injected-fault counters. */
  stats(): Record<SimOperation, SimOperationStats>;
}
