/**
 * Cubically interpolated logarithmic index mapping, bit-identical to `src/mapping.rs`: only IEEE-754
 * additions, multiplications, divisions and bit manipulation, so both backends place every value
 * in the same bin and report the same bin values.
 */

const A = 6 / 35;
const B = -3 / 5;
const C = 10 / 7;

/** Smallest magnitude with its own bin; smaller magnitudes (and subnormals) count as zero. */
export const MIN_INDEXABLE = 2.2250738585072014e-308;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HIGH = littleEndian ? 1 : 0;

/**
 * `ln((1 + x) / (1 - x))` as `2 * atanh(x)` by its power series, deterministic across platforms.
 *
 * @example logRatio(0.01); // 0.020000666...
 */
export function logRatio(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = 0;
  let k = 0;
  for (;;) {
    const next = sum + term / (2 * k + 1);
    if (next === sum || k > 100_000) break;
    sum = next;
    term *= x2;
    k += 1;
  }
  return 2 * sum;
}

/**
 * `2^exponent` for an integer exponent, built from bits (clamped outside the normal range).
 *
 * @example powerOfTwo(-3); // 0.125
 */
export function powerOfTwo(exponent: number): number {
  if (exponent >= 1024) return Number.POSITIVE_INFINITY;
  if (exponent < -1022) return MIN_INDEXABLE;
  scratchWords[HIGH] = (exponent + 1023) * 0x100000;
  scratchWords[1 - HIGH] = 0;
  return scratch[0]!;
}

/**
 * Index mapping for one relative accuracy; `index` and `value` match the Rust mapping exactly.
 *
 * @example
 * const mapping = new LogMapping(0.01);
 * mapping.value(mapping.index(1234)); // within 1 % of 1234
 */
export class LogMapping {
  /** Relative accuracy the bins guarantee. */
  readonly relativeAccuracy: number;
  /** Bins per unit of approximate log2. */
  readonly multiplier: number;

  constructor(relativeAccuracy: number) {
    this.relativeAccuracy = relativeAccuracy;
    this.multiplier = 7 / (10 * logRatio(relativeAccuracy));
  }

  /** Bin index of a positive, normal, finite magnitude. */
  index(magnitude: number): number {
    scratch[0] = magnitude;
    const high = scratchWords[HIGH]!;
    const exponent = ((high >>> 20) & 0x7ff) - 1023;
    scratchWords[HIGH] = (high & 0x000fffff) | 0x3ff00000;
    const significand = scratch[0]! - 1;
    const approxLog2 = ((A * significand + B) * significand + C) * significand + exponent;
    return Math.floor(approxLog2 * this.multiplier);
  }

  /** Lower bound of a bin (inverse of the cubic by eight Newton steps). */
  lowerBound(index: number): number {
    const x = index / this.multiplier;
    const exponent = Math.floor(x);
    const target = x - exponent;
    let s = target;
    for (let step = 0; step < 8; step += 1) {
      const value = ((A * s + B) * s + C) * s - target;
      const slope = (3 * A * s + 2 * B) * s + C;
      s -= value / slope;
    }
    s = Math.min(Math.max(s, 0), 1);
    return (1 + s) * powerOfTwo(exponent);
  }

  /**
   * Representative value of a bin: the harmonic mean of its bounds, within `(U - L) / (U + L)`,
   * hence within the relative accuracy, of every value in the bin (and centred, unlike `L (1 + a)`).
   */
  value(index: number): number {
    const lower = this.lowerBound(index);
    const upper = this.lowerBound(Math.min(index + 1, 2147483647));
    if (Number.isFinite(upper) && upper > lower) return lower * ((2 * upper) / (lower + upper));
    return lower * (1 + this.relativeAccuracy);
  }
}
