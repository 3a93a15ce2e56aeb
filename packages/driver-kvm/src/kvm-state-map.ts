import type { VmState, VmStateName } from '@novacron/core';
import { DomainState, domainStateName, domainStateReasonName } from './libvirt/index.js';

/**
 * Maps a libvirt state and reason onto NovaCron's state, keeping libvirt's names in `providerState` and `reason`.
 *
 * | libvirt state | reason | NovaCron |
 * |---|---|---|
 * | running, blocked | any | `running` (`migrating` while this driver migrates it) |
 * | paused | migration, postcopy | `migrating` |
 * | paused | starting-up | `pending` |
 * | paused | shutting-down | `stopping` |
 * | paused, pmsuspended | other | `suspended` |
 * | shutdown | any | `stopping` |
 * | shutoff | failed | `error` |
 * | shutoff | other | `stopped` |
 * | crashed | any | `error` |
 * | nostate | any | `unknown` |
 *
 * @example
 * mapDomainState(5, 2); // { name: 'stopped', providerState: 'shutoff', reason: 'destroyed' }
 */
export function mapDomainState(state: number, reason: number, migrating = false): VmState {
  const reasonName = domainStateReasonName(state, reason);
  return {
    name: stateName(state, reasonName, migrating),
    providerState: domainStateName(state),
    reason: reasonName,
  };
}

function stateName(state: number, reason: string, migrating: boolean): VmStateName {
  switch (state) {
    case DomainState.RUNNING:
    case DomainState.BLOCKED:
      return migrating ? 'migrating' : 'running';
    case DomainState.PAUSED:
      if (reason === 'migration' || reason === 'postcopy') return 'migrating';
      if (reason === 'starting-up') return 'pending';
      if (reason === 'shutting-down') return 'stopping';
      return 'suspended';
    case DomainState.PMSUSPENDED:
      return 'suspended';
    case DomainState.SHUTDOWN:
      return 'stopping';
    case DomainState.SHUTOFF:
      return reason === 'failed' ? 'error' : 'stopped';
    case DomainState.CRASHED:
      return 'error';
    default:
      return 'unknown';
  }
}

/** The state a VM has once it is gone (after an undefine). */
export const TERMINATED_STATE: VmState = { name: 'terminated', providerState: 'undefined' };
