import { noReply } from './libvirt-call.js';
import type { LibvirtConnectionKeeper } from './libvirt-connection-keeper.js';
import { DomainEventId, Procedure } from './libvirt-protocol.js';
import type { LibvirtRpcConnection } from './libvirt-rpc-connection.js';
import { type DomainRef, readDomain, readTypedParams, type TypedParamValue } from './libvirt-types.js';
import type { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

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

/** The kinds of domain event a client subscribes to. */
export type EventKind = 'lifecycle' | 'migration-iteration' | 'job-completed';

/** The event each kind delivers. */
export type EventPayload = {
  lifecycle: LifecycleEvent;
  'migration-iteration': MigrationIterationEvent;
  'job-completed': JobCompletedEvent;
};

const EVENT_IDS: Record<EventKind, number> = {
  lifecycle: DomainEventId.LIFECYCLE,
  'migration-iteration': DomainEventId.MIGRATION_ITERATION,
  'job-completed': DomainEventId.JOB_COMPLETED,
};

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

/**
 * The domain event subscriptions of one client: the listeners of each kind, the callback each kind is registered
 * under with the daemon (registered again on every new connection), and the decoding of event messages.
 */
export class LibvirtDomainEvents {
  private readonly listeners: { [K in EventKind]: Set<(event: EventPayload[K]) => void> } = {
    lifecycle: new Set(),
    'migration-iteration': new Set(),
    'job-completed': new Set(),
  };
  private readonly callbackIds = new Map<EventKind, number>();

  constructor(private readonly keeper: LibvirtConnectionKeeper) {}

  /** True while any listener is subscribed. */
  get hasListeners(): boolean {
    return Object.values(this.listeners).some((set) => set.size > 0);
  }

  /** Registers every kind that has listeners on a new connection. */
  async registerAll(connection: LibvirtRpcConnection): Promise<void> {
    this.callbackIds.clear();
    for (const kind of Object.keys(this.listeners) as EventKind[]) {
      if (this.listeners[kind].size > 0) await this.register(connection, kind);
    }
  }

  /** Decodes one event message and hands it to the listeners of its kind; other procedures are ignored. */
  dispatch(procedure: number, body: XdrReader): void {
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
   * Adds a listener, registering its kind with the daemon if it is the first; resolves with the function that
   * removes it (and deregisters the kind after its last listener). With `retryInBackground`, a daemon that cannot
   * be reached now leaves the listener subscribed and the keeper reconnecting.
   */
  async subscribe<K extends EventKind>(
    kind: K,
    listener: (event: EventPayload[K]) => void,
    options: { retryInBackground?: boolean | undefined },
  ): Promise<() => Promise<void>> {
    const set = this.listeners[kind] as Set<(event: EventPayload[K]) => void>;
    set.add(listener);
    try {
      const connection = await this.keeper.ensureConnection();
      if (!this.callbackIds.has(kind)) await this.register(connection, kind);
    } catch (error) {
      if (options.retryInBackground === true && !this.keeper.isClosed) {
        this.keeper.scheduleReconnect();
      } else {
        set.delete(listener);
        throw error;
      }
    }
    return async () => {
      if (!set.delete(listener) || set.size > 0) return;
      const callbackId = this.callbackIds.get(kind);
      this.callbackIds.delete(kind);
      if (callbackId === undefined || !this.keeper.isConnected) return;
      await this.keeper
        .call(
          'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY',
          new XdrWriter().int(callbackId).toBuffer(),
          noReply,
        )
        .catch(() => undefined);
    };
  }

  private async register(connection: LibvirtRpcConnection, kind: EventKind): Promise<void> {
    const callbackId = await connection.call(
      Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
      new XdrWriter().int(EVENT_IDS[kind]).uint(0).toBuffer(),
      (reader) => reader.int(),
    );
    this.callbackIds.set(kind, callbackId);
  }
}
