import type { EventBus } from '../events/event-bus.js';
import type { ProviderVm, Vm, VmRef, VmState } from '../model/vm.js';

/**
 * Remembers the last state the client saw for each VM and emits `vm.state` when an operation, list, wait or watch
 * sees it change. It remembers only while someone listens to `vm.state`: a client nobody observes keeps no map that
 * grows with every VM it ever saw, and a new listener hears each VM's state the first time the client sees it after
 * subscribing (without `previous`). Terminated VMs are forgotten.
 */
export class VmStateTracker {
  /** provider -> VM id -> last state (nested maps: no key string to build for every VM seen). */
  private readonly lastSeen = new Map<string, Map<string, VmState>>();

  constructor(private readonly events: EventBus) {}

  /** Records a state observation. */
  observe(ref: VmRef, state: VmState): void {
    if (this.events.listenerCount('vm.state') === 0) {
      if (this.lastSeen.size > 0) this.lastSeen.clear();
      return;
    }
    const seen = this.seenOn(ref.provider);
    const previous = seen.get(ref.id);
    if (previous?.name === state.name && previous.reason === state.reason) return;
    if (state.name === 'terminated') seen.delete(ref.id);
    else seen.set(ref.id, state);
    this.events.safeEmit('vm.state', {
      ref,
      state,
      ...(previous !== undefined ? { previous } : {}),
      at: new Date(),
    });
  }

  /** Records that a VM is gone. */
  forget(ref: VmRef): void {
    this.lastSeen.get(ref.provider)?.delete(ref.id);
  }

  private seenOn(provider: string): Map<string, VmState> {
    let seen = this.lastSeen.get(provider);
    if (seen === undefined) {
      seen = new Map();
      this.lastSeen.set(provider, seen);
    }
    return seen;
  }

  /**
   * Turns a driver's record into a client {@link Vm} (a shallow copy with `ref` and `kind`, so a driver may hand
   * over records it keeps) and records its state.
   */
  adopt(provider: string, kind: string, record: ProviderVm): Vm {
    const vm: Vm = { ...record, ref: { provider, id: record.id }, kind };
    this.observe(vm.ref, vm.state);
    return vm;
  }
}
