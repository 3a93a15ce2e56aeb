/**
 * Counter-based randomness: a value that depends only on its inputs, so that a metric sample for
 * (seed, target, metric, timestamp) is the same whatever window or step the query used. A sequential PRNG
 * (see `sim-random.ts`) cannot give that random access.
 */

/** A 32-bit hash of a seed and any mix of strings and numbers (FNV-1a over the parts, murmur3 finaliser). */
export function hash32(seed: number, ...parts: ReadonlyArray<string | number>): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Fold both halves of a (possibly > 2^32) integer such as a timestamp in milliseconds.
      hash = mixWord(hash, part >>> 0);
      hash = mixWord(hash, Math.floor(part / 0x1_0000_0000) >>> 0);
    } else {
      for (let index = 0; index < part.length; index += 1) {
        hash = Math.imul(hash ^ part.charCodeAt(index), 0x01000193) >>> 0;
      }
      hash = mixWord(hash, part.length);
    }
  }
  return finalise(hash);
}

/** A uniform number in [0, 1) from {@link hash32} of the inputs. */
export function hashUnit(seed: number, ...parts: ReadonlyArray<string | number>): number {
  return hash32(seed, ...parts) / 0x1_0000_0000;
}

/** A standard normal number (Box-Muller over two hashed uniforms) from the inputs. */
export function hashNormal(seed: number, ...parts: ReadonlyArray<string | number>): number {
  const first = (hash32(seed, ...parts, 1) + 1) / 0x1_0000_0001;
  const second = hash32(seed, ...parts, 2) / 0x1_0000_0000;
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

function mixWord(hash: number, word: number): number {
  let mixed = Math.imul(word, 0xcc9e2d51);
  mixed = (mixed << 15) | (mixed >>> 17);
  mixed = Math.imul(mixed, 0x1b873593);
  hash ^= mixed;
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) >>> 0;
}

function finalise(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
