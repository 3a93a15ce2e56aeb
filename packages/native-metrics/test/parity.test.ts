import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { js } from '../src/index.js';
import { nativeForParity } from './backends-under-test.js';
import { mixedValues, random } from './test-data.js';

const native = nativeForParity();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let index = 0; index < a.length; index += 1) {
    expect(Object.is(a[index], b[index]), `entry ${index}: ${a[index]} vs ${b[index]}`).toBe(true);
  }
}

function errorOf(operation: () => unknown): Error | undefined {
  try {
    operation();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe.skipIf(native === undefined)(
  'parity: the same vectors through the native and TypeScript backends',
  () => {
    const backend = native!;

    it('writes byte-identical sketches and answers identical quantiles', () => {
      for (const accuracy of [0.001, 0.01, 0.02, 0.1]) {
        for (const seed of [1, 2, 3]) {
          const values = mixedValues(seed, 20_000);
          const a = new js.Sketch({ relativeAccuracy: accuracy });
          const b = new backend.Sketch({ relativeAccuracy: accuracy });
          a.addBatch(values);
          b.addBatch(values);
          expect(sameBytes(a.toBytes(), b.toBytes())).toBe(true);
          const qs = new Float64Array(101).map((_, index) => index / 100);
          sameNumbers(a.quantiles(qs), b.quantiles(qs));
          sameNumbers([a.count, a.sum, a.min, a.max], [b.count, b.sum, b.min, b.max]);
        }
      }
    });

    it('property: identical bytes for any finite values, single adds and merges', () => {
      const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
      fc.assert(
        fc.property(
          fc.array(finite, { maxLength: 200 }),
          fc.array(finite, { maxLength: 50 }),
          (batch, singles) => {
            const a = new js.Sketch();
            const b = new backend.Sketch();
            a.addBatch(Float64Array.from(batch));
            b.addBatch(Float64Array.from(batch));
            for (const value of singles) {
              a.add(value);
              b.add(value);
            }
            expect(sameBytes(a.toBytes(), b.toBytes())).toBe(true);
            const extra = new js.Sketch();
            extra.addBatch(Float64Array.from(singles));
            a.merge(extra);
            b.merge(extra); // cross-backend merge goes through the shared byte format
            expect(sameBytes(a.toBytes(), b.toBytes())).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('reads each other’s bytes', () => {
      const source = new backend.Sketch();
      source.addBatch(mixedValues(4, 5_000));
      const decoded = js.Sketch.fromBytes(source.toBytes());
      expect(sameBytes(decoded.toBytes(), source.toBytes())).toBe(true);
      expect(sameBytes(backend.Sketch.fromBytes(decoded.toBytes()).toBytes(), source.toBytes())).toBe(true);
    });

    it('throws the same error classes and messages', () => {
      const cases: Array<(backend: typeof js) => unknown> = [
        (b) => new b.Sketch({ relativeAccuracy: 2 }),
        (b) => new b.Sketch().addBatch(new Float64Array([1, Number.NaN])),
        (b) => new b.Sketch().quantile(2),
        (b) => b.Sketch.fromBytes(new Uint8Array(10)),
        (b) => b.Sketch.fromBytes(new Uint8Array(64)),
        (b) => new b.SeriesAggregator({ seriesCount: 2 }).ingest(new Uint32Array([3]), new Float64Array([1])),
        (b) =>
          b.packVectors({
            dims: 2,
            items: new Float64Array([1, -1]),
            binCapacities: new Float64Array([1, 1]),
          }),
      ];
      for (const run of cases) {
        const a = errorOf(() => run(js));
        const b = errorOf(() => run(backend));
        expect(a).toBeDefined();
        expect(b?.constructor).toBe(a?.constructor);
        expect(b?.message).toBe(a?.message);
      }
    });

    it('summarises series identically (sorted and direct ingest paths)', () => {
      const next = random(77);
      const series = 300;
      const samples = 50_000;
      const ids = Uint32Array.from({ length: samples }, () => Math.floor(next() * series));
      const values = mixedValues(8, samples);
      const times = Float64Array.from({ length: samples }, (_, index) => index * 3 + next() * 1000);
      const a = new js.SeriesAggregator({ seriesCount: series, windowMs: 10_000 });
      const b = new backend.SeriesAggregator({ seriesCount: series, windowMs: 10_000 });
      a.ingest(ids, values, times);
      b.ingest(ids, values, times);
      a.ingest(ids.subarray(0, 100), values.subarray(0, 100));
      b.ingest(ids.subarray(0, 100), values.subarray(0, 100));
      const qs = new Float64Array([0.1, 0.5, 0.999]);
      const sa = a.summarize(qs);
      const sb = b.summarize(qs);
      for (const field of ['count', 'sum', 'min', 'max', 'mean', 'last', 'ewma', 'anomaly'] as const) {
        sameNumbers(sa[field], sb[field]);
      }
      for (const [index, column] of sa.quantiles.entries()) sameNumbers(column, sb.quantiles[index]!);
      const wa = a.windowSummary(150_000);
      const wb = b.windowSummary(150_000);
      for (const field of ['count', 'sum', 'min', 'max', 'mean'] as const) sameNumbers(wa[field], wb[field]);
      const groups = Int32Array.from({ length: series }, (_, id) => (id % 7) - 1);
      const ra = a.rollup(groups, 6, qs);
      const rb = b.rollup(groups, 6, qs);
      sameNumbers(ra.sum, rb.sum);
      for (const [index, column] of ra.quantiles.entries()) sameNumbers(column, rb.quantiles[index]!);
    });

    it('property: packVectors returns the same assignment on both backends', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 80 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer(),
          fc.constantFrom('pack' as const, 'spread' as const),
          fc.constantFrom('fast' as const, 'improve' as const),
          (dims, n, m, seed, objective, effort) => {
            const next = random(seed);
            const items = Float64Array.from({ length: n * dims }, () => Math.floor(next() * 50) + next());
            const binCapacities = Float64Array.from({ length: m * dims }, () => 40 + Math.floor(next() * 80));
            const groups = Int32Array.from({ length: n }, () => Math.floor(next() * 8) - 1);
            const itemClass = Int32Array.from({ length: n }, () => Math.floor(next() * 3) - 1);
            const allowed = Uint8Array.from({ length: 2 * m }, () => (next() < 0.7 ? 1 : 0));
            const input = {
              dims,
              items,
              binCapacities,
              groups,
              eligible: { itemClass, allowed },
              objective,
              effort,
            };
            const a = js.packVectors(input);
            const b = backend.packVectors(input);
            expect(b.binsUsed).toBe(a.binsUsed);
            expect(Array.from(b.assignment)).toEqual(Array.from(a.assignment));
          },
        ),
        { numRuns: 300 },
      );
    });
  },
);
