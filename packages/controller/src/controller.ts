import { sleep, type VmStateChange } from '@novacron/core';
import { assertKnownOptions } from '@novacron/core/driver';
import { ExponentialBackoff } from './backoff.js';
import type {
  ControllerFailure,
  ControllerMetrics,
  ControllerObserver,
  ReconcileOutcome,
} from './controller-observer.js';
import {
  BACKOFF_OPTION_KEYS,
  CONTROLLER_OPTION_KEYS,
  type ControllerOptions,
  LEADER_ELECTION_OPTION_KEYS,
  RESYNC_OPTION_KEYS,
  WATCH_OPTION_KEYS,
  type WatchOptions,
} from './controller-options.js';
import { LeaderElector, resolveLeaderElection } from './leader-election.js';
import type { LeadershipTerm } from './leadership-term.js';
import { WorkQueue } from './work-queue.js';

/** What {@link Controller.stop} reports. */
export interface StopResult {
  /** True when every running reconcile finished before the deadline. */
  completed: boolean;
  /** Keys whose reconciles were still running at the deadline: their signals were aborted, their fence revoked. */
  abandonedKeys: string[];
}

/** Options of {@link Controller.stop}. */
export interface StopOptions {
  /** How long to wait for running reconciles. Default the controller's `stopTimeoutMs` (30,000 ms). */
  timeoutMs?: number | undefined;
}

/** What one leadership term runs: its queue, back-off, workers, and the intake (watch, resync) it feeds them. */
interface ActiveTerm {
  term: LeadershipTerm;
  queue: WorkQueue;
  backoff: ExponentialBackoff;
  intake: AbortController;
  workers: Promise<void>;
}

/**
 * A controller replica: campaigns for the leader lease, and while it leads, reconciles keys from a work queue fed by
 * VM events, periodic resyncs and {@link Controller.enqueue}. Made by {@link createController}.
 */
export class Controller<Change = VmStateChange> {
  /** This replica's identity in the leader lease. */
  readonly identity: string;
  private readonly elector: LeaderElector;
  private readonly concurrency: number;
  private readonly resyncIntervalMs: number;
  private readonly stopTimeoutMs: number;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private active: ActiveTerm | undefined;
  private drained: Promise<void> = Promise.resolve();
  private stopping: Promise<StopResult> | undefined;
  private readonly counters = { reconciles: 0, errors: 0, retries: 0, reconcileMs: 0, terms: 0 };

  /** Use {@link createController}. */
  constructor(private readonly options: ControllerOptions<Change>) {
    checkOptions(options);
    this.concurrency = options.concurrency ?? 1;
    this.resyncIntervalMs = options.resync.intervalMs ?? 300_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    // Checked here, before anything runs, so a bad option fails at creation.
    new ExponentialBackoff(options.backoff);
    const election = resolveLeaderElection(options.name, options.leaderElection);
    this.identity = election.identity;
    this.elector = new LeaderElector(options.name, options.store, election, {
      ready: () => this.drained,
      started: (term) => this.lead(term),
      stopped: (term, reason) => {
        this.standDown();
        this.notify('leadershipChanged', {
          controller: options.name,
          identity: this.identity,
          leader: false,
          fencingToken: term.fence.fencingToken,
          reason,
        });
      },
      failed: (error, source) => this.notify('failed', { controller: options.name, source, error }),
    });
  }

  /** The controller's name. */
  get name(): string {
    return this.options.name;
  }

  /** True while this replica leads (its term lasts and its renew deadline has not passed). */
  get isLeader(): boolean {
    return this.active?.term.leads ?? false;
  }

  /** Starts campaigning for the lease; reconciles begin when this replica leads. Throws `TypeError` if called twice. */
  start(): void {
    if (this.state !== 'new')
      throw new TypeError(
        `Controller '${this.name}' was already started; make a new controller to run it again.`,
      );
    this.state = 'running';
    this.elector.start();
  }

  /**
   * Queues `key` for a reconcile (once, however often it is asked before a worker takes it). Returns false, and does
   * nothing, when this replica does not lead or is stopping: the leader's resync covers every key.
   */
  enqueue(key: string): boolean {
    if (typeof key !== 'string' || key === '')
      throw new TypeError('Controller keys must be non-empty strings.');
    const active = this.active;
    if (active === undefined || this.state !== 'running' || !active.term.leads) return false;
    active.queue.add(key);
    return true;
  }

  /**
   * Stops gracefully: takes no new work (the watch, resyncs and queued keys stop), lets running reconciles finish
   * until the deadline, then aborts the ones still running, ends the term and releases the lease so another replica
   * takes over at once. Later calls return the first call's result.
   */
  stop(options: StopOptions = {}): Promise<StopResult> {
    this.stopping ??= this.shutDown(options.timeoutMs ?? this.stopTimeoutMs);
    return this.stopping;
  }

