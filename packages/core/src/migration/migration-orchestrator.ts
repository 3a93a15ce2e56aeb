import { randomUUID } from 'node:crypto';
import type { OperationRunner } from '../client/operation-runner.js';
import { unsupportedCall } from '../driver/capability-check.js';
import { NovaCronError } from '../errors/novacron-error.js';
import { toNovaCronError } from '../errors/to-novacron-error.js';
import type { EventBus } from '../events/event-bus.js';
import type {
  MigrationMode,
  MigrationPhase,
  MigrationPolicy,
  MigrationProgress,
  MigrationRecord,
} from '../model/migration.js';
import { TERMINAL_MIGRATION_PHASES } from '../model/migration.js';
import { formatVmRef, parseVmRef, type Vm, type VmRef } from '../model/vm.js';
import type { StateStore } from '../store/state-store.js';
import { throwIfAborted } from '../util/abort.js';
import { parseMigrationPolicy } from '../validation/migration-policy.js';
import { Migration } from './migration-handle.js';
import { runSaga, type SagaStep } from './migration-saga.js';

/** What `nc.migrations.start` takes. */
export interface StartMigrationRequest {
  /** The VM to move. */
  vm: VmRef | string;
  /** The destination host id (on the VM's provider). */
  to: string;
  /** `live` (default) keeps the guest running. */
  mode?: MigrationMode | undefined;
  /** Tuning passed to the driver; checked by the core (positive numbers, a known `onTimeout`). */
  policy?: MigrationPolicy | undefined;
  /** Cancels the migration: before it starts, nothing is recorded; while it runs, as `migration.cancel()` does. */
  signal?: AbortSignal | undefined;
}

/** The saga's working state. */
interface MigrationContext {
  record: MigrationRecord;
  vm?: Vm;
  signal: AbortSignal;
}

/** How often progress is written to the store at most (phase changes are always written). */
const PROGRESS_PERSIST_INTERVAL_MS = 500;

/**
 * Runs migrations as sagas whose journal lives in the state store (`migrations/<id>`): a live migration is
 * `check -> live-migrate -> verify`, where `live-migrate` drives the driver's `doMigrateVm` through the operations
 * pipeline (never retried: a migration is not idempotent). Cross-provider cold migration will add steps
 * (export, convert, import, create, cut over) with compensations to the same saga runner.
 */
export class MigrationOrchestrator {
  private readonly live = new Map<string, Migration>();

  constructor(
    private readonly runner: OperationRunner,
    private readonly store: StateStore,
    private readonly events: EventBus,
    private readonly getVm: (ref: VmRef, signal: AbortSignal) => Promise<Vm>,
  ) {}

