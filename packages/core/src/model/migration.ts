import type { VmRef } from './vm.js';

/** `live` keeps the guest running; `cold` stops, moves and restarts it. */
export type MigrationMode = 'live' | 'cold';

/** The phases a migration passes through. */
export type MigrationPhase =
  | 'pending'
  | 'preparing'
  | 'transferring'
  | 'switching-over'
  | 'completed'
  | 'cancelling'
  | 'cancelled'
  | 'failed';

/** Phases after which nothing more happens. */
export const TERMINAL_MIGRATION_PHASES: readonly MigrationPhase[] = ['completed', 'cancelled', 'failed'];

/** Tuning for a live migration. Drivers honour what they can and warn about the rest. */
export interface MigrationPolicy {
  /** Bandwidth cap in MiB/s. Default: unlimited. */
  bandwidthMiBps?: number;
  /** Maximum tolerated downtime in milliseconds. Default: the driver's (300 ms in libvirt). */
  maxDowntimeMs?: number;
  /** Give up (or switch to post-copy) after this long. Default: no limit. */
  completionTimeoutMs?: number;
  /** What to do at `completionTimeoutMs`: abort (default) or switch to post-copy. */
  onTimeout?: 'abort' | 'postcopy';
  /** Throttle the guest's CPUs to help convergence. Default false. */
  autoConverge?: boolean;
}

/** One progress report of a running migration. */
export interface MigrationProgress {
  /** The phase now. */
  phase: MigrationPhase;
  /** Bytes sent so far. */
  bytesProcessed: number;
  /** Bytes still to send, as the hypervisor estimates. */
  bytesRemaining: number;
  /** Total bytes to send (memory size plus re-sent pages). */
  bytesTotal: number;
  /** Pre-copy iteration number, from 1. */
  iteration: number;
  /** Dirty-page rate in bytes per second, where known. */
  dirtyRateBytesPerSecond?: number;
  /** Measured or expected downtime in milliseconds, where known. */
  downtimeMs?: number;
}

/** What a driver reports when a live migration ends. */
export interface MigrationOutcome {
  /** The host the VM now runs on. */
  hostId: string;
  /** Downtime in milliseconds, where known. */
  downtimeMs?: number;
  /** Total bytes sent. */
  bytesTransferred?: number;
  /** Pre-copy iterations. */
  iterations?: number;
}

/** A migration as the state store records it (serialisable). */
export interface MigrationRecord {
  /** Unique id. */
  id: string;
  /** The VM being moved. */
  vm: VmRef;
  /** Destination host id. */
  to: string;
  /** Source host id, where known. */
  from?: string;
  /** Live or cold. */
  mode: MigrationMode;
  /** The phase now. */
  phase: MigrationPhase;
  /** Policy in force. */
  policy: MigrationPolicy;
  /** Latest progress. */
  progress?: MigrationProgress;
  /** Outcome once completed. */
  outcome?: MigrationOutcome;
  /** Error once failed: code and message. */
  error?: { code: string; message: string };
  /** The saga steps done so far, for multi-step (cold, cross-provider) migrations. */
  steps: MigrationStepRecord[];
  /** ISO timestamps. */
  startedAt: string;
  /** ISO timestamp of the last change. */
  updatedAt: string;
}

/** One step of a migration saga in the journal. */
export interface MigrationStepRecord {
  /** Step name (`live-migrate`, `export-disk`...). */
  name: string;
  /** Where the step is. */
  status: 'running' | 'done' | 'failed' | 'compensated';
  /** ISO timestamp. */
  at: string;
}

/** One move of a {@link MigrationPlan}: a VM from one host to another. */
export interface PlannedMove {
  /** The VM to move. */
  vm: VmRef;
  /** The host it is on when the plan is made. */
  from: string;
  /** The host it goes to. */
  to: string;
  /** `live` (default) or `cold`. */
  mode?: MigrationMode;
  /** The memory to copy, in MiB, where the planner knew it (the move's cost). */
  memoryMiB?: number;
  /** Why the planner chose it, as a sentence ("host-7 is at 93 % CPU"). */
  reason?: string;
}

/**
 * An ordered list of migrations, as a rebalancer, a drain or a consolidation plans them: data (serialisable,
 * printable), run later with `nc.migrations.execute(plan)`. Moves run in order where they depend on each other (a move
 * into a host another move frees must wait for it); every intermediate state respects capacity and constraints.
 */
export interface MigrationPlan {
  /** The shape's version. */
  format: 1;
  /** What made it: `rebalance`, `drain`, `consolidate`, or a name of the caller's. */
  purpose: string;
  /** The moves, in the order they may start. */
  moves: PlannedMove[];
}
