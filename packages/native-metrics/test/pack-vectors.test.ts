import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PackInput, PackResult } from '../src/index.js';
import { backendsUnderTest } from './backends-under-test.js';

/** Checks every invariant of a packing against its input. */
export function expectValidPacking(input: PackInput, result: PackResult): void {
  const { dims, items, binCapacities, groups, eligible } = input;
  const n = items.length / dims;
  const m = binCapacities.length / dims;
  expect(result.assignment).toBeInstanceOf(Int32Array);
  expect(result.assignment.length).toBe(n);
  const load = new Float64Array(m * dims);
  const used = new Set<number>();
  const groupBins = new Set<string>();
  for (let item = 0; item < n; item += 1) {
    const bin = result.assignment[item]!;
    expect(bin).toBeGreaterThanOrEqual(-1);
    expect(bin).toBeLessThan(m);
    if (bin < 0) continue;
    used.add(bin);
    for (let k = 0; k < dims; k += 1) load[bin * dims + k]! += items[item * dims + k]!;
    const group = groups?.[item] ?? -1;
    if (group >= 0) {
      const key = `${group}:${bin}`;
      expect(groupBins.has(key), `anti-affinity group ${group} twice in bin ${bin}`).toBe(false);
      groupBins.add(key);
    }
    if (eligible !== undefined) {
      const itemClass = eligible.itemClass[item]!;
      if (itemClass >= 0)
        expect(eligible.allowed[itemClass * m + bin], `item ${item} in ineligible bin ${bin}`).toBe(1);
    }
  }
  for (let slot = 0; slot < m * dims; slot += 1) {
    expect(load[slot]!, `capacity of bin ${Math.floor(slot / dims)} exceeded`).toBeLessThanOrEqual(
      binCapacities[slot]!,
    );
  }
  expect(result.binsUsed).toBe(used.size);
}

const packInputArbitrary = fc
  .record({
    dims: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 0, max: 60 }),
    m: fc.integer({ min: 1, max: 40 }),
    classes: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer(),
    objective: fc.constantFrom('pack' as const, 'spread' as const),
    effort: fc.constantFrom('fast' as const, 'improve' as const),
  })
  .chain(({ dims, n, m, classes, objective, effort }) =>
    fc.record({
      dims: fc.constant(dims),
      items: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: n * dims, maxLength: n * dims }),
      binCapacities: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: m * dims, maxLength: m * dims }),
      groups: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: n, maxLength: n }),
      itemClass: fc.array(fc.integer({ min: -1, max: classes - 1 }), { minLength: n, maxLength: n }),
      allowed: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: classes * m, maxLength: classes * m }),
      objective: fc.constant(objective),
      effort: fc.constant(effort),
      classes: fc.constant(classes),
    }),
  )
  .map(
    (raw): PackInput => ({
      dims: raw.dims,
      items: Float64Array.from(raw.items),
      binCapacities: Float64Array.from(raw.binCapacities),
      groups: Int32Array.from(raw.groups),
      eligible:
        raw.classes === 0
          ? undefined
          : { itemClass: Int32Array.from(raw.itemClass), allowed: Uint8Array.from(raw.allowed) },
      objective: raw.objective,
      effort: raw.effort,
    }),
  );

