import { NovaCronError, type VmState, type VmStateName } from '@novacron/core';

/** The lifecycle operations whose legality depends on the VM's state. */
export type SimLifecycleOperation =
  | 'start'
  | 'stop'
  | 'forceStop'
  | 'reboot'
  | 'suspend'
  | 'resume'
  | 'delete'
  | 'migrate';

/**
 * What an operation does from a state:
 * - `noop`: the VM is already where the operation leads (start on running, stop on stopped);
 * - `conflict`: illegal now (`CONFLICT`);
 * - otherwise the state the VM enters at once, and the one it settles in after `transitionDelayMs` (if different).
 */
export type SimTransitionPlan =
  | { kind: 'noop' }
  | { kind: 'conflict'; hint: string }
  | { kind: 'move'; now: VmStateName; settlesTo?: VmStateName; reason: string };

/** The raw state strings the sim reports as `providerState`, hypervisor-style, so mapping code gets exercised. */
export const SIM_PROVIDER_STATES: Record<VmStateName, string> = {
  pending: 'booting',
  running: 'running',
  stopping: 'shutting-down',
  stopped: 'shut-off',
  suspended: 'paused',
  migrating: 'migrating',
  terminated: 'terminated',
  error: 'crashed',
  unknown: 'unknown',
};

/** A state value as the sim reports it. */
export function simState(name: VmStateName, reason: string): VmState {
  return { name, providerState: SIM_PROVIDER_STATES[name], reason };
}

/** The lifecycle state machine of a sim VM. */
export function planTransition(operation: SimLifecycleOperation, from: VmStateName): SimTransitionPlan {
  switch (operation) {
    case 'start':
      if (from === 'running' || from === 'pending') return { kind: 'noop' };
      if (from === 'stopped' || from === 'error')
        return { kind: 'move', now: 'pending', settlesTo: 'running', reason: 'started' };
      return conflict(from, from === 'suspended' ? 'Resume it instead of starting it.' : undefined);
    case 'stop':
      if (from === 'stopped' || from === 'stopping') return { kind: 'noop' };
      if (from === 'running') return { kind: 'move', now: 'stopping', settlesTo: 'stopped', reason: 'user' };
      if (from === 'error') return { kind: 'move', now: 'stopped', reason: 'user' };
      return conflict(
        from,
        from === 'suspended' ? 'Resume it first, or stop it with force: true.' : undefined,
      );
    case 'forceStop':
      if (from === 'stopped') return { kind: 'noop' };
      if (from === 'running' || from === 'stopping' || from === 'suspended' || from === 'error') {
        return { kind: 'move', now: 'stopped', reason: 'forced' };
      }
      return conflict(from, undefined);
    case 'reboot':
      // A booting VM is already doing what a reboot asks; this also makes a retried reboot safe.
      if (from === 'pending') return { kind: 'noop' };
      if (from === 'running')
        return { kind: 'move', now: 'pending', settlesTo: 'running', reason: 'rebooted' };
      return conflict(
        from,
        from === 'stopped' ? 'Start it instead: only a running VM can be rebooted.' : undefined,
      );
    case 'suspend':
      if (from === 'suspended') return { kind: 'noop' };
      if (from === 'running') return { kind: 'move', now: 'suspended', reason: 'user' };
      return conflict(from, undefined);
    case 'resume':
      if (from === 'running') return { kind: 'noop' };
      if (from === 'suspended') return { kind: 'move', now: 'running', reason: 'resumed' };
      return conflict(
        from,
        from === 'stopped' ? 'Start it instead: only a suspended VM can be resumed.' : undefined,
      );
    case 'delete':
      if (from === 'migrating')
        return conflict(from, 'Cancel the migration (abort its signal) or wait for it to end, then delete.');
      return { kind: 'move', now: 'terminated', reason: 'deleted' };
    case 'migrate':
      if (from === 'running') return { kind: 'move', now: 'migrating', reason: 'migrating' };
      return conflict(from, 'Only a running VM can be live-migrated: start or resume it first.');
  }
}

/** The `CONFLICT` error for an illegal transition: names the VM, its state and what to do. */
export function conflictError(
  vm: { id: string; name: string },
  operation: SimLifecycleOperation,
  state: VmStateName,
  hint: string,
): NovaCronError {
  const verb = operation === 'forceStop' ? 'force-stop' : operation;
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Cannot ${verb} VM ${vm.id} (${vm.name}) on the sim driver: it is ${state}. ${hint}`,
  });
}

function conflict(from: VmStateName, specific: string | undefined): SimTransitionPlan {
  return { kind: 'conflict', hint: specific ?? WAIT_HINTS[from] };
}

const WAIT_HINTS: Record<VmStateName, string> = {
  pending: "Wait until it is running (waitUntil(ref, 'running')) and try again.",
  running: 'Stop it first.',
  stopping: "Wait until it is stopped (waitUntil(ref, 'stopped')) and try again.",
  stopped: 'Start it first.',
  suspended: 'Resume it first.',
  migrating: 'Wait for the migration to end or cancel it, then try again.',
  terminated: 'It is being deleted; create a new VM instead.',
  error: 'Stop it (or start it once its host is up again) first.',
  unknown: 'Read its state again and retry.',
};
