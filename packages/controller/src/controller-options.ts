import type { Fence, StateStore, VmStateChange } from '@novacron/core';
import type { OptionKeys } from '@novacron/core/driver';
import type { BackoffOptions } from './backoff.js';
import type { ControllerObserver } from './controller-observer.js';
import type { LeaderElectionOptions } from './leader-election.js';

/** What a reconcile is given besides its key. */
export interface ReconcileContext {
  /**
   * The leader lease holding of this replica's term. Pass it on every store write the reconcile makes
   * (`store.put(key, value, { fence: context.fence })`): the store refuses the write once another replica leads.
   */
  readonly fence: Fence;
  /**
   * Aborts when this replica stops leading (step-down, or the stop deadline passed). Pass it to every call that takes
   * a signal (`nc.vms.create(request, { signal })`).
   */
  readonly signal: AbortSignal;
  /** 1 for the first try since the key last succeeded, 2 for the first retry after an error... */
  readonly attempt: number;
  /** This replica's identity in the leader lease. */
  readonly identity: string;
  /**
   * Throws `CONFLICT` unless this replica still leads by its own clock (its term has not ended and its renew deadline
   * has not passed). Call it right before each action no store checks, such as a create at a cloud; it narrows the
   * window in which a deposed leader acts, but cannot close it (see docs/controllers.md).
   */
  assertLeader(): void;
}

/** What a reconcile may return. Returning nothing means the key is in its desired state for now. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (a check that something has converged), with no back-off. */
  requeueAfterMs?: number | undefined;
}

/** The function that makes one key's actual state match its desired state; returning nothing is the usual case. */
export type Reconcile = (
  key: string,
  context: ReconcileContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async function that returns nothing is a Promise<void>.
) => Promise<ReconcileResult | undefined | void>;

/** The periodic full pass: every key the controller owns, reconciled even when no event mentioned it. */
export interface ResyncOptions {
  /** Every key to reconcile (all groups, all VMs of interest...). Called when a term starts and every `intervalMs`. */
  keys: (signal: AbortSignal) => Iterable<string> | Promise<Iterable<string>>;
  /** Time between full passes. Default 300,000 ms (5 minutes). */
  intervalMs?: number | undefined;
}

/**
 * Wakes keys on events: usually VM state changes from `nc.vms.watch`, but any async iterable of changes works (a
 * store's changes, a queue's messages).
 *
 * @example
 * const watch: WatchOptions = {
 *   events: (signal) => nc.vms.watch({ signal, provider: 'sim' }),
 *   keysOf: (change) => groupOfVm.get(change.ref.id),
 * };
 */
export interface WatchOptions<Change = VmStateChange> {
  /**
   * Opens the stream of changes, ending when `signal` aborts: `(signal) => nc.vms.watch({ signal })`. Called when a
   * term starts, and again (after a pause and a resync, since changes may have been missed) when the stream fails.
   */
  events: (signal: AbortSignal) => AsyncIterable<Change>;
  /** The keys a change concerns (none, one or several); may look things up. A throw is reported and skipped. */
  keysOf: (
    change: Change,
  ) => string | readonly string[] | undefined | Promise<string | readonly string[] | undefined>;
}

/** Options of {@link createController}. */
export interface ControllerOptions<Change = VmStateChange> {
  /** The controller's name, in the default lease name, metrics and messages. */
  name: string;
  /** Where the leader lease lives, shared by every replica: memory (tests), file (one process), etcd (several). */
  store: StateStore;
  /** Makes one key's actual state match its desired state. Given a key, never an event: it reads what it needs. */
  reconcile: Reconcile;
  /** The periodic full pass over every key. */
  resync: ResyncOptions;
  /** Wakes keys on VM state changes. Default none (resyncs and {@link Controller.enqueue} only). */
  watch?: WatchOptions<Change> | undefined;
  /** Reconciles running at once (never two of one key). Default 1. */
  concurrency?: number | undefined;
  /** Per-key back-off after errors. Default base 100 ms, cap 60,000 ms, jitter 0.2. */
  backoff?: BackoffOptions | undefined;
  /** Leader election through a lease in `store`. Default lease `controllers/<name>/leader`, ttl 15,000 ms. */
  leaderElection?: LeaderElectionOptions | undefined;
  /** How long `stop()` waits for running reconciles by default. Default 30,000 ms. */
  stopTimeoutMs?: number | undefined;
  /** Pushed metrics and failures. Default none. */
  observer?: ControllerObserver | undefined;
}

/** The accepted keys of each options bag, checked so a misspelt option is a `TypeError`. */
export const CONTROLLER_OPTION_KEYS: OptionKeys<ControllerOptions> = {
  name: true,
  store: true,
  reconcile: true,
  resync: true,
  watch: true,
  concurrency: true,
  backoff: true,
  leaderElection: true,
  stopTimeoutMs: true,
  observer: true,
};
/** See {@link CONTROLLER_OPTION_KEYS}. */
export const RESYNC_OPTION_KEYS: OptionKeys<ResyncOptions> = { keys: true, intervalMs: true };
/** See {@link CONTROLLER_OPTION_KEYS}. */
export const WATCH_OPTION_KEYS: OptionKeys<WatchOptions> = { events: true, keysOf: true };
/** See {@link CONTROLLER_OPTION_KEYS}. */
export const BACKOFF_OPTION_KEYS: OptionKeys<BackoffOptions> = {
  baseDelayMs: true,
  maxDelayMs: true,
  jitter: true,
  random: true,
};
/** See {@link CONTROLLER_OPTION_KEYS}. */
export const LEADER_ELECTION_OPTION_KEYS: OptionKeys<LeaderElectionOptions> = {
  leaseName: true,
  identity: true,
  ttlMs: true,
  renewDeadlineMs: true,
  retryEveryMs: true,
};
