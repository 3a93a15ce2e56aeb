import type { DriverEvent } from '@novacron/core';
import { toKvmError } from './kvm-error-map.js';
import type { KvmFleet, KvmHost } from './kvm-fleet.js';
import { mapDomainState, TERMINATED_STATE } from './kvm-state-map.js';
import { DomainLifecycleEvent, type DomainRef } from './libvirt/index.js';

/** The detail of a `stopped` lifecycle event that says the domain migrated away. */
const STOPPED_MIGRATED = 3;

/**
 * Watches every host of the fleet: lifecycle events become `vm.state` events (in order per VM, with the state read
 * afresh; a source's `stopped (migrated)` and `undefined` after a migration are not reported as the VM going away),
 * connection loss and recovery become `host.state` `down` / `up`. Resolves with the function that stops watching;
 * `signal` stops it too.
 */
export async function watchFleet(
  fleet: KvmFleet,
  listener: (event: DriverEvent) => void,
  signal: AbortSignal,
): Promise<() => Promise<void>> {
  const chains = new Map<string, Promise<void>>();
  const stops: (() => Promise<void> | void)[] = [];
  const emitFor = async (host: KvmHost, domain: DomainRef, event: number, detail: number): Promise<void> => {
    const vmId = domain.name;
    if (event === DomainLifecycleEvent.STOPPED && detail === STOPPED_MIGRATED) return; // the destination reports it
    if (event === DomainLifecycleEvent.UNDEFINED) {
      // After a migration the source undefines its copy: the VM is not gone if another host has it.
      const elsewhere = await Promise.all(
        fleet.hosts
          .filter((other) => other !== host)
          .map((other) =>
            other.client.lookupDomainByName(vmId, signal).then(
              () => true,
              () => false,
            ),
          ),
      );
      if (!elsewhere.includes(true))
        listener({ type: 'vm.state', vmId, state: TERMINATED_STATE, hostId: host.options.id });
      return;
    }
    const state = await host.client.getDomainState(domain, signal).catch(() => undefined);
    if (state === undefined) return;
    listener({
      type: 'vm.state',
      vmId,
      state: mapDomainState(state.state, state.reason, fleet.migrating.has(vmId)),
      hostId: host.options.id,
    });
  };
  try {
    for (const host of fleet.hosts) {
      stops.push(
        host.client.onConnectionState((state) =>
          listener({
            type: 'host.state',
            hostId: host.options.id,
            state: state === 'connected' ? 'up' : 'down',
          }),
        ),
      );
      stops.push(
        await host.client.onDomainEvent(
          'lifecycle',
          ({ domain, event, detail }) => {
            // Keep each VM's events in order while states are read.
            const previous = chains.get(domain.name) ?? Promise.resolve();
            const next = previous.then(() => emitFor(host, domain, event, detail)).catch(() => undefined);
            chains.set(domain.name, next);
          },
          { retryInBackground: true },
        ),
      );
      // A host that is down now is watched anyway: it reports `up` when its daemon is back.
      if (!host.client.isConnected) listener({ type: 'host.state', hostId: host.options.id, state: 'down' });
    }
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw toKvmError(error, { action: 'watch KVM hosts' }, signal);
  }
  let stopped = false;
  const unsubscribe = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    signal.removeEventListener('abort', onAbort);
    await Promise.all(stops.map((stop) => stop()));
  };
  const onAbort = (): void => {
    void unsubscribe();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return unsubscribe;
}