describe.each(backendsUnderTest())('packVectors on the $name backend', (backend) => {
  const { packVectors } = backend;

  it('property: never exceeds a capacity, never breaks anti-affinity or eligibility, deterministic', () => {
    fc.assert(
      fc.property(packInputArbitrary, (input) => {
        const result = packVectors(input);
        expectValidPacking(input, result);
        expect(Array.from(packVectors(input).assignment)).toEqual(Array.from(result.assignment));
      }),
      { numRuns: 300 },
    );
  });

  it('property: an item that fits some eligible empty bin alone is placed when bins are plentiful', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const items = Float64Array.from(sizes);
        const result = packVectors({
          dims: 1,
          items,
          binCapacities: new Float64Array(sizes.length).fill(100),
        });
        expect(Array.from(result.assignment).every((bin) => bin >= 0)).toBe(true);
        const total = sizes.reduce((sum, size) => sum + size, 0);
        expect(result.binsUsed).toBeGreaterThanOrEqual(Math.ceil(total / 100));
      }),
      { numRuns: 200 },
    );
  });

  it('marks unplaceable items -1 (too big, no eligible bin, group exhausted)', () => {
    const result = packVectors({
      dims: 2,
      items: new Float64Array([5, 5, 50, 1, 1, 1, 1, 1, 1, 1]),
      binCapacities: new Float64Array([10, 10, 10, 10]),
      groups: new Int32Array([-1, -1, 7, 7, 7]),
      eligible: { itemClass: new Int32Array([-1, -1, -1, -1, 0]), allowed: new Uint8Array([0, 0]) },
    });
    expect(result.assignment[1]).toBe(-1);
    expect(result.assignment[4]).toBe(-1);
    const groupBins = [result.assignment[2], result.assignment[3]];
    expect(new Set(groupBins).size).toBe(2);
  });

  it('packs perfect triplets into few bins and improve never does worse than fast', () => {
    const items: number[] = [];
    for (let bin = 0; bin < 40; bin += 1) {
      const a = 20 + ((bin * 7) % 25);
      const b = 25 + ((bin * 11) % 20);
      items.push(a, b, 100 - a - b);
    }
    const input = {
      dims: 1,
      items: Float64Array.from(items),
      binCapacities: new Float64Array(120).fill(100),
    };
    const fast = packVectors(input);
    const improved = packVectors({ ...input, effort: 'improve' });
    expectValidPacking(input, improved);
    expect(improved.binsUsed).toBeLessThanOrEqual(fast.binsUsed);
    expect(improved.binsUsed).toBeLessThanOrEqual(44);
  });

  it('spreads load across hosts with objective spread', () => {
    const input = {
      dims: 2,
      items: new Float64Array(Array.from({ length: 20 }, () => [1, 1]).flat()),
      binCapacities: new Float64Array(Array.from({ length: 5 }, () => [10, 10]).flat()),
      objective: 'spread' as const,
    };
    const result = packVectors(input);
    expect(result.binsUsed).toBe(5);
    const perBin = new Array(5).fill(0);
    for (const bin of result.assignment) perBin[bin] += 1;
    expect(perBin).toEqual([4, 4, 4, 4, 4]);
    expect(packVectors({ ...input, objective: 'pack' }).binsUsed).toBe(2);
  });

  it('rejects wrong lengths and negative or NaN values with a RangeError naming the argument', () => {
    const base = { dims: 2, items: new Float64Array([1, 1]), binCapacities: new Float64Array([2, 2]) };
    expect(() => packVectors({ ...base, items: new Float64Array([1, 1, 1]) })).toThrow(/items has 3 entries/);
    expect(() => packVectors({ ...base, binCapacities: new Float64Array([1]) })).toThrow(
      /binCapacities has 1/,
    );
    expect(() => packVectors({ ...base, items: new Float64Array([1, -1]) })).toThrow(/items\[1\] is -1/);
    expect(() => packVectors({ ...base, items: new Float64Array([Number.NaN, 1]) })).toThrow(
      /items\[0\] is NaN/,
    );
    expect(() =>
      packVectors({ ...base, binCapacities: new Float64Array([2, Number.POSITIVE_INFINITY]) }),
    ).toThrow(/binCapacities\[1\]/);
    expect(() => packVectors({ ...base, groups: new Int32Array([0, 1]) })).toThrow(/groups has 2 entries/);
    expect(() => packVectors({ ...base, groups: new Int32Array([-2]) })).toThrow(/groups\[0\] is -2/);
    expect(() =>
      packVectors({ ...base, eligible: { itemClass: new Int32Array([1]), allowed: new Uint8Array([1]) } }),
    ).toThrow(/itemClass\[0\] is 1/);
    expect(() =>
      packVectors({
        dims: 1,
        items: new Float64Array([1]),
        binCapacities: new Float64Array([2, 2]),
        eligible: { itemClass: new Int32Array([0]), allowed: new Uint8Array([1, 1, 1]) },
      }),
    ).toThrow(/allowed has 3 entries, not a multiple of the bin count \(2\)/);
    expect(() => packVectors({ ...base, dims: 0 })).toThrow(/dims is 0/);
    for (const call of [
      () => packVectors({ ...base, items: new Float64Array([1, -1]) }),
      () => packVectors({ ...base, dims: 1.5 }),
    ]) {
      expect(call).toThrow(RangeError);
    }
  });
});
