/** Deterministic pseudo-random numbers (mulberry32) so every backend sees the same vectors. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box-Muller). */
export function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** A mix of positive, negative, zero, tiny and heavy-tailed values. */
export function mixedValues(seed: number, length: number): Float64Array {
  const next = random(seed);
  const values = new Float64Array(length);
  for (let index = 0; index < length; index += 1) {
    const u = next();
    switch (index % 6) {
      case 0:
        values[index] = 0;
        break;
      case 1:
        values[index] = -Math.exp(normal(next) * 3 + 2);
        break;
      case 2:
        values[index] = 1 / (1 - u) ** 2; // Pareto tail
        break;
      case 3:
        values[index] = Math.exp(normal(next) + 9.2); // lognormal, median ~1e4
        break;
      case 4:
        values[index] = (u - 0.5) * 1e-6;
        break;
      default:
        values[index] = u * 1e12;
    }
  }
  return values;
}

/** Exact quantile at rank `floor(q * (n - 1))` of a sorted array. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}
