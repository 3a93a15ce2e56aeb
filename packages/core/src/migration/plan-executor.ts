import { holdLease } from '../client/held-lease.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { MigrationPlan, MigrationPolicy, MigrationProgress, PlannedMove } from '../model/migration.js';
import { parseVmRef, type Vm, type VmRef } from '../model/vm.js';
import type { StateStore } from '../store/state-store.js';
import { ExecutionJournal, executionId } from './execution-journal.js';
import type { Migration } from './migration-handle.js';
import type { StartMigrationRequest } from './migration-orchestrator.js';
import { moveDependencies } from './move-dependencies.js';

/** Options of `nc.migrations.execute`. */
export interface ExecuteMigrationPlanOptions {
  /** Moves running at once. Default 4. */
  concurrency?: number | undefined;
  /** Moves running at once that leave or enter one host. Default 2. */
  perHostConcurrency?: number | undefined;
  /**
   * Stops the execution: no move starts after it aborts, and running ones are cancelled (their VMs stay on their
   * source hosts). Execute the same plan again, from this process or another sharing the state store, to resume.
   */
  signal?: AbortSignal | undefined;
  /** Go on after a move fails (moves that depend on it are skipped). Default false: stop at the first failure. */
  continueOnError?: boolean | undefined;
  /** Policy for every move's migration. Default: the driver's. */
  policy?: MigrationPolicy | undefined;
  /** Called on every change of a move (started, progress, done, failed, skipped, cancelled). */
  onProgress?: ((progress: MigrationExecutionProgress) => void) | undefined;
}

/** Where a move stands, as `onProgress` reports it. */
export type ExecutedMoveStatus = 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** Counts over the whole plan. */
export interface MigrationExecutionTotals {
  /** Moves in the plan. */
  total: number;
  /** Moves done (in this execution or an earlier one). */
  done: number;
  /** Moves running now. */
  running: number;
  /** Moves failed. */
  failed: number;
  /** Moves skipped or cancelled. */
  notRun: number;
}

/** One report of `onProgress`. */
export interface MigrationExecutionProgress {
  /** The move's index in the plan. */
  index: number;
  /** The move. */
  move: PlannedMove;
  /** Where it stands now. */
  status: ExecutedMoveStatus;
  /** The migration's latest progress, while it runs. */
  progress?: MigrationProgress;
  /** The whole plan. */
  overall: MigrationExecutionTotals;
}

/** What `nc.migrations.execute` reports: every move of the plan is in exactly one list. */
export interface MigrationExecutionResult {
  /** The plan's id; its journal is `migration-executions/<executionId>` in the state store. */
  executionId: string;
  /** Moves done; `earlier` when an earlier execution of the plan did it (it was not run again). */
  done: Array<{ index: number; move: PlannedMove; migrationId?: string; earlier: boolean }>;
  /** Moves whose migration failed. */
  failed: Array<{ index: number; move: PlannedMove; migrationId?: string; error: NovaCronError }>;
  /** Moves not started because an earlier move failed (the execution stopped, or a move they wait for failed). */
  skipped: Array<{ index: number; move: PlannedMove; reason: string }>;
  /** Moves not done because the signal aborted (running ones were cancelled). Execute the plan again to run them. */
  cancelled: Array<{ index: number; move: PlannedMove }>;
}

type State =
  | { kind: 'pending' }
  | { kind: 'running'; migration?: Migration }
  | { kind: 'done'; earlier: boolean; migrationId?: string }
  | { kind: 'failed'; error: NovaCronError; migrationId?: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'cancelled' };

const OPERATION = 'migrations.execute';

/**
 * Runs {@link MigrationPlan}s through the client's live migrations, in dependency order, within the concurrency
 * limits, journalling every move in the state store so an interrupted execution resumes, in any process sharing
 * the store, without running a done move again.
 */
export class PlanExecutor {
  constructor(
    private readonly start: (request: StartMigrationRequest) => Promise<Migration>,
    private readonly getVm: (ref: VmRef) => Promise<Vm>,
    private readonly store: StateStore,
  ) {}

