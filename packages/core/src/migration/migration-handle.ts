import { EventEmitter } from 'eventemitter3';
import type { MigrationPhase, MigrationProgress, MigrationRecord } from '../model/migration.js';
import type { VmRef } from '../model/vm.js';

/** Events of one {@link Migration}. */
export interface MigrationHandleEvents {
  /** A progress report. */
  progress: (progress: MigrationProgress) => void;
  /** A phase change. */
  phase: (phase: MigrationPhase) => void;
}

/**
 * A running (or finished) migration: its phase, progress events, `cancel()` and the `done` promise, which resolves
 * with the final record when the migration completes and rejects with the `NovaCronError` when it fails or is
 * cancelled. The record is also kept in the client's state store under `migrations/<id>`.
 *
 * @example
 * const migration = await nc.migrations.start({ vm: 'sim:vm-1', to: 'host-2', mode: 'live' });
 * migration.on('progress', (p) => console.log(p.iteration, p.bytesRemaining));
 * await migration.done;
 */
export class Migration extends EventEmitter<MigrationHandleEvents> {
  /** Resolves with the final record on completion; rejects on failure or cancellation. */
  readonly done: Promise<MigrationRecord>;

  constructor(
    private readonly current: () => MigrationRecord,
    private readonly cancelMigration: () => void,
    done: Promise<MigrationRecord>,
  ) {
    super();
    this.done = done;
    // The caller may never await `done`; a rejection must not become an unhandled one.
    done.catch(() => {});
  }

  /** The migration's id. */
  get id(): string {
    return this.current().id;
  }

  /** The VM being moved. */
  get vm(): VmRef {
    return this.current().vm;
  }

  /** The phase now. */
  get phase(): MigrationPhase {
    return this.current().phase;
  }

  /** The latest progress report. */
  get progress(): MigrationProgress | undefined {
    return this.current().progress;
  }

  /** A copy of the record as it is now (serialisable). */
  toJSON(): MigrationRecord {
    return structuredClone(this.current());
  }

  /** Asks the driver to abort; `done` then rejects with `ABORTED` and the VM stays on its source host. */
  cancel(): void {
    this.cancelMigration();
  }
}
