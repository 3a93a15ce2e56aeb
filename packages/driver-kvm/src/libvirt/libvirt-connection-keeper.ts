import { EMPTY_BODY, noReply, type ProcedureName } from './libvirt-call.js';
import { LibvirtConnectionError } from './libvirt-error.js';
import { DEFAULT_MAX_FRAME_SIZE, DriverFeature, Procedure } from './libvirt-protocol.js';
import { LibvirtRpcConnection } from './libvirt-rpc-connection.js';
import { type LibvirtTransportOptions, openLibvirtTransport } from './libvirt-transport.js';
import type { ParsedLibvirtUri } from './libvirt-uri.js';
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

/** How long {@link LibvirtConnectionKeeper.close} waits for the daemon to acknowledge `CONNECT_CLOSE`. */
const CLOSE_GRACE_MS = 2_000;

/** What a {@link LibvirtConnectionKeeper} asks of its owner. */
export interface LibvirtConnectionHooks {
  /** Called with every async event message the daemon sends. */
  onEvent(procedure: number, body: XdrReader): void;
  /** Called on each new connection before it is used (the daemon forgot event callbacks with the old one). */
  onOpen(connection: LibvirtRpcConnection): Promise<void>;
  /** True while someone expects events: a lost connection is then reopened in the background. */
  wantsReconnect(): boolean;
}

/**
 * Keeps one client's connection to its daemon: opens it on first use (transport, `CONNECT_OPEN`, the keepalive
 * feature), reopens it after a loss (in the background, with backoff and jitter, while the owner wants events),
 * reports `connected` / `disconnected`, and sends calls that a caller's signal may stop waiting for.
 */
export class LibvirtConnectionKeeper {
  private connection: LibvirtRpcConnection | undefined;
  private connecting: Promise<LibvirtRpcConnection> | undefined;
  private closed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly abortWaiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();
  private readonly stateListeners = new Set<(state: 'connected' | 'disconnected', error?: Error) => void>();

  constructor(
    /** The daemon's parsed URI. */
    readonly uri: ParsedLibvirtUri,
    private readonly options: LibvirtClientOptions,
    private readonly hooks: LibvirtConnectionHooks,
  ) {}

  /** True while a connection is open. */
  get isConnected(): boolean {
    return this.connection?.isOpen === true;
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The open connection, opening one if there is none (concurrent callers share one attempt). */
  ensureConnection(signal?: AbortSignal): Promise<LibvirtRpcConnection> {
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

  /** Closes the connection for good; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    if (connection?.isOpen) {
      // A polite goodbye, not waited for long: a daemon that stopped answering must not hold close() forever.
      await this.untilAborted(
        connection.call(Procedure.CONNECT_CLOSE, 'CONNECT_CLOSE', EMPTY_BODY, noReply),
        AbortSignal.timeout(CLOSE_GRACE_MS),
      ).catch(() => undefined);
      connection.close();
    }
  }

  /** Listens for connection state changes (lost, re-established). Returns the function that stops listening. */
  onConnectionState(listener: (state: 'connected' | 'disconnected', error?: Error) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Reopens the connection in the background after a backoff delay, unless one is already planned. */
  scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const initial = this.options.reconnectInitialDelayMs ?? 100;
    const max = this.options.reconnectMaxDelayMs ?? 5_000;
    const ceiling = Math.min(max, initial * 2 ** this.reconnectAttempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.isConnected || !this.hooks.wantsReconnect()) return;
      this.ensureConnection().catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }

  /**
   * Sends one call on the connection (opened first if needed); implements {@link LibvirtCall}. A fired `signal`
   * stops the wait for the connection and for the reply alike (a daemon that accepts the socket but never answers
   * the handshake holds no caller past its deadline).
   */
  async call<T>(
    procedure: ProcedureName,
    body: Buffer,
    decode: (reader: XdrReader) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    const connection = await this.untilAborted(this.ensureConnection(signal), signal);
    return this.untilAborted(connection.call(Procedure[procedure], procedure, body, decode), signal);
  }

  /**
   * `work`, or the signal's reason as soon as it fires. The daemon cannot cancel a call in flight (and a shared
   * connection attempt serves other callers): the caller stops waiting, and a late reply is dropped.
   */
  private untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) return work;
    return new Promise<T>((resolve, reject) => {
      const forget = this.onAbort(signal, reject);
      work.then(
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

  private async establish(signal?: AbortSignal): Promise<LibvirtRpcConnection> {
    const stream = await openLibvirtTransport(this.uri, this.options, signal);
    const connection: LibvirtRpcConnection = new LibvirtRpcConnection(stream, {
      target: this.uri.display,
      maxFrameSize: this.options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 5_000,
      keepaliveCount: this.options.keepaliveCount ?? 5,
      onEvent: (procedure, body) => this.hooks.onEvent(procedure, body),
      onClose: (error) => this.onConnectionClosed(connection, error),
    });
    try {
      await connection.call(
        Procedure.CONNECT_OPEN,
        'CONNECT_OPEN',
        new XdrWriter().optionalString(this.uri.openName).uint(0).toBuffer(),
        noReply,
      );
      // Tells the daemon this client speaks the keepalive program, so it answers (and sends) pings.
      await connection.call(
        Procedure.CONNECT_SUPPORTS_FEATURE,
        'CONNECT_SUPPORTS_FEATURE',
        new XdrWriter().int(DriverFeature.PROGRAM_KEEPALIVE).toBuffer(),
        (reader) => reader.int(),
      );
      await this.hooks.onOpen(connection);
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
    if (this.hooks.wantsReconnect()) this.scheduleReconnect();
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
}
