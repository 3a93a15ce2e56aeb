import type { NovaCronError } from '../errors/novacron-error.js';
import type { HostState } from '../model/host.js';
import type { MigrationProgress } from '../model/migration.js';
import type { VmRef, VmState } from '../model/vm.js';

/** Fields every `operation.*` event carries. Inputs are never included, so secrets never reach listeners. */
export interface OperationEventBase {
  /** Stable across the retries of one operation. */
  operationId: string;
  /** The operation (`vms.create`). */
  operation: string;
  /** The provider name. */
  provider: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** The events a NovaCron client emits, by name. */
export interface NovaCronEvents {
  /** A VM was seen in a new state (by an operation, a list, a wait, or a driver's watch). */
  'vm.state': (event: { ref: VmRef; state: VmState; previous?: VmState; at: Date }) => void;
  /** An operation started. */
  'operation.start': (event: OperationEventBase) => void;
  /** An attempt failed and the operation will be tried again after `delayMs`. */
  'operation.retry': (event: OperationEventBase & { delayMs: number; error: NovaCronError }) => void;
  /** An operation succeeded. */
  'operation.success': (event: OperationEventBase & { durationMs: number }) => void;
  /** An operation failed for good. */
  'operation.failure': (event: OperationEventBase & { durationMs: number; error: NovaCronError }) => void;
  /** A migration made progress or changed phase. */
  'migration.progress': (event: { migrationId: string; vm: VmRef; progress: MigrationProgress }) => void;
  /** A host changed state. */
  'host.state': (event: { provider: string; hostId: string; state: HostState; at: Date }) => void;
}

/** The name of one of {@link NovaCronEvents}. */
export type NovaCronEventName = keyof NovaCronEvents;
