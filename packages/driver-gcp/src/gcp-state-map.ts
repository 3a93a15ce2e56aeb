import type { VmState, VmStateName } from '@novacron/core';

/** Compute Engine's `Instance.status` values that map onto a NovaCron state, with the reason kept where one helps. */
const TO_NOVACRON: Record<string, { name: VmStateName; reason?: string }> = {
  // Flex-start instances wait for capacity in PENDING; resources are then allocated (PROVISIONING) and booted (STAGING).
  PENDING: { name: 'pending' },
  PROVISIONING: { name: 'pending' },
  STAGING: { name: 'pending' },
  RUNNING: { name: 'running' },
  PENDING_STOP: { name: 'stopping' },
  STOPPING: { name: 'stopping' },
  // TERMINATED means stopped (the disks and the instance remain), not deleted.
  TERMINATED: { name: 'stopped' },
  STOPPED: { name: 'stopped' },
  SUSPENDING: { name: 'stopping', reason: 'suspending' },
  SUSPENDED: { name: 'suspended' },
  REPAIRING: { name: 'error', reason: 'repairing' },
  // Being torn down after a delete: a transitional "going down" state, so a wait for `terminated` keeps waiting.
  DEPROVISIONING: { name: 'stopping', reason: 'terminating' },
};

/**
 * Maps a Compute Engine instance status onto NovaCron's {@link VmState}. A status this table does not know (the API
 * adds them) becomes `unknown`, keeping the raw string in `providerState`.
 *
 * @example
 * toVmState('TERMINATED'); // { name: 'stopped', providerState: 'TERMINATED' }
 * toVmState('DEPROVISIONING'); // { name: 'stopping', providerState: 'DEPROVISIONING', reason: 'terminating' }
 */
export function toVmState(status: string | null | undefined): VmState {
  const providerState = status === null || status === undefined || status === '' ? 'UNKNOWN' : status;
  const mapped = Object.hasOwn(TO_NOVACRON, providerState) ? TO_NOVACRON[providerState] : undefined;
  const state: VmState = { name: mapped?.name ?? 'unknown', providerState };
  if (mapped?.reason !== undefined) state.reason = mapped.reason;
  return state;
}
