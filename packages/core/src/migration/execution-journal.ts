import { createHash } from 'node:crypto';
import type { MigrationPlan } from '../model/migration.js';
import type { Fence, StateStore } from '../store/state-store.js';

/** Where one move of an execution stands in the journal. */
export type JournalledMoveStatus = 'pending' | 'running' | 'done' | 'failed';

/** One move in the journal. */
export interface JournalledMove {
  /** Where it stands. */
  status: JournalledMoveStatus;
  /** The migration that ran it (the latest attempt), once started. */
  migrationId?: string;
  /** Why it failed, for `failed`. */
  error?: { code: string; message: string };
}

/** An execution of a migration plan as the state store keeps it (`migration-executions/<id>`). */
export interface ExecutionRecord {
  /** The record's shape. */
  format: 1;
  /** The plan's id. */
  executionId: string;
  /** The plan's purpose. */
  purpose: string;
  /** One entry per move of the plan, in its order. */
  moves: JournalledMove[];
  /** ISO timestamp of the last change. */
  updatedAt: string;
}

/**
 * A plan's execution id: 16 hex digits of the SHA-256 of its moves, so the same plan (also parsed back from JSON)
 * always finds the same journal.
 *
 * @example
 * executionId(plan); // '9c1d2b4e5f603f9a'
 */
export function executionId(plan: MigrationPlan): string {
  const moves = plan.moves.map(({ vm, from, to, mode }) => [vm.provider, vm.id, from, to, mode ?? 'live']);
  return createHash('sha256').update(JSON.stringify(moves)).digest('hex').slice(0, 16);
}

/**
 * The journal of one execution in the state store: read once when the execution starts (or made, for a plan never
 * executed), then written after every change of a move, in order, each write conditional on the version read or
 * written last and fenced by the execution's lease, so a deposed executor can never overwrite its successor's
 * record.
 */
export class ExecutionJournal {
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    private readonly store: StateStore,
    private readonly key: string,
    private readonly fence: Fence,
    private version: number,
    readonly record: ExecutionRecord,
  ) {}

  /** The journal of `plan` under `key`: the stored one, or a new one with every move pending. */
  static async open(
    store: StateStore,
    key: string,
    plan: MigrationPlan,
    fence: Fence,
  ): Promise<ExecutionJournal> {
    const stored = await store.get<ExecutionRecord>(key);
    if (stored !== undefined && stored.value.moves.length === plan.moves.length)
      return new ExecutionJournal(store, key, fence, stored.version, stored.value);
    const record: ExecutionRecord = {
      format: 1,
      executionId: key.slice(key.lastIndexOf('/') + 1),
      purpose: plan.purpose,
      moves: plan.moves.map(() => ({ status: 'pending' })),
      updatedAt: new Date().toISOString(),
    };
    const version = await store.put(key, record, { expectedVersion: stored?.version ?? 0, fence });
    return new ExecutionJournal(store, key, fence, version, record);
  }

  /** Records a move's new state; writes are queued and made in order. */
  set(index: number, move: JournalledMove): void {
    this.record.moves[index] = move;
    this.record.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(this.record);
    this.writes = this.writes.then(async () => {
      if (this.failure !== undefined) return;
      try {
        this.version = await this.store.put(this.key, snapshot, {
          expectedVersion: this.version,
          fence: this.fence,
        });
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Waits for every queued write; throws the first write that failed. */
  async flush(): Promise<void> {
    await this.writes;
    if (this.failure !== undefined) throw this.failure;
  }
}
