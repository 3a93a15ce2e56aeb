import { NovaCronError } from '../errors/novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import {
  formatVmRef,
  parseVmRef,
  VM_STATE_NAMES,
  type Vm,
  type VmRef,
  type VmStateName,
} from '../model/vm.js';
import { createWaiter, type WaiterCheck } from './create-waiter.js';

/** Options of {@link waitUntilVmState}. */
export interface WaitUntilVmStateOptions {
  /** Give up with `TIMEOUT` after this long. Default 300,000 ms. */
  timeoutMs?: number | undefined;
  /** Cancels the wait with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** First delay between polls. Default 200 ms (it grows to `maxIntervalMs`). */
  intervalMs?: number | undefined;
  /** Largest delay between polls. Default 5,000 ms. */
  maxIntervalMs?: number | undefined;
}

/** What the waiter needs of a client: a NovaCron client fits. */
export interface VmStateSource {
  /** Reads a VM. */
  vms: { get(ref: VmRef, options: { signal: AbortSignal }): Promise<Vm> };
  /** Where `vm.state` events arrive, to check early instead of sleeping. */
  events?: EventBus | undefined;
}

/** States from which each wanted state can never be reached. */
const DEAD_ENDS: ReadonlySet<VmStateName> = new Set(['terminated', 'error']);

/**
 * Waits until a VM is in one of `states`, polling with a growing delay and checking early on `vm.state` events.
 * Throws `TIMEOUT`, `ABORTED`, or `CONFLICT` when the VM ends up terminated or in error while something else was
 * wanted. Waiting for `terminated` also succeeds when the VM is gone (`NOT_FOUND`), and then resolves `undefined`.
 *
 * @example
 * await waitUntilVmState(nc, 'sim:vm-1', 'running', { timeoutMs: 60_000 });
 */
export async function waitUntilVmState(
  source: VmStateSource,
  ref: VmRef | string,
  states: VmStateName | VmStateName[],
  options: WaitUntilVmStateOptions = {},
): Promise<Vm | undefined> {
  const target = parseVmRef(ref);
  const wanted = Array.isArray(states) ? states : [states];
  checkWaitArguments(target, wanted, options);
  const key = formatVmRef(target);
  const description = `VM ${key} to be ${wanted.join(' or ')}`;
  const events = source.events;
  return createWaiter<Vm | undefined>(
    description,
    async (signal): Promise<WaiterCheck<Vm | undefined>> => {
      let vm: Vm;
      try {
        vm = await source.vms.get(target, { signal });
      } catch (error) {
        if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND' && wanted.includes('terminated')) {
          return { status: 'done', value: undefined };
        }
        throw error;
      }
      if (wanted.includes(vm.state.name)) return { status: 'done', value: vm };
      if (DEAD_ENDS.has(vm.state.name)) {
        return {
          status: 'failed',
          error: new NovaCronError({
            code: 'CONFLICT',
            provider: target.provider,
            message: `VM ${key} is ${vm.state.name} (${vm.state.providerState}${vm.state.reason ? `, ${vm.state.reason}` : ''}) and will never be ${wanted.join(' or ')}. Stop waiting, or recreate it.`,
          }),
        };
      }
      return { status: 'retry', observed: `${vm.state.name} (${vm.state.providerState})` };
    },
    {
      timeoutMs: options.timeoutMs,
      minDelayMs: options.intervalMs,
      maxDelayMs: options.maxIntervalMs,
      signal: options.signal,
      wake:
        events === undefined
          ? undefined
          : (callback) => {
              const listener = (event: { ref: VmRef }) => {
                if (formatVmRef(event.ref) === key) callback();
              };
              events.on('vm.state', listener);
              return () => events.off('vm.state', listener);
            },
    },
  );
}

/**
 * Refuses, at once, a wait that could never end well: no state, a state that does not exist (`INVALID_ARGUMENT`), or
 * a negative or non-numeric time (`TypeError`, a programming mistake).
 */
function checkWaitArguments(
  target: VmRef,
  wanted: readonly unknown[],
  options: WaitUntilVmStateOptions,
): void {
  const unknown = wanted.filter((state) => !(VM_STATE_NAMES as readonly unknown[]).includes(state));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'states',
      provider: target.provider,
      operation: 'vms.waitUntil',
      message:
        wanted.length === 0
          ? `vms.waitUntil needs at least one state to wait for (one of ${VM_STATE_NAMES.join(', ')}).`
          : `vms.waitUntil cannot wait for ${unknown.map((state) => `'${String(state)}'`).join(', ')}: the states are ${VM_STATE_NAMES.join(', ')}.`,
    });
  }
  for (const name of ['timeoutMs', 'intervalMs', 'maxIntervalMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && !Number.isNaN(value))) {
      throw new TypeError(
        `vms.waitUntil: options.${name} must be a number of milliseconds >= 0, got ${String(value)}.`,
      );
    }
  }
}
