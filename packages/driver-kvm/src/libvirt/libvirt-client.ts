import { LibvirtConnectionError } from './libvirt-error.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DomainEventId,
  DriverFeature,
  MigrateFlag,
  Procedure,
} from './libvirt-protocol.js';
import { LibvirtRpcConnection } from './libvirt-rpc-connection.js';
import { type LibvirtTransportOptions, openLibvirtTransport } from './libvirt-transport.js';
import {
  type DomainRef,
  readDomain,
  readSnapshot,
  readTypedParams,
  type SnapshotRef,
  type StoragePoolRef,
  type StorageVolumeRef,
  type TypedParamInput,
  type TypedParamValue,
  writeDomain,
  writeSnapshot,
  writeTypedParam,
} from './libvirt-types.js';
import { type ParsedLibvirtUri, parseLibvirtUri } from './libvirt-uri.js';
import type { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

/** Options of {@link LibvirtClient}. */
export interface LibvirtClientOptions extends LibvirtTransportOptions {
  /** Largest frame accepted from the daemon; bigger ones close the connection. Default 32 MiB. */
  maxFrameSize?: number | undefined;
  /** Keepalive ping interval when idle; 0 turns keepalive off. Default 5,000 ms. */
  keepaliveIntervalMs?: number | undefined;
  /** Unanswered keepalive intervals before the connection is declared dead. Default 5. */
  keepaliveCount?: number | undefined;
  /** First reconnect delay after a lost connection (doubles each failure, with jitter). Default 100 ms. */
  reconnectInitialDelayMs?: number | undefined;
  /** Longest reconnect delay. Default 5,000 ms. */
  reconnectMaxDelayMs?: number | undefined;
}

/** `virNodeInfo`. */
export interface NodeInfo {
  /** CPU model (`x86_64`). */
  model: string;
  /** Memory in KiB. */
  memoryKiB: bigint;
  /** Active CPUs. */
  cpus: number;
  /** CPU frequency in MHz. */
  mhz: number;
  /** NUMA nodes. */
  nodes: number;
  /** Sockets per node. */
  sockets: number;
  /** Cores per socket. */
  cores: number;
  /** Threads per core. */
  threads: number;
}

/** `virDomainInfo`. */
export interface DomainInfo {
  /** `virDomainState`. */
  state: number;
  /** Maximum memory in KiB. */
  maxMemoryKiB: bigint;
  /** Current memory in KiB. */
  memoryKiB: bigint;
  /** Virtual CPUs. */
  vcpus: number;
  /** CPU time used, in nanoseconds. */
  cpuTimeNs: bigint;
}

/** One domain's record from all-domain stats. */
export interface DomainStatsRecord {
  /** The domain. */
  domain: DomainRef;
  /** Its stats (`state.state`, `cpu.time`, `balloon.current`, `block.0.rd.bytes`...). */
  stats: Record<string, TypedParamValue>;
}

/** A lifecycle event (`virConnectDomainEventCallback`). */
export interface LifecycleEvent {
  /** The domain. */
  domain: DomainRef;
  /** `DomainLifecycleEvent` (started, stopped...). */
  event: number;
  /** The detail (e.g. stopped + migrated). */
  detail: number;
}

/** A migration iteration event. */
export interface MigrationIterationEvent {
  /** The domain. */
  domain: DomainRef;
  /** The pre-copy iteration that just started, from 1. */
  iteration: number;
}

/** A job completed event, with the job's final statistics. */
export interface JobCompletedEvent {
  /** The domain. */
  domain: DomainRef;
  /** Final job statistics (`downtime`, `data_total`...). */
  stats: Record<string, TypedParamValue>;
}

/** The job statistics of a domain (`virDomainGetJobStats`). */
export interface DomainJobStats {
  /** `JobType`: 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5 cancelled. */
  type: number;
  /** The statistics (`data_processed`, `data_remaining`, `memory_iteration`, `memory_dirty_rate`...). */
  stats: Record<string, TypedParamValue>;
}

/** Parameters of a peer-to-peer migration (`virDomainMigrateToURI3` with `VIR_MIGRATE_PEER2PEER`). */
export interface MigrateOptions {
  /** Bandwidth cap in MiB/s. Default: unlimited. */
  bandwidthMiBps?: number | undefined;
  /** Where qemu sends the memory (`tcp://host`, `unix:///path`). Default: libvirt picks from the destination. */
  migrateUri?: string | undefined;
  /** Throttle the guest CPUs when it does not converge. Default false. */
  autoConverge?: boolean | undefined;
  /** Allow a switch to post-copy later (see {@link LibvirtClient.migrateStartPostCopy}). Default false. */
  postCopy?: boolean | undefined;
  /** Keep the domain defined on the destination. Default true. */
  persistent?: boolean | undefined;
  /** Remove the definition from the source afterwards. Default true. */
  undefineSource?: boolean | undefined;
  /** Extra typed parameters for libvirt (`compression`, `parallel.connections`...). Default none. */
  extraParams?: readonly TypedParamInput[] | undefined;
}

type EventKind = 'lifecycle' | 'migration-iteration' | 'job-completed';
type EventPayload = {
  lifecycle: LifecycleEvent;
  'migration-iteration': MigrationIterationEvent;
  'job-completed': JobCompletedEvent;
};

const EVENT_IDS: Record<EventKind, number> = {
  lifecycle: DomainEventId.LIFECYCLE,
  'migration-iteration': DomainEventId.MIGRATION_ITERATION,
  'job-completed': DomainEventId.JOB_COMPLETED,
};

const EMPTY = Buffer.alloc(0);

/** Calls every listener; one that throws neither stops the others nor breaks the connection (it becomes a warning). */
function notifyAll<T>(listeners: Iterable<(event: T) => void>, event: T): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(
        `A libvirt event listener threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
const none = (): void => undefined;

function withDomain(domain: DomainRef): XdrWriter {
  return writeDomain(new XdrWriter(), domain);
}

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
  private readonly options: LibvirtClientOptions;
  private connection: LibvirtRpcConnection | undefined;
  private connecting: Promise<LibvirtRpcConnection> | undefined;
  private closed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly listeners: { [K in EventKind]: Set<(event: EventPayload[K]) => void> } = {
    lifecycle: new Set(),
    'migration-iteration': new Set(),
    'job-completed': new Set(),
  };
  private readonly callbackIds = new Map<EventKind, number>();
  private readonly abortWaiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();
  private readonly stateListeners = new Set<(state: 'connected' | 'disconnected', error?: Error) => void>();

  constructor(uri: string, options: LibvirtClientOptions = {}) {
    this.uri = parseLibvirtUri(uri);
    this.options = options;
  }

  /** True while a connection is open. */
  get isConnected(): boolean {
    return this.connection?.isOpen === true;
  }

  /** Connects and opens the hypervisor now (otherwise the first call does). */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.ensureConnection(signal);
  }

  /** Closes the connection for good; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    if (connection?.isOpen) {
      await connection.call(Procedure.CONNECT_CLOSE, 'CONNECT_CLOSE', EMPTY, none).catch(() => undefined);
      connection.close();
    }
  }

  /** Listens for connection state changes (lost, re-established). Returns the function that stops listening. */
  onConnectionState(listener: (state: 'connected' | 'disconnected', error?: Error) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  // ---- connection management -------------------------------------------------------------------------------

  private ensureConnection(signal?: AbortSignal): Promise<LibvirtRpcConnection> {
    if (this.closed) {
      return Promise.reject(
        new LibvirtConnectionError(`libvirt client for ${this.uri.display} is closed.`, this.uri.display),
      );
    }
    if (this.connection?.isOpen) return Promise.resolve(this.connection);
    this.connecting ??= this.establish(signal).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async establish(signal?: AbortSignal): Promise<LibvirtRpcConnection> {
    const stream = await openLibvirtTransport(this.uri, this.options, signal);
    const connection: LibvirtRpcConnection = new LibvirtRpcConnection(stream, {
      target: this.uri.display,
      maxFrameSize: this.options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 5_000,
      keepaliveCount: this.options.keepaliveCount ?? 5,
      onEvent: (procedure, body) => this.dispatchEvent(procedure, body),
      onClose: (error) => this.onConnectionClosed(connection, error),
    });
    try {
      await connection.call(
        Procedure.CONNECT_OPEN,
        'CONNECT_OPEN',
        new XdrWriter().optionalString(this.uri.openName).uint(0).toBuffer(),
        none,
      );
      // Tells the daemon this client speaks the keepalive program, so it answers (and sends) pings.
      await connection.call(
        Procedure.CONNECT_SUPPORTS_FEATURE,
        'CONNECT_SUPPORTS_FEATURE',
        new XdrWriter().int(DriverFeature.PROGRAM_KEEPALIVE).toBuffer(),
        (reader) => reader.int(),
      );
      this.callbackIds.clear();
      for (const kind of Object.keys(this.listeners) as EventKind[]) {
        if (this.listeners[kind].size > 0) await this.registerEvent(connection, kind);
      }
    } catch (error) {
      connection.close();
      throw error;
    }
    if (this.closed) {
      connection.close();
      throw new LibvirtConnectionError(`libvirt client for ${this.uri.display} is closed.`, this.uri.display);
    }
    this.connection = connection;
    this.reconnectAttempt = 0;
    for (const listener of this.stateListeners) listener('connected');
    return connection;
  }

  private onConnectionClosed(connection: LibvirtRpcConnection, error: Error): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    if (this.closed) return;
    for (const listener of this.stateListeners) listener('disconnected', error);
    // Event subscribers expect events to keep coming: reconnect in the background, with backoff.
    if (this.hasEventListeners()) this.scheduleReconnect();
  }

  private hasEventListeners(): boolean {
    return Object.values(this.listeners).some((set) => set.size > 0);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const initial = this.options.reconnectInitialDelayMs ?? 100;
    const max = this.options.reconnectMaxDelayMs ?? 5_000;
    const ceiling = Math.min(max, initial * 2 ** this.reconnectAttempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.isConnected || !this.hasEventListeners()) return;
      this.ensureConnection().catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }

  private async call<T>(
    procedure: number,
    name: string,
    body: Buffer,
    decode: (reader: XdrReader) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    const connection = await this.ensureConnection(signal);
    const reply = connection.call(procedure, name, body, decode);
    if (signal === undefined) return reply;
    // The daemon cannot cancel a call in flight; the caller stops waiting, the reply is dropped.
    return await new Promise<T>((resolve, reject) => {
      const forget = this.onAbort(signal, reject);
      reply.then(
        (value) => {
          forget();
          resolve(value);
        },
        (error: unknown) => {
          forget();
          reject(error);
        },
      );
    });
  }

  /** One abort listener per signal, however many calls share it (a page of VMs makes hundreds). */
  private onAbort(signal: AbortSignal, reject: (reason: unknown) => void): () => void {
    let waiters = this.abortWaiters.get(signal);
    if (waiters === undefined) {
      const created = new Set<(reason: unknown) => void>();
      waiters = created;
      this.abortWaiters.set(signal, created);
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of created) waiter(signal.reason);
          created.clear();
        },
        { once: true },
      );
    }
    const set = waiters;
    set.add(reject);
    return () => set.delete(reject);
  }

  // ---- events ----------------------------------------------------------------------------------------------

  private async registerEvent(connection: LibvirtRpcConnection, kind: EventKind): Promise<void> {
    const callbackId = await connection.call(
      Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
      new XdrWriter().int(EVENT_IDS[kind]).uint(0).toBuffer(),
      (reader) => reader.int(),
    );
    this.callbackIds.set(kind, callbackId);
  }

  private dispatchEvent(procedure: number, body: XdrReader): void {
    switch (procedure) {
      case Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
        body.int();
        const event = { domain: readDomain(body), event: body.int(), detail: body.int() };
        notifyAll(this.listeners.lifecycle, event);
        return;
      }
      case Procedure.DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: {
        body.int();
        const event = { domain: readDomain(body), iteration: body.int() };
        notifyAll(this.listeners['migration-iteration'], event);
        return;
      }
      case Procedure.DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: {
        body.int();
        const event = { domain: readDomain(body), stats: readTypedParams(body) };
        notifyAll(this.listeners['job-completed'], event);
        return;
      }
      default:
        return;
    }
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
    const set = this.listeners[kind] as Set<(event: EventPayload[K]) => void>;
    set.add(listener);
    try {
      const connection = await this.ensureConnection();
      if (!this.callbackIds.has(kind)) await this.registerEvent(connection, kind);
    } catch (error) {
      if (options.retryInBackground === true && !this.closed) {
        this.scheduleReconnect();
      } else {
        set.delete(listener);
        throw error;
      }
    }
    return async () => {
      if (!set.delete(listener) || set.size > 0) return;
      const callbackId = this.callbackIds.get(kind);
      this.callbackIds.delete(kind);
      if (callbackId === undefined || !this.isConnected) return;
      await this.call(
        Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY',
        new XdrWriter().int(callbackId).toBuffer(),
        none,
      ).catch(() => undefined);
    };
  }

  // ---- connection and node ---------------------------------------------------------------------------------

  /** The host's capabilities XML (`virConnectGetCapabilities`). */
  getCapabilities(signal?: AbortSignal): Promise<string> {
    return this.call(
      Procedure.CONNECT_GET_CAPABILITIES,
      'CONNECT_GET_CAPABILITIES',
      EMPTY,
      (r) => r.string(),
      signal,
    );
  }

  /** The host's name (`virConnectGetHostname`). */
  getHostname(signal?: AbortSignal): Promise<string> {
    return this.call(
      Procedure.CONNECT_GET_HOSTNAME,
      'CONNECT_GET_HOSTNAME',
      EMPTY,
      (r) => r.string(),
      signal,
    );
  }

  /** CPU and memory of the host (`virNodeGetInfo`). */
  nodeGetInfo(signal?: AbortSignal): Promise<NodeInfo> {
    return this.call(
      Procedure.NODE_GET_INFO,
      'NODE_GET_INFO',
      EMPTY,
      (reader) => {
        // char model[32] travels as 32 XDR ints.
        const characters: number[] = [];
        for (let index = 0; index < 32; index += 1) characters.push(reader.int());
        const model = String.fromCharCode(...characters.filter((character) => character > 0));
        return {
          model,
          memoryKiB: reader.unsignedHyper(),
          cpus: reader.int(),
          mhz: reader.int(),
          nodes: reader.int(),
          sockets: reader.int(),
          cores: reader.int(),
          threads: reader.int(),
        };
      },
      signal,
    );
  }

  /** Host memory statistics in KiB (`total`, `free`, `buffers`, `cached`), over all NUMA cells. */
  async nodeGetMemoryStats(signal?: AbortSignal): Promise<Record<string, bigint>> {
    const request = (count: number): Buffer => new XdrWriter().int(count).int(-1).uint(0).toBuffer();
    const count = await this.call(
      Procedure.NODE_GET_MEMORY_STATS,
      'NODE_GET_MEMORY_STATS',
      request(0),
      (reader) => {
        reader.array((r) => [r.string(), r.unsignedHyper()] as const);
        return reader.int();
      },
      signal,
    );
    return await this.call(
      Procedure.NODE_GET_MEMORY_STATS,
      'NODE_GET_MEMORY_STATS',
      request(count),
      (reader) => Object.fromEntries(reader.array((r) => [r.string(), r.unsignedHyper()] as const)),
      signal,
    );
  }

  /** Host CPU times in nanoseconds (`kernel`, `user`, `idle`, `iowait`), summed over all CPUs. */
  async nodeGetCpuStats(signal?: AbortSignal): Promise<Record<string, bigint>> {
    const request = (count: number): Buffer => new XdrWriter().int(-1).int(count).uint(0).toBuffer();
    const count = await this.call(
      Procedure.NODE_GET_CPU_STATS,
      'NODE_GET_CPU_STATS',
      request(0),
      (reader) => {
        reader.array((r) => [r.string(), r.unsignedHyper()] as const);
        return reader.int();
      },
      signal,
    );
    return await this.call(
      Procedure.NODE_GET_CPU_STATS,
      'NODE_GET_CPU_STATS',
      request(count),
      (reader) => Object.fromEntries(reader.array((r) => [r.string(), r.unsignedHyper()] as const)),
      signal,
    );
  }

  // ---- domains ---------------------------------------------------------------------------------------------

  /** Every domain, running or not (`virConnectListAllDomains`); `flags` filters (`ListDomainsFlag`). */
  listAllDomains(flags = 0, signal?: AbortSignal): Promise<DomainRef[]> {
    return this.call(
      Procedure.CONNECT_LIST_ALL_DOMAINS,
      'CONNECT_LIST_ALL_DOMAINS',
      new XdrWriter().int(1).uint(flags).toBuffer(),
      (reader) => reader.array(readDomain),
      signal,
    );
  }

  /** A domain by name; fails with libvirt error 42 (no domain) when there is none. */
  lookupDomainByName(name: string, signal?: AbortSignal): Promise<DomainRef> {
    return this.call(
      Procedure.DOMAIN_LOOKUP_BY_NAME,
      'DOMAIN_LOOKUP_BY_NAME',
      new XdrWriter().string(name).toBuffer(),
      readDomain,
      signal,
    );
  }

  /** A domain by its 16 UUID bytes. */
  lookupDomainByUuid(uuid: Uint8Array, signal?: AbortSignal): Promise<DomainRef> {
    return this.call(
      Procedure.DOMAIN_LOOKUP_BY_UUID,
      'DOMAIN_LOOKUP_BY_UUID',
      new XdrWriter().fixedOpaque(uuid).toBuffer(),
      readDomain,
      signal,
    );
  }

  /** Defines (or redefines) a persistent domain from XML (`virDomainDefineXMLFlags`). */
  defineDomainXml(xml: string, flags = 0, signal?: AbortSignal): Promise<DomainRef> {
    return this.call(
      Procedure.DOMAIN_DEFINE_XML_FLAGS,
      'DOMAIN_DEFINE_XML_FLAGS',
      new XdrWriter().string(xml).uint(flags).toBuffer(),
      readDomain,
      signal,
    );
  }

  /** Starts a defined domain (`virDomainCreateWithFlags`); resolves with its new id. */
  createDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<DomainRef> {
    return this.call(
      Procedure.DOMAIN_CREATE_WITH_FLAGS,
      'DOMAIN_CREATE_WITH_FLAGS',
      withDomain(domain).uint(flags).toBuffer(),
      readDomain,
      signal,
    );
  }

  /** Asks the guest to shut down (ACPI) (`virDomainShutdown`). */
  shutdownDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_SHUTDOWN,
      'DOMAIN_SHUTDOWN',
      withDomain(domain).toBuffer(),
      none,
      signal,
    );
  }

  /** Powers the domain off at once (`virDomainDestroyFlags`). */
  destroyDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_DESTROY_FLAGS,
      'DOMAIN_DESTROY_FLAGS',
      withDomain(domain).uint(flags).toBuffer(),
      none,
      signal,
    );
  }

  /** Reboots the domain (`virDomainReboot`). */
  rebootDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_REBOOT,
      'DOMAIN_REBOOT',
      withDomain(domain).uint(flags).toBuffer(),
      none,
      signal,
    );
  }

  /** Pauses the domain's CPUs (`virDomainSuspend`). */
  suspendDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return this.call(Procedure.DOMAIN_SUSPEND, 'DOMAIN_SUSPEND', withDomain(domain).toBuffer(), none, signal);
  }

  /** Resumes a paused domain (`virDomainResume`). */
  resumeDomain(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return this.call(Procedure.DOMAIN_RESUME, 'DOMAIN_RESUME', withDomain(domain).toBuffer(), none, signal);
  }

  /** Removes a domain's definition (`virDomainUndefineFlags`; flags `UndefineFlag`). */
  undefineDomain(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_UNDEFINE_FLAGS,
      'DOMAIN_UNDEFINE_FLAGS',
      withDomain(domain).uint(flags).toBuffer(),
      none,
      signal,
    );
  }

  /** The domain's state and reason (`virDomainGetState`). */
  getDomainState(domain: DomainRef, signal?: AbortSignal): Promise<{ state: number; reason: number }> {
    return this.call(
      Procedure.DOMAIN_GET_STATE,
      'DOMAIN_GET_STATE',
      withDomain(domain).uint(0).toBuffer(),
      (reader) => ({ state: reader.int(), reason: reader.int() }),
      signal,
    );
  }

  /** State, memory, vCPUs and CPU time (`virDomainGetInfo`). */
  getDomainInfo(domain: DomainRef, signal?: AbortSignal): Promise<DomainInfo> {
    return this.call(
      Procedure.DOMAIN_GET_INFO,
      'DOMAIN_GET_INFO',
      withDomain(domain).toBuffer(),
      (reader) => ({
        state: reader.uint(),
        maxMemoryKiB: reader.unsignedHyper(),
        memoryKiB: reader.unsignedHyper(),
        vcpus: reader.uint(),
        cpuTimeNs: reader.unsignedHyper(),
      }),
      signal,
    );
  }

  /** The domain's XML (`virDomainGetXMLDesc`; flag 2 = inactive definition). */
  getDomainXml(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<string> {
    return this.call(
      Procedure.DOMAIN_GET_XML_DESC,
      'DOMAIN_GET_XML_DESC',
      withDomain(domain).uint(flags).toBuffer(),
      (reader) => reader.string(),
      signal,
    );
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
    const writer = new XdrWriter().array(domains, (w, domain) => writeDomain(w, domain));
    return this.call(
      Procedure.CONNECT_GET_ALL_DOMAIN_STATS,
      'CONNECT_GET_ALL_DOMAIN_STATS',
      writer.uint(groups).uint(flags).toBuffer(),
      (reader) => reader.array((r) => ({ domain: readDomain(r), stats: readTypedParams(r) })),
      signal,
    );
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
    const params: TypedParamInput[] = [];
    if (options.bandwidthMiBps !== undefined) {
      params.push({ field: 'bandwidth', type: 'ullong', value: BigInt(Math.round(options.bandwidthMiBps)) });
    }
    if (options.migrateUri !== undefined)
      params.push({ field: 'migrate_uri', type: 'string', value: options.migrateUri });
    params.push(...(options.extraParams ?? []));
    let flags = MigrateFlag.LIVE | MigrateFlag.PEER2PEER;
    if (options.persistent ?? true) flags |= MigrateFlag.PERSIST_DEST;
    if (options.undefineSource ?? true) flags |= MigrateFlag.UNDEFINE_SOURCE;
    if (options.autoConverge === true) flags |= MigrateFlag.AUTO_CONVERGE;
    if (options.postCopy === true) flags |= MigrateFlag.POSTCOPY;
    const body = withDomain(domain)
      .optionalString(destinationUri)
      .array(params, (w, param) => writeTypedParam(w, param))
      .opaque(EMPTY)
      .uint(flags)
      .toBuffer();
    await this.call(
      Procedure.DOMAIN_MIGRATE_PERFORM3_PARAMS,
      'DOMAIN_MIGRATE_PERFORM3_PARAMS',
      body,
      (reader) => reader.opaque(),
      signal,
    );
  }

  /** Statistics of the domain's current job, or of the last completed one with `JobStatsFlag.COMPLETED`. */
  getDomainJobStats(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<DomainJobStats> {
    return this.call(
      Procedure.DOMAIN_GET_JOB_STATS,
      'DOMAIN_GET_JOB_STATS',
      withDomain(domain).uint(flags).toBuffer(),
      (reader) => ({ type: reader.int(), stats: readTypedParams(reader) }),
      signal,
    );
  }

  /** Aborts the domain's current job, e.g. a migration (`virDomainAbortJob`). */
  abortDomainJob(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_ABORT_JOB,
      'DOMAIN_ABORT_JOB',
      withDomain(domain).toBuffer(),
      none,
      signal,
    );
  }

  /** Sets the tolerated downtime of a migration, in milliseconds. */
  migrateSetMaxDowntime(domain: DomainRef, downtimeMs: number, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
      'DOMAIN_MIGRATE_SET_MAX_DOWNTIME',
      withDomain(domain)
        .unsignedHyper(BigInt(Math.round(downtimeMs)))
        .uint(0)
        .toBuffer(),
      none,
      signal,
    );
  }

  /** Sets the bandwidth cap of a migration, in MiB/s. */
  migrateSetMaxSpeed(domain: DomainRef, bandwidthMiBps: number, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_MIGRATE_SET_MAX_SPEED,
      'DOMAIN_MIGRATE_SET_MAX_SPEED',
      withDomain(domain)
        .unsignedHyper(BigInt(Math.round(bandwidthMiBps)))
        .uint(0)
        .toBuffer(),
      none,
      signal,
    );
  }

  /** Switches a running migration (started with `postCopy`) to post-copy. */
  migrateStartPostCopy(domain: DomainRef, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_MIGRATE_START_POST_COPY,
      'DOMAIN_MIGRATE_START_POST_COPY',
      withDomain(domain).uint(0).toBuffer(),
      none,
      signal,
    );
  }

  // ---- storage ---------------------------------------------------------------------------------------------

  /** A storage pool by name. */
  lookupStoragePool(name: string, signal?: AbortSignal): Promise<StoragePoolRef> {
    return this.call(
      Procedure.STORAGE_POOL_LOOKUP_BY_NAME,
      'STORAGE_POOL_LOOKUP_BY_NAME',
      new XdrWriter().string(name).toBuffer(),
      (reader) => ({ name: reader.string(), uuid: reader.fixedOpaque(16) }),
      signal,
    );
  }

  /** Creates a volume from XML in a pool (e.g. a qcow2 overlay whose `<backingStore>` is a base image). */
  createStorageVolume(
    pool: StoragePoolRef,
    xml: string,
    flags = 0,
    signal?: AbortSignal,
  ): Promise<StorageVolumeRef> {
    return this.call(
      Procedure.STORAGE_VOL_CREATE_XML,
      'STORAGE_VOL_CREATE_XML',
      new XdrWriter().string(pool.name).fixedOpaque(pool.uuid).string(xml).uint(flags).toBuffer(),
      readVolume,
      signal,
    );
  }

  /** A volume by pool and name. */
  lookupStorageVolume(pool: StoragePoolRef, name: string, signal?: AbortSignal): Promise<StorageVolumeRef> {
    return this.call(
      Procedure.STORAGE_VOL_LOOKUP_BY_NAME,
      'STORAGE_VOL_LOOKUP_BY_NAME',
      new XdrWriter().string(pool.name).fixedOpaque(pool.uuid).string(name).toBuffer(),
      readVolume,
      signal,
    );
  }

  /** A volume's path on the host. */
  getStorageVolumePath(volume: StorageVolumeRef, signal?: AbortSignal): Promise<string> {
    return this.call(
      Procedure.STORAGE_VOL_GET_PATH,
      'STORAGE_VOL_GET_PATH',
      writeVolume(volume).toBuffer(),
      (reader) => reader.string(),
      signal,
    );
  }

  /** Deletes a volume. */
  deleteStorageVolume(volume: StorageVolumeRef, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.STORAGE_VOL_DELETE,
      'STORAGE_VOL_DELETE',
      writeVolume(volume).uint(0).toBuffer(),
      none,
      signal,
    );
  }

  // ---- snapshots -------------------------------------------------------------------------------------------

  /** Creates a snapshot from `<domainsnapshot>` XML. */
  createSnapshot(domain: DomainRef, xml: string, flags = 0, signal?: AbortSignal): Promise<SnapshotRef> {
    return this.call(
      Procedure.DOMAIN_SNAPSHOT_CREATE_XML,
      'DOMAIN_SNAPSHOT_CREATE_XML',
      withDomain(domain).string(xml).uint(flags).toBuffer(),
      readSnapshot,
      signal,
    );
  }

  /** Every snapshot of a domain. */
  listSnapshots(domain: DomainRef, flags = 0, signal?: AbortSignal): Promise<SnapshotRef[]> {
    return this.call(
      Procedure.DOMAIN_LIST_ALL_SNAPSHOTS,
      'DOMAIN_LIST_ALL_SNAPSHOTS',
      withDomain(domain).int(1).uint(flags).toBuffer(),
      (reader) => reader.array(readSnapshot),
      signal,
    );
  }

  /** A snapshot by name. */
  lookupSnapshot(domain: DomainRef, name: string, signal?: AbortSignal): Promise<SnapshotRef> {
    return this.call(
      Procedure.DOMAIN_SNAPSHOT_LOOKUP_BY_NAME,
      'DOMAIN_SNAPSHOT_LOOKUP_BY_NAME',
      withDomain(domain).string(name).uint(0).toBuffer(),
      readSnapshot,
      signal,
    );
  }

  /** Reverts the domain to a snapshot. */
  revertToSnapshot(snapshot: SnapshotRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_REVERT_TO_SNAPSHOT,
      'DOMAIN_REVERT_TO_SNAPSHOT',
      writeSnapshot(new XdrWriter(), snapshot).uint(flags).toBuffer(),
      none,
      signal,
    );
  }

  /** Deletes a snapshot. */
  deleteSnapshot(snapshot: SnapshotRef, flags = 0, signal?: AbortSignal): Promise<void> {
    return this.call(
      Procedure.DOMAIN_SNAPSHOT_DELETE,
      'DOMAIN_SNAPSHOT_DELETE',
      writeSnapshot(new XdrWriter(), snapshot).uint(flags).toBuffer(),
      none,
      signal,
    );
  }
}

function readVolume(reader: XdrReader): StorageVolumeRef {
  return { pool: reader.string(), name: reader.string(), key: reader.string() };
}

function writeVolume(volume: StorageVolumeRef): XdrWriter {
  return new XdrWriter().string(volume.pool).string(volume.name).string(volume.key);
}
