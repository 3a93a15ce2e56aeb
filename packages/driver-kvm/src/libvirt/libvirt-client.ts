import type { LibvirtCall } from './libvirt-call.js';
import { type LibvirtClientOptions, LibvirtConnectionKeeper } from './libvirt-connection-keeper.js';
import { type EventKind, type EventPayload, LibvirtDomainEvents } from './libvirt-domain-events.js';
import * as lifecycle from './libvirt-domain-lifecycle-procedures.js';
import type { DomainMetadataInput } from './libvirt-domain-metadata-procedures.js';
import * as metadata from './libvirt-domain-metadata-procedures.js';
import type { DomainInfo, DomainStatsRecord } from './libvirt-domain-query-procedures.js';
import * as queries from './libvirt-domain-query-procedures.js';
import type { DomainJobStats, MigrateOptions } from './libvirt-migration-procedures.js';
import * as migration from './libvirt-migration-procedures.js';
import type { NodeInfo } from './libvirt-node-procedures.js';
import * as node from './libvirt-node-procedures.js';
import * as snapshots from './libvirt-snapshot-procedures.js';
import * as storage from './libvirt-storage-procedures.js';
import type { DomainRef, SnapshotRef, StoragePoolRef, StorageVolumeRef } from './libvirt-types.js';
import { type ParsedLibvirtUri, parseLibvirtUri } from './libvirt-uri.js';

/**
 * A client for libvirt's remote RPC protocol, in TypeScript, with no native code: one connection per client over a
 * UNIX socket, TCP, TLS or SSH, many concurrent calls multiplexed by serial, async events, keepalive, and reconnects
 * with backoff. Errors keep libvirt's code, domain and message ({@link LibvirtError}).
 *
 * @example
 * const client = new LibvirtClient('qemu+unix:///system?socket=/run/libvirt/libvirt-sock');
 * const domains = await client.listAllDomains();
 * const state = await client.getDomainState(domains[0]);
 * await client.close();
 */
export class LibvirtClient {
  /** The parsed URI. */
  readonly uri: ParsedLibvirtUri;
  private readonly connection: LibvirtConnectionKeeper;
  private readonly events: LibvirtDomainEvents;
  /** How the procedure functions reach the daemon: through this client's connection. */
  private readonly call: LibvirtCall = (procedure, body, decode, signal) =>
    this.connection.call(procedure, body, decode, signal);

  constructor(uri: string, options: LibvirtClientOptions = {}) {
    this.uri = parseLibvirtUri(uri);
    this.connection = new LibvirtConnectionKeeper(this.uri, options, {
      onEvent: (procedure, body) => this.events.dispatch(procedure, body),
      onOpen: (connection) => this.events.registerAll(connection),
      wantsReconnect: () => this.events.hasListeners,
    });
    this.events = new LibvirtDomainEvents(this.connection);
  }

  /** True while a connection is open. */
  get isConnected(): boolean {
    return this.connection.isConnected;
  }

