import { NovaCronError } from '@novacron/core';
import type { KvmDriverOptions, KvmHostOptions } from './kvm-driver-options.js';
import { isLibvirtCode, libvirtCause, toKvmError } from './kvm-error-map.js';
import { type DomainRef, LibvirtClient, LibvirtErrorCode } from './libvirt/index.js';

/** One host of the fleet: its options and the libvirt client of its daemon. */
export interface KvmHost {
  /** The host as configured. */
  options: KvmHostOptions;
  /** The client of its libvirtd. */
  client: LibvirtClient;
  /** True when the driver made the client, and so closes it. */
  ownsClient: boolean;
}

/** A VM found on a host. */
export interface LocatedVm {
  /** The host it lives on. */
  host: KvmHost;
  /** Its domain there. */
  domain: DomainRef;
  /** The state, when a bulk call already read it. */
  state?: { state: number; reason: number } | undefined;
}

/**
 * The hosts of a KVM fleet and where its VMs live: hosts by id, VMs by name across every host (the host a VM was
 * last found on is asked first), and the VMs a live migration is moving.
 */
export class KvmFleet {
  /** Every host, in the order of the options. */
  readonly hosts: readonly KvmHost[];
  /** Names of the VMs this driver is live-migrating now (they read `migrating`). */
  readonly migrating = new Set<string>();
  private readonly hostsById = new Map<string, KvmHost>();
  private readonly hostHints = new Map<string, string>();

  /** @throws TypeError when there is no host, a host lacks a string id or uri, or an id is used twice. */
  constructor(options: KvmDriverOptions) {
    if (!Array.isArray(options?.hosts) || options.hosts.length === 0) {
      throw new TypeError('createKvmDriver needs at least one host: { hosts: [{ id, uri }] }.');
    }
    this.hosts = options.hosts.map((host) => {
      if (typeof host.id !== 'string' || host.id === '' || typeof host.uri !== 'string') {
        throw new TypeError('Every KVM host needs a string id and uri.');
      }
      if (this.hostsById.has(host.id)) throw new TypeError(`KVM host id '${host.id}' is used twice.`);
      const entry: KvmHost = {
        options: host,
        client: host.client ?? new LibvirtClient(host.uri, options.client),
        ownsClient: host.client === undefined,
      };
      this.hostsById.set(host.id, entry);
      return entry;
    });
  }

