import type { TermEndReason } from './leadership-term.js';

/** How one reconcile ended. */
export type ReconcileOutcome =
  /** It returned: the key's back-off is forgotten. */
  | 'success'
  /** It threw while this replica led: the key is retried after its back-off. */
  | 'error'
  /** It ended after the term did (step-down or stop deadline): not retried here; the next leader resyncs. */
  | 'abandoned';

/** One finished reconcile, as told to {@link ControllerObserver.reconciled}. */
export interface ReconcileRecord {
  /** The controller's name. */
  controller: string;
  /** The key reconciled. */
  key: string;
  /** 1 for the first try since the key last succeeded, 2 for the first retry... */
  attempt: number;
  /** Wall time of the reconcile. */
  durationMs: number;
  /** How it ended. */
  outcome: ReconcileOutcome;
  /** What it threw, for `error` and `abandoned` outcomes that threw. */
  error?: unknown;
}

/** A retry scheduled after a failed reconcile, as told to {@link ControllerObserver.retryScheduled}. */
export interface RetryRecord {
  /** The controller's name. */
  controller: string;
  /** The key to retry. */
  key: string;
  /** The key's failures since it last succeeded (1 after the first). */
  failures: number;
  /** The back-off before the retry. */
  delayMs: number;
}

/** A leadership change, as told to {@link ControllerObserver.leadershipChanged}. */
export interface LeadershipRecord {
  /** The controller's name. */
  controller: string;
  /** This replica. */
  identity: string;
  /** True when this replica starts leading, false when it stops. */
  leader: boolean;
  /** The fencing token of the term that starts or ends. */
  fencingToken: number;
  /** Why the term ended (for `leader: false`). */
  reason?: TermEndReason;
}

/** A failure outside reconciles (the controller recovers by itself), as told to {@link ControllerObserver.failed}. */
export interface ControllerFailure {
  /** The controller's name. */
  controller: string;
  /** Where: listing keys for a resync, the VM watch, mapping a change to keys, or a lease call. */
  source: 'resync' | 'watch' | 'acquire' | 'renew' | 'release';
  /** What was thrown. */
  error: unknown;
}

/**
 * Pushed metrics and logs of a controller: implement the methods you need (each is optional) and pass the object as
 * `createController({ observer })`. An adapter for OpenTelemetry records `reconciled` in a duration histogram and an
 * error counter, `retryScheduled` in a retry counter, and reads {@link ControllerMetrics} (`controller.metrics()`)
 * from observable gauges for the queue depth. A method that throws is reported with `process.emitWarning` and
 * changes nothing in the controller.
 */
export interface ControllerObserver {
  /** A reconcile ended. */
  reconciled?(record: ReconcileRecord): void;
  /** A failed key will be retried after `delayMs`. */
  retryScheduled?(record: RetryRecord): void;
  /** This replica started or stopped leading. */
  leadershipChanged?(record: LeadershipRecord): void;
  /** Something outside a reconcile failed; the controller retries it by itself. */
  failed?(failure: ControllerFailure): void;
}

/** A snapshot of a controller's counters and gauges: `controller.metrics()`. Counters count from the start. */
export interface ControllerMetrics {
  /** True while this replica leads. */
  leader: boolean;
  /** Keys waiting for a worker. */
  queueDepth: number;
  /** Keys waiting on a back-off or requeue timer. */
  delayed: number;
  /** Reconciles running now. */
  processing: number;
  /** Reconciles ended, whatever their outcome. */
  reconciles: number;
  /** Reconciles that threw. */
  errors: number;
  /** Retries scheduled after errors. */
  retries: number;
  /** Total wall time of the ended reconciles, for a mean duration (`reconcileMs / reconciles`). */
  reconcileMs: number;
  /** Terms this replica has led. */
  terms: number;
}