  /** Stops with the default deadline, at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A snapshot of the counters and gauges, for a metrics adapter or a health check. */
  metrics(): ControllerMetrics {
    const active = this.active;
    return {
      leader: this.isLeader,
      queueDepth: active?.queue.depth ?? 0,
      delayed: active?.queue.delayedCount ?? 0,
      processing: active?.queue.processingKeys().length ?? 0,
      ...this.counters,
    };
  }

  private async shutDown(timeoutMs: number): Promise<StopResult> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return { completed: true, abandonedKeys: [] };
    }
    this.state = 'stopping';
    this.elector.retire();
    const deadline = Date.now() + timeoutMs;
    const active = this.active;
    let abandonedKeys: string[] = [];
    if (active !== undefined) {
      active.intake.abort();
      active.queue.shutDown();
      const finished = await settlesWithin(active.workers, timeoutMs);
      if (!finished) {
        abandonedKeys = active.queue.processingKeys();
        active.term.end('stopped');
      }
    }
    await settlesWithin(this.elector.stop(), Math.max(0, deadline - Date.now()));
    this.state = 'stopped';
    return { completed: abandonedKeys.length === 0, abandonedKeys };
  }

  private lead(term: LeadershipTerm): void {
    const queue = new WorkQueue();
    const intake = new AbortController();
    term.signal.addEventListener('abort', () => intake.abort(), { once: true });
    const active: ActiveTerm = {
      term,
      queue,
      backoff: new ExponentialBackoff(this.options.backoff),
      intake,
      workers: Promise.resolve(),
    };
    active.workers = Promise.all(Array.from({ length: this.concurrency }, () => this.work(active))).then(
      () => undefined,
    );
    this.active = active;
    this.drained = active.workers;
    this.counters.terms += 1;
    this.notify('leadershipChanged', {
      controller: this.name,
      identity: this.identity,
      leader: true,
      fencingToken: term.fence.fencingToken,
    });
    void this.resyncLoop(active);
    if (this.options.watch !== undefined) void this.watchLoop(active, this.options.watch);
  }

  /** The term ended: no new work; running reconciles see their signal aborted, and their writes are refused. */
  private standDown(): void {
    const active = this.active;
    if (active === undefined) return;
    active.intake.abort();
    active.queue.shutDown();
  }

  private async work(active: ActiveTerm): Promise<void> {
    for (;;) {
      const key = await active.queue.get();
      if (key === undefined) return;
      try {
        await this.process(active, key);
      } finally {
        active.queue.done(key);
      }
    }
  }

  private async process(active: ActiveTerm, key: string): Promise<void> {
    const { term, queue, backoff } = active;
    const attempt = backoff.failures(key) + 1;
    const started = performance.now();
    let outcome: ReconcileOutcome;
    let error: unknown;
    try {
      term.assertLeader();
      const result = await this.options.reconcile(key, {
        fence: term.fence,
        signal: term.signal,
        attempt,
        identity: this.identity,
        assertLeader: () => term.assertLeader(),
      });
      const requeueAfterMs = result?.requeueAfterMs;
      if (requeueAfterMs !== undefined && !(Number.isFinite(requeueAfterMs) && requeueAfterMs >= 0))
        throw new TypeError(
          `Controller '${this.name}': reconcile of '${key}' returned requeueAfterMs ${requeueAfterMs}; return a non-negative number of milliseconds.`,
        );
      outcome = term.leads ? 'success' : 'abandoned';
      if (outcome === 'success') {
        backoff.forget(key);
        if (requeueAfterMs !== undefined) queue.addAfter(key, requeueAfterMs);
      }
    } catch (thrown) {
      error = thrown;
      outcome = term.leads ? 'error' : 'abandoned';
      if (outcome === 'error') this.counters.errors += 1;
      if (outcome === 'error' && !queue.isShutDown) {
        const delayMs = backoff.next(key);
        queue.addAfter(key, delayMs);
        this.counters.retries += 1;
        this.notify('retryScheduled', {
          controller: this.name,
          key,
          failures: backoff.failures(key),
          delayMs,
        });
      }
    }
    const durationMs = performance.now() - started;
    this.counters.reconciles += 1;
    this.counters.reconcileMs += durationMs;
    this.notify('reconciled', {
      controller: this.name,
      key,
      attempt,
      durationMs,
      outcome,
      ...(error === undefined ? {} : { error }),
    });
  }

  private async resyncLoop(active: ActiveTerm): Promise<void> {
    const signal = active.intake.signal;
    while (!signal.aborted) {
      await this.resync(active);
      await sleep(this.resyncIntervalMs, signal).catch(() => undefined);
    }
  }

  private async resync(active: ActiveTerm): Promise<void> {
    try {
      const keys = await this.options.resync.keys(active.intake.signal);
      for (const key of keys) if (!active.intake.signal.aborted) active.queue.add(key);
    } catch (error) {
      if (!active.intake.signal.aborted) this.fail('resync', error);
    }
  }

  /** Feeds the queue from the watched events; when the stream fails, waits, resyncs (events may be lost) and watches again. */
  private async watchLoop(active: ActiveTerm, watch: WatchOptions<Change>): Promise<void> {
    const signal = active.intake.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        for await (const change of watch.events(signal)) {
          failures = 0;
          try {
            const keys = await watch.keysOf(change);
            for (const key of typeof keys === 'string' ? [keys] : (keys ?? [])) active.queue.add(key);
          } catch (error) {
            this.fail('watch', error);
          }
        }
      } catch (error) {
        if (!signal.aborted) this.fail('watch', error);
      }
      if (signal.aborted) return;
      failures += 1;
      await sleep(Math.min(30_000, 250 * 2 ** failures), signal).catch(() => undefined);
      await this.resync(active);
    }
  }

  private fail(source: ControllerFailure['source'], error: unknown): void {
    this.notify('failed', { controller: this.name, source, error });
  }

  private notify<Method extends keyof ControllerObserver>(
    method: Method,
    record: Parameters<NonNullable<ControllerObserver[Method]>>[0],
  ): void {
    const observer = this.options.observer;
    try {
      (observer?.[method] as ((record: unknown) => void) | undefined)?.call(observer, record);
    } catch (error) {
      process.emitWarning(
        `Controller '${this.name}': observer.${method} threw (${error instanceof Error ? error.message : String(error)}); the controller goes on.`,
      );
    }
  }
}

