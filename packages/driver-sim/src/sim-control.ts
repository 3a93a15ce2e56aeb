import type { HostState } from '@novacron/core';
import type { SimHost, SimVm, SimVmStatus } from './sim-cloud-types.js';
import type { SimOperationStats } from './sim-faults.js';
import type { SimFaults, SimOperation } from './sim-options.js';

/** Everything in the simulated cloud at one moment, in the cloud's own shapes (copies; changing them changes nothing). */
export interface SimSnapshot {
  /** Every host. */
  hosts: SimHost[];
  /** Every VM, in id (creation) order. */
  vms: SimVm[];
}

/** Counters of the simulated cloud. */
export interface SimCounts {
  /** Hosts in the fleet. */
  hosts: number;
  /** VMs that exist. */
  vms: number;
  /** VMs per cloud status (`booting`, `running`, `shut-off`...; statuses with none are absent). */
  byState: Partial<Record<SimVmStatus, number>>;
  /** VMs per host id (hosts with none are absent). */
  byHost: Record<string, number>;
  /** Live migrations in progress. */
  migrationsInFlight: number;
  /** VMs with a timed transition still to happen (see {@link SimControl.settle}). */
  pendingTransitions: number;
  /** Attached event subscribers (a driver's `doWatch` listeners among them). */
  watchers: number;
}

/**
 * The out-of-band control surface of a simulated cloud: what a test or a controller author changes or inspects that
 * no real provider's API would let them. Its acts take effect at once, with no injected fault, no latency and no
 * call context. It is `cloud.control`, and a sim driver's `driver.sim` and `driver.getClient()`.
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
   * migrations. `down`: its booting, running, shutting-down and paused VMs crash (reason `host-down`) and
   * migrations from or to it fail. Throws `TypeError` for an unknown host.
   */
  setHostState(hostId: string, state: HostState): void;
  /** Sets a VM's dirty-page rate (MiB/s) for the migration model. Throws `TypeError` for an unknown VM. */
  setDirtyRate(vmId: string, mibPerSecond: number): void;
  /**
   * Deletes a VM at once, as an operator would from outside (its resources are freed, `terminated` is emitted).
   * Returns false when no such VM exists. Throws `TypeError` for a VM being migrated: cancel the migration first.
   */
  deleteVm(vmId: string): boolean;
  /** Completes every pending timed transition now (booting -> running, shutting-down -> shut-off), emitting events. */
  settle(): void;
  /** Copies of every host and VM. */
  snapshot(): SimSnapshot;
  /** Counters. */
  counts(): SimCounts;
  /** Per-operation call and injected-fault counters. */
  stats(): Record<SimOperation, SimOperationStats>;
}
