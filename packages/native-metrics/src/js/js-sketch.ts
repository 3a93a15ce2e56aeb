// biome-ignore-all lint/complexity/useMathMinMax: comparisons mirror the Rust code exactly (NaN and signed-zero behaviour), which Math.min/Math.max would not.
import type { Sketch, SketchOptions } from '../metrics-backend.js';
import { DenseStore } from './dense-store.js';
import { HIGH_WORD, LogMapping, MIN_INDEXABLE, MIN_RELATIVE_ACCURACY } from './log-mapping.js';
import { decodeSketch, encodeSketch } from './sketch-codec.js';

/** Default relative accuracy of sketches (1 %). */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;
/** Compensated-sum lanes; sample `i` of a sketch (counting from its first) goes to lane `i % 4`. */
const SUM_LANES = 4;

/**
 * Checks a relative accuracy option and returns it (default {@link DEFAULT_RELATIVE_ACCURACY}).
 *
 * @example checkRelativeAccuracy(undefined); // 0.01
 */
export function checkRelativeAccuracy(relativeAccuracy: number | undefined): number {
  const value = relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  if (typeof value === 'number' && Number.isFinite(value) && value >= MIN_RELATIVE_ACCURACY && value < 1)
    return value;
  throw new RangeError(
    `Sketch: relativeAccuracy is ${String(value)}; it must be a number from 0.00001 up to, not including, 1 (default 0.01).`,
  );
}

/** The smaller of two samples; of two zeros, -0 (mirrors `lesser` in `src/sketch.rs`). */
function lesser(a: number, b: number): number {
  return a < b || (a === b && a === 0 && Object.is(a, -0)) ? a : b;
}

/** The larger of two samples; of two zeros, +0. */
function greater(a: number, b: number): number {
  return a > b || (a === b && a === 0 && Object.is(a, 0)) ? a : b;
}

/**
 * Pure-TypeScript DDSketch, bin-for-bin and byte-for-byte identical to the native one.
 *
 * @example
 * const sketch = new JsSketch();
 * sketch.addBatch(new Float64Array([1, 2, 3]));
 * sketch.quantile(0.5); // ~2
 */
export class JsSketch implements Sketch {
  /** @internal */ mapping: LogMapping;
  /** @internal */ positive = new DenseStore();
  /** @internal */ negative = new DenseStore();
  /** @internal */ zeroCount = 0;
  /** @internal */ total = 0;
  /** @internal Neumaier-compensated sums per lane (mirrors `sums` in `src/sketch.rs`). */
  sums = new Float64Array(SUM_LANES);
  /** @internal */ compensations = new Float64Array(SUM_LANES);
  /** @internal */ rawMin = Number.POSITIVE_INFINITY;
  /** @internal */ rawMax = Number.NEGATIVE_INFINITY;

  constructor(options?: SketchOptions) {
    this.mapping = LogMapping.of(checkRelativeAccuracy(options?.relativeAccuracy));
  }

