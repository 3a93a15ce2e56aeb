import { DomainState } from './libvirt-protocol.js';

const STATE_NAMES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
];

/** Reason names per state, index = libvirt's reason number (`virDomainRunningReason`...). */
const REASON_NAMES: Record<number, readonly string[]> = {
  [DomainState.NOSTATE]: ['unknown'],
  [DomainState.RUNNING]: [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from-snapshot',
    'unpaused',
    'migration-canceled',
    'save-canceled',
    'wakeup',
    'crashed',
    'postcopy',
    'postcopy-failed',
  ],
  [DomainState.BLOCKED]: ['unknown'],
  [DomainState.PAUSED]: [
    'unknown',
    'user',
    'migration',
    'save',
    'dump',
    'ioerror',
    'watchdog',
    'from-snapshot',
    'shutting-down',
    'snapshot',
    'crashed',
    'starting-up',
    'postcopy',
    'postcopy-failed',
    'api-error',
  ],
  [DomainState.SHUTDOWN]: ['unknown', 'user'],
  [DomainState.SHUTOFF]: [
    'unknown',
    'shutdown',
    'destroyed',
    'crashed',
    'migrated',
    'saved',
    'failed',
    'from-snapshot',
    'daemon',
  ],
  [DomainState.CRASHED]: ['unknown', 'panicked'],
  [DomainState.PMSUSPENDED]: ['unknown'],
};

/**
 * libvirt's name for a domain state (`running`, `shutoff`...), as `virsh domstate` prints it.
 *
 * @example
 * domainStateName(5); // 'shutoff'
 */
export function domainStateName(state: number): string {
  return STATE_NAMES[state] ?? `state-${state}`;
}

/**
 * libvirt's name for the reason of a state (`booted`, `migrated`, `destroyed`...).
 *
 * @example
 * domainStateReasonName(5, 4); // 'migrated'
 */
export function domainStateReasonName(state: number, reason: number): string {
  return REASON_NAMES[state]?.[reason] ?? `reason-${reason}`;
}

const LIFECYCLE_EVENT_NAMES = [
  'defined',
  'undefined',
  'started',
  'suspended',
  'resumed',
  'stopped',
  'shutdown',
  'pmsuspended',
  'crashed',
];

/** libvirt's name for a lifecycle event type (`started`, `stopped`...). */
export function lifecycleEventName(event: number): string {
  return LIFECYCLE_EVENT_NAMES[event] ?? `event-${event}`;
}