  /**
   * Executes `plan`. A move starts once the moves it depends on are done (an earlier move of the same VM, and every
   * earlier move out of the host it goes to) and the limits allow. Returns what was done, failed, skipped and
   * cancelled; throws only for a malformed plan, an execution of the same plan already running elsewhere
   * (`CONFLICT`), or a lost journal.
   *
   * @example
   * const result = await nc.migrations.execute(plan, { concurrency: 4, perHostConcurrency: 1, signal });
   * console.log(result.done.length, 'moved;', result.failed.map(({ error }) => error.message));
   */
  async execute(
    plan: MigrationPlan,
    options: ExecuteMigrationPlanOptions = {},
  ): Promise<MigrationExecutionResult> {
    const moves = checkPlan(plan);
    const concurrency = checkLimit('concurrency', options.concurrency ?? 4);
    const perHost = checkLimit('perHostConcurrency', options.perHostConcurrency ?? 2);
    const id = executionId(plan);
    const key = `migration-executions/${id}`;
    const lease = await holdLease(this.store, key, {
      waitMs: 0,
      what: OPERATION,
      hint: 'This plan is being executed already (by this or another process sharing the state store); wait for that execution, or execute the plan again once it stopped to resume it.',
      signal: options.signal,
    });
    try {
      const journal = await ExecutionJournal.open(this.store, key, plan, lease.fence);
      const states = await this.resume(journal, moves);
      await this.run(moves, states, journal, { concurrency, perHost, options, lost: lease.lost });
      await journal.flush();
      return report(id, moves, states);
    } finally {
      await lease.release();
    }
  }

  /** The moves' states from the journal: done stays done; a move left running is done when its VM reached `to`. */
  private async resume(journal: ExecutionJournal, moves: PlannedMove[]): Promise<State[]> {
    return Promise.all(
      journal.record.moves.map(async (entry, index): Promise<State> => {
        const migrationId = entry.migrationId;
        if (entry.status === 'done')
          return { kind: 'done', earlier: true, ...(migrationId ? { migrationId } : {}) };
        if (entry.status === 'running') {
          // A VM that cannot be read now leaves the move pending: its migration then says what is wrong.
          const vm = await this.getVm(moves[index]!.vm).catch(() => undefined);
          if (vm?.location.hostId === moves[index]!.to) {
            journal.set(index, { status: 'done', ...(migrationId ? { migrationId } : {}) });
            return { kind: 'done', earlier: true, ...(migrationId ? { migrationId } : {}) };
          }
        }
        return { kind: 'pending' };
      }),
    );
  }

  /** Runs the pending moves until none can start and none runs. */
  private run(
    moves: PlannedMove[],
    states: State[],
    journal: ExecutionJournal,
    limits: { concurrency: number; perHost: number; options: ExecuteMigrationPlanOptions; lost: AbortSignal },
  ): Promise<void> {
    const { options } = limits;
    const dependencies = moveDependencies(moves);
    const stop = AbortSignal.any([limits.lost, ...(options.signal ? [options.signal] : [])]);
    const busy = new Map<string, number>();
    const occupy = (move: PlannedMove, delta: number): void => {
      for (const host of [move.from, move.to]) busy.set(host, (busy.get(host) ?? 0) + delta);
    };
    let running = 0;
    let failedStop = false;
    const notify = (index: number, progress?: MigrationProgress): void => {
      const state = states[index]!;
      options.onProgress?.({
        index,
        move: moves[index]!,
        status: state.kind === 'pending' ? 'running' : (state.kind as ExecutedMoveStatus),
        ...(progress !== undefined ? { progress } : {}),
        overall: totals(states),
      });
    };
    return new Promise<void>((resolve) => {
      const pump = (): void => {
        for (const [index, state] of states.entries()) {
          if (state.kind !== 'pending') continue;
          if (stop.aborted) {
            states[index] = { kind: 'cancelled' };
            notify(index);
            continue;
          }
          if (failedStop) {
            states[index] = { kind: 'skipped', reason: 'the execution stopped at a failed move' };
            notify(index);
            continue;
          }
          const blocker = dependencies[index]!.find((earlier) =>
            ['failed', 'skipped', 'cancelled'].includes(states[earlier]!.kind),
          );
          if (blocker !== undefined) {
            states[index] = {
              kind: 'skipped',
              reason: `it waits for move ${blocker} (${describe(moves[blocker]!)}), which did not complete`,
            };
            notify(index);
            continue;
          }
          const move = moves[index]!;
          const ready = dependencies[index]!.every((earlier) => states[earlier]!.kind === 'done');
          const room =
            running < limits.concurrency &&
            (busy.get(move.from) ?? 0) < limits.perHost &&
            (busy.get(move.to) ?? 0) < limits.perHost;
          if (ready && room) launch(index);
        }
        if (running === 0) resolve();
      };
      const launch = (index: number): void => {
        const move = moves[index]!;
        running += 1;
        occupy(move, 1);
        states[index] = { kind: 'running' };
        const settle = (state: State): void => {
          states[index] = state;
          const migrationId = 'migrationId' in state ? state.migrationId : undefined;
          const idField = migrationId !== undefined ? { migrationId } : {};
          if (state.kind === 'done') journal.set(index, { status: 'done', ...idField });
          else if (state.kind === 'failed')
            journal.set(index, {
              status: 'failed',
              ...idField,
              error: { code: state.error.code, message: state.error.message },
            });
          else journal.set(index, { status: 'pending', ...idField });
          if (state.kind === 'failed' && !options.continueOnError) failedStop = true;
          running -= 1;
          occupy(move, -1);
          notify(index);
          pump();
        };
        this.start({
          vm: move.vm,
          to: move.to,
          mode: move.mode ?? 'live',
          signal: stop,
          ...(options.policy !== undefined ? { policy: options.policy } : {}),
        }).then(
          (migration) => {
            states[index] = { kind: 'running', migration };
            journal.set(index, { status: 'running', migrationId: migration.id });
            notify(index);
            migration.on('progress', (progress) => notify(index, progress));
            migration.done.then(
              () => settle({ kind: 'done', earlier: false, migrationId: migration.id }),
              (error: unknown) => settle(failure(error, stop, migration.id)),
            );
          },
          (error: unknown) => settle(failure(error, stop, undefined)),
        );
      };
      pump();
    });
  }
}

