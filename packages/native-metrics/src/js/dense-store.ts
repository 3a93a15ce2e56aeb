/**
 * Dense, growable array of bin counters keyed by a signed bin index (mirror of `src/store.rs`).
 *
 * @example
 * const store = new DenseStore();
 * store.add(-3, 1);
 * store.keyAtRank(0); // -3
 */
export class DenseStore {
  /** Key of `counts[0]`. */
  offset = 0;
  /** Counters; every count is an integer below 2^53. */
  counts: Float64Array = new Float64Array(0);

  /** Adds `count` to bin `key`. */
  add(key: number, count: number): void {
    const position = key - this.offset;
    if (position >= 0 && position < this.counts.length) {
      this.counts[position]! += count;
      return;
    }
    this.extendTo(key);
    this.counts[key - this.offset]! += count;
  }

  /** Grows the array so that `key` has a slot, with slack on the growing side. */
  extendTo(key: number): void {
    const length = this.counts.length;
    if (length === 0) {
      this.offset = key - 32;
      this.counts = new Float64Array(64);
      return;
    }
    if (key >= this.offset && key < this.offset + length) return;
    if (key < this.offset) {
      const grow = Math.max(this.offset - key, Math.floor(length / 2), 32);
      const counts = new Float64Array(length + grow);
      counts.set(this.counts, grow);
      this.counts = counts;
      this.offset -= grow;
    } else {
      const grow = Math.max(key - (this.offset + length) + 1, Math.floor(length / 2), 32);
      const counts = new Float64Array(length + grow);
      counts.set(this.counts, 0);
      this.counts = counts;
    }
  }

  /** Adds every bin of `other`. */
  merge(other: DenseStore): void {
    const range = other.nonZeroRange();
    if (range === undefined) return;
    const [first, last] = range;
    this.extendTo(other.offset + first);
    this.extendTo(other.offset + last);
    const shift = other.offset - this.offset;
    for (let position = first; position <= last; position += 1) {
      this.counts[position + shift]! += other.counts[position]!;
    }
  }

  /** First and last positions with a non-zero count, or undefined when empty. */
  nonZeroRange(): [number, number] | undefined {
    const counts = this.counts;
    let first = 0;
    while (first < counts.length && counts[first] === 0) first += 1;
    if (first === counts.length) return undefined;
    let last = counts.length - 1;
    while (counts[last] === 0) last -= 1;
    return [first, last];
  }

  /** Sum of all counters. */
  total(): number {
    let total = 0;
    for (const count of this.counts) total += count;
    return total;
  }

  /** Key of the first bin whose cumulative count exceeds `rank`, walking keys upwards. */
  keyAtRank(rank: number): number {
    let cumulative = 0;
    const counts = this.counts;
    for (let position = 0; position < counts.length; position += 1) {
      const count = counts[position]!;
      cumulative += count;
      if (count !== 0 && cumulative > rank) return this.offset + position;
    }
    const range = this.nonZeroRange();
    return this.offset + (range === undefined ? 0 : range[1]);
  }
}
