import { hostname } from 'node:os';
import { type Lease, NovaCronError, type StateStore, sleep } from '@novacron/core';
import { LeadershipTerm, type TermEndReason } from './leadership-term.js';

/**
 * How replicas elect a leader through a lease in the state store. Timings follow client-go's leader election: the
 * leader renews every `retryEveryMs`, steps down when no renewal succeeded for `renewDeadlineMs` (before the lease can
 * expire at `ttlMs`), and candidates try to acquire every `retryEveryMs`.
 */
export interface LeaderElectionOptions {
  /** The lease's name in the store. Default `controllers/<controller name>/leader`. */
  leaseName?: string | undefined;
  /** This replica's name in the lease. Default `<hostname>-<pid>-<random>`, unique per controller instance. */
  identity?: string | undefined;
  /** How long the lease lasts without renewal: how long replicas wait for a dead leader. Default 15,000 ms. */
  ttlMs?: number | undefined;
  /**
   * How long the leader goes on acting without a successful renewal before it steps down by itself. Shorter than
   * `ttlMs`, so a leader that cannot reach the store stops before its lease can pass to another replica. Default
   * two thirds of `ttlMs` (10,000 ms).
   */
  renewDeadlineMs?: number | undefined;
  /** How often the leader renews and a candidate tries to acquire. Default `ttlMs * 2 / 15` (2,000 ms). */
  retryEveryMs?: number | undefined;
}

/** {@link LeaderElectionOptions} with every default applied. */
export interface ResolvedLeaderElection {
  leaseName: string;
  identity: string;
  ttlMs: number;
  renewDeadlineMs: number;
  retryEveryMs: number;
}

/** Applies the defaults of {@link LeaderElectionOptions} and checks the timings are consistent. */
export function resolveLeaderElection(
  controllerName: string,
  options: LeaderElectionOptions = {},
): ResolvedLeaderElection {
  const ttlMs = options.ttlMs ?? 15_000;
  const resolved = {
    leaseName: options.leaseName ?? `controllers/${controllerName}/leader`,
    identity: options.identity ?? `${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
    ttlMs,
    renewDeadlineMs: options.renewDeadlineMs ?? Math.round((ttlMs * 2) / 3),
    retryEveryMs: options.retryEveryMs ?? Math.max(1, Math.round((ttlMs * 2) / 15)),
  };
  for (const field of ['ttlMs', 'renewDeadlineMs', 'retryEveryMs'] as const) {
    const value = resolved[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`leaderElection.${field} must be a positive number of milliseconds, not ${value}.`);
  }
  if (!(resolved.retryEveryMs < resolved.renewDeadlineMs && resolved.renewDeadlineMs < resolved.ttlMs))
    throw new TypeError(
      `leaderElection needs retryEveryMs < renewDeadlineMs < ttlMs (got ${resolved.retryEveryMs}, ${resolved.renewDeadlineMs}, ${resolved.ttlMs}), so a leader renews several times per deadline and steps down before its lease can expire.`,
    );
  if (typeof resolved.leaseName !== 'string' || resolved.leaseName === '')
    throw new TypeError('leaderElection.leaseName must be a non-empty string.');
  if (typeof resolved.identity !== 'string' || resolved.identity === '')
    throw new TypeError('leaderElection.identity must be a non-empty string.');
  return resolved;
}

/** What the elector tells its owner. */
export interface LeaderElectorHooks {
  /** Resolves when the replica may campaign (the previous term's reconciles have finished). */
  ready(): Promise<void>;
  /** This replica leads, for `term`. */
  started(term: LeadershipTerm): void;
  /** `term` ended; its signal has aborted. */
  stopped(term: LeadershipTerm, reason: TermEndReason): void;
  /** A store call failed (the elector retries by itself). */
  failed(error: unknown, phase: 'acquire' | 'renew' | 'release'): void;
}

/**
 * Campaigns for the lease, holds it while renewals succeed, and steps down when one says the lease was lost or the
 * renew deadline passes; then campaigns again. One elector per controller replica.
 */
export class LeaderElector {
  private readonly campaign = new AbortController();
  private readonly holding = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly controllerName: string,
    private readonly store: StateStore,
    private readonly settings: ResolvedLeaderElection,
    private readonly hooks: LeaderElectorHooks,
  ) {}

  /** Starts campaigning. */
  start(): void {
    this.loop = this.run();
  }

  /** Campaigns no more; a term in progress goes on (renewed) until {@link LeaderElector.stop}. */
  retire(): void {
    this.campaign.abort();
  }

  /** Ends the current term, if any (reason `stopped`), releases the lease, and waits for the elector to finish. */
  async stop(): Promise<void> {
    this.campaign.abort();
    this.holding.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { leaseName, identity, ttlMs, retryEveryMs } = this.settings;
    while (!this.campaign.signal.aborted) {
      await this.hooks.ready();
      if (this.campaign.signal.aborted) return;
      let lease: Lease | undefined;
      try {
        lease = await this.store.acquireLease(leaseName, identity, ttlMs);
      } catch (error) {
        this.hooks.failed(error, 'acquire');
      }
      if (lease !== undefined && !this.campaign.signal.aborted) {
        await this.hold(lease);
        continue;
      }
      if (lease !== undefined) await this.release(lease);
      await sleep(retryEveryMs, this.campaign.signal).catch(() => undefined);
    }
  }

  /** Leads until the lease is lost, the renew deadline passes, or the elector stops. */
  private async hold(lease: Lease): Promise<void> {
    const { identity, renewDeadlineMs, retryEveryMs } = this.settings;
    const term = new LeadershipTerm(this.controllerName, identity, lease, lease.expiresAtMs, renewDeadlineMs);
    this.hooks.started(term);
    let current = lease;
    let reason: TermEndReason | undefined;
    while (reason === undefined) {
      await sleep(retryEveryMs, this.holding.signal).catch(() => undefined);
      if (this.holding.signal.aborted) {
        reason = 'stopped';
        break;
      }
      const remainingMs = term.actUntilMs - Date.now();
      if (remainingMs <= 0) {
        reason = 'renew-deadline';
        break;
      }
      const outcome = await renewWithin(current, remainingMs);
      if (outcome.lease !== undefined) {
        current = outcome.lease;
        term.renewed(current.expiresAtMs);
      } else if (NovaCronError.isInstance(outcome.error) && outcome.error.code === 'CONFLICT') {
        reason = 'lost';
      } else {
        if (outcome.error !== undefined) this.hooks.failed(outcome.error, 'renew');
        if (Date.now() >= term.actUntilMs) reason = 'renew-deadline';
      }
    }
    term.end(reason);
    this.hooks.stopped(term, reason);
    if (reason === 'stopped') await this.release(current);
  }

  private async release(lease: Lease): Promise<void> {
    try {
      await lease.release();
    } catch (error) {
      this.hooks.failed(error, 'release');
    }
  }
}

/** Renews `lease`, giving up (neither lease nor error) after `timeoutMs`: a renewal that hangs must not keep a leader. */
async function renewWithin(lease: Lease, timeoutMs: number): Promise<{ lease?: Lease; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ lease?: Lease; error?: unknown }>((resolve) => {
    timer = setTimeout(() => resolve({}), timeoutMs);
  });
  try {
    return await Promise.race([
      lease.renew().then(
        (renewed) => ({ lease: renewed }),
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
