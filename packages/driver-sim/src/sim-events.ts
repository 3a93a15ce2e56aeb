import type { SimEvent } from './sim-cloud-types.js';

/** Fans the cloud's events out to its subscribers. A throwing listener is reported, never breaks the sim. */
export class SimEventHub {
  readonly #listeners = new Set<(event: SimEvent) => void>();

  /** How many listeners are attached. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener until the returned function is called or `signal` aborts. */
  subscribe(listener: (event: SimEvent) => void, signal: AbortSignal): () => void {
    const unsubscribe = (): void => {
      this.#listeners.delete(listener);
      signal.removeEventListener('abort', unsubscribe);
    };
    if (signal.aborted) return unsubscribe;
    this.#listeners.add(listener);
    signal.addEventListener('abort', unsubscribe, { once: true });
    return unsubscribe;
  }

  /** Delivers `event` to every listener, synchronously and in subscription order. */
  emit(event: SimEvent): void {
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(
          `A sim cloud event listener threw on ${event.type}: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'NOVACRON_SIM_LISTENER' },
        );
      }
    }
  }

  /** Drops every listener (on close). */
  clear(): void {
    this.#listeners.clear();
  }
}
