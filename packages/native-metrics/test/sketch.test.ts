import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest } from './backends-under-test.js';
import { exactQuantile, mixedValues, random } from './test-data.js';

const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function expectWithinAccuracy(estimate: number, exact: number, accuracy: number): void {
  const tolerance = accuracy * Math.abs(exact) * (1 + 1e-12) + 1e-300;
  expect(Math.abs(estimate - exact), `estimate ${estimate} vs exact ${exact}`).toBeLessThanOrEqual(tolerance);
}

function naiveSum(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

describe.each(backendsUnderTest())('Sketch on the $name backend', (backend) => {
  const { Sketch } = backend;

  it.each([0.001, 0.01, 0.05])(
    'keeps every quantile within relative accuracy %s (mixed signs, zeros, heavy tails)',
    (accuracy) => {
      const values = mixedValues(42, 60_000);
      const sketch = new Sketch({ relativeAccuracy: accuracy });
      sketch.addBatch(values);
      const sorted = values.slice().sort();
      for (const q of QS) expectWithinAccuracy(sketch.quantile(q), exactQuantile(sorted, q), accuracy);
      const estimates = sketch.quantiles(new Float64Array(QS));
      for (const [index, q] of QS.entries()) expect(estimates[index]).toBe(sketch.quantile(q));
    },
  );

  it('reports count, min and max exactly and the sum within rounding', () => {
    const values = mixedValues(7, 10_001);
    const sketch = new Sketch();
    sketch.addBatch(values);
    const sorted = values.slice().sort();
    expect(sketch.count).toBe(10_001);
    expect(sketch.min).toBe(sorted[0]);
    expect(sketch.max).toBe(sorted[sorted.length - 1]);
    expect(sketch.sum).toBeCloseTo(naiveSum(values), -2);
    expect(Math.abs(sketch.sum - naiveSum(values)) / Math.abs(naiveSum(values))).toBeLessThan(1e-12);
    expect(sketch.relativeAccuracy).toBe(0.01);
  });

  it('gives the same answers for add() one by one and addBatch()', () => {
    const values = mixedValues(3, 2_000);
    const single = new Sketch();
    for (const value of values) single.add(value);
    const batch = new Sketch();
    batch.addBatch(values);
    expect(Buffer.from(single.toBytes()).equals(Buffer.from(batch.toBytes()))).toBe(true);
  });

  it('merges to exactly the sketch of all the data, negatives included, in any order', () => {
    const parts = [0, 1, 2, 3, 4].map((seed) => mixedValues(seed, 3_000));
    const whole = new Sketch();
    for (const part of parts) whole.addBatch(part);
    const sketches = parts.map((part) => {
      const sketch = new Sketch();
      sketch.addBatch(part);
      return sketch;
    });
    for (const order of [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
    ]) {
      const merged = new Sketch();
      for (const index of order) merged.merge(sketches[index]!);
      expect(merged.count).toBe(whole.count);
      expect(merged.min).toBe(whole.min);
      expect(merged.max).toBe(whole.max);
      expect(merged.quantile(0.01)).toBeLessThan(0); // the negative store survived the merge
      for (const q of QS) expect(merged.quantile(q)).toBe(whole.quantile(q));
      expect(Math.abs(merged.sum - whole.sum)).toBeLessThanOrEqual(Math.abs(whole.sum) * 1e-12);
    }
  });

  it('merges a sketch into itself as doubling every sample', () => {
    const sketch = new Sketch();
    sketch.addBatch(new Float64Array([-2, 0, 5]));
    sketch.merge(sketch);
    expect(sketch.count).toBe(6);
    expect(sketch.sum).toBe(6);
  });

  it('refuses to merge sketches of different accuracy', () => {
    const coarse = new Sketch({ relativeAccuracy: 0.05 });
    coarse.add(1);
    expect(() => new Sketch().merge(coarse)).toThrow(RangeError);
  });

  it('rejects NaN and infinities with a RangeError naming the index, applying nothing of the batch', () => {
    const sketch = new Sketch();
    sketch.addBatch(new Float64Array([1, 2, 3]));
    const before = sketch.toBytes();
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => sketch.addBatch(new Float64Array([4, 5, bad, 6]))).toThrow(
        /values\[2\] is (NaN|-?Infinity)/,
      );
      expect(() => sketch.addBatch(new Float64Array([4, 5, bad, 6]))).toThrow(RangeError);
      expect(() => sketch.add(bad)).toThrow(RangeError);
    }
    expect(Buffer.from(sketch.toBytes()).equals(Buffer.from(before))).toBe(true);
  });

  it('undoes every earlier chunk of a long batch when a late value is not finite', () => {
    const sketch = new Sketch();
    sketch.addBatch(new Float64Array([3, -7, 0]));
    const before = sketch.toBytes();
    const values = mixedValues(9, 20_000);
    values[3_000] = 1e300; // new bins far above the current ones
    values[9_000] = -1e-300; // and far below, on the negative side
    values[17_000] = Number.NaN;
    expect(() => sketch.addBatch(values)).toThrow(/values\[17000\] is NaN/);
    expect(Buffer.from(sketch.toBytes()).equals(Buffer.from(before))).toBe(true);
    expect(sketch.count).toBe(3);
    const positives = new Float64Array(10_000).map((_, index) => 1 + index);
    positives[9_999] = Number.POSITIVE_INFINITY; // a one-signed batch takes the fast path
    expect(() => sketch.addBatch(positives)).toThrow(/values\[9999\] is Infinity/);
    expect(Buffer.from(sketch.toBytes()).equals(Buffer.from(before))).toBe(true);
  });

  it('orders signed zeros: min is -0 and max is +0 whatever the order they came in', () => {
    for (const values of [
      [0, -0],
      [-0, 0],
    ]) {
      const batch = new Sketch();
      batch.addBatch(Float64Array.from(values));
      const single = new Sketch();
      for (const value of values) single.add(value);
      for (const sketch of [batch, single]) {
        expect(Object.is(sketch.min, -0)).toBe(true);
        expect(Object.is(sketch.max, 0)).toBe(true);
      }
    }
  });

  it('keeps values at and next to every bin boundary within the accuracy (1e-5 to 0.9)', () => {
    const words = new Uint32Array(2);
    const bits = new Float64Array(words.buffer);
    const neighbours = (value: number): number[] => {
      bits[0] = value;
      const [low, high] = [words[0]!, words[1]!];
      const result: number[] = [];
      for (const delta of [-1, 1]) {
        words[0] = (low + delta) >>> 0;
        words[1] = high + (delta < 0 && low === 0 ? -1 : delta > 0 && low === 0xffffffff ? 1 : 0);
        result.push(bits[0]);
      }
      return result;
    };
    for (const accuracy of [1e-5, 0.001, 0.01, 0.05, 0.3, 0.9]) {
      const boundaries = new Sketch({ relativeAccuracy: accuracy });
      const spread = accuracy >= 0.1 ? 4 : 1 + 4 * accuracy;
      const values: number[] = [Number.MAX_VALUE, 2.2250738585072014e-308];
      // Every 2^-12 step of the mantissa (every 7th above 1e-3) in octaves from the smallest to
      // the largest, plus both float neighbours of each: the bin boundaries sit on this grid.
      for (const octave of [-1022, -40, 0, 1, 60, 1023]) {
        for (let step = 0; step < 4096; step += accuracy < 0.001 ? 1 : 7) {
          const value = (1 + step / 4096) * 2 ** octave;
          values.push(value, ...neighbours(value));
        }
      }
      for (const value of values) {
        // Neighbours a few bins away keep the clamp to [min, max] from hiding the bin value.
        const sketch = new Sketch({ relativeAccuracy: accuracy });
        sketch.addBatch(
          new Float64Array([value / spread, value, Math.min(value * spread, Number.MAX_VALUE)]),
        );
        expectWithinAccuracy(sketch.quantile(0.5), value, accuracy);
      }
      boundaries.addBatch(Float64Array.from(values));
      expect(boundaries.count).toBe(values.length);
    }
  });

  it('answers NaN for quantiles, min and max of an empty sketch, and rejects q outside [0, 1]', () => {
    const sketch = new Sketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    expect(sketch.min).toBeNaN();
    expect(sketch.max).toBeNaN();
    expect(sketch.count).toBe(0);
    expect(sketch.sum).toBe(0);
    expect(() => sketch.quantile(1.5)).toThrow(RangeError);
    expect(() => sketch.quantile(Number.NaN)).toThrow(/q is NaN/);
    expect(() => sketch.quantiles(new Float64Array([0.5, -1]))).toThrow(/qs\[1\]/);
  });

  it('rejects a relative accuracy outside [1e-5, 1)', () => {
    for (const relativeAccuracy of [0, 1, -0.1, Number.NaN, 9e-6]) {
      expect(() => new Sketch({ relativeAccuracy })).toThrow(RangeError);
    }
    expect(new Sketch({ relativeAccuracy: 1e-5 }).relativeAccuracy).toBe(1e-5);
  });

  it('writes a versioned, stable byte format (golden bytes of format 2)', () => {
    const sketch = new Sketch();
    sketch.addBatch(new Float64Array([-1.5, 0, 1, 2, 2, 1000]));
    const hex = Buffer.from(sketch.toBytes()).toString('hex');
    expect(hex.slice(0, 16)).toBe('4e43534b02000000'); // "NCSK", version 2
    // Format 2 is frozen: a change here breaks every stored sketch, so it needs a new version byte.
    expect(hex.length / 2).toBe(409);
    expect(createHash('sha256').update(sketch.toBytes()).digest('hex')).toBe(
      'd8af229e23f2a1539aac59492a466a5e6424e8b87469c7f0057f738e44744ef5',
    );
    const decoded = Sketch.fromBytes(sketch.toBytes());
    expect(decoded.quantile(0.5)).toBe(sketch.quantile(0.5));
  });

  it('throws a clear error for every truncation and every bit flip, and never crashes on random bytes', () => {
    const sketch = new Sketch();
    sketch.addBatch(mixedValues(11, 500));
    const bytes = sketch.toBytes();
    for (let length = 0; length < bytes.length; length += 1) {
      expect(() => Sketch.fromBytes(bytes.subarray(0, length))).toThrow(/Sketch.fromBytes/);
    }
    const next = random(5);
    for (let trial = 0; trial < 3_000; trial += 1) {
      const flipped = bytes.slice();
      flipped[Math.floor(next() * flipped.length)]! ^= 1 << Math.floor(next() * 8);
      expect(() => Sketch.fromBytes(flipped)).toThrow(/Sketch.fromBytes/);
    }
    expect(() => Sketch.fromBytes(new Uint8Array(100))).toThrow(/magic/);
    const future = bytes.slice();
    future[4] = 9;
    expect(() => Sketch.fromBytes(future)).toThrow(/version 9 is not supported/);
    const old = bytes.slice();
    old[4] = 1; // format 1 (the cubic mapping of earlier builds) is refused by name, checksum or not
    expect(() => Sketch.fromBytes(old)).toThrow(/format version 1 .*re-create the sketch/);
  });

  it('survives fuzzed random bytes (fast-check): a sketch or an Error, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (random, withHeader) => {
        const bytes = withHeader ? Uint8Array.from([0x4e, 0x43, 0x53, 0x4b, 2, 0, 0, 0, ...random]) : random;
        try {
          const decoded = Sketch.fromBytes(bytes);
          expect(decoded.count).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/Sketch.fromBytes/);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: quantiles within accuracy, exact min/max/count, merge of any split equals the whole', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 300 }), fc.nat(), (list, cut) => {
        const values = Float64Array.from(list);
        const whole = new Sketch();
        whole.addBatch(values);
        const sorted = values.slice().sort();
        for (const q of QS) expectWithinAccuracy(whole.quantile(q), exactQuantile(sorted, q), 0.01);
        expect(whole.count).toBe(values.length);
        expect(whole.min).toBe(sorted[0]);
        expect(whole.max).toBe(sorted[sorted.length - 1]);
        const split = cut % (values.length + 1);
        const left = new Sketch();
        left.addBatch(values.subarray(0, split));
        const right = new Sketch();
        right.addBatch(values.subarray(split));
        right.merge(left);
        for (const q of QS) expect(right.quantile(q)).toBe(whole.quantile(q));
        expect(Sketch.fromBytes(right.toBytes()).quantile(0.5)).toBe(whole.quantile(0.5));
      }),
      { numRuns: 60 },
    );
  });
});
