import type { PackInput } from './metrics-backend.js';

/** A checked `packVectors` input with defaults applied. */
export interface CheckedPackInput {
  dims: number;
  items: Float64Array;
  binCapacities: Float64Array;
  groups: Int32Array | undefined;
  itemClass: Int32Array | undefined;
  allowed: Uint8Array | undefined;
  objective: 'pack' | 'spread';
  effort: 'fast' | 'improve';
}

function checkValues(name: string, values: Float64Array): void {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (!(value >= 0 && value !== Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `packVectors: ${name}[${index}] is ${String(value)}; demands and capacities must be finite and non-negative.`,
      );
    }
  }
}

function expectArray(
  name: string,
  value: unknown,
  kind: typeof Float64Array | typeof Int32Array | typeof Uint8Array,
): void {
  if (!(value instanceof kind)) throw new TypeError(`packVectors: ${name} must be a ${kind.name}.`);
}

/**
 * Checks a `packVectors` input the same way for both backends: wrong lengths, negative or NaN
 * values give a `RangeError` naming the argument; wrong array types a `TypeError`.
 *
 * @example checkPackInput({ dims: 1, items: new Float64Array([1]), binCapacities: new Float64Array([2]) });
 */
export function checkPackInput(input: PackInput): CheckedPackInput {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('packVectors: input must be an object.');
  const { dims, items, binCapacities, groups, eligible } = input;
  if (!Number.isInteger(dims) || dims < 1 || dims > 64) {
    throw new RangeError(`packVectors: dims is ${String(dims)}; it must be an integer from 1 to 64.`);
  }
  expectArray('items', items, Float64Array);
  expectArray('binCapacities', binCapacities, Float64Array);
  if (items.length % dims !== 0) {
    throw new RangeError(`packVectors: items has ${items.length} entries, not a multiple of dims (${dims}).`);
  }
  if (binCapacities.length % dims !== 0) {
    throw new RangeError(
      `packVectors: binCapacities has ${binCapacities.length} entries, not a multiple of dims (${dims}).`,
    );
  }
  checkValues('items', items);
  checkValues('binCapacities', binCapacities);
  const n = items.length / dims;
  const m = binCapacities.length / dims;
  if (groups !== undefined) {
    expectArray('groups', groups, Int32Array);
    if (groups.length !== n)
      throw new RangeError(`packVectors: groups has ${groups.length} entries but there are ${n} items.`);
    for (let index = 0; index < n; index += 1) {
      if (groups[index]! < -1)
        throw new RangeError(`packVectors: groups[${index}] is ${groups[index]}; use -1 for no group.`);
    }
  }
  if (eligible !== undefined) {
    const { itemClass, allowed } = eligible;
    expectArray('eligible.itemClass', itemClass, Int32Array);
    expectArray('eligible.allowed', allowed, Uint8Array);
    if (itemClass.length !== n) {
      throw new RangeError(
        `packVectors: eligible.itemClass has ${itemClass.length} entries but there are ${n} items.`,
      );
    }
    if (m === 0 || allowed.length % m !== 0) {
      throw new RangeError(
        `packVectors: eligible.allowed has ${allowed.length} entries, not a multiple of the bin count (${m}).`,
      );
    }
    const classCount = allowed.length / m;
    for (let index = 0; index < n; index += 1) {
      const itemClassValue = itemClass[index]!;
      if (itemClassValue < -1 || itemClassValue >= classCount) {
        throw new RangeError(
          `packVectors: eligible.itemClass[${index}] is ${itemClassValue}; classes must be -1 (any bin) or below ${classCount}.`,
        );
      }
    }
  }
  const objective = input.objective ?? 'pack';
  if (objective !== 'pack' && objective !== 'spread') {
    throw new RangeError(`packVectors: objective is ${String(objective)}; use 'pack' (default) or 'spread'.`);
  }
  const effort = input.effort ?? 'fast';
  if (effort !== 'fast' && effort !== 'improve') {
    throw new RangeError(`packVectors: effort is ${String(effort)}; use 'fast' (default) or 'improve'.`);
  }
  return {
    dims,
    items,
    binCapacities,
    groups,
    itemClass: eligible?.itemClass,
    allowed: eligible?.allowed,
    objective,
    effort,
  };
}