  /**
   * Starts a migration and returns its handle once the record is stored.
   *
   * @example
   * const migration = await nc.migrations.start({ vm: 'lab:web-1', to: 'host-2', mode: 'live' });
   * await migration.done;
   */
  async start(request: StartMigrationRequest): Promise<Migration> {
    if (typeof request !== 'object' || request === null)
      throw new TypeError('migrations.start needs a request.');
    const ref = parseVmRef(request.vm);
    const mode = request.mode ?? 'live';
    if (typeof request.to !== 'string' || request.to.length === 0) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'to',
        provider: ref.provider,
        operation: 'migrations.start',
        message: `migrations.start needs 'to', the destination host id on provider '${ref.provider}'. List hosts with nc.hosts.list().`,
      });
    }
    const runtime = this.runner.runtime(ref.provider, 'migrations.start');
    if (runtime.isClosed) {
      throw new NovaCronError({
        code: 'UNAVAILABLE',
        retryable: false,
        provider: ref.provider,
        operation: 'migrations.start',
        message: `Provider '${ref.provider}' is closed; migrations.start was refused. Create a new client to continue.`,
      });
    }
    const refused = unsupportedCall(ref.provider, runtime.driver, 'liveMigration', 'migrations.start');
    if (refused !== undefined) throw refused;
    const policy = parseMigrationPolicy(request.policy, ref.provider);
    throwIfAborted(request.signal, 'migrations.start');
    const now = new Date().toISOString();
    let record: MigrationRecord = {
      id: randomUUID(),
      vm: ref,
      to: request.to,
      mode,
      phase: 'pending',
      policy,
      steps: [],
      startedAt: now,
      updatedAt: now,
    };
    const key = `migrations/${record.id}`;
    let version = await this.store.put(key, record, { expectedVersion: 0 });
    let lastPersist = 0;
    const persist = async (): Promise<void> => {
      record = { ...record, updatedAt: new Date().toISOString() };
      version = await this.store.put(key, record, { expectedVersion: version });
      lastPersist = performance.now();
    };
    const controller = new AbortController();
    request.signal?.addEventListener('abort', () => controller.abort(request.signal?.reason), { once: true });
    const handle: Migration = new Migration(
      () => record,
      () => controller.abort(),
      Promise.resolve().then(() => run()),
    );
    const setPhase = async (phase: MigrationPhase): Promise<void> => {
      record = { ...record, phase };
      handle.emit('phase', phase);
      await persist();
    };
    const onProgress = (progress: MigrationProgress): void => {
      record = { ...record, progress, phase: progress.phase };
      handle.emit('progress', progress);
      this.events.safeEmit('migration.progress', { migrationId: record.id, vm: ref, progress });
      if (performance.now() - lastPersist >= PROGRESS_PERSIST_INTERVAL_MS) void persist().catch(() => {});
    };
    const steps: Array<SagaStep<MigrationContext>> = [
      {
        name: 'check',
        run: async (context) => {
          await setPhase('preparing');
          const vm = await this.getVm(ref, context.signal);
          if (vm.location.hostId === request.to) {
            throw new NovaCronError({
              code: 'CONFLICT',
              provider: ref.provider,
              operation: 'migrations.start',
              message: `VM ${formatVmRef(ref)} already runs on host '${request.to}'. Pick another destination.`,
            });
          }
          if (mode === 'live' && vm.state.name !== 'running') {
            throw new NovaCronError({
              code: 'CONFLICT',
              provider: ref.provider,
              operation: 'migrations.start',
              message: `VM ${formatVmRef(ref)} is ${vm.state.name}; a live migration needs it running. Start it, or use mode 'cold'.`,
            });
          }
          context.vm = vm;
          record = { ...record, ...(vm.location.hostId !== undefined ? { from: vm.location.hostId } : {}) };
        },
      },
      {
        name: `${mode}-migrate`,
        run: async (context) => {
          await setPhase('transferring');
          const outcome = await this.runner.run({
            name: 'migrations.run',
            provider: ref.provider,
            input: { vmId: ref.id, to: request.to },
            idempotent: false,
            signal: context.signal,
            timeoutMs: 24 * 3_600_000,
            call: (driver, callContext) =>
              driver.doMigrateVm!(
                { vmId: ref.id, toHostId: request.to, mode, policy: record.policy },
                { ...callContext, onProgress },
              ),
          });
          record = { ...record, outcome };
        },
      },
      {
        name: 'verify',
        run: async (context) => {
          const vm = await this.getVm(ref, context.signal);
          if (vm.location.hostId !== request.to) {
            throw new NovaCronError({
              code: 'PROVIDER',
              provider: ref.provider,
              operation: 'migrations.start',
              message: `The driver reported VM ${formatVmRef(ref)} migrated, but it is on host '${vm.location.hostId}', not '${request.to}'.`,
            });
          }
        },
      },
    ];
    const run = async (): Promise<MigrationRecord> => {
      const context: MigrationContext = { record, signal: controller.signal };
      try {
        await runSaga(steps, context, {
          record: async (step, status) => {
            record = {
              ...record,
              steps: [...record.steps, { name: step, status, at: new Date().toISOString() }],
            };
            await persist();
          },
        });
        await setPhase('completed');
        return record;
      } catch (thrown) {
        const error = toNovaCronError(thrown, { provider: ref.provider, operation: 'migrations.start' });
        record = { ...record, error: { code: error.code, message: error.message } };
        await setPhase(error.code === 'ABORTED' ? 'cancelled' : 'failed');
        throw error;
      } finally {
        this.live.delete(record.id);
      }
    };
    this.live.set(record.id, handle);
    return handle;
  }

  /** The record of a migration (from the store), or undefined. */
  async get(id: string): Promise<MigrationRecord | undefined> {
    return (await this.store.get<MigrationRecord>(`migrations/${id}`))?.value;
  }

  /** The handle of a migration still running in this process, or undefined. */
  handle(id: string): Migration | undefined {
    return this.live.get(id);
  }

  /** Every migration record in the store, optionally only those still running. */
  async list(options: { active?: boolean | undefined } = {}): Promise<MigrationRecord[]> {
    const records = (await this.store.list<MigrationRecord>('migrations/')).map((entry) => entry.value);
    return options.active
      ? records.filter((record) => !TERMINAL_MIGRATION_PHASES.includes(record.phase))
      : records;
  }
}
