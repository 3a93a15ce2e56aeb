import { type Fence, NovaCronError } from '@novacron/core';

/** Why a leadership term ended. */
export type TermEndReason =
  /** The store said the lease was lost (it expired or another replica took it) when this replica renewed it. */
  | 'lost'
  /** No renewal succeeded within the renew deadline (the store was unreachable or too slow, or the process paused). */
  | 'renew-deadline'
  /** The controller was stopped. */
  | 'stopped';

/**
 * One holding of the leader lease by this replica, from its acquisition to the step-down. Reconciles of the term get
 * its {@link LeadershipTerm.fence} and {@link LeadershipTerm.signal}, and call {@link LeadershipTerm.assertLeader}
 * before each action that no store checks.
 */
export class LeadershipTerm {
  /** The lease holding every fenced write of this term names. */
  readonly fence: Fence;
  private readonly controller = new AbortController();
  private renewDeadlineAtMs: number;
  private expiresAtMs: number;
  private endReason: TermEndReason | undefined;

  /**
   * @param controllerName the controller, for messages.
   * @param identity this replica.
   * @param fence the lease holding.
   * @param expiresAtMs when the lease lapses unless renewed (this process's clock).
   * @param renewDeadlineMs how long after a successful renewal this replica may still act without another.
   */
  constructor(
    private readonly controllerName: string,
    readonly identity: string,
    fence: Fence,
    expiresAtMs: number,
    private readonly renewDeadlineMs: number,
  ) {
    this.fence = Object.freeze({ name: fence.name, fencingToken: fence.fencingToken });
    this.expiresAtMs = expiresAtMs;
    this.renewDeadlineAtMs = Date.now() + renewDeadlineMs;
  }

  /** Aborts when the term ends (step-down or stop). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the term ended, or undefined while it lasts. */
  get ended(): TermEndReason | undefined {
    return this.endReason;
  }

  /** When this replica must stop acting unless it renews first (the earlier of the renew deadline and the expiry). */
  get actUntilMs(): number {
    return Math.min(this.renewDeadlineAtMs, this.expiresAtMs);
  }

  /** True while the term lasts and neither its renew deadline nor its lease's expiry has passed. */
  get leads(): boolean {
    return this.endReason === undefined && Date.now() < this.actUntilMs;
  }

  /** Records a successful renewal. */
  renewed(expiresAtMs: number): void {
    this.expiresAtMs = expiresAtMs;
    this.renewDeadlineAtMs = Date.now() + this.renewDeadlineMs;
  }

  /** Ends the term and aborts its signal; later calls change nothing. */
  end(reason: TermEndReason): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.controller.abort(
      new NovaCronError({ code: 'ABORTED', message: `${this.describe()} ended (${reason}).` }),
    );
  }

  /**
   * Throws `CONFLICT` unless this replica still leads by its own clock: the term has not ended, and neither the renew
   * deadline nor the lease's expiry has passed. It asks no one (no round trip), so it narrows the window in which a
   * deposed leader acts, but cannot close it: see docs/controllers.md.
   */
  assertLeader(): void {
    const reason =
      this.endReason ?? (Date.now() >= this.actUntilMs ? 'its lease was not renewed in time' : undefined);
    if (reason === undefined) return;
    throw new NovaCronError({
      code: 'CONFLICT',
      message: `${this.describe()} no longer leads (${reason}); another replica may be acting. Stop this action: the new leader's reconcile will redo it.`,
    });
  }

  private describe(): string {
    return `Controller '${this.controllerName}': replica '${this.identity}''s term under lease '${this.fence.name}' (fencing token ${this.fence.fencingToken})`;
  }
}
