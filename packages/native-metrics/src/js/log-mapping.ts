/**
 * Table-driven logarithmic index mapping, bit-identical to `src/mapping.rs` (the bin layout of byte
 * format v2). Each octave `[2^e, 2^(e+1))` is cut into `2^cellBits` equal cells (the top mantissa
 * bits of a value) and consecutive cells are grouped greedily into bins whose bound ratio stays at
 * most `(1 + a) / (1 - a)` (a hair less, to absorb rounding). The table is built with the same
 * IEEE-754 divisions as the Rust one, so both backends put every value in the same bin.
 */

/** Smallest magnitude with its own bin; smaller magnitudes (and subnormals) count as zero. */
export const MIN_INDEXABLE = 2.2250738585072014e-308;
/** Finest supported relative accuracy (finer ones would need bin tables of several megabytes). */
export const MIN_RELATIVE_ACCURACY = 1e-5;
const MAX_CELL_BITS = 20;
const GAMMA_MARGIN = 1e-9;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the high (sign, exponent, top mantissa) 32-bit word of a float64 in a Uint32Array. */
export const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * `2^exponent` for an integer exponent, built from bits (clamped outside the normal range).
 *
 * @example powerOfTwo(-3); // 0.125
 */
export function powerOfTwo(exponent: number): number {
  if (exponent >= 1024) return Number.POSITIVE_INFINITY;
  if (exponent < -1022) return MIN_INDEXABLE;
  scratchWords[HIGH_WORD] = (exponent + 1023) * 0x100000;
  scratchWords[1 - HIGH_WORD] = 0;
  return scratch[0]!;
}

/**
 * Number of mantissa bits that select a cell: the smallest with `2^bits * a >= 32`, at most 20.
 *
 * @example cellBits(0.01); // 12
 */
export function cellBits(relativeAccuracy: number): number {
  let bits = 1;
  while (bits < MAX_CELL_BITS && 2 ** bits * relativeAccuracy < 32) bits += 1;
  return bits;
}

const cache = new Map<number, LogMapping>();

/**
 * Index mapping for one relative accuracy; `index` and `value` match the Rust mapping exactly.
 * Mappings are shared: use {@link LogMapping.of}.
 *
 * @example
 * const mapping = LogMapping.of(0.01);
 * mapping.value(mapping.index(1234)); // within 1 % of 1234
 */
export class LogMapping {
  /** Relative accuracy the bins guarantee. */
  readonly relativeAccuracy: number;
  /** Mantissa bits that select a cell. */
  readonly cellBits: number;
  /** Bins per octave. */
  readonly binsPerOctave: number;
  /** Bin (within the octave) of each of the `2^cellBits` cells. */
  readonly binOfCell: Uint16Array;
  /** First cell of each bin, then `2^cellBits`. */
  readonly firstCell: Uint32Array;

  /** The shared mapping of a relative accuracy already checked to be in `[1e-5, 1)`. */
  static of(relativeAccuracy: number): LogMapping {
    let mapping = cache.get(relativeAccuracy);
    if (mapping === undefined) {
      mapping = new LogMapping(relativeAccuracy);
      if (cache.size >= 16) cache.delete(cache.keys().next().value!);
      cache.set(relativeAccuracy, mapping);
    }
    return mapping;
  }

  private constructor(relativeAccuracy: number) {
    this.relativeAccuracy = relativeAccuracy;
    const bits = cellBits(relativeAccuracy);
    const cells = 2 ** bits;
    const gamma = ((1 + relativeAccuracy) / (1 - relativeAccuracy)) * (1 - GAMMA_MARGIN);
    const binOfCell = new Uint16Array(cells);
    const firstCell = [0];
    let start = 0;
    for (let cell = 0; cell < cells; cell += 1) {
      if ((cells + cell + 1) / (cells + start) > gamma) {
        start = cell;
        firstCell.push(cell);
      }
      binOfCell[cell] = firstCell.length - 1;
    }
    firstCell.push(cells);
    this.cellBits = bits;
    this.binsPerOctave = firstCell.length - 1;
    this.binOfCell = binOfCell;
    this.firstCell = Uint32Array.from(firstCell);
  }

  /** Bin index of a positive, normal, finite magnitude. */
  index(magnitude: number): number {
    scratch[0] = magnitude;
    return this.indexOfHighWord(scratchWords[HIGH_WORD]!);
  }

  /** Bin index from the high 32-bit word of a positive, normal, finite float64. */
  indexOfHighWord(high: number): number {
    return (
      ((high >>> 20) - 1023) * this.binsPerOctave + this.binOfCell[(high & 0xfffff) >>> (20 - this.cellBits)]!
    );
  }

  /** Lower bound of a bin. */
  lowerBound(index: number): number {
    const octave = Math.floor(index / this.binsPerOctave);
    const bin = index - octave * this.binsPerOctave;
    return (1 + this.firstCell[bin]! / 2 ** this.cellBits) * powerOfTwo(octave);
  }

  /**
   * Representative value of a bin: the harmonic mean of its bounds, within `(U - L) / (U + L)`,
   * hence within the relative accuracy, of every value in the bin (and centred, unlike `L (1 + a)`).
   */
  value(index: number): number {
    const octave = Math.floor(index / this.binsPerOctave);
    const bin = index - octave * this.binsPerOctave;
    const cells = 2 ** this.cellBits;
    const lower = 1 + this.firstCell[bin]! / cells;
    const upper = 1 + this.firstCell[bin + 1]! / cells;
    return lower * ((2 * upper) / (lower + upper)) * powerOfTwo(octave);
  }
}