/**
 * Makes a controller replica in the spirit of client-go's controller runtime: level-triggered (`reconcile` is given a
 * key, reads desired and actual state, and acts on the difference), woken by VM events and periodic resyncs, with a
 * de-duplicating work queue (never two reconciles of one key at once), per-key exponential back-off on errors, bounded
 * concurrency, leader election and fencing through a lease in the state store, and a graceful stop. Call `start()`.
 *
 * @example
 * import { createNovaCron, MemoryStateStore } from '@novacron/core';
 * import { createController } from '@novacron/controller';
 * import { createSimDriver } from '@novacron/driver-sim';
 *
 * const nc = createNovaCron({ providers: { sim: createSimDriver() } });
 * const store = new MemoryStateStore();
 * const controller = createController({
 *   name: 'keep-web-running',
 *   store,
 *   resync: { keys: async () => (await nc.vms.list({ tags: { app: 'web' } }).toArray()).map((vm) => `${vm.ref.provider}:${vm.ref.id}`), intervalMs: 60_000 },
 *   watch: { events: (signal) => nc.vms.watch({ signal }), keysOf: (change) => `${change.ref.provider}:${change.ref.id}` },
 *   reconcile: async (key, { signal, assertLeader }) => {
 *     const vm = await nc.vms.get(key, { signal });
 *     if (vm.state.name !== 'stopped') return;
 *     assertLeader();
 *     await nc.vms.start(key, { signal });
 *   },
 * });
 * controller.start();
 */
export function createController<Change = VmStateChange>(
  options: ControllerOptions<Change>,
): Controller<Change> {
  return new Controller(options);
}

function checkOptions<Change>(options: ControllerOptions<Change>): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createController needs an options object: { name, store, reconcile, resync }.');
  assertKnownOptions('createController', options, CONTROLLER_OPTION_KEYS);
  assertKnownOptions('createController', options.resync, RESYNC_OPTION_KEYS, 'resync');
  assertKnownOptions('createController', options.watch, WATCH_OPTION_KEYS, 'watch');
  assertKnownOptions('createController', options.backoff, BACKOFF_OPTION_KEYS, 'backoff');
  assertKnownOptions(
    'createController',
    options.leaderElection,
    LEADER_ELECTION_OPTION_KEYS,
    'leaderElection',
  );
  if (typeof options.name !== 'string' || options.name === '')
    throw new TypeError('createController: name must be a non-empty string.');
  const where = `createController('${options.name}')`;
  if (typeof options.reconcile !== 'function') throw new TypeError(`${where}: reconcile must be a function.`);
  if (typeof options.store?.acquireLease !== 'function')
    throw new TypeError(`${where}: store must be a StateStore (MemoryStateStore, FileStateStore, etcd...).`);
  if (typeof options.resync?.keys !== 'function')
    throw new TypeError(`${where}: resync.keys must be a function returning every key to reconcile.`);
  if (options.watch !== undefined) {
    if (typeof options.watch.events !== 'function')
      throw new TypeError(
        `${where}: watch.events must be a function opening a stream: (signal) => nc.vms.watch({ signal }).`,
      );
    if (typeof options.watch.keysOf !== 'function')
      throw new TypeError(`${where}: watch.keysOf must be a function from a VM change to keys.`);
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new TypeError(`${where}: concurrency must be a positive integer, not ${concurrency}.`);
  for (const [field, value] of [
    ['resync.intervalMs', options.resync.intervalMs],
    ['stopTimeoutMs', options.stopTimeoutMs],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0))
      throw new TypeError(`${where}: ${field} must be a positive number of milliseconds, not ${value}.`);
  }
}

/** True when `promise` settles within `timeoutMs`. */
async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
