import type { DriverEvent, ProviderVm, VmState, VmStateName } from '@novacron/core';
import { SIM_REGION } from './sim-catalog.js';
import { SIM_VM_STATUSES, type SimEvent, type SimVm, type SimVmStatus } from './sim-cloud-types.js';

/** The NovaCron state of each cloud status. */
const STATES: Record<SimVmStatus, VmStateName> = {
  booting: 'pending',
  running: 'running',
  'shutting-down': 'stopping',
  'shut-off': 'stopped',
  paused: 'suspended',
  migrating: 'migrating',
  terminated: 'terminated',
  crashed: 'error',
};

/** The cloud statuses of each NovaCron state, for list filters (`unknown` has none). */
const STATUSES = new Map<VmStateName, SimVmStatus[]>();
for (const status of SIM_VM_STATUSES) {
  const state = STATES[status];
  STATUSES.set(state, [...(STATUSES.get(state) ?? []), status]);
}

/** A cloud status as a NovaCron state, keeping the status as `providerState`. */
export function toVmState(status: SimVmStatus, reason: string): VmState {
  return { name: STATES[status], providerState: status, reason };
}

/** The cloud statuses that mean any of `states`. */
export function toSimStatuses(states: readonly VmStateName[]): SimVmStatus[] {
  return states.flatMap((state) => STATUSES.get(state) ?? []);
}

/** A cloud VM in NovaCron's shape; `raw` is the cloud's VM. */
export function toProviderVm(vm: SimVm): ProviderVm {
  const mapped: ProviderVm = {
    id: vm.id,
    name: vm.name,
    state: toVmState(vm.status, vm.statusReason),
    resources: vm.resources,
    location: { region: SIM_REGION, zone: vm.zone, hostId: vm.hostId },
    addresses: { private: [vm.privateAddress], public: [] },
    tags: vm.tags,
    createdAt: vm.createdAt,
    raw: vm,
  };
  if (vm.size !== undefined) mapped.size = vm.size;
  if (vm.image !== undefined) mapped.image = vm.image;
  return mapped;
}

/** A cloud event as a driver event. */
export function toDriverEvent(event: SimEvent): DriverEvent {
  if (event.type === 'host.state') return event;
  return {
    type: 'vm.state',
    vmId: event.vmId,
    state: toVmState(event.status, event.statusReason),
    hostId: event.hostId,
  };
}
