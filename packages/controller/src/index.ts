/**
 * @packageDocumentation A controller kit for NovaCron: level-triggered reconcile loops woken by VM events and resyncs,
 * a de-duplicating work queue with per-key back-off, and leader election and fencing through a state store lease.
 */
export { type BackoffOptions, ExponentialBackoff } from './backoff.js';
export { Controller, createController, type StopOptions, type StopResult } from './controller.js';
export type {
  ControllerFailure,
  ControllerMetrics,
  ControllerObserver,
  LeadershipRecord,
  ReconcileOutcome,
  ReconcileRecord,
  RetryRecord,
} from './controller-observer.js';
export type {
  ControllerOptions,
  Reconcile,
  ReconcileContext,
  ReconcileResult,
  ResyncOptions,
  WatchOptions,
} from './controller-options.js';
export type { LeaderElectionOptions } from './leader-election.js';
export type { TermEndReason } from './leadership-term.js';
export { WorkQueue } from './work-queue.js';