/** The state of a move whose migration did not complete: cancelled when the execution was stopped, else failed. */
function failure(error: unknown, stop: AbortSignal, migrationId: string | undefined): State {
  if (stop.aborted) return { kind: 'cancelled' };
  const reason = toNovaCronError(error, { operation: OPERATION });
  return { kind: 'failed', error: reason, ...(migrationId !== undefined ? { migrationId } : {}) };
}

function totals(states: State[]): MigrationExecutionTotals {
  const count = (...kinds: State['kind'][]) => states.filter((state) => kinds.includes(state.kind)).length;
  return {
    total: states.length,
    done: count('done'),
    running: count('running'),
    failed: count('failed'),
    notRun: count('skipped', 'cancelled'),
  };
}

function report(id: string, moves: PlannedMove[], states: State[]): MigrationExecutionResult {
  const result: MigrationExecutionResult = {
    executionId: id,
    done: [],
    failed: [],
    skipped: [],
    cancelled: [],
  };
  states.forEach((state, index) => {
    const move = moves[index]!;
    if (state.kind === 'done')
      result.done.push({
        index,
        move,
        earlier: state.earlier,
        ...(state.migrationId !== undefined ? { migrationId: state.migrationId } : {}),
      });
    else if (state.kind === 'failed')
      result.failed.push({
        index,
        move,
        error: state.error,
        ...(state.migrationId !== undefined ? { migrationId: state.migrationId } : {}),
      });
    else if (state.kind === 'skipped') result.skipped.push({ index, move, reason: state.reason });
    else result.cancelled.push({ index, move });
  });
  return result;
}

function describe(move: PlannedMove): string {
  return `${move.vm.provider}:${move.vm.id} ${move.from} -> ${move.to}`;
}

/** The plan's moves with their refs parsed; an `INVALID_ARGUMENT` naming the bad field otherwise. */
function checkPlan(plan: MigrationPlan): PlannedMove[] {
  if (plan?.format !== 1 || !Array.isArray(plan.moves))
    throw invalid('plan', 'migrations.execute: plan is not a migration plan (format 1) with moves.');
  return plan.moves.map((move, index) => {
    const where = `plan.moves[${index}]`;
    for (const field of ['from', 'to'] as const)
      if (typeof move?.[field] !== 'string' || move[field] === '')
        throw invalid(`${where}.${field}`, `migrations.execute: ${where}.${field} must be a host id.`);
    let vm: VmRef;
    try {
      vm = parseVmRef(move.vm);
    } catch {
      throw invalid(`${where}.vm`, `migrations.execute: ${where}.vm must be a VM ref ({ provider, id }).`);
    }
    return { ...move, vm };
  });
}

function checkLimit(field: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1))
    throw invalid(field, `migrations.execute: ${field} is ${String(value)}; use an integer >= 1.`);
  return value;
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, operation: OPERATION, message });
}
