import type { EventBus } from '../events/event-bus.js';
import { formatVmRef, type ProviderVm, type Vm, type VmRef, type VmState } from '../model/vm.js';

/**
 * Remembers the last state the client saw for each VM and emits `vm.state` when an operation, list, wait or watch
 * sees it change. Terminated VMs are forgotten, so the map holds only live VMs.
 */
export class VmStateTracker {
  private readonly lastSeen = new Map<string, VmState>();

  constructor(private readonly events: EventBus) {}

  /** Records a state observation. */
  observe(ref: VmRef, state: VmState): void {
    const key = formatVmRef(ref);
    const previous = this.lastSeen.get(key);
    if (previous?.name === state.name && previous.reason === state.reason) return;
    if (state.name === 'terminated') this.lastSeen.delete(key);
    else this.lastSeen.set(key, state);
    if (this.events.listenerCount('vm.state') === 0) return;
    this.events.safeEmit('vm.state', {
      ref,
      state,
      ...(previous !== undefined ? { previous } : {}),
      at: new Date(),
    });
  }

  /** Records that a VM is gone. */
  forget(ref: VmRef): void {
    this.lastSeen.delete(formatVmRef(ref));
  }

  /**
   * Turns a driver's record into a client {@link Vm} and records its state. The record is completed in place, not
   * copied: the driver hands over a fresh record with every call, and this runs on every get and list item.
   */
  adopt(provider: string, kind: string, record: ProviderVm): Vm {
    const vm = record as Vm;
    vm.ref = { provider, id: record.id };
    vm.kind = kind;
    this.observe(vm.ref, vm.state);
    return vm;
  }
}
