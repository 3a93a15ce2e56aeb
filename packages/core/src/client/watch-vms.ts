import type { EventBus } from '../events/event-bus.js';
import type { Vm, VmRef, VmState } from '../model/vm.js';
import { sleep } from '../util/abort.js';
import type { OperationRunner } from './operation-runner.js';
import type { VmStateTracker } from './vm-state-tracker.js';

/** One state change seen by a watch. */
export interface VmStateChange {
  /** The VM. */
  ref: VmRef;
  /** Its new state. */
  state: VmState;
  /** Its state before, when the client had seen it. */
  previous?: VmState;
  /** When the client saw the change. */
  at: Date;
}

/** What {@link watchVms} needs. */
export interface WatchVmsContext {
  providers: string[];
  events: EventBus;
  tracker: VmStateTracker;
  runner: OperationRunner;
  poll: (provider: string, signal: AbortSignal) => Promise<Vm[]>;
  pollIntervalMs: number;
  signal?: AbortSignal;
}

/**
 * Streams `vm.state` changes of the given providers: drivers with the `watch` capability push them, the others are
 * listed every `pollIntervalMs` and compared with what the client saw before. Ends when the signal aborts or the
 * consumer stops iterating; a watch or poll that fails ends the iteration with that error.
 */
export async function* watchVms(context: WatchVmsContext): AsyncGenerator<VmStateChange, void, undefined> {
  const stop = new AbortController();
  const signal = context.signal === undefined ? stop.signal : AbortSignal.any([context.signal, stop.signal]);
  const buffered: VmStateChange[] = [];
  let wakeUp: (() => void) | undefined;
  let failure: unknown;
  const providers = new Set(context.providers);
  const onState = (event: VmStateChange) => {
    if (!providers.has(event.ref.provider)) return;
    buffered.push(event);
    wakeUp?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    wakeUp?.();
  };
  context.events.on('vm.state', onState);
  const unsubscribers: Array<() => Promise<void>> = [];
  try {
    for (const provider of context.providers) {
      const runtime = context.runner.runtime(provider, 'vms.watch');
      if (runtime.driver.capabilities.watch) {
        const unsubscribe = await runtime.invoke('vms.watch', signal, (driver) =>
          driver.doWatch!(
            (event) => {
              if (event.type === 'vm.state')
                context.tracker.observe({ provider, id: event.vmId }, event.state);
              else
                context.events.safeEmit('host.state', {
                  provider,
                  hostId: event.hostId,
                  state: event.state,
                  at: new Date(),
                });
            },
            { signal },
          ),
        );
        unsubscribers.push(unsubscribe);
      } else {
        void pollLoop(provider, context, signal).catch(fail);
      }
    }
    while (!signal.aborted) {
      if (failure !== undefined) throw failure;
      const next = buffered.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      wakeUp = undefined;
    }
  } finally {
    stop.abort();
    context.events.off('vm.state', onState);
    await Promise.all(unsubscribers.map((unsubscribe) => unsubscribe().catch(() => undefined)));
  }
}

async function pollLoop(provider: string, context: WatchVmsContext, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      // Listing through the client records every state and emits `vm.state` for each change.
      await context.poll(provider, signal);
      await sleep(context.pollIntervalMs, signal);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }
}
