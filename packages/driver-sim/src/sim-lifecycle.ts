import { SimApiError } from './sim-api-error.js';
import type { SimVmStatus } from './sim-cloud-types.js';

/** The lifecycle operations whose legality depends on the VM's status. */
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
 * What an operation does from a status:
 * - `noop`: the VM is already where the operation leads (start on running, stop on shut-off);
 * - `conflict`: illegal now (`IncorrectState`);
 * - otherwise the status the VM enters at once, and the one it settles in after `transitionDelayMs` (if different).
 */
export type SimTransitionPlan =
  | { kind: 'noop' }
  | { kind: 'conflict'; hint: string }
  | { kind: 'move'; now: SimVmStatus; settlesTo?: SimVmStatus; reason: string };

/** The lifecycle state machine of a sim VM. */
export function planTransition(operation: SimLifecycleOperation, from: SimVmStatus): SimTransitionPlan {
  switch (operation) {
    case 'start':
      if (from === 'running' || from === 'booting') return { kind: 'noop' };
      if (from === 'shut-off' || from === 'crashed')
        return { kind: 'move', now: 'booting', settlesTo: 'running', reason: 'started' };
      return conflict(from, from === 'paused' ? 'Resume it instead of starting it.' : undefined);
    case 'stop':
      if (from === 'shut-off' || from === 'shutting-down') return { kind: 'noop' };
      if (from === 'running')
        return { kind: 'move', now: 'shutting-down', settlesTo: 'shut-off', reason: 'user' };
      if (from === 'crashed') return { kind: 'move', now: 'shut-off', reason: 'user' };
      return conflict(from, from === 'paused' ? 'Resume it first, or stop it with force.' : undefined);
    case 'forceStop':
      if (from === 'shut-off') return { kind: 'noop' };
      if (from === 'running' || from === 'shutting-down' || from === 'paused' || from === 'crashed') {
        return { kind: 'move', now: 'shut-off', reason: 'forced' };
      }
      return conflict(from, undefined);
    case 'reboot':
      // A booting VM is already doing what a reboot asks; this also makes a retried reboot safe.
      if (from === 'booting') return { kind: 'noop' };
      if (from === 'running')
        return { kind: 'move', now: 'booting', settlesTo: 'running', reason: 'rebooted' };
      return conflict(
        from,
        from === 'shut-off' ? 'Start it instead: only a running VM can be rebooted.' : undefined,
      );
    case 'suspend':
      if (from === 'paused') return { kind: 'noop' };
      if (from === 'running') return { kind: 'move', now: 'paused', reason: 'user' };
      return conflict(from, undefined);
    case 'resume':
      if (from === 'running') return { kind: 'noop' };
      if (from === 'paused') return { kind: 'move', now: 'running', reason: 'resumed' };
      return conflict(
        from,
        from === 'shut-off' ? 'Start it instead: only a paused VM can be resumed.' : undefined,
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

/** The `IncorrectState` error for an illegal transition: names the VM, its status and what to do. */
export function incorrectState(
  vm: { id: string; name: string },
  operation: SimLifecycleOperation,
  status: SimVmStatus,
  hint: string,
): SimApiError {
  const verb = operation === 'forceStop' ? 'force-stop' : operation;
  return new SimApiError(
    'IncorrectState',
    `Cannot ${verb} VM ${vm.id} (${vm.name}): it is ${status}. ${hint}`,
    {
      status: 409,
    },
  );
}

function conflict(from: SimVmStatus, specific: string | undefined): SimTransitionPlan {
  return { kind: 'conflict', hint: specific ?? WAIT_HINTS[from] };
}

const WAIT_HINTS: Record<SimVmStatus, string> = {
  booting: 'Wait until it is running and try again.',
  running: 'Stop it first.',
  'shutting-down': 'Wait until it is shut off and try again.',
  'shut-off': 'Start it first.',
  paused: 'Resume it first.',
  migrating: 'Wait for the migration to end or cancel it, then try again.',
  terminated: 'It is being deleted; create a new VM instead.',
  crashed: 'Stop it (or start it once its host is up again) first.',
};
