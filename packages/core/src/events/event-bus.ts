import { EventEmitter } from 'eventemitter3';
import type { NovaCronEvents } from './novacron-events.js';

/**
 * The client's typed event emitter (eventemitter3). A listener that throws is isolated: the error is reported on
 * `process.emitWarning` and never breaks the operation that emitted the event.
 *
 * @example
 * nc.events.on('vm.state', ({ ref, state }) => console.log(ref.id, state.name));
 */
export class EventBus extends EventEmitter<NovaCronEvents> {
  /** Emits without letting a failing listener break the caller. */
  safeEmit<K extends keyof NovaCronEvents>(name: K, ...args: Parameters<NovaCronEvents[K]>): void {
    try {
      (this.emit as (name: K, ...rest: Parameters<NovaCronEvents[K]>) => boolean)(name, ...args);
    } catch (error) {
      process.emitWarning(
        `A '${String(name)}' listener threw: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
}