  /** Connects and opens the hypervisor now (otherwise the first call does). */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.connection.ensureConnection(signal);
  }

  /** Closes the connection for good; later calls fail. */
  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Listens for connection state changes (lost, re-established). Returns the function that stops listening. */
  onConnectionState(listener: (state: 'connected' | 'disconnected', error?: Error) => void): () => void {
    return this.connection.onConnectionState(listener);
  }

  /**
   * Subscribes to domain events of every domain: `lifecycle`, `migration-iteration` or `job-completed`.
   * Registration survives reconnects. Resolves with the function that unsubscribes.
   *
   * With `retryInBackground` (default false), a daemon that cannot be reached now does not fail the subscription:
   * the client keeps reconnecting with backoff and registers the callback once it is back.
   *
   * @example
   * const stop = await client.onDomainEvent('lifecycle', (event) => console.log(event.domain.name, event.event));
   */
  async onDomainEvent<K extends EventKind>(
    kind: K,
    listener: (event: EventPayload[K]) => void,
    options: { retryInBackground?: boolean | undefined } = {},
  ): Promise<() => Promise<void>> {
    return await this.events.subscribe(kind, listener, options);
  }

  // ---- connection and node ---------------------------------------------------------------------------------

  /** The host's capabilities XML (`virConnectGetCapabilities`). */
  getCapabilities(signal?: AbortSignal): Promise<string> {
    return node.getCapabilities(this.call, signal);
  }

  /** The host's name (`virConnectGetHostname`). */
  getHostname(signal?: AbortSignal): Promise<string> {
    return node.getHostname(this.call, signal);
  }

  /** CPU and memory of the host (`virNodeGetInfo`). */
  nodeGetInfo(signal?: AbortSignal): Promise<NodeInfo> {
    return node.nodeGetInfo(this.call, signal);
  }

  /** Host memory statistics in KiB (`total`, `free`, `buffers`, `cached`), over all NUMA cells. */
  async nodeGetMemoryStats(signal?: AbortSignal): Promise<Record<string, bigint>> {
    return await node.nodeGetMemoryStats(this.call, signal);
  }

  /** Host CPU times in nanoseconds (`kernel`, `user`, `idle`, `iowait`), summed over all CPUs. */
  async nodeGetCpuStats(signal?: AbortSignal): Promise<Record<string, bigint>> {
    return await node.nodeGetCpuStats(this.call, signal);
  }

  // ---- domains ---------------------------------------------------------------------------------------------

  /** Every domain, running or not (`virConnectListAllDomains`); `flags` filters (`ListDomainsFlag`). */
  listAllDomains(flags = 0, signal?: AbortSignal): Promise<DomainRef[]> {
    return queries.listAllDomains(this.call, flags, signal);
  }

  /** A domain by name; fails with libvirt error 42 (no domain) when there is none. */
  lookupDomainByName(name: string, signal?: AbortSignal): Promise<DomainRef> {
    return queries.lookupDomainByName(this.call, name, signal);
  }

  /** A domain by its 16 UUID bytes. */
  lookupDomainByUuid(uuid: Uint8Array, signal?: AbortSignal): Promise<DomainRef> {
    return queries.lookupDomainByUuid(this.call, uuid, signal);
  }

  /** Defines (or redefines) a persistent domain from XML (`virDomainDefineXMLFlags`). */
  defineDomainXml(xml: string, flags = 0, signal?: AbortSignal): Promise<DomainRef> {
    return lifecycle.defineDomainXml(this.call, xml, flags, signal);
  }

  /** Starts a defined domain (`virDomainCreateWithFlags`); resolves with its new id. */
  createDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<DomainRef> {
    return lifecycle.createDomain(this.call, domain, flags, signal);
  }

  /** Asks the guest to shut down (ACPI) (`virDomainShutdown`). */
  shutdownDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return lifecycle.shutdownDomain(this.call, domain, signal);
  }

  /** Powers the domain off at once (`virDomainDestroyFlags`). */
  destroyDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return lifecycle.destroyDomain(this.call, domain, flags, signal);
  }

  /** Reboots the domain (`virDomainReboot`). */
  rebootDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return lifecycle.rebootDomain(this.call, domain, flags, signal);
  }

  /** Pauses the domain's CPUs (`virDomainSuspend`). */
  suspendDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return lifecycle.suspendDomain(this.call, domain, signal);
  }

  /** Resumes a paused domain (`virDomainResume`). */
  resumeDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return lifecycle.resumeDomain(this.call, domain, signal);
  }

  /** Removes a domain's definition (`virDomainUndefineFlags`; flags `UndefineFlag`). */
  undefineDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return lifecycle.undefineDomain(this.call, domain, flags, signal);
  }

  /**
   * Sets a domain's description, title or one metadata element (`virDomainSetMetadata`); `flags` is a
   * `DomainModificationImpact` (`LIVE | CONFIG` for both definitions of a running persistent domain).
   *
   * @example
   * await client.setDomainMetadata(
   *   domain,
   *   { type: DomainMetadataType.ELEMENT, metadata: '<app><owner value="ops"/></app>', key: 'app', uri: 'https://example.com/app' },
   *   DomainModificationImpact.CONFIG,
   * );
   */
  setDomainMetadata(
    domain: DomainRef,
    input: DomainMetadataInput,
    flags = 0,
    signal?: AbortSignal,
  ): Promise<void> {
    return metadata.setDomainMetadata(this.call, domain, input, flags, signal);
  }

  /** The domain's state and reason (`virDomainGetState`). */
  getDomainState(domain: DomainRef, signal?: AbortSignal): Promise<{ state: number; reason: number }> {
    return queries.getDomainState(this.call, domain, signal);
  }

  /** State, memory, vCPUs and CPU time (`virDomainGetInfo`). */
  getDomainInfo(domain: DomainRef, signal?: AbortSignal): Promise<DomainInfo> {
    return queries.getDomainInfo(this.call, domain, signal);
  }

  /** The domain's XML (`virDomainGetXMLDesc`; flag 2 = inactive definition). */
  getDomainXml(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<string> {
    return queries.getDomainXml(this.call, domain, flags, signal);
  }

  /**
   * Statistics of many domains in one call (`virConnectGetAllDomainStats` / `virDomainListGetStats`). With no
   * domains, every domain; `groups` 0 = every group (`DomainStatsGroup`).
   */
  getAllDomainStats(
    domains: readonly DomainRef[] = [],
    groups = 0,
    flags = 0,
    signal?: AbortSignal,
  ): Promise<DomainStatsRecord[]> {
    return queries.getAllDomainStats(this.call, domains, groups, flags, signal);
  }

  // ---- migration and jobs ----------------------------------------------------------------------------------

  /**
   * Live-migrates a domain peer-to-peer: the source daemon connects to `destinationUri` (as the daemon sees it) and
   * drives the migration; resolves when it has finished. Progress: {@link getDomainJobStats} and events.
   */
  async migrateToUri(
    domain: DomainRef,
    destinationUri: string,
    options: MigrateOptions = {},
    signal?: AbortSignal,
  ): Promise<void> {
    await migration.migrateToUri(this.call, domain, destinationUri, options, signal);
  }

  /** Statistics of the domain's current job, or of the last completed one with `JobStatsFlag.COMPLETED`. */
  getDomainJobStats(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<DomainJobStats> {
    return migration.getDomainJobStats(this.call, domain, flags, signal);
  }

  /** Aborts the domain's current job, e.g. a migration (`virDomainAbortJob`). */
  abortDomainJob(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return migration.abortDomainJob(this.call, domain, signal);
  }

  /** Sets the tolerated downtime of a migration, in milliseconds. */
  migrateSetMaxDowntime(domain: DomainRef, downtimeMs: number, signal?: AbortSignal): Promise<void> {
    return migration.migrateSetMaxDowntime(this.call, domain, downtimeMs, signal);
  }

  /** Sets the bandwidth cap of a migration, in MiB/s. */
  migrateSetMaxSpeed(domain: DomainRef, bandwidthMiBps: number, signal?: AbortSignal): Promise<void> {
    return migration.migrateSetMaxSpeed(this.call, domain, bandwidthMiBps, signal);
  }

  /** Switches a running migration (started with `postCopy`) to post-copy. */
  migrateStartPostCopy(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return migration.migrateStartPostCopy(this.call, domain, signal);
  }

  // ---- storage ---------------------------------------------------------------------------------------------

  /** A storage pool by name. */
  lookupStoragePool(name: string, signal?: AbortSignal): Promise<StoragePoolRef> {
    return storage.lookupStoragePool(this.call, name, signal);
  }

  /** Creates a volume from XML in a pool (e.g. a qcow2 overlay whose `<backingStore>` is a base image). */
  createStorageVolume(
    pool: StoragePoolRef,
    xml: string,
    flags = 0,
    signal?: AbortSignal,
  ): Promise<StorageVolumeRef> {
    return storage.createStorageVolume(this.call, pool, xml, flags, signal);
  }

  /** A volume by pool and name. */
  lookupStorageVolume(pool: StoragePoolRef, name: string, signal?: AbortSignal): Promise<StorageVolumeRef> {
    return storage.lookupStorageVolume(this.call, pool, name, signal);
  }

  /** A volume's path on the host. */
  getStorageVolumePath(volume: StorageVolumeRef, signal?: AbortSignal): Promise<string> {
    return storage.getStorageVolumePath(this.call, volume, signal);
  }

  /** Deletes a volume. */
  deleteStorageVolume(volume: StorageVolumeRef, signal?: AbortSignal): Promise<void> {
    return storage.deleteStorageVolume(this.call, volume, signal);
  }

  // ---- snapshots -------------------------------------------------------------------------------------------

  /** Creates a snapshot from `<domainsnapshot>` XML. */
  createSnapshot(domain: DomainRef, xml: string, flags = 0, signal?: AbortSignal): Promise<SnapshotRef> {
    return snapshots.createSnapshot(this.call, domain, xml, flags, signal);
  }

  /** Every snapshot of a domain. */
  listSnapshots(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<SnapshotRef[]> {
    return snapshots.listSnapshots(this.call, domain, flags, signal);
  }

  /** A snapshot by name. */
  lookupSnapshot(domain: DomainRef, name: string, signal?: AbortSignal): Promise<SnapshotRef> {
    return snapshots.lookupSnapshot(this.call, domain, name, signal);
  }

  /** Reverts the domain to a snapshot. */
  revertToSnapshot(snapshot: SnapshotRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return snapshots.revertToSnapshot(this.call, snapshot, flags, signal);
  }

  /** Deletes a snapshot. */
  deleteSnapshot(snapshot: SnapshotRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return snapshots.deleteSnapshot(this.call, snapshot, flags, signal);
  }
}
