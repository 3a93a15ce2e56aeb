import { inspect } from 'node:util';
import type { EventBus } from '../events/event-bus.js';

/**
 * Every way `value` can be printed or walked that reveals one of `secrets`, as `'<how>: <secret>'` lines; empty when
 * none does. The ways are what loggers and error reporters do: `util.inspect` with hidden properties at any depth,
 * `JSON.stringify`, `String`, and a walk over every own property (non-enumerable and symbol-keyed ones too), which
 * follows `cause` chains, getters and nested objects. Plant recognisable fake credentials in a driver's options,
 * make it fail every way it can, and expect no leak from the errors and the recorded events.
 *
 * @example
 * expect(findSecrets(error, ['AKIANOVACRONFAKE0001'])).toEqual([]);
 */
export function findSecrets(value: unknown, secrets: readonly string[]): string[] {
  const leaks = new Set<string>();
  const check = (how: string, text: string): void => {
    for (const secret of secrets) if (text.includes(secret)) leaks.add(`${how}: ${secret}`);
  };
  check('util.inspect', inspect(value, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }));
  check('JSON.stringify', safeStringify(value));
  check('String', safeString(value));
  walk(value, (text) => check('own-property walk', text));
  return [...leaks].sort();
}

/** One `operation.*` event a client emitted, as {@link recordOperationEvents} keeps it. */
export interface RecordedEvent {
  /** The event's name. */
  name: 'operation.start' | 'operation.retry' | 'operation.success' | 'operation.failure';
  /** Its payload. */
  payload: unknown;
}

/**
 * Records every `operation.*` event of a client (`nc.events`) into the returned array, for tests that check what
 * events carry (no secrets, the right attempt counts).
 */
export function recordOperationEvents(events: EventBus): RecordedEvent[] {
  const recorded: RecordedEvent[] = [];
  for (const name of [
    'operation.start',
    'operation.retry',
    'operation.success',
    'operation.failure',
  ] as const) {
    events.on(name, (payload: unknown) => recorded.push({ name, payload }));
  }
  return recorded;
}

function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, nested: unknown) => {
        if (typeof nested === 'bigint') return String(nested);
        if (typeof nested !== 'object' || nested === null) return nested;
        if (seen.has(nested)) return '[circular]';
        seen.add(nested);
        return nested;
      }) ?? ''
    );
  } catch (error) {
    return `[JSON.stringify threw: ${safeString(error)}]`;
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** Visits every string reachable through own properties (names, symbols, getters, Map/Set entries, buffers). */
function walk(root: unknown, visit: (text: string) => void): void {
  const seen = new WeakSet<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      visit(value);
      continue;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      visit(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1'));
      continue;
    }
    if (value instanceof Map) for (const entry of value) pending.push(entry[0], entry[1]);
    if (value instanceof Set) for (const entry of value) pending.push(entry);
    for (const key of [...Object.getOwnPropertyNames(value), ...Object.getOwnPropertySymbols(value)]) {
      if (typeof key === 'string') visit(key);
      try {
        pending.push((value as Record<PropertyKey, unknown>)[key]);
      } catch {
        // A throwing getter reveals nothing.
      }
    }
  }
}