  /** Decodes bytes written by either backend's `toBytes`. */
  static fromBytes(bytes: Uint8Array): JsSketch {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError('Sketch.fromBytes: bytes must be a Uint8Array written by Sketch.toBytes.');
    }
    const decoded = decodeSketch(bytes);
    const sketch = new JsSketch({ relativeAccuracy: decoded.relativeAccuracy });
    sketch.positive = decoded.positive;
    sketch.negative = decoded.negative;
    sketch.zeroCount = decoded.zeroCount;
    sketch.total = decoded.count;
    sketch.sums[0] = decoded.sum;
    sketch.compensations[0] = decoded.sumCompensation;
    sketch.rawMin = decoded.min;
    sketch.rawMax = decoded.max;
    return sketch;
  }

  /** @internal The lanes folded into one compensated pair `[sum, compensation]`, in lane order. */
  foldedSum(): [number, number] {
    let sum = 0;
    let compensation = 0;
    for (let lane = 0; lane < SUM_LANES; lane += 1) {
      const value = this.sums[lane]!;
      const next = sum + value;
      compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
      sum = next;
    }
    for (let lane = 0; lane < SUM_LANES; lane += 1) compensation += this.compensations[lane]!;
    return [sum, compensation];
  }

  get count(): number {
    return this.total;
  }

  get sum(): number {
    const [sum, compensation] = this.foldedSum();
    return sum + compensation;
  }

  get min(): number {
    return this.total === 0 ? Number.NaN : this.rawMin;
  }

  get max(): number {
    return this.total === 0 ? Number.NaN : this.rawMax;
  }

  get relativeAccuracy(): number {
    return this.mapping.relativeAccuracy;
  }

  add(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`Sketch.add: value is ${String(value)}; samples must be finite numbers.`);
    }
    this.addFinite(value);
  }

  /** @internal Adds a value already checked to be finite. */
  addFinite(value: number): void {
    if (value >= MIN_INDEXABLE) this.positive.add(this.mapping.index(value), 1);
    else if (value <= -MIN_INDEXABLE) this.negative.add(this.mapping.index(-value), 1);
    else this.zeroCount += 1;
    const lane = this.total % SUM_LANES;
    const sum = this.sums[lane]!;
    const next = sum + value;
    this.compensations[lane]! += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    this.sums[lane] = next;
    this.rawMin = lesser(value, this.rawMin);
    this.rawMax = greater(value, this.rawMax);
    this.total += 1;
  }

  addBatch(values: Float64Array): void {
    if (!(values instanceof Float64Array))
      throw new TypeError('Sketch.addBatch: values must be a Float64Array.');
    const length = values.length;
    for (let index = 0; index < length; index += 1) {
      const value = values[index]!;
      if (value - value !== 0) {
        throw new RangeError(
          `Sketch.addBatch: values[${index}] is ${String(value)}; samples must be finite numbers. Nothing of this batch was added.`,
        );
      }
    }
    // The high words of the values, read in place: sign, exponent and the mantissa bits that
    // select the bin (the same bits the Rust mapping reads).
    const words = new Uint32Array(values.buffer, values.byteOffset, length * 2);
    const mapping = this.mapping;
    const positive = this.positive;
    const negative = this.negative;
    const sums = this.sums;
    const compensations = this.compensations;
    let lane = this.total % SUM_LANES;
    let min = this.rawMin;
    let max = this.rawMax;
    let zeroCount = 0;
    for (let index = 0; index < length; index += 1) {
      const value = values[index]!;
      const high = words[2 * index + HIGH_WORD]!;
      if (high >= 0x00100000 && high < 0x80000000) positive.add(mapping.indexOfHighWord(high), 1);
      else if (high >= 0x80100000) negative.add(mapping.indexOfHighWord(high & 0x7fffffff), 1);
      else zeroCount += 1;
      const sum = sums[lane]!;
      const next = sum + value;
      compensations[lane]! += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
      sums[lane] = next;
      lane = (lane + 1) % SUM_LANES;
      if (value < min) min = value;
      else if (value === 0 && min === 0) min = lesser(value, min);
      if (value > max) max = value;
      else if (value === 0 && max === 0) max = greater(value, max);
    }
    this.rawMin = min;
    this.rawMax = max;
    this.zeroCount += zeroCount;
    this.total += length;
  }

  merge(other: Sketch): void {
    const source = other instanceof JsSketch ? other : JsSketch.fromBytes(other.toBytes());
    if (source.relativeAccuracy !== this.relativeAccuracy) {
      throw new RangeError(
        `Sketch.merge: the other sketch has relativeAccuracy ${source.relativeAccuracy} but this one has ${this.relativeAccuracy}; only sketches with the same accuracy merge.`,
      );
    }
    if (source.total === 0) return;
    this.positive.merge(source.positive);
    this.negative.merge(source.negative);
    this.zeroCount += source.zeroCount;
    this.total += source.total;
    // The other sketch's sum enters lane 0 folded, exactly as it would through its bytes.
    const [value, valueCompensation] = source.foldedSum();
    const sum = this.sums[0]!;
    const next = sum + value;
    this.compensations[0]! += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    this.sums[0] = next;
    this.compensations[0]! += valueCompensation;
    this.rawMin = lesser(source.rawMin, this.rawMin);
    this.rawMax = greater(source.rawMax, this.rawMax);
  }

  quantile(q: number): number {
    checkQuantile(q, 'Sketch.quantile: q');
    return this.quantileUnchecked(q);
  }

  /** @internal Quantile of a `q` already checked to be in [0, 1]. */
  quantileUnchecked(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.floor(q * (this.total - 1));
    const negativeCount = this.total - this.zeroCount - this.positive.total();
    let value: number;
    if (rank < negativeCount) {
      value = -this.mapping.value(this.negative.keyAtRank(negativeCount - 1 - rank));
    } else if (rank < negativeCount + this.zeroCount) {
      value = 0;
    } else {
      value = this.mapping.value(this.positive.keyAtRank(rank - negativeCount - this.zeroCount));
    }
    const clamped = value < this.rawMin ? this.rawMin : value;
    return clamped > this.rawMax ? this.rawMax : clamped;
  }

  quantiles(qs: Float64Array): Float64Array {
    for (let index = 0; index < qs.length; index += 1)
      checkQuantile(qs[index]!, `Sketch.quantiles: qs[${index}]`);
    const out = new Float64Array(qs.length);
    for (let index = 0; index < qs.length; index += 1) out[index] = this.quantileUnchecked(qs[index]!);
    return out;
  }

  toBytes(): Uint8Array {
    const [sum, sumCompensation] = this.foldedSum();
    return encodeSketch({
      relativeAccuracy: this.relativeAccuracy,
      sum,
      sumCompensation,
      min: this.rawMin,
      max: this.rawMax,
      count: this.total,
      zeroCount: this.zeroCount,
      positive: this.positive,
      negative: this.negative,
    });
  }
}

/**
 * Throws a `RangeError` unless `q` is a number in [0, 1].
 *
 * @example checkQuantile(0.99, 'q');
 */
export function checkQuantile(q: number, what: string): void {
  if (typeof q === 'number' && q >= 0 && q <= 1) return;
  throw new RangeError(`${what} is ${String(q)}; it must be between 0 and 1 inclusive.`);
}
