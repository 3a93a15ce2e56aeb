import { NovaCronError } from '@novacron/core';
import { sleep } from '@novacron/core/driver';
import { parseDomainXml } from './kvm-domain-xml.js';
import { isLibvirtCode, toKvmError } from './kvm-error-map.js';
import { recordPendingFirstStart } from './kvm-first-start.js';
import type { LocatedVm } from './kvm-fleet.js';
import { mapDomainState } from './kvm-state-map.js';
import { DomainState, LibvirtError, LibvirtErrorCode, UndefineFlag } from './libvirt/index.js';

/** libvirt states in which a domain still holds a qemu process. */
const ACTIVE_STATES = new Set<number>([
  DomainState.RUNNING,
  DomainState.BLOCKED,
  DomainState.PAUSED,
  DomainState.SHUTDOWN,
  DomainState.PMSUSPENDED,
]);

function wrongState(
  vmId: string,
  action: string,
  state: { state: number; reason: number },
  fix: string,
): NovaCronError {
  const mapped = mapDomainState(state.state, state.reason);
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Cannot ${action} VM ${vmId}: it is ${mapped.providerState} (${mapped.reason ?? 'no reason'}); ${fix}.`,
  });
}

/** Powers a domain off at once; one that stopped on its own meanwhile is fine. */
async function destroyIfRunning({ host, domain }: LocatedVm, signal: AbortSignal): Promise<void> {
  await host.client.destroyDomain(domain, 0, signal).catch((error: unknown) => {
    if (!isLibvirtCode(error, LibvirtErrorCode.OPERATION_INVALID)) throw error;
  });
}

/**
 * Starts a shut off or crashed domain; any other state is left as it is. A domain whose create never recorded its
 * first start (the create died before starting it) gets the record now ({@link recordPendingFirstStart}).
 */
export async function startVm({ host, domain }: LocatedVm, signal: AbortSignal): Promise<void> {
  const { state } = await host.client.getDomainState(domain, signal);
  if (state === DomainState.SHUTOFF || state === DomainState.CRASHED) {
    await host.client.createDomain(domain, 0, signal);
    await recordPendingFirstStart(host, domain, signal);
  }
}

/**
 * Stops an active domain: an ACPI shutdown, polled until the guest is off or `shutdownTimeoutMs` has passed, then
 * a power-off. `force`, or a paused guest (which cannot react to ACPI), powers off at once.
 */
export async function stopVm(
  located: LocatedVm,
  force: boolean,
  shutdownTimeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const { host, domain } = located;
  const { state } = await host.client.getDomainState(domain, signal);
  if (!ACTIVE_STATES.has(state)) return;
  if (!force && state !== DomainState.PAUSED) {
    await host.client.shutdownDomain(domain, signal);
    const deadline = Date.now() + shutdownTimeoutMs;
    while (Date.now() < deadline) {
      if (!ACTIVE_STATES.has((await host.client.getDomainState(domain, signal)).state)) return;
      await sleep(100, signal);
    }
  }
  // It may stop on its own between the check and the destroy.
  await destroyIfRunning(located, signal);
}

/** Reboots a running domain; `CONFLICT` in any other state. */
export async function rebootVm(vmId: string, located: LocatedVm, signal: AbortSignal): Promise<void> {
  const { host, domain } = located;
  const state = await host.client.getDomainState(domain, signal);
  if (state.state !== DomainState.RUNNING && state.state !== DomainState.BLOCKED) {
    throw wrongState(vmId, 'reboot', state, 'start or resume it first');
  }
  await host.client.rebootDomain(domain, 0, signal);
}

/** Pauses a running domain; a paused one is left as it is, any other state is a `CONFLICT`. */
export async function suspendVm(vmId: string, located: LocatedVm, signal: AbortSignal): Promise<void> {
  const { host, domain } = located;
  const state = await host.client.getDomainState(domain, signal);
  if (state.state === DomainState.PAUSED) return;
  if (state.state !== DomainState.RUNNING && state.state !== DomainState.BLOCKED) {
    throw wrongState(vmId, 'suspend', state, 'start it first');
  }
  await host.client.suspendDomain(domain, signal);
}

/** Resumes a paused domain; a running one is left as it is, any other state is a `CONFLICT`. */
export async function resumeVm(vmId: string, located: LocatedVm, signal: AbortSignal): Promise<void> {
  const { host, domain } = located;
  const state = await host.client.getDomainState(domain, signal);
  if (state.state === DomainState.RUNNING || state.state === DomainState.BLOCKED) return;
  if (state.state !== DomainState.PAUSED) throw wrongState(vmId, 'resume', state, 'start it instead');
  await host.client.resumeDomain(domain, signal);
}

/**
 * The root overlay named in a domain's NovaCron metadata (only NovaCron's own namespace URI counts), or undefined
 * when it names none or its XML cannot be read: a volume is deleted only when NovaCron's own record names it.
 */
function ownRootVolume(xml: string): { pool: string; name: string } | undefined {
  try {
    return parseDomainXml(xml).metadata.rootVolume;
  } catch (error) {
    if (NovaCronError.isInstance(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes a VM's domain: powers it off, undefines it (with its managed save, snapshot metadata and NVRAM) and
 * deletes the root overlay NovaCron made for it. A domain whose XML cannot be read is deleted all the same, but no
 * volume is. Resolves `true` once it is gone, `false` when another hand deleted the domain meanwhile.
 */
export async function deleteVm(vmId: string, located: LocatedVm, signal: AbortSignal): Promise<boolean> {
  const { host, domain } = located;
  try {
    const xml = await host.client.getDomainXml(domain, 0, signal);
    const rootVolume = ownRootVolume(xml);
    await destroyIfRunning(located, signal);
    await host.client
      .undefineDomain(
        domain,
        UndefineFlag.MANAGED_SAVE | UndefineFlag.SNAPSHOTS_METADATA | UndefineFlag.NVRAM,
        signal,
      )
      .catch((error: unknown) => {
        if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return;
        // Drivers that know no NVRAM (the test driver) refuse the flags: undefine plainly.
        if (error instanceof LibvirtError) return host.client.undefineDomain(domain, 0, signal);
        throw error;
      });
    if (rootVolume !== undefined) {
      const pool = await host.client.lookupStoragePool(rootVolume.pool, signal);
      const volume = await host.client
        .lookupStorageVolume(pool, rootVolume.name, signal)
        .catch(() => undefined);
      if (volume !== undefined) await host.client.deleteStorageVolume(volume, signal);
    }
  } catch (error) {
    if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return false;
    throw toKvmError(error, { action: `delete VM ${vmId}`, hostId: host.options.id }, signal);
  }
  return true;
}
