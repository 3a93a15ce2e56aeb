import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { hash32 } from './sim-hash.js';

/**
 * A seeded pseudo-random sequence (xoroshiro128+ from `pure-rand`). The same seed and the same sequence of calls
 * give the same numbers on every platform, which `Math.random` cannot.
 *
 * @example
 * const random = new SeededRandom(42);
 * random.chance(0.2); // true or false, the same on every run with seed 42
 */
export class SeededRandom {
  readonly #generator: RandomGenerator;

  /** Starts the sequence for `seed`, optionally a named sub-stream (`'faults'`, `'vm-7'`) independent of others. */
  constructor(seed: number, stream = '') {
    this.#generator = xoroshiro128plus(stream === '' ? seed | 0 : hash32(seed, stream) | 0);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return uniformFloat64(this.#generator);
  }

  /** True with probability `probability` (0 never draws, so a rate of 0 leaves the sequence untouched). */
  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.next() < probability;
  }

  /** A uniform number in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A log-uniform number in [min, max): as likely to fall in [1, 10) as in [10, 100). */
  logBetween(min: number, max: number): number {
    return Math.exp(this.between(Math.log(min), Math.log(max)));
  }
}