  /** Connects to every host; fails only when no host answers (unreachable hosts are reported `down`). */
  async connect(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const results = await Promise.allSettled(this.hosts.map((host) => host.client.connect(signal)));
    signal.throwIfAborted();
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined && results.every((result) => result.status === 'rejected')) {
      const ids = this.hosts.map((host) => `'${host.options.id}'`).join(', ');
      throw toKvmError(failure.reason, { action: `connect to any KVM host (${ids})` }, signal);
    }
  }

  /** Closes every client the fleet made (clients passed in options stay open). */
  async close(): Promise<void> {
    await Promise.all(this.hosts.filter((host) => host.ownsClient).map((host) => host.client.close()));
  }

  /** The libvirt client of every host, by host id. */
  clients(): ReadonlyMap<string, LibvirtClient> {
    return new Map(this.hosts.map((host) => [host.options.id, host.client]));
  }

  /** The host with this id; `NOT_FOUND` on `field` when the fleet has none. */
  host(hostId: string, field: string): KvmHost {
    const host = this.hostsById.get(hostId);
    if (host === undefined) {
      throw new NovaCronError({
        code: 'NOT_FOUND',
        field,
        message: `KVM host '${hostId}' is not part of this fleet (hosts: ${[...this.hostsById.keys()].join(', ')}).`,
      });
    }
    return host;
  }

  /** The id of the host a VM was last found on, if any. */
  hintedHostId(name: string): string | undefined {
    return this.hostHints.get(name);
  }

  /** Remembers that a VM lives on a host. */
  remember(name: string, hostId: string): void {
    this.hostHints.set(name, hostId);
  }

  /** Forgets where a VM lives (it was deleted). */
  forget(name: string): void {
    this.hostHints.delete(name);
  }

  /**
   * Finds a VM by name: on the host it was last found on, else on every host at once. `NOT_FOUND` when no host
   * has it; an unreachable host's failure when one could not be asked.
   */
  async locate(name: string, signal: AbortSignal): Promise<LocatedVm> {
    const hinted = this.hostsById.get(this.hostHints.get(name) ?? '');
    if (hinted !== undefined) {
      try {
        return { host: hinted, domain: await hinted.client.lookupDomainByName(name, signal) };
      } catch (error) {
        if (!isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN))
          throw toKvmError(error, { action: `look up VM ${name}`, hostId: hinted.options.id }, signal);
      }
    }
    const results = await Promise.allSettled(
      this.hosts.map((host) => host.client.lookupDomainByName(name, signal)),
    );
    let unreachable: { error: unknown; hostId: string } | undefined;
    let notFound: unknown;
    for (const [index, result] of results.entries()) {
      const host = this.hosts[index] as KvmHost;
      if (result.status === 'fulfilled') {
        this.hostHints.set(name, host.options.id);
        return { host, domain: result.value };
      }
      if (isLibvirtCode(result.reason, LibvirtErrorCode.NO_DOMAIN)) notFound = result.reason;
      else unreachable ??= { error: result.reason, hostId: host.options.id };
    }
    this.hostHints.delete(name);
    if (unreachable !== undefined) {
      throw toKvmError(
        unreachable.error,
        { action: `look up VM ${name}`, hostId: unreachable.hostId },
        signal,
      );
    }
    throw new NovaCronError({
      code: 'NOT_FOUND',
      message: `VM ${name} not found on any KVM host (${this.hosts.map((host) => host.options.id).join(', ')}) (libvirt error 42). Check the name or list VMs.`,
      cause: libvirtCause(notFound),
    });
  }

  /**
   * Asks every host at once for a domain by name and by UUID, without failing on hosts that do not answer: what
   * the reachable hosts have, and the ids of the hosts that could not be asked (with the first such error).
   */
  async survey(
    name: string,
    uuid: Uint8Array,
    signal: AbortSignal,
  ): Promise<{
    byName: LocatedVm | undefined;
    byUuid: LocatedVm | undefined;
    unreachable: Map<string, unknown>;
  }> {
    const unreachable = new Map<string, unknown>();
    const ask = async (host: KvmHost, lookup: () => Promise<DomainRef>): Promise<LocatedVm | undefined> => {
      try {
        return { host, domain: await lookup() };
      } catch (error) {
        if (isLibvirtCode(error, LibvirtErrorCode.NO_DOMAIN)) return undefined;
        if (signal.aborted) throw error;
        if (!unreachable.has(host.options.id)) unreachable.set(host.options.id, error);
        return undefined;
      }
    };
    const found = await Promise.all(
      this.hosts.map(async (host) => ({
        byName: await ask(host, () => host.client.lookupDomainByName(name, signal)),
        byUuid: await ask(host, () => host.client.lookupDomainByUuid(uuid, signal)),
      })),
    );
    const byName = found.find((entry) => entry.byName !== undefined)?.byName;
    if (byName !== undefined) this.hostHints.set(name, byName.host.options.id);
    return { byName, byUuid: found.find((entry) => entry.byUuid !== undefined)?.byUuid, unreachable };
  }

  /** Like {@link locate}, but resolves `undefined` instead of failing with `NOT_FOUND`. */
  async find(name: string, signal: AbortSignal): Promise<LocatedVm | undefined> {
    return this.locate(name, signal).catch((error: unknown) => {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
  }

  /** Locates a VM and runs `run` on it; its failures name the action, the VM and the host (`start VM web-1`). */
  async withVm<T>(
    vmId: string,
    action: string,
    signal: AbortSignal,
    run: (located: LocatedVm) => Promise<T>,
  ): Promise<T> {
    const located = await this.locate(vmId, signal);
    try {
      return await run(located);
    } catch (error) {
      throw toKvmError(error, { action: `${action} VM ${vmId}`, hostId: located.host.options.id }, signal);
    }
  }
}
