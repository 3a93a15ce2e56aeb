/** One step of a migration saga: what to do, and how to undo it if a later step fails. */
export interface SagaStep<TContext> {
  /** The step's name in the journal (`live-migrate`, `export-disk`). */
  name: string;
  /** Does the step. */
  run(context: TContext): Promise<void>;
  /** Undoes the step after a later step failed. Absent = nothing to undo. */
  compensate?(context: TContext): Promise<void>;
}

/** Where a saga writes what it has done, so another process can see it (and later resume or roll back). */
export interface SagaJournal {
  /** Records a step's new status. */
  record(step: string, status: 'running' | 'done' | 'failed' | 'compensated'): Promise<void>;
}

/**
 * Runs steps in order, journalling each. When a step fails, the steps already done are compensated in reverse
 * order (each compensation journalled), then the original error is thrown. A failing compensation is journalled
 * as `failed` and the rollback goes on with the earlier steps.
 */
export async function runSaga<TContext>(
  steps: ReadonlyArray<SagaStep<TContext>>,
  context: TContext,
  journal: SagaJournal,
): Promise<void> {
  const done: Array<SagaStep<TContext>> = [];
  for (const step of steps) {
    await journal.record(step.name, 'running');
    try {
      await step.run(context);
    } catch (error) {
      await journal.record(step.name, 'failed');
      for (const previous of done.reverse()) {
        if (previous.compensate === undefined) continue;
        try {
          await previous.compensate(context);
          await journal.record(previous.name, 'compensated');
        } catch {
          await journal.record(previous.name, 'failed');
        }
      }
      throw error;
    }
    await journal.record(step.name, 'done');
    done.push(step);
  }
}
